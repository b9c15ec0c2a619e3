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

    @Test func theAWSCLISeesLoadBalancersTheirTargetsAndTheirHealth() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld(extraArguments: ["--speed", "20"])
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_elbv2_checks.sh", served.aws,
                                                   served.control, served.directory.path])
        #expect(result.status == 0, "\(result.output)\n\(served.serverLog)")
        #expect(result.output.contains("elbv2 checks passed"))
    }

    /// The shipped ODAS template and the templates the tests deploy are lint-clean at error level (cfn-lint, as AWS's sample repository requires).
    @Test func theTestTemplatesAreLintClean() throws {
        guard requireTool("cfn-lint", check: ["--version"]) else { return }
        var paths: [String] = []
        for folder in ["templates", "Tests/OdasSimEndToEndTests/Clients/templates"] {
            let directory = OdasSimProcess.packageRoot.appendingPathComponent(folder)
            paths += try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
                .map { directory.appendingPathComponent($0).path }
        }
        #expect(paths.contains { $0.hasSuffix("templates/odas.yaml") })
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        lint.arguments = ["cfn-lint", "--regions", "us-west-2", "--ignore-checks", "W", "I", "--"] + paths
        let pipe = Pipe()
        lint.standardOutput = pipe
        lint.standardError = pipe
        try lint.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lint.waitUntilExit()
        #expect(lint.terminationStatus == 0, "\(output)")
    }
}
