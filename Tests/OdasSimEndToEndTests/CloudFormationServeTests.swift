import Foundation
import Testing

/// CloudFormation over the wire on `serve`, judged by the real aws CLI.
@Suite(.serialized) struct CloudFormationServeTests {
    @Test func theAWSCLICreatesDeploysAndDeletesStacks() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        // 20× virtual time: deploy's waiter (30 s between polls) finds the stack complete at its second poll.
        let served = try ServedWorld(extraArguments: ["--speed", "20"])
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_cloudformation_checks.sh", served.aws,
                                                   served.control, served.directory.path])
        #expect(result.status == 0, "\(result.output)\n\(served.serverLog)")
        #expect(result.output.contains("cloudformation checks passed"))
    }
}
