import Foundation
import Testing

/// `serve --state-dir` across `kill -9` and restarts, driven by boto3
/// (Clients/persistence_checks.py): each check runs a "before" phase against a
/// first server, which is then killed with SIGKILL, and an "after" phase
/// against a second server on the same state directory.
@Suite struct PersistenceTests {
    static let script = "Tests/OdasSimEndToEndTests/Clients/persistence_checks.py"

    func beforeAndAfterKillNine(_ check: String, serveArguments: [String] = []) throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let state = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let carried = state.appendingPathComponent("carried.json").path
        let arguments = ["--state-dir", state.appendingPathComponent("state").path] + serveArguments
        do {
            let first = try ServedWorld(extraArguments: arguments)
            let before = try first.runClient("python3", [Self.script, first.aws, first.control, check, "before", carried])
            #expect(before.status == 0, "\(check) before the kill:\n\(before.output)")
        } // deinit: SIGKILL
        let second = try ServedWorld(extraArguments: arguments)
        let after = try second.runClient("python3", [Self.script, second.aws, second.control, check, "after", carried])
        #expect(after.status == 0, "\(check) after the restart:\n\(after.output)")
    }

    @Test func iamEntitiesAndRoleSessionsCreatedOverTheWireSurviveARestart() throws {
        try beforeAndAfterKillNine("identity")
    }

    @Test func versionIdsAreNeverReusedAfterARestart() throws {
        try beforeAndAfterKillNine("version_ids")
    }

    @Test func sseKMSObjectsStayEncryptedAndAccessCheckedAfterARestart() throws {
        try beforeAndAfterKillNine("sse_kms")
    }

    @Test func pendingReplicationResumesAfterARestart() throws {
        try beforeAndAfterKillNine("replication", serveArguments: ["--speed", "0"])
    }

    @Test func tagsContentHeadersAndChecksumsOfVersionedObjectsSurviveARestart() throws {
        try beforeAndAfterKillNine("metadata")
    }
}

/// The state directory is exclusive and recoverable.
@Suite struct StateDirectoryTests {
    @Test func aSecondServeRefusesALockedStateDirectory() throws {
        let state = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let first = try ServedWorld(extraArguments: ["--state-dir", state.path])
        let second = try OdasSimProcess.run(["serve", "scenarios/local-dev.yaml", "--port", "0", "--state-dir", state.path],
                                            timeoutSeconds: 20)
        #expect(second.exitCode == 2, "the second serve should refuse the directory, exit \(second.exitCode)")
        #expect(second.stderr.contains("in use by another odas-sim serve (pid \(first.process.processIdentifier))"), "\(second.stderr)")
    }

    @Test func aCorruptObjectFileIsQuarantinedAndTheServerStarts() throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let state = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let client = """
            import sys, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-west-2",
                              aws_access_key_id="AKIAODASSIMDEVELOPER", aws_secret_access_key="odas-sim-dev-secret-key")
            if sys.argv[2] == "write":
                s3.create_bucket(Bucket="plain", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
                for key in ["victim", "kept"]:
                    s3.put_object(Bucket="plain", Key=key, Body=key.encode() * 100)
            else:
                assert s3.get_object(Bucket="plain", Key="kept")["Body"].read() == b"kept" * 100
                keys = [o["Key"] for o in s3.list_objects_v2(Bucket="plain").get("Contents", [])]
                assert keys == ["kept"], keys
            print("ok")
            """
        do {
            let first = try ServedWorld(extraArguments: ["--state-dir", state.path])
            let written = try first.runClient("python3", ["-c", client, first.aws, "write"])
            #expect(written.status == 0, "\(written.output)")
        }
        // Tear the victim's file (the one holding "victimvictim…"), and leave a temporary file behind.
        let folder = state.appendingPathComponent("s3/objects/plain")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let victim = try #require(files.first { name in
            (FileManager.default.contents(atPath: folder.appendingPathComponent(name).path).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .contains("victimvictim")
        })
        let victimURL = folder.appendingPathComponent(victim)
        let bytes = try Data(contentsOf: victimURL)
        try bytes.prefix(bytes.count - 50).write(to: victimURL)
        let leftover = folder.appendingPathComponent("interrupted.version.tmp")
        try Data("half".utf8).write(to: leftover)

        let second = try ServedWorld(extraArguments: ["--state-dir", state.path])
        let read = try second.runClient("python3", ["-c", client, second.aws, "read"])
        #expect(read.status == 0, "\(read.output)")
        #expect(second.serverLog.contains("set aside s3/objects/plain/\(victim)"), "\(second.serverLog)")
        #expect(second.serverLog.contains("removed 1 temporary file"), "\(second.serverLog)")
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("quarantine/s3/objects/plain/\(victim)").path))
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
    }
}

/// No client can hold the server's connections or memory without bound.
@Suite struct HostileClientTests {
    @Test func idleAndSlowClientsTimeOutAndConnectionsAreCapped() throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let served = try ServedWorld(extraArguments: ["--idle-timeout", "1", "--request-timeout", "2", "--max-connections", "4"])
        let result = try served.runClient("python3", ["Tests/OdasSimEndToEndTests/Clients/hostile_connections.py", served.aws])
        #expect(result.status == 0, "\(result.output)")
    }

    /// Oversized headers and bodies, malformed chunks, odd ranges, web pages
    /// and callers without the control token: each refused in its endpoint's
    /// protocol, and the server keeps serving.
    @Test func hostileRequestsAreRefusedInEachEndpointsProtocol() throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let token = "test-control-token-0123456789"
        let served = try ServedWorld(extraArguments: ["--max-body", "1048576", "--control-token", token])
        let result = try served.runClient("python3", ["Tests/OdasSimEndToEndTests/Clients/hostile_requests.py",
                                                      served.readyFile, token, try OdasSimProcess.binary().path])
        #expect(result.status == 0, "\(result.output)")
    }
}

/// Checks AWS makes on the wire before the operation.
@Suite struct WireCheckTests {
    @Test func wrongRegionAndSessionTokensWithLongTermKeysAreRefusedAsAWSRefusesThem() throws {
        guard requireTool("python3", check: ["-c", "import boto3, requests"]) else { return }
        let served = try ServedWorld()
        let result = try served.runClient("python3", ["Tests/OdasSimEndToEndTests/Clients/wire_checks.py", served.aws])
        #expect(result.status == 0, "\(result.output)")
    }
}

/// kill -9 at 20 seeded moments under mixed load; Benchmarks/crash_restart.py checks the history.
@Suite struct CrashRestartTests {
    @Test func twentySeededKillsLoseNoAcknowledgedWriteTearNoObjectAndReuseNoVersionId() throws {
        guard requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let binary = try OdasSimProcess.binary()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", "Benchmarks/crash_restart.py", "--kills", "20", "--seed", "16", "--odas-sim", binary.path]
        client.currentDirectoryURL = OdasSimProcess.packageRoot
        let log = try OdasSimProcess.temporaryDirectory().appendingPathComponent("crash.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        client.standardOutput = handle
        client.standardError = handle
        try client.run()
        client.waitUntilExit()
        try handle.close()
        let output = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        #expect(client.terminationStatus == 0, "\(output)")
        #expect(output.contains("\"kills\": 20") && output.contains("\"lost\": 0") && output.contains("\"torn\": 0")
                && output.contains("\"reused_version_ids\": 0"), "\(output)")
    }
}
