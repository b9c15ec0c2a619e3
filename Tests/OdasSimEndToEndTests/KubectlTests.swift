import Foundation
import Testing

/// The real kubectl against `odas-sim serve`'s Kubernetes API.
@Suite struct KubectlTests {
    @Test func kubectlDrivesTheSimulatedClusterThroughAnAZOutage() throws {
        guard requireTool("kubectl", check: ["version", "--client"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld()
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/kubectl_checks.sh", served.kubeconfig, served.control])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func kubectlSeesTheODASServicesAndTheirRecoveryFromAnAZOutage() throws {
        guard requireTool("kubectl", check: ["version", "--client"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld(scenario: "scenarios/az-failure.yaml")
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/kubectl_odas_checks.sh", served.kubeconfig, served.control])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theKubeconfigNamesTheServedEndpoint() throws {
        let served = try ServedWorld()
        let text = try String(contentsOfFile: served.kubeconfig, encoding: .utf8)
        #expect(text.contains("server: \(served.kubernetes)"))
        #expect(text.contains("current-context: odas-sim-local-dev"))
    }
}
