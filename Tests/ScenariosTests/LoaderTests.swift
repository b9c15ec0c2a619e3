import Foundation
import Testing
@testable import Scenarios
import SimCore

/// A scenario loaded from text, or the errors it produced.
func load(_ yaml: String, file: String = "test.yaml") -> Result<Scenario, ScenarioErrors> {
    do { return .success(try ScenarioLoader.load(data: Data(yaml.utf8), file: file)) } catch { return .failure(error) }
}

let base = """
name: t
duration: 1h
topology:
  regions:
    - name: us-west-2
      azs: [us-west-2a, us-west-2b, us-west-2c]
    - name: us-east-1
      azs: [us-east-1a]
buckets:
  - {name: okera-data, region: us-west-2, objects: 10, replicateTo: us-east-1}
workload:
  - {name: reads, kind: s3-get, bucket: okera-data, rate: 5/s}
  - {name: writes, kind: s3-put, bucket: okera-data, rate: 1/s}

"""

@Suite struct LoaderTests {
    @Test func aValidScenarioLoadsWithEveryField() throws {
        let scenario = try load(base + """
            faults:
              - {name: f1, action: az-outage, target: us-west-2a, at: 10m, duration: 5m}
              - {action: network-partition, target: us-east-1, peers: [us-west-2], at: 20m}
              - {action: network-latency, target: us-west-2b, latency: 200ms, at: 30m, duration: 1m}
            expect:
              rto: {reads: 5m}
              rpo: {writes: 0s}
              availability: {reads: 99.9%}
              invariants: [no-acknowledged-write-lost]
            expectFailure: [rpo]
            """).get()
        #expect(scenario.name == "t")
        #expect(scenario.duration == .hours(1))
        #expect(scenario.faults.count == 3)
        #expect(scenario.faults[1].name == "fault-2")
        #expect(scenario.faults[1].peers == [.region("us-west-2")])
        #expect(scenario.faults[2].latency == .milliseconds(200))
        #expect(scenario.buckets[0].replicaBucket == "okera-data-us-east-1")
        #expect(scenario.expectations.ids == ["rto/reads", "rpo/writes", "availability/reads", "invariant/no-acknowledged-write-lost"])
        #expect(scenario.expectFailure == ["rpo"])
        #expect(scenario.workloads[0].ratePerSecond == 5)
    }

    @Test func theFixtureLoadsFromDisk() throws {
        let url = try #require(Bundle.module.url(forResource: "valid-minimal", withExtension: "yaml", subdirectory: "Fixtures"))
        let scenario = try ScenarioLoader.load(path: url.path)
        #expect(scenario.workloads.map(\.name) == ["reads"])
    }

    @Test func vpcSubnetsAreDerivedPerAZ() throws {
        let scenario = try load("""
            name: v
            duration: 1m
            topology:
              regions:
                - {name: us-west-2, azs: [us-west-2a, us-west-2b, us-west-2c], vpc: {cidr: 10.20.0.0/16}}
            """).get()
        #expect(scenario.topology.subnets.map(\.cidr) == ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"])
        #expect(scenario.topology.subnets.map(\.id) == ["subnet-us-west-2a", "subnet-us-west-2b", "subnet-us-west-2c"])
    }

