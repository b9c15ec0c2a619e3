import Foundation
import Testing
@testable import Scenarios
import AWSSim
import SimCore

/// Authorization inside `run` and the security invariants: each must pass on
/// a sound deployment and fail on the flaw it exists to catch.
@Suite struct SecurityTests {
    static let world = """
        name: sec
        seed: 9
        duration: 20m
        topology:
          regions:
            - {name: us-west-2, azs: [us-west-2a, us-west-2b]}
            - {name: us-east-1, azs: [us-east-1a]}
          hosts: [{name: client, az: us-east-1a}]
        buckets:
          - name: okera-data
            region: us-west-2
            objects: 20
            replicateTo: us-east-1
            replicationTimeControl: true
            policy: {Version: "2012-10-17", Statement: [{Sid: OnlyODAS, Effect: Deny, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::okera-data/*", Condition: {StringNotEquals: {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/odas-node"}}}]}
          - {name: other-team, region: us-west-2, objects: 1}
        iam:
          roles:
            - name: odas-node
              trust: ec2
              buckets: [okera-data]
              policies: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::okera-data/*", "arn:aws:s3:::okera-data-us-east-1/*"]}]}]
            - name: emr
              trust: ec2
              policies: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::okera-data*"}]}]
        workload:
          - {name: odas, kind: s3-get, bucket: okera-data, from: client, rate: 2/s, failover: true, principal: role/odas-node}
          - {name: emr, kind: s3-get, bucket: okera-data, from: client, rate: 2/s, failover: true, principal: role/emr}
        expect:
          invariants: [no-unauthorized-read, least-privilege, no-static-credentials]
        """

    func run(_ text: String) throws -> [String: PropertyResult] {
        let scenario = try ScenarioLoader.load(data: Data(text.utf8), file: "inline.yaml")
        let outcome = ScenarioRunner.run(scenario)
        return Dictionary(uniqueKeysWithValues: outcome.report.expectations.map { ($0.id, $0) })
    }

    func history(_ text: String) throws -> History {
        ScenarioRunner.run(try ScenarioLoader.load(data: Data(text.utf8), file: "inline.yaml")).history
    }

    @Test func theBucketPolicyRefusesDirectReadsAndRefusalsDoNotCauseFailover() throws {
        let history = try history(Self.world)
        let emr = history.operations(of: "emr").filter { !$0.cutOffByEnd }
        #expect(!emr.isEmpty)
        for op in emr where !(op.outcome == .failed && (op.error ?? "").hasPrefix("AccessDenied: User: arn:aws:sts::123456789012:assumed-role/emr/")) {
            Issue.record("emr op \(op.index): \(op.outcome?.rawValue ?? "-") \(op.error ?? "")")
            break
        }
        // AccessDenied is not an outage: the client stays on the primary bucket.
        #expect(emr.allSatisfy { $0.target == "okera-data" })
        #expect(history.operations(of: "odas").filter { !$0.cutOffByEnd }.allSatisfy { $0.outcome == .ok && $0.principal == "arn:aws:iam::123456789012:role/odas-node" })
        let results = try run(Self.world)
        #expect(results["invariant/no-unauthorized-read"]?.status == .pass)
        #expect(results["invariant/least-privilege"]?.status == .pass)
        #expect(results["invariant/no-static-credentials"]?.status == .pass)
    }

