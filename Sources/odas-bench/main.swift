// odas-bench: throughput and memory of the simulation engine, and the wall
// time of the shipped scenarios. Run in release:
//
//     swift run -c release odas-bench [--events N] [--scenario FILE]...
//
// Wall time is read here, outside the simulation, to measure it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AWSSim
import Foundation
import Scenarios
import SimCore

/// Peak resident set size of this process, in MiB.
func peakMemoryMiB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(Linux)
    return Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
    #else
    return Double(usage.ru_maxrss) / 1_048_576 // bytes on macOS
    #endif
}

func measure(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Timer events: `pending` timers are live at any moment; each delivered event
/// schedules its successor a seeded random delay later (like heartbeats and
/// health checks do), until `total` events were delivered.
func timerChurn(total: Int, pending: Int) -> (seconds: Double, checksum: UInt64) {
    var loop = EventLoop<Int>()
    var random = SimRandom(seed: 1)
    var checksum: UInt64 = 0
    let seconds = measure {
        for index in 0..<pending {
            loop.schedule(index, after: .nanoseconds(Int64(random.next(upperBound: UInt64(1_000_000)))))
        }
        var delivered = 0
        while delivered < total, let (instant, event) = loop.next(until: .distantFuture) {
            delivered += 1
            checksum &+= UInt64(truncatingIfNeeded: instant.nanosecondsSinceStart) ^ UInt64(event)
            loop.schedule(event, after: .nanoseconds(Int64(random.next(upperBound: UInt64(1_000_000)))))
        }
    }
    return (seconds, checksum)
}

/// Equal-time events: a burst of `total` events at one instant (ties broken by sequence).
func equalTimeBurst(total: Int) -> Double {
    var loop = EventLoop<Int>()
    return measure {
        for index in 0..<total { loop.schedule(index, at: .zero) }
        var last = -1
        while let (_, event) = loop.next(until: .distantFuture) {
            precondition(event == last + 1, "equal-time events out of order")
            last = event
        }
    }
}

/// IAM policy evaluation: a realistic 10-statement ODAS role policy (actions
/// with wildcards, NotResource, a Deny, conditions with policy variables, IP
/// ranges and Bool) against a rotating set of 8 requests, on one core.
func policyEvaluations(total: Int) -> (seconds: Double, allowed: Int) {
    let text = #"""
    {"Version":"2012-10-17","Statement":[
      {"Sid":"ReadDatasets","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":["arn:aws:s3:::okera-data/*","arn:aws:s3:::okera-data-dr/*"]},
      {"Sid":"ListDatasets","Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::okera-data","arn:aws:s3:::okera-data-dr"],"Condition":{"StringLike":{"s3:prefix":["data/*","staging/${aws:username}/*"]}}},
      {"Sid":"WriteStaging","Effect":"Allow","Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::okera-data/staging/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}},
      {"Sid":"UseDataKey","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:us-west-2:123456789012:key/*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-west-2.amazonaws.com"}}},
      {"Sid":"FromTheVPC","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::okera-public/*","Condition":{"IpAddress":{"aws:SourceIp":["10.20.0.0/16","10.30.0.0/16"]}}},
      {"Sid":"CatalogLogs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-west-2:123456789012:log-group:/odas/*"},
      {"Sid":"Describe","Effect":"Allow","Action":["ec2:Describe*","autoscaling:Describe*"],"Resource":"*"},
      {"Sid":"NoDeletes","Effect":"Deny","Action":["s3:DeleteObject*","s3:DeleteBucket*"],"Resource":"*"},
      {"Sid":"TLSOnly","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
      {"Sid":"NothingElse","Effect":"Deny","NotAction":["s3:*","kms:*","logs:*","ec2:Describe*","autoscaling:Describe*"],"NotResource":"arn:aws:iam::123456789012:role/odas-*"}
    ]}
    """#
    guard let policy = try? PolicyDocument.parse(text) else { return (0, 0) }
    let principal = "arn:aws:sts::123456789012:assumed-role/odas-node/i-0123"
    let context: [String: [String]] = ["aws:SecureTransport": ["true"], "aws:SourceIp": ["10.20.3.4"], "aws:username": ["odas-node"],
                                       "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/odas-node"]]
    func request(_ action: String, _ resource: String, _ extra: [String: [String]] = [:]) -> AuthorizationRequest {
        AuthorizationRequest(principalArn: principal, principalAccount: "123456789012", action: action, resource: resource,
                             resourceAccount: "123456789012", context: context.merging(extra) { $1 })
    }
    let requests = [
        request("s3:GetObject", "arn:aws:s3:::okera-data/data/part-00001.parquet"),
        request("s3:ListBucket", "arn:aws:s3:::okera-data", ["s3:prefix": ["staging/odas-node/x"]]),
        request("s3:PutObject", "arn:aws:s3:::okera-data/staging/x", ["s3:x-amz-server-side-encryption": ["aws:kms"]]),
        request("kms:Decrypt", "arn:aws:kms:us-west-2:123456789012:key/1234", ["kms:ViaService": ["s3.us-west-2.amazonaws.com"]]),
        request("s3:GetObject", "arn:aws:s3:::finance-raw/x"),
        request("s3:DeleteObject", "arn:aws:s3:::okera-data/data/part-00001.parquet"),
        request("iam:CreateUser", "arn:aws:iam::123456789012:user/mallory"),
        request("ec2:DescribeInstances", "*"),
    ]
    var allowed = 0
    let policies = [policy]
    let seconds = measure {
        for index in 0..<total where PolicyEvaluator.evaluate(requests[index & 7], identityPolicies: policies).isAllowed {
            allowed += 1
        }
    }
    return (seconds, allowed)
}

var events = 10_000_000
var scenarioFiles: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--events":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            print("--events needs a positive integer")
            exit(2)
        }
        events = value
    case "--scenario":
        guard let value = arguments.popFirst() else {
            print("--scenario needs a file")
            exit(2)
        }
        scenarioFiles.append(value)
    default:
        print("usage: odas-bench [--events N] [--scenario FILE]...")
        exit(2)
    }
}
if scenarioFiles.isEmpty { scenarioFiles = ["scenarios/az-failure.yaml", "scenarios/region-failure.yaml", "scenarios/aws-az-failure.yaml"] }

print("odas-bench (build this with -c release for meaningful figures)")
for pending in [1_000, 100_000] {
    let run = timerChurn(total: events, pending: pending)
    let rate = Double(events) / run.seconds
    print("scheduler  timer churn, \(pending) pending: \(events) events in \(String(format: "%.3f", run.seconds)) s = \(String(format: "%.2f", rate / 1e6)) M events/s (checksum \(run.checksum))")
}
let burst = min(events, 2_000_000)
let burstSeconds = equalTimeBurst(total: burst)
print("scheduler  equal-time burst: \(burst) events in \(String(format: "%.3f", burstSeconds)) s = \(String(format: "%.2f", Double(burst) / burstSeconds / 1e6)) M events/s")
print("memory     peak RSS after scheduler runs: \(String(format: "%.1f", peakMemoryMiB())) MiB")

let evaluations = 2_000_000
let iam = policyEvaluations(total: evaluations)
print("iam        policy evaluations, 10-statement policy, 8 requests: \(evaluations) in \(String(format: "%.3f", iam.seconds)) s = \(String(format: "%.2f", Double(evaluations) / iam.seconds / 1e6)) M evaluations/s on one core (\(iam.allowed) allowed)")

for file in scenarioFiles {
    let scenario: Scenario
    do { scenario = try ScenarioLoader.load(path: file) } catch {
        print(error.description)
        exit(2)
    }
    var times: [Double] = []
    var report: RunReport?
    for _ in 0..<3 {
        times.append(measure { report = ScenarioRunner.run(scenario, traceTo: .hashOnly).report })
    }
    times.sort()
    let processed = report?.eventsProcessed ?? 0
    print("scenario   \(file): median \(String(format: "%.3f", times[1])) s wall for \(scenario.duration) simulated, \(processed) events = \(String(format: "%.0f", Double(processed) / times[1])) events/s, \(report?.traceEvents ?? 0) trace records (runs: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))")
}
print("memory     peak RSS: \(String(format: "%.1f", peakMemoryMiB())) MiB")

// Memory against duration: the first scenario again at four times its duration (the trace streams, as in `run`).
if let file = scenarioFiles.first, var long = try? ScenarioLoader.load(path: file) {
    long.duration = long.duration * 4
    var report: RunReport?
    let seconds = measure { report = ScenarioRunner.run(long, traceTo: .hashOnly).report }
    print("long run   \(file) for \(long.duration): \(String(format: "%.3f", seconds)) s wall, \(report?.eventsProcessed ?? 0) events, \(report?.traceEvents ?? 0) trace records; peak RSS now \(String(format: "%.1f", peakMemoryMiB())) MiB")
}

// Validation of a large cluster (the loader applies manifests and nodes to a scratch cluster).
let nodesScenario = """
    name: many-nodes
    duration: 1m
    topology:
      regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]
      hosts: [{name: client, az: us-west-2a}]
    kubernetes:
      nodes: [{az: us-west-2a, count: 10000}, {az: us-west-2b, count: 10000}, {az: us-west-2a, count: 10000}, {az: us-west-2b, count: 10000}]
    """
var validated = 0
let validateSeconds = measure { validated = (try? ScenarioLoader.load(data: Data(nodesScenario.utf8), file: "many-nodes.yaml"))?.topology.hosts.count ?? 0 }
print("validate   40,000 Kubernetes nodes: \(String(format: "%.3f", validateSeconds)) s (\(validated) hosts)")

// Explore throughput: the first scenario cut to one hour, random schedules, two jobs (issue 14's target: 5 seeds/s).
if let file = scenarioFiles.first, var hour = try? ScenarioLoader.load(path: file) {
    hour.duration = .hours(1)
    hour.faults = hour.faults.filter { ($0.end ?? $0.at) <= hour.duration }
    let generator = ScheduleGenerator(vocabulary: FaultVocabulary(hour))
    let seeds = 8
    var results: [SeedOutcome] = []
    let seconds = measure { results = Exploration.explore(hour, generator: generator, seeds: SeedSpace(count: seeds), jobs: 2) }
    let failing = results.filter { $0.verdict == "fail" }.count
    print("explore    \(file) at 1h, \(seeds) seeds, --jobs 2: \(String(format: "%.3f", seconds)) s = \(String(format: "%.2f", Double(seeds) / seconds)) seeds/s (\(failing) failing); peak RSS now \(String(format: "%.1f", peakMemoryMiB())) MiB")
}