    @Test func aVPCMayHaveNamedSubnetsBesideTheDerivedOnes() throws {
        func vpc(_ subnets: String) -> String {
            """
            name: v
            duration: 1m
            topology:
              regions:
                - name: us-west-2
                  azs: [us-west-2a, us-west-2b]
                  vpc: {cidr: 10.20.0.0/16, subnets: \(subnets)}
              hosts: [{name: emr, subnet: emr-2b}]
            """
        }
        let scenario = try load(vpc("[{name: emr-2b, az: us-west-2b, cidr: 10.20.128.0/24}]")).get()
        #expect(scenario.topology.subnets.map(\.id) == ["subnet-us-west-2a", "subnet-us-west-2b", "emr-2b"])
        #expect(scenario.topology.subnets.last?.availabilityZone == "us-west-2b")
        for (subnets, fragment) in [
            ("[{name: emr-2b, az: us-west-2b, cidr: 10.20.0.0/24}]", "overlaps subnet subnet-us-west-2a"),
            ("[{name: emr-2b, az: us-west-2b, cidr: 10.30.0.0/24}]", "inside the VPC's 10.20.0.0/16"),
            ("[{name: emr-2b, az: us-west-2b, cidr: 10.20.128.0/30}]", "at most /28"),
            ("[{name: emr-2b, az: us-east-1a, cidr: 10.20.128.0/24}]", "us-east-1a"),
            ("[{name: subnet-us-west-2a, az: us-west-2a, cidr: 10.20.128.0/24}]", "defined twice"),
        ] {
            guard case .failure(let errors) = load(vpc(subnets)) else {
                Issue.record("\(subnets) should not load")
                continue
            }
            let text = errors.errors.map(\.description).joined(separator: "\n")
            #expect(text.contains(fragment), "\(subnets): \(text)")
        }
    }

    @Test(arguments: [
        ("90s", SimDuration.seconds(90)), ("1h30m", .minutes(90)), ("250ms", .milliseconds(250)),
        ("1.5s", .milliseconds(1500)), ("2d", .hours(48)), ("PT2M", .minutes(2)), ("PT1H0.5S", .seconds(3600) + .milliseconds(500)),
    ])
    func durationsParse(text: String, expected: SimDuration) throws {
        #expect(try DurationSyntax.parse(text).get() == expected)
    }

    @Test(arguments: ["", "5", "-5m", "5x", "30m1h", "1h1h", "99999999d", "P", "PTXS", "1..5s"])
    func badDurationsAreRejected(text: String) {
        #expect(throws: DurationSyntax.Problem.self) { try DurationSyntax.parse(text).get() }
    }

