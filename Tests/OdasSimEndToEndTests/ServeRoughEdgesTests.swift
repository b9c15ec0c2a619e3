import Foundation
import Testing

/// Errors of `serve` and its control commands say what is wrong.
@Suite struct ServeRoughEdgesTests {
    @Test func aNegativeClockSpeedIsRefusedWithItsReason() throws {
        let result = try OdasSimProcess.run(["clock", "--speed", "-1", "--endpoint", "http://127.0.0.1:9"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--speed -1.0 is outside 0…1000000"), "\(result.stderr)")
    }

    @Test func aPortInUseNamesTheEndpointAndThePort() throws {
        let served = try ServedWorld()
        let port = try #require(served.aws.split(separator: ":").last.map(String.init))
        let result = try OdasSimProcess.run(["serve", "scenarios/local-dev.yaml", "--port", port])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("the AWS endpoint cannot listen on 127.0.0.1:\(port) (--port): the port is in use"), "\(result.stderr)")
    }

    @Test func faultAndClockFindTheRunningServePrintTextAndExit2OnBadInput() throws {
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["ODAS_SIM_READY_FILE": directory.appendingPathComponent("default-ready.json").path]
        // No serve yet: a clear error, not a connection dump.
        let none = try OdasSimProcess.run(["clock"], environment: environment)
        #expect(none.exitCode != 0)
        #expect(none.stderr.contains("no running odas-sim serve found"), "\(none.stderr)")
        let served = try ServedWorld(environment: environment)
        let clock = try OdasSimProcess.run(["clock"], environment: environment)
        #expect(clock.exitCode == 0, "\(clock.stderr)")
        #expect(clock.stdout.hasPrefix("virtual time T+"), "\(clock.stdout)")
        #expect(clock.stdout.contains("of the scenario's 24h"))
        #expect(clock.stdout.contains("no active faults"))
        let injected = try OdasSimProcess.run(["fault", "inject", "az-outage", "us-west-2a"], environment: environment)
        #expect(injected.stdout == "injected control-1: az-outage us-west-2a\n", "\(injected.stdout)\(injected.stderr)")
        let listed = try OdasSimProcess.run(["fault", "list", "--json"], environment: environment)
        let object = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        #expect((object?["faults"] as? [[String: Any]])?.first?["id"] as? String == "control-1")
        let bad = try OdasSimProcess.run(["fault", "inject", "az-outage", "nowhere"], environment: environment)
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("unknown target \"nowhere\""), "\(bad.stderr)")
        // Past the scenario's duration, the clock says so, and so does serve.
        let advanced = try OdasSimProcess.run(["clock", "--advance", "25h"], environment: environment)
        #expect(advanced.stdout.contains("past the scenario's 24h"), "\(advanced.stdout)")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(served.serverLog.contains("passed the scenario's duration (24h)"), "\(served.serverLog)")
    }
}
