// kube-bench: 5,000 nodes, 50,000 pods over three zones; one zone is lost.
// Measures the wall time (monotonic clock, here only) to schedule everything and,
// after the outage, until every evicted pod runs again elsewhere; and peak RSS.
//
//     swift run -c release kube-bench [nodes] [pods] [--no-normal-events]

#if canImport(Glibc)
import Glibc
#endif
import KubeSim
import SimCore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let normalEvents = !CommandLine.arguments.contains("--no-normal-events")
let nodeCount = arguments.count > 0 ? arguments[0] : 5_000
let podCount = arguments.count > 1 ? arguments[1] : 50_000
let deploymentCount = 100
let replicas = podCount / deploymentCount
let zones = ["us-east-1a", "us-east-1b", "us-east-1c"]

func peakRSSMiB() -> Double {
    guard let file = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            let kb = Double(text.split(separator: " ").compactMap { Double($0) }.first ?? -1)
            return kb / 1024
        }
    }
    return -1
}

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

var config = KubeConfig()
config.watchLogCapacity = 20_000
config.recordNormalEvents = normalEvents
var faults = FaultModel()
for zone in zones { faults.addAvailabilityZone(zone, region: "us-east-1") }
var cluster = KubeCluster(random: SimRandom(seed: 42).stream("kube"), config: config)
cluster.setFaults(faults)

let setupStart = clock.now
for i in 0..<nodeCount {
    let zone = zones[i % zones.count]
    do {
        try cluster.addNode(name: "ip-10-\(i / 250)-\(i % 250)", zone: zone, region: "us-east-1", cpu: Quantity(milli: 8000),
                            memory: Quantity(value: 32 << 30), pods: 110)
    } catch {
        print("addNode failed: \(error)")
    }
}
let nodesDone = clock.now
for d in 0..<deploymentCount {
    let name = "svc\(d)"
    let labels = ["app": name]
    var container = Container(name: "app", image: "registry.example/app:\(d)")
    if d % 2 == 0 {
        container.resources = ResourceRequirements(requests: ["cpu": Quantity(milli: 100), "memory": Quantity(value: 128 << 20)])
    }
    var spec = PodSpec(containers: [container])
    spec.topologySpreadConstraints = [TopologySpreadConstraint(maxSkew: 1, topologyKey: WellKnown.zoneLabel, whenUnsatisfiable: "ScheduleAnyway",
                                                               labelSelector: LabelSelector(matchLabels: labels))]
    let deployment = Deployment(metadata: ObjectMeta(name: name),
                                spec: DeploymentSpec(replicas: Int32(replicas), selector: LabelSelector(matchLabels: labels),
                                                     template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: spec)))
    do {
        try cluster.create(deployment)
        try cluster.create(Service(metadata: ObjectMeta(name: name), spec: ServiceSpec(selector: labels, ports: [ServicePort(port: 80)])))
    } catch {
        print("create failed: \(error)")
    }
}
cluster.advance(to: .zero + .seconds(60))
let setupEnd = clock.now
let running = cluster.store.pods.items.values.filter { $0.phase == .running }.count
print("setup: \(nodeCount) nodes in \(String(format: "%.2f", seconds(nodesDone - setupStart))) s; \(running)/\(podCount) pods running after \(String(format: "%.2f", seconds(setupEnd - nodesDone))) s wall")

// Lose us-east-1a at T+100s.
let outageAt = SimInstant.zero + .seconds(100)
cluster.advance(to: outageAt)
let deadZone = zones[0]
let deadNodes = Set(cluster.store.nodes.items.values.filter { $0.metadata.labels?[WellKnown.zoneLabel] == deadZone }.map { $0.metadata.nameOrEmpty })
let victims = cluster.store.pods.items.values.filter { $0.spec.nodeName.map(deadNodes.contains) ?? false }.count
faults.apply(.outage(.availabilityZone(deadZone)))
let outageStart = clock.now
cluster.setFaults(faults)
var instant = outageAt
var done = false
var doneAt = outageAt
var evictions = 0
_ = cluster.takeTrace()
while instant < outageAt + .hours(8) {
    instant = instant + .seconds(60)
    cluster.advance(to: instant)
    // Cheap progress check first: count evictions in the new trace lines.
    for line in cluster.takeTrace() where line.reason == "TaintManagerEviction" { evictions += 1 }
    guard evictions >= victims else { continue }
    // Every pod that was in the dead zone has been evicted and replaced by a running pod elsewhere.
    var healthy = 0, inDeadZone = 0
    for pod in cluster.store.pods.items.values where pod.metadata.deletionTimestamp == nil {
        if pod.phase == .running && pod.isReady { healthy += 1 }
        if let node = pod.spec.nodeName, deadNodes.contains(node) { inDeadZone += 1 }
    }
    if healthy == podCount && inDeadZone == 0 {
        done = true
        doneAt = instant
        break
    }
}
let outageEnd = clock.now
let terminating = cluster.store.pods.items.values.filter { $0.metadata.deletionTimestamp != nil }.count
print("outage: \(victims) pods on \(nodeCount / 3) nodes in \(deadZone); all rescheduled: \(done) by virtual \(doneAt) (\(doneAt - outageAt) after the outage); \(terminating) evicted pods still Terminating on dead nodes")
print("wall: outage phase \(String(format: "%.2f", seconds(outageEnd - outageStart))) s, total \(String(format: "%.2f", seconds(outageEnd - setupStart))) s")
print("peak RSS (VmHWM): \(String(format: "%.0f", peakRSSMiB())) MiB")
print("objects: \(cluster.store.pods.count) pods, \(cluster.store.events.count) events, resourceVersion \(cluster.store.resourceVersion), Normal events \(normalEvents ? "recorded" : "off"), digest \(String(cluster.digest, radix: 16))")
