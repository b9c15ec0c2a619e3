import Foundation
import Testing

/// A running `odas-sim serve` for one test, stopped when the test ends.
final class ServedWorld {
    let process = Process()
    let aws: String
    let control: String
    /// The Kubernetes API endpoint, and the kubeconfig serve wrote for it.
    let kubernetes: String
    let kubeconfig: String
    /// The ODAS REST API endpoint.
    let odas: String?
    let directory: URL
    /// The ready file serve wrote (endpoints, pid, the control token if any).
    var readyFile: String { directory.appendingPathComponent("ready.json").path }

    init(scenario: String = "scenarios/local-dev.yaml", extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        directory = try OdasSimProcess.temporaryDirectory()
        let ready = directory.appendingPathComponent("ready.json")
        process.executableURL = try OdasSimProcess.binary()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
        process.arguments = ["serve", scenario, "--port", "0", "--ready-file", ready.path, "--kubeconfig", kubeconfig] + extraArguments
        process.currentDirectoryURL = OdasSimProcess.packageRoot
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("serve.stderr")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var urls: [String: Any]?
        while Date() < deadline {
            if let data = try? Data(contentsOf: ready),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                urls = object
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard let aws = urls?["aws"] as? String, let control = urls?["control"] as? String,
              let kubernetes = urls?["kubernetes"] as? String else {
            process.terminate()
            throw ServeError("odas-sim serve did not write its ready file within 20 s")
        }
        self.aws = aws
        self.control = control
        self.kubernetes = kubernetes
        odas = urls?["odas"] as? String
    }

    deinit {
        // SIGKILL: a signal mask inherited from the test runner cannot hold it back.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// What the server wrote to its standard error so far.
    var serverLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("serve.stderr"), encoding: .utf8)) ?? ""
    }

    /// Runs a client program; returns its exit status and combined output.
    func runClient(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = [executable] + arguments
        client.currentDirectoryURL = OdasSimProcess.packageRoot
        let log = directory.appendingPathComponent("client-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        client.standardOutput = handle
        client.standardError = handle
        try client.run()
        client.waitUntilExit()
        try handle.close()
        return (client.terminationStatus, String(decoding: try Data(contentsOf: log), as: UTF8.self))
    }
}

struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// True when a real client is installed; tests that need one fail, naming it, when it is missing.
func requireTool(_ name: String, check: [String]) -> Bool {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = [name] + check
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    do {
        try probe.run()
        probe.waitUntilExit()
        if probe.terminationStatus == 0 { return true }
    } catch {}
    Issue.record("\(name) is required for this test and was not found (scripts/setup installs it)")
    return false
}

@Suite struct ServeTests {
    static let script = "Tests/OdasSimEndToEndTests/Clients/s3_checks.py"

