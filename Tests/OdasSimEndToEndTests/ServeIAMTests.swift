import Foundation
import Testing

/// IAM on every infrastructure API `serve` offers, judged by the real aws CLI.
@Suite(.serialized) struct ServeIAMTests {
    @Test func everyInfrastructureCallIsAuthorizedWithTheCallersPolicies() throws {
        guard requireTool("aws", check: ["--version"]) else { return }
        let served = try ServedWorld(scenario: "Tests/OdasSimEndToEndTests/Clients/infra-iam.yaml")
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_infra_iam_checks.sh", served.aws,
                                                   served.directory.path])
        #expect(result.status == 0, "\(result.output)\n\(served.serverLog)")
    }
}
