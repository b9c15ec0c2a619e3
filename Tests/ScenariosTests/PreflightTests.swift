import Foundation
import Testing
import ODASModel
@testable import Scenarios

/// The installer's preflight: every prerequisite checked against the AWS
/// fakes, every gap reported at once with its resource and fix, and a run
/// that stops before installing when there is one.
@Suite struct PreflightTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func shippedText(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("scenarios/\(name).yaml"), encoding: .utf8)
    }

    /// install-eks.yaml with `replacements` applied (each must match).
    static func eks(_ replacements: [(String, String)] = []) throws -> Scenario {
        var text = try shippedText("install-eks")
        for (old, new) in replacements {
            #expect(text.contains(old), "fixture text not found: \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try ScenarioLoader.load(data: Data(text.utf8), file: "install-eks-variant.yaml")
    }

    static func preflight(_ replacements: [(String, String)]) throws -> PreflightReport {
        try #require(ScenarioRunner.preflight(try eks(replacements)))
    }

    static func gapTexts(_ report: PreflightReport, _ check: String) -> [String] {
        report.checks.first { $0.id == check }?.gaps.map { "\($0.resource): \($0.problem) fix: \($0.fix)" } ?? []
    }

    @Test func theShippedEKSInstallHasEveryPrerequisite() throws {
        let report = try Self.preflight([])
        #expect(report.passed, "\(report.gaps)")
        #expect(report.warnings.isEmpty)
        #expect(report.checks.map(\.id) == ["network/subnets", "network/security-groups", "storage/log-bucket", "iam/instance-role",
                                            "kms/keys", "database", "configuration", "installer/target"])
        #expect(report.checks.allSatisfy { !$0.verified.isEmpty }, "every check says what it verified")
        let outcome = ScenarioRunner.run(try Self.eks())
        #expect(outcome.report.exitCode == 0, "\(outcome.report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        #expect(outcome.report.expectations.first { $0.id == "preflight" }?.status == .pass)
        #expect(outcome.report.timeline.first?.kind == "preflight-passed")
        // Same scenario, same seed: the same trace, preflight included.
        #expect(ScenarioRunner.run(try Self.eks()).report.traceHash == outcome.report.traceHash)
    }

    @Test func theFlawedInstallListsEveryGapAndStopsBeforeInstalling() throws {
        let scenario = try ScenarioLoader.load(path: Self.root.appendingPathComponent("scenarios/install-missing-prerequisites.yaml").path)
        let outcome = ScenarioRunner.run(scenario)
        let report = outcome.report
        #expect(report.exitCode == 0, "declared: \(report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        let preflight = try #require(report.preflight)
        #expect(!preflight.passed)
        let resources = preflight.gaps.map(\.resource)
        #expect(resources == ["security groups odas-service, odas-admin", "security group odas-admin", "bucket okera-logs",
                              "role odas-node", "DB instance odas-catalog",
                              "AWS_ACCESS_KEY_ID (\(scenario.file):93)"], "\(resources)")
        #expect(preflight.gaps.allSatisfy { !$0.fix.isEmpty })
        #expect(preflight.warnings.map(\.problem).contains { $0.hasPrefix("single-AZ") })
        // Nothing was installed: no workload ran, and what the run would have measured is VACUOUS.
        #expect(outcome.history.operations.isEmpty)
        #expect(report.expectations.first { $0.id == "availability/emr-scans" }?.status == .vacuous)
        let result = try #require(report.expectations.first { $0.id == "preflight" })
        #expect(result.status == .fail && result.measured == "6 gaps" && result.expectedToFail)
        // Text and JSON carry the gaps with their fixes; the secret is never printed.
        let text = TextReport.render(report, reportDirectory: nil)
        #expect(text.contains("GAP   storage/log-bucket"))
        #expect(text.contains("fix: aws s3api create-bucket --bucket okera-logs"))
        #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONReport.render(report).utf8)) as? [String: Any])
        let section = try #require(json["preflight"] as? [String: Any])
        #expect(section["passed"] as? Bool == false)
        #expect(section["gapCount"] as? Int == 6)
    }

    @Test func oneZoneOfSubnetsIsAGap() throws {
        let report = try Self.preflight([("subnets: [subnet-us-west-2a, subnet-us-west-2b, subnet-us-west-2c]", "subnets: [subnet-us-west-2a]")])
        #expect(Self.gapTexts(report, "network/subnets").first?.contains("all in us-west-2a") == true)
    }

    @Test func adminPortsOpenToTheInternetAreAGapServicePortsAWarning() throws {
        let admin = try Self.preflight([("{port: 22, from: 10.20.250.0/24}", "{port: 22, from: 0.0.0.0/0}")])
        #expect(Self.gapTexts(admin, "network/security-groups").contains { $0.contains("tcp/22 (SSH) is open to the whole internet") && $0.contains("revoke-security-group-ingress") })
        let service = try Self.preflight([("{port: 5010, from: sg:emr}", "{port: 5010, from: 0.0.0.0/0}")])
        #expect(service.passed)
        #expect(service.warnings.contains { $0.problem.contains("tcp/5010 (S3 proxy) is open to the whole internet") })
        let wide = try Self.preflight([("{port: 13051, from: 10.20.250.0/24}", "{port: 13051, from: 10.20.0.0/16}")])
        #expect(Self.gapTexts(wide, "network/security-groups").contains { $0.contains("tcp/13051 (worker admin) is open to 10.20.0.0/16, wider than the admin sources") })
    }

    @Test func missingServicePortsAndNodeToNodeRulesAreGaps() throws {
        let report = try Self.preflight([("        - {port: 14050, from: sg:emr}\n", ""), ("        - {protocol: all, from: sg:odas-nodes}\n", "")])
        let gaps = Self.gapTexts(report, "network/security-groups")
        #expect(gaps.contains { $0.contains("sg:emr cannot reach tcp/14050 (Presto/JDBC)") && $0.contains("--port 14050 --source-group sg-") })
        #expect(gaps.contains { $0.contains("ODAS nodes cannot reach each other on") && $0.contains("tcp/9083") })
    }

    @Test func aSecurityGroupThatDoesNotExistIsAGap() throws {
        let report = try Self.preflight([("  securityGroups: [odas-nodes]\n  serviceAccess", "  securityGroups: [odas-nodes, odas-extra]\n  serviceAccess")])
        #expect(Self.gapTexts(report, "network/security-groups").contains { $0.hasPrefix("security group odas-extra: the security group does not exist") })
    }

    @Test func theLogBucketMustBeVersionedAndWritable() throws {
        let report = try Self.preflight([("{name: okera-logs, region: us-west-2, versioning: true,", "{name: okera-logs, region: us-west-2,"),
                                         ("\"arn:aws:s3:::okera-logs/odas/*\"", "\"arn:aws:s3:::okera-logs/other/*\"")])
        let gaps = Self.gapTexts(report, "storage/log-bucket")
        #expect(gaps.contains { $0.contains("versioning is not enabled") && $0.contains("put-bucket-versioning --bucket okera-logs") })
        #expect(gaps.contains { $0.contains("role odas-node: cannot use the log bucket") && $0.contains("s3:PutObject") })
    }

    @Test func theRoleMustReachTheLogKeyThroughKMS() throws {
        let report = try Self.preflight([("Action: [\"kms:GenerateDataKey\", \"kms:Decrypt\"]", "Action: [\"kms:Decrypt\"]")])
        let gaps = Self.gapTexts(report, "kms/keys")
        #expect(gaps.count == 1)
        #expect(gaps.first?.contains("kms:GenerateDataKey") == true && gaps.first?.contains("default encryption of the log bucket okera-logs") == true)
    }

    @Test func theRoleMustReadEveryDatasetFile() throws {
        let report = try Self.preflight([("Resource: [\"arn:aws:s3:::okera-data\", \"arn:aws:s3:::okera-data/*\"]",
                                          "Resource: [\"arn:aws:s3:::okera-data\", \"arn:aws:s3:::okera-data/other/*\"]")])
        let gaps = Self.gapTexts(report, "iam/instance-role")
        #expect(gaps.first?.contains("s3:GetObject denied on 4 of 4 files") == true, "\(gaps)")
    }

    @Test func theDatabaseMustAdmitTheNodesOn3306AndAWarningWhenSingleAZ() throws {
        let closed = try Self.preflight([("{port: 3306, from: sg:odas-nodes}", "{port: 3306, from: 10.20.128.0/24}")])
        #expect(Self.gapTexts(closed, "database").contains { $0.contains("no ingress rule admits the ODAS nodes") && $0.contains("--port 3306") })
        let single = try Self.preflight([("  multiAZ: true\n  standbyAZ: us-west-2b\n", "")])
        #expect(single.passed)
        #expect(single.warnings.contains { $0.resource == "DB instance odas-catalog" && $0.problem.hasPrefix("single-AZ") })
        let outside = try Self.preflight([("subnets: [subnet-us-west-2a, subnet-us-west-2b, subnet-us-west-2c]", "subnets: [subnet-us-west-2b, subnet-us-west-2c]")])
        #expect(Self.gapTexts(outside, "database").contains { $0.contains("the primary is in us-west-2a, where ODAS has no subnet") })
    }

    @Test func staticKeysAndAWrongDatabaseURLAreGaps() throws {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let report = try Self.preflight([("    OKERA_DB_URL: jdbc:mysql://odas-catalog:3306/okera",
                                          "    OKERA_DB_URL: jdbc:mysql://other-db:3307/okera\n    AWS_SECRET_ACCESS_KEY: \(secret)")])
        let gaps = Self.gapTexts(report, "configuration")
        #expect(gaps.contains { $0.hasPrefix("AWS_SECRET_ACCESS_KEY (install-eks-variant.yaml:") && $0.contains("wJal****") })
        #expect(gaps.contains { $0.contains("port 3307, but the database listens on 3306") && $0.contains("host other-db is not the endpoint of odas-catalog") })
        #expect(!gaps.joined().contains(secret))
    }

    @Test func eksNeedsAClusterToInstallOnto() throws {
        let text = try Self.shippedText("install-missing-prerequisites").replacingOccurrences(of: "  kind: ec2", with: "  kind: eks")
        let report = try #require(ScenarioRunner.preflight(try ScenarioLoader.load(data: Data(text.utf8), file: "x.yaml")))
        #expect(Self.gapTexts(report, "installer/target").first?.contains("installs onto an existing EKS cluster") == true)
    }

    @Test func sseKMSDataIsUnreadableWithoutTheKeyInARunToo() throws {
        // The same flaw the preflight names (kms/keys), seen by the run itself: without
        // an installer nothing stops the run, and S3 refuses every scan's reads.
        var text = try Self.shippedText("install-eks")
        text = text.replacingOccurrences(of: "{name: okera-data, region: us-west-2, versioning: true}",
                                         with: "{name: okera-data, region: us-west-2, versioning: true, encryption: aws:kms, kmsKey: alias/okera-data}")
        let withInstaller = try ScenarioLoader.load(data: Data(text.replacingOccurrences(of: "Resource: \"*\"", with: "Resource: \"arn:aws:kms:us-west-2:123456789012:alias/none\"").utf8), file: "x.yaml")
        let report = try #require(ScenarioRunner.preflight(withInstaller))
        #expect(Self.gapTexts(report, "kms/keys").contains { $0.contains("default encryption of okera-data") && $0.contains("kms:Decrypt") })
        let installerStart = try #require(text.range(of: "installer:\n"))
        let workloadStart = try #require(text.range(of: "workload:\n"))
        text.removeSubrange(installerStart.lowerBound..<workloadStart.lowerBound)
        text = text.replacingOccurrences(of: "Resource: \"*\"", with: "Resource: \"arn:aws:kms:us-west-2:123456789012:alias/none\"")
        let outcome = ScenarioRunner.run(try ScenarioLoader.load(data: Data(text.utf8), file: "y.yaml"))
        let scans = try #require(outcome.report.workloads.first { $0.name == "emr-scans" })
        #expect(scans.ok == 0 && scans.failed > 0)
        #expect(scans.causes.first?.cause.contains("kms:Decrypt") == true, "\(scans.causes.map(\.cause))")
    }

    @Test(arguments: [
        ("installer:\n  kind: ekss", "installer.kind: unknown installer kind \"ekss\"; did you mean \"eks\"?"),
        ("  subnets: [subnet-us-west-2a, subnet-us-west-2b, subnet-us-west-2c]", "installer.subnets[0]: unknown subnet"),
        ("  serviceAccess: [sg:emr]", "installer.serviceAccess[0]: \"emr\" is neither a CIDR block"),
        ("{name: okera-data, region: us-west-2, versioning: true}", "buckets[0].kmsKey: kmsKey needs encryption: aws:kms"),
    ])
    func badInstallerInputIsNamed(fragment: String, message: String) throws {
        var text = try Self.shippedText("install-eks")
        switch fragment {
        case "installer:\n  kind: ekss": text = text.replacingOccurrences(of: "installer:\n  kind: eks", with: fragment)
        case "  subnets: [subnet-us-west-2a, subnet-us-west-2b, subnet-us-west-2c]":
            text = text.replacingOccurrences(of: fragment, with: "  subnets: [subnet-eu-west-1a, subnet-us-west-2b]")
        case "  serviceAccess: [sg:emr]": text = text.replacingOccurrences(of: fragment, with: "  serviceAccess: [emr]")
        default: text = text.replacingOccurrences(of: fragment, with: "{name: okera-data, region: us-west-2, versioning: true, kmsKey: alias/x}")
        }
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(data: Data(text.utf8), file: "bad.yaml") }
        do { _ = try ScenarioLoader.load(data: Data(text.utf8), file: "bad.yaml") } catch {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(error.description.hasPrefix("bad.yaml:"))
        }
    }

    @Test func anInstallerNeedsODAS() throws {
        let text = """
            name: no-odas
            duration: 1m
            topology: {regions: [{name: us-west-2, azs: [us-west-2a, us-west-2b]}]}
            installer: {kind: ec2, subnets: [], securityGroups: [odas], logBucket: okera-logs}
            """
        do { _ = try ScenarioLoader.load(data: Data(text.utf8), file: "n.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.contains("installer needs an odas: section"), "\(error.description)")
        }
    }
}