    /// Each case: the scenario text, the line the first error must name, and
    /// a fragment the message must contain.
    static let malformed: [(String, Int, String)] = [
        ("name: x\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\nfualts: []\n", 4, "did you mean \"faults\""),
        ("name: x\nduration: -5m\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n", 2, "must not be negative"),
        ("name: x\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\nseed: 99999999999999999999999\n", 4, "seed"),
        ("name: x\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\nseed: abc\n", 4, "integer"),
        ("name: [a, b]\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\n", 1, "scenario name"),
        ("name: x\nduration: 1h\ntopology:\n  regions:\n    - name: us-west-2\n      azs: [us-west-2a, us-east-1b]\n", 6, "does not belong to region"),
        ("name: x\nduration: 1h\ntopology: {regions: [{name: mars, azs: [marsa]}]}\n", 3, "not an AWS region name"),
        (base + "faults:\n  - {action: az-outage, target: us-west-2d, at: 10m}\n", 15, "did you mean \"us-west-2a\""),
        (base + "faults:\n  - {action: az-outage, target: us-west-2a, at: 2h}\n", 15, "outside the run"),
        (base + "faults:\n  - {action: az-outage, target: us-west-2a, at: 50m, duration: 20m}\n", 15, "after the run ends"),
        (base + "faults:\n  - {action: az-blackout, target: us-west-2a, at: 5m}\n", 15, "unknown fault action"),
        (base + "faults:\n  - {action: region-outage, target: us-west-2a, at: 5m}\n", 15, "unknown region"),
        (base + "faults:\n  - {action: host-crash, target: web-1, at: 5m}\n", 15, "declares no hosts"),
        (base + "faults:\n  - {action: az-outage, target: us-west-2a}\n", 15, "missing required key \"at\""),
        (base + "faults:\n  - {action: az-outage, target: us-west-2a, at: 5m, peers: [us-east-1]}\n", 15, "peers applies only"),
        (base + "faults:\n  - {action: network-latency, target: us-west-2a, at: 5m}\n", 15, "needs latency"),
        (base + "faults: {a: 1}\n", 14, "expected faults (a list)"),
        (base + "expect:\n  rto: {readz: 5m}\n", 15, "did you mean \"reads\""),
        (base + "expect:\n  rpo: {reads: 0s}\n", 15, "applies to workloads that write"),
        (base + "expect:\n  availability: {reads: 120%}\n", 15, "percentage"),
        (base.replacingOccurrences(of: "rate: 5/s}", with: "rate: 5/s, principal: role/ghost}"), 12, "unknown principal"),
        (base + "iam:\n  roles:\n    - {name: r, trust: ec2, buckets: [nope]}\n", 16, "unknown bucket"),
        (base + "iam:\n  roles:\n    - {name: r}\n", 16, "missing required key \"trust\""),
        (base + "iam:\n  roles:\n    - {name: r, trust: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"s3:GetObject\", Resource: \"*\"}]}}\n", 16, "missing Principal"),
        (base + "iam:\n  roles:\n    - {name: r, trust: ec2, policies: [{Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"s3:GetObject\", Resource: \"*\", Condition: {StringFoo: {a: b}}}]}]}\n", 16, "MalformedPolicyDocument"),
        (base.replacingOccurrences(of: "replicateTo: us-east-1}", with: "replicateTo: us-east-1, policy: {Version: \"2012-10-17\"}}"), 10, "MalformedPolicyDocument"),
        (base + "expect:\n  invariants: [no-acknowledged-write-los]\n", 15, "did you mean"),
        (base + "expect:\n  rto: [reads]\n", 15, "expected a mapping"),
        (base + "expectFailure: [rto]\n", 14, "states no expectations"),
        ("name: x\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}]}\nworkload:\n  - {name: w, kind: s3-scan, bucket: b, rate: 5/s}\n", 5, "unknown workload kind"),
        (base.replacingOccurrences(of: "rate: 5/s", with: "rate: 5"), 12, "rate such as"),
        (base.replacingOccurrences(of: "rate: 5/s", with: "rate: 5000000/s"), 12, "at most"),
        (base.replacingOccurrences(of: "objects: 10,", with: "objects: 10, objects: 3,"), 10, "duplicate"),
        (base.replacingOccurrences(of: "name: okera-data", with: "name: Okera_Data"), 10, "not a valid S3 bucket name"),
        (base.replacingOccurrences(of: "bucket: okera-data, rate: 1/s", with: "bucket: missing, rate: 1/s"), 13, "unknown bucket"),
        ("name: x\nduration: 1h\n", 1, "missing required key \"topology\""),
        ("name: x\nduration: 1h\ntopology: {regions: []}\n", 3, "at least one region"),
        ("- a\n- b\n", 1, "expected a scenario"),
        ("name: x\n  duration: 1h\n", 2, "invalid YAML"),
        ("name: \"unterminated\nduration: 1h\n", 1, "never closed"),
        ("name: x\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a]}], vpc: {cidr: 10.0.0.1/16}}\n", 3, "not a VPC IPv4 block"),
        ("name: x\nduration: 1h\ntopology: {regions: [{name: us-west-2, azs: [us-west-2a], vpc: {cidr: 10.0.0.0/16}}], vpc: {cidr: 10.1.0.0/16}}\n", 3, "not both"),
        (base + "database: {identifier: db, region: us-west-2, primaryAZ: us-west-2a, multiAZ: true, standbyAZ: us-west-2a}\n", 14, "another AZ"),
        (base + "database: {identifier: 9db, region: us-west-2, primaryAZ: us-west-2a}\n", 14, "not a DB instance identifier"),
        (base + "database: {identifier: db, region: us-west-2, primaryAZ: us-west-2a, engine: oracle}\n", 14, "not simulated"),
        (base + "database: {identifier: db, region: us-west-2, primaryAZ: us-west-2a}\nfaults:\n  - {action: db-primary-crash, target: db, at: 5m, duration: 1m}\n", 16, "takes no duration"),
        (base + "faults:\n  - {action: db-primary-crash, target: db, at: 5m}\n", 15, "unknown database"),
        (base.replacingOccurrences(of: "kind: s3-put, bucket: okera-data", with: "kind: db-write"), 13, "needs the scenario's database section"),
        (base + "network:\n  securityGroups:\n    - {name: a, ingress: [{port: 22, from: everywhere}]}\n", 16, "neither a CIDR block"),
        (base + "network:\n  securityGroups:\n    - {name: a, ingress: [{port: 22, from: sg:ghost}]}\n", 16, "unknown security group ghost"),
        (base + "compute:\n  instances:\n    - {name: n1, az: us-west-2a}\n", 16, "has no subnet"),
        ("name: x\nduration: 1h\ntopology:\n  regions:\n    - {name: us-west-2, azs: [us-west-2a], vpc: {cidr: 10.20.0.0/16}}\n    - {name: us-east-1, azs: [us-east-1a], vpc: {cidr: 10.20.0.0/16}}\nnetwork:\n  peering:\n    - [us-west-2, us-east-1]\n", 9, "non-overlapping CIDR blocks"),
        (base + "dns:\n  zone: odas.example.com\n  healthChecks:\n    - {name: hc, target: us-west-2a, interval: 20s}\n", 17, "30s (standard) or 10s (fast)"),
        (base + "dns:\n  zone: odas.example.com\n  records:\n    - {name: planner.other.com, target: us-west-2a}\n", 17, "not in the zone"),
        (base + "dns:\n  zone: odas.example.com\n  records:\n    - {name: p.odas.example.com, target: us-west-2a, healthCheck: nope}\n", 17, "unknown health check"),
        (base + "dns:\n  zone: odas.example.com\n  records:\n    - {name: p.odas.example.com, target: us-west-2a, failover: MAIN}\n", 17, "PRIMARY or SECONDARY"),
    ]

