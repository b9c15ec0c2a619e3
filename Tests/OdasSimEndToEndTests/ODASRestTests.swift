import Foundation
import Testing

/// The ODAS REST API of `odas-sim serve`, judged by curl: a masked scan of
/// the simulated deployment, its refusals, and its failover when a fault is
/// injected through the control endpoint.
@Suite struct ODASRestTests {
    @Test func curlScansTheServedDeploymentMaskedAndThroughAnAZOutage() throws {
        guard requireTool("curl", check: ["--version"]), requireTool("python3", check: ["--version"]) else { return }
        let served = try ServedWorld(scenario: "scenarios/az-failure.yaml")
        let odas = try #require(served.odas)
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/curl_odas_rest_checks.sh", odas, served.control])
        #expect(result.status == 0, "\(result.output)\n\(served.serverLog.suffix(2000))")
    }
}