    @Test(arguments: ["buckets", "objects", "virtual_hosted", "multipart", "listing", "auth", "hostile", "faults", "configuration", "versioning", "authorization"])
    func boto3WithDefaultSettingsSeesS3(check: String) throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let served = try ServedWorld()
        let result = try served.runClient("python3", [Self.script, served.aws, served.control, check])
        #expect(result.status == 0, "\(check):\n\(result.output)")
    }

    @Test func theAWSCLIRunsItsS3Commands() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld()
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_checks.sh", served.aws,
                                                   served.directory.path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theAWSCLIDescribesEC2AndRDSAndSeesAnAZOutage() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld(scenario: "scenarios/aws-az-failure.yaml", extraArguments: ["--allow-any-credentials"])
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_infra_checks.sh", served.aws,
                                                   served.control])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theAWSCLIDrivesAuroraClusterCalls() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld(scenario: "scenarios/aurora-global-region-failure.yaml", extraArguments: ["--allow-any-credentials"])
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_aurora_checks.sh", served.aws,
                                                   served.control])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theAWSCLIDrivesRoute53AndEKS() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        let dns = try ServedWorld(scenario: "scenarios/dns-failover.yaml", extraArguments: ["--allow-any-credentials"])
        let eks = try ServedWorld(scenario: "scenarios/eks-az-failure.yaml", extraArguments: ["--allow-any-credentials"])
        let result = try dns.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_dns_eks_checks.sh", dns.aws,
                                                dns.control, eks.aws])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func faultAndClockCommandsDriveTheControlEndpoint() throws {
        let served = try ServedWorld()
        let inject = try OdasSimProcess.run(["fault", "inject", "az-outage", "us-west-2b", "--duration", "5m",
                                            "--endpoint", served.control])
        #expect(inject.exitCode == 0, "\(inject.stderr)")
        #expect(inject.stdout.contains("injected control-1: az-outage us-west-2b"))
        let listed = try OdasSimProcess.run(["fault", "list", "--endpoint", served.control])
        #expect(listed.stdout.contains("az-outage us-west-2b"))
        let advanced = try OdasSimProcess.run(["clock", "--advance", "6m", "--endpoint", served.control, "--json"])
        #expect(advanced.exitCode == 0)
        #expect(advanced.stdout.contains("\"faults\":[]"), "the 5m fault should have ended: \(advanced.stdout)")
        // Refused requests are bad input: exit 2, the reason on standard error.
        let bad = try OdasSimProcess.run(["fault", "inject", "az-outage", "mars-1a", "--endpoint", served.control])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("unknown target"))
        let missing = try OdasSimProcess.run(["fault", "lift", "control-9", "--endpoint", served.control])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("no active fault \"control-9\""))
    }

    @Test func stateDirectoryKeepsAcknowledgedWritesAcrossKillNine() throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let state = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let client = """
            import sys, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-west-2",
                              aws_access_key_id="AKIAODASSIMDEVELOPER", aws_secret_access_key="odas-sim-dev-secret-key")
            if sys.argv[2] == "write":
                s3.create_bucket(Bucket="kept", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
                for i in range(50):
                    s3.put_object(Bucket="kept", Key=f"k{i}", Body=str(i).encode(), Metadata={"n": str(i)})
                s3.delete_object(Bucket="kept", Key="k7")
                s3.delete_object(Bucket="okera-data", Key="data/part-00000.parquet")
            else:
                keys = [o["Key"] for o in s3.list_objects_v2(Bucket="kept")["Contents"]]
                assert len(keys) == 49 and "k7" not in keys, keys
                got = s3.get_object(Bucket="kept", Key="k42")
                assert got["Body"].read() == b"42" and got["Metadata"] == {"n": "42"}, got["Metadata"]
                listed = [o["Key"] for o in s3.list_objects_v2(Bucket="okera-data", Prefix="data/")["Contents"]]
                assert "data/part-00000.parquet" not in listed and len(listed) == 9, listed
            print("ok")
            """
        do {
            let first = try ServedWorld(extraArguments: ["--state-dir", state.path])
            let written = try first.runClient("python3", ["-c", client, first.aws, "write"])
            #expect(written.status == 0, "\(written.output)")
        } // deinit: SIGKILL, no chance to flush anything
        let second = try ServedWorld(extraArguments: ["--state-dir", state.path])
        let read = try second.runClient("python3", ["-c", client, second.aws, "read"])
        #expect(read.status == 0, "\(read.output)")
    }

    @Test func allowAnyCredentialsAcceptsUnknownKeysOnlyWhenAskedTo() throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let client = """
            import sys, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-west-2",
                              aws_access_key_id="AKIAANYTHINGGOES000", aws_secret_access_key="whatever")
            s3.put_object(Bucket="okera-data", Key="dev", Body=b"dev")
            print(s3.get_object(Bucket="okera-data", Key="dev")["Body"].read().decode())
            """
        let open = try ServedWorld(extraArguments: ["--allow-any-credentials"])
        let accepted = try open.runClient("python3", ["-c", client, open.aws])
        #expect(accepted.status == 0 && accepted.output.contains("dev"), "\(accepted.output)")
        let strict = try ServedWorld()
        let refused = try strict.runClient("python3", ["-c", client, strict.aws])
        #expect(refused.status != 0 && refused.output.contains("InvalidAccessKeyId"), "\(refused.output)")
    }

    @Test func serveRefusesAnInvalidScenarioWithExitCodeTwo() throws {
        let result = try OdasSimProcess.run(["serve", "scenarios/does-not-exist.yaml", "--port", "0"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("no such file"))
    }
}