    @Test(arguments: malformed.indices)
    func malformedScenariosNameTheLine(index: Int) {
        let (text, line, fragment) = Self.malformed[index]
        guard case .failure(let errors) = load(text) else {
            Issue.record("case \(index) loaded without error")
            return
        }
        let first = errors.errors[0]
        #expect(first.line == line, "case \(index): \(errors)")
        #expect(errors.description.contains(fragment), "case \(index): \(errors)")
        #expect(errors.description.hasPrefix("test.yaml:"), "case \(index): \(errors)")
    }

    @Test func everyProblemInAFileIsReportedInOnePass() {
        guard case .failure(let errors) = load(base + """
            faults:
              - {action: az-outage, target: us-west-2x, at: 5m}
              - {action: az-outage, target: us-west-2a, at: 5 minutes}
            expect:
              rto: {nobody: 5m}
            """) else {
            Issue.record("expected errors")
            return
        }
        #expect(errors.errors.count == 3)
        #expect(errors.errors.map(\.line) == [15, 16, 18])
        #expect(errors.errors[1].keyPath == "faults[1].at")
    }

    @Test func bytesThatAreNotUTF8AreReportedWithTheirLine() {
        var data = Data("name: x\nduration: 1h\n".utf8)
        data.append(contentsOf: [0x6B, 0x3A, 0x20, 0xFF, 0xFE, 0x0A])
        do {
            _ = try ScenarioLoader.load(data: data, file: "bin.yaml")
            Issue.record("non-UTF-8 loaded")
        } catch {
            #expect(error.errors[0].line == 3)
            #expect(error.description.contains("not valid UTF-8"))
        }
    }

    @Test func anEmptyFileAndADirectoryAreRejected() throws {
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(data: Data(), file: "empty.yaml") }
        let directory = FileManager.default.temporaryDirectory.path
        do {
            _ = try ScenarioLoader.load(path: directory)
            Issue.record("a directory loaded")
        } catch {
            #expect(error.description.contains("is a directory"))
        }
    }
}