    @Test func aReplicaWithoutThePolicyLeaksAfterFailover() throws {
        let text = Self.world + "\nfaults:\n  - {name: lose-west, action: region-outage, target: us-west-2, at: 10m}\n"
        let result = try #require(try run(text)["invariant/no-unauthorized-read"])
        #expect(result.status == .fail)
        #expect(result.detail.contains("role/emr read") && result.detail.contains("from okera-data-us-east-1"))
        // With the same policy on the replica, the failover leaks nothing.
        let guarded = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("    policy: {") ? line.replacingOccurrences(of: "policy: {", with: "policy: &p {") + "\n    replicaPolicy: *p" : String(line)
        }.joined(separator: "\n")
        let fixed = try run(guarded.replacingOccurrences(of: "Resource: \"arn:aws:s3:::okera-data/*\", Condition", with: "Resource: \"arn:aws:s3:::okera-data*\", Condition"))
        #expect(fixed["invariant/no-unauthorized-read"]?.status == .pass)
    }

    @Test func anOverPrivilegedRoleFailsLeastPrivilegeNamingTheGrant() throws {
        let text = Self.world.replacingOccurrences(
            of: "Action: [\"s3:GetObject\", \"s3:PutObject\"], Resource: [\"arn:aws:s3:::okera-data/*\", \"arn:aws:s3:::okera-data-us-east-1/*\"]",
            with: "Action: \"s3:*\", Resource: \"*\"")
        let result = try #require(try run(text)["invariant/least-privilege"])
        #expect(result.status == .fail)
        #expect(result.detail.contains("role odas-node may s3:GetObject on arn:aws:s3:::other-team/odassim-probe-object"))
    }

    @Test func aDeploymentWorkloadWithAUserKeyFailsNoStaticCredentials() throws {
        let text = Self.world.replacingOccurrences(of: "iam:\n", with: """
            iam:
              users:
                - {name: bot, accessKeyId: AKIAODASSIMBOT000000, secretAccessKey: bot-secret-key, policies: [arn:aws:iam::aws:policy/AmazonS3FullAccess]}

            """).replacingOccurrences(of: "principal: role/emr}", with: "principal: user/bot}")
        let result = try #require(try run(text)["invariant/no-static-credentials"])
        #expect(result.status == .fail)
        #expect(result.detail.contains("workload emr signs with user bot's long-lived access key"))
        #expect(result.firstOffendingOperation != nil)
        // The same key on an external client is allowed.
        let external = try run(text.replacingOccurrences(of: "principal: user/bot}", with: "principal: user/bot, external: true}"))
        #expect(external["invariant/no-static-credentials"]?.status == .pass)
    }

    @Test func instanceCredentialsRotateSoALongRunNeverSeesAnExpiredToken() throws {
        let text = Self.world.replacingOccurrences(of: "duration: 20m", with: "duration: 14h")
            .replacingOccurrences(of: "rate: 2/s", with: "rate: 1/m")
        let odas = try history(text).operations(of: "odas").filter { !$0.cutOffByEnd }
        #expect(odas.count > 700)
        #expect(odas.allSatisfy { $0.outcome == .ok })
    }

    @Test func aRoleEC2MayNotAssumeGivesTheClientNoCredentials() throws {
        let text = Self.world.replacingOccurrences(of: "    - name: emr\n      trust: ec2", with: """
                - name: emr
                  trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "sts:AssumeRole"}]}
            """)
        let emr = try history(text).operations(of: "emr").filter { !$0.cutOffByEnd }
        #expect(!emr.isEmpty && emr.allSatisfy { ($0.error ?? "").hasPrefix("NoCredentialProviders") })
    }

    @Test func aSourceVpcConditionAdmitsOnlyClientsInTheVPC() throws {
        let vpc = World.vpcId(region: "us-west-2", cidr: "10.20.0.0/16")
        let text = """
            name: vpc
            seed: 4
            duration: 5m
            topology:
              regions:
                - {name: us-west-2, azs: [us-west-2a, us-west-2b], vpc: {cidr: 10.20.0.0/16}}
                - {name: us-east-1, azs: [us-east-1a]}
            buckets:
              - name: okera-data
                region: us-west-2
                objects: 5
                policy: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::okera-data/*", Condition: {StringNotEquals: {"aws:SourceVpc": "\(vpc)"}}}]}
            workload:
              - {name: inside, kind: s3-get, bucket: okera-data, from: us-west-2a, rate: 2/s}
              - {name: outside, kind: s3-get, bucket: okera-data, from: us-east-1a, rate: 2/s}
            """
        let history = try history(text)
        #expect(history.operations(of: "inside").filter { !$0.cutOffByEnd }.allSatisfy { $0.outcome == .ok })
        #expect(history.operations(of: "outside").filter { !$0.cutOffByEnd }.allSatisfy { ($0.error ?? "").hasPrefix("AccessDenied") })
    }

    @Test func everyShippedScenarioDeclaringASecurityInvariantIsAsDeclared() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["iam-over-privileged", "iam-replica-policy-gap", "iam-static-keys"] {
            let scenario = try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/\(name).yaml").path)
            let report = ScenarioRunner.run(scenario).report
            #expect(report.exitCode == 0, "\(name)")
            #expect(report.expectations.contains { $0.expectedToFail && $0.status == .fail && $0.kind == "invariant" }, "\(name)")
        }
    }
}
