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
}
