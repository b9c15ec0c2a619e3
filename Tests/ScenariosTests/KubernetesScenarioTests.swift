import Foundation
import Testing
@testable import Scenarios
import SimCore

/// The `kubernetes` section, the `http` workload and `node-crash`, end to end in the runner.
@Suite struct KubernetesScenarioTests {
    static let base = """
        name: k8s
        seed: 8
        duration: 20m
        topology:
          regions:
            - {name: us-west-2, azs: [us-west-2a, us-west-2b, us-west-2c]}
          hosts: [{name: client, az: us-west-2b}]
        kubernetes:
          nodes:
            - {az: us-west-2a, count: 2}
            - {az: us-west-2b, count: 2}
            - {az: us-west-2c, count: 2}
          manifests:
            - apiVersion: apps/v1
              kind: Deployment
              metadata: {name: api, labels: {app: api}}
              spec:
                replicas: 3
                selector: {matchLabels: {app: api}}
                template:
                  metadata: {labels: {app: api}}
                  spec:
                    topologySpreadConstraints:
                      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: api}}}
                    containers: [{name: api, image: api:1, resources: {requests: {cpu: "1"}}}]
            - apiVersion: v1
              kind: Service
              metadata: {name: api}
              spec: {selector: {app: api}, ports: [{port: 80}]}
        workload:
          - {name: calls, kind: http, service: api, from: client, rate: 5/s, start: 30s}
        """

    func load(_ text: String) throws -> Scenario { try ScenarioLoader.load(data: Data(text.utf8), file: "inline.yaml") }

    func errors(_ text: String) -> [String] {
        do {
            _ = try ScenarioLoader.load(data: Data(text.utf8), file: "inline.yaml")
            return []
        } catch {
            return error.errors.map { $0.description }
        }
    }

    @Test func nodesAndManifestsLoad() throws {
        let scenario = try load(Self.base)
        #expect(scenario.kubernetes?.nodes.map(\.name) == ["node-us-west-2a-1", "node-us-west-2a-2", "node-us-west-2b-1",
                                                          "node-us-west-2b-2", "node-us-west-2c-1", "node-us-west-2c-2"])
        #expect(scenario.kubernetes?.manifests.first?.objects.count == 1)
        #expect(scenario.topology.hosts.contains { $0.name == "node-us-west-2c-2" })
    }

    @Test(arguments: [
        ("{az: us-west-2a, count: 2}", "{az: us-west-2z, count: 2}", "unknown availability zone"),
        ("kind: Deployment", "kind: Deploymint", "Deploymint"),
        ("metadata: {name: api, labels: {app: api}}", "metadata: {name: API_1, labels: {app: api}}", "API_1"),
        ("service: api,", "service: apx,", "unknown Service"),
        ("replicas: 3", "replicas: three", "document 1"),
    ])
    func badKubernetesInputNamesTheProblem(original: String, replacement: String, fragment: String) {
        let found = errors(Self.base.replacingOccurrences(of: original, with: replacement))
        #expect(found.contains { $0.contains(fragment) }, "\(found)")
    }

    @Test func nodeCrashNeedsAKubernetesNode() {
        let found = errors(Self.base + "\nfaults:\n  - {action: node-crash, target: node-us-west-2d-1, at: 5m}\n")
        #expect(found.contains { $0.contains("unknown Kubernetes node") && $0.contains("did you mean") }, "\(found)")
    }

    @Test func aZoneOutageIsNoticedAfterTheGracePeriodAndTheServiceRecovers() throws {
        let text = Self.base + """

            faults:
              - {name: lose-2a, action: az-outage, target: us-west-2a, at: 5m, duration: 10m}
            expect:
              rto: {calls: 2m}
            """
        let outcome = ScenarioRunner.run(try load(text))
        let rto = try #require(outcome.report.expectations.first { $0.id == "rto/calls" })
        #expect(rto.status == .pass)
        // Requests routed to the lost zone's pod fail until its node is NotReady (within 60 s).
        let failures = outcome.history.operations(of: "calls").filter { $0.outcome == .failed }
        #expect(!failures.isEmpty)
        for failure in failures where !(failure.invoked >= .zero + .minutes(5) && failure.invoked <= .zero + .minutes(5) + .seconds(61)) {
            Issue.record("failure outside the grace window: \(failure.invoked) \(failure.error ?? "")")
            break
        }
        let notReady = outcome.report.timeline.filter { $0.kind == "kube-NodeNotReady" }
        #expect(notReady.count == 2)
        // The last renewal was up to 10 s before the outage; the 5 s monitor pass notices a Lease older than 50 s.
        #expect(notReady.allSatisfy { $0.at >= .zero + .minutes(5) + .seconds(40) && $0.at <= .zero + .minutes(5) + .seconds(60) })
        // The pod is evicted once the 300 s toleration has run out after the taint.
        let evictions = outcome.report.timeline.filter { $0.kind == "kube-TaintManagerEviction" }
        #expect(evictions.count == 1)
        #expect(evictions.allSatisfy { $0.at >= .zero + .minutes(10) + .seconds(50) })
        #expect(outcome.traceJSONLines.contains("\"source\":\"kube\""))
    }

    @Test func aCrashedNodesPodIsReplaced() throws {
        let text = Self.base.replacingOccurrences(of: "{az: us-west-2a, count: 2}", with: "{az: us-west-2a, count: 1}") + """

            faults:
              - {name: crash, action: node-crash, target: node-us-west-2a-1, at: 2m}
            expect:
              availability: {calls: 97%}
            """
        let outcome = ScenarioRunner.run(try load(text))
        #expect(outcome.report.expectations.first { $0.id == "availability/calls" }?.status == .pass)
        #expect(outcome.report.timeline.contains { $0.kind == "kube-NodeNotReady" && $0.text.contains("node-us-west-2a-1") })
        #expect(outcome.report.timeline.contains { $0.kind == "kube-TaintManagerEviction" })
        // Afterwards every call lands on a pod in a live zone.
        let late = outcome.history.operations(of: "calls").filter { $0.invoked > .zero + .minutes(10) }
        #expect(!late.isEmpty && late.allSatisfy { $0.outcome == .ok || $0.cutOffByEnd })
    }

    @Test func eksNodeGroupInstancesAreTheClustersNodes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scenario = try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/eks-az-failure.yaml").path)
        let outcome = ScenarioRunner.run(scenario)
        let lines = outcome.traceJSONLines.split(separator: "\n").filter { $0.contains("\"source\":\"kube\"") }
        // Six instances register at time zero; the two in the lost AZ leave when Auto Scaling terminates them,
        // and their replacements in the surviving AZs join.
        #expect(lines.filter { $0.contains("NodeAdded") }.count == 10)
        #expect(lines.contains { $0.contains("NodeRemoved") && $0.contains("odas-nodes-1") })
        #expect(lines.contains { $0.contains("NodeAdded") && $0.contains("odas-nodes-7") && $0.contains("us-west-2b") })
        #expect(outcome.report.expectations.allSatisfy { $0.isAsDeclared })
        #expect(outcome.report.expectations.first { $0.id == "rto/planner-api" }?.status == .pass)
    }

    @Test func runsAreDeterministic() throws {
        let text = Self.base + "\nfaults:\n  - {action: az-outage, target: us-west-2b, at: 3m, duration: 5m}\n"
        let first = ScenarioRunner.run(try load(text)).traceJSONLines
        let second = ScenarioRunner.run(try load(text)).traceJSONLines
        #expect(first == second)
    }
}
