import Foundation
import Testing

/// `serve --tls`: HTTPS for the aws CLI and boto3, and aws:SecureTransport as on AWS.
@Suite(.serialized) struct ServeTLSTests {
    @Test func theAWSCLIAndBoto3ReachTheTLSOnlyBucketOverHTTPSOnly() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("python3", check: ["-c", "import boto3"]) else { return }
        let secure = try ServedWorld(scenario: "scenarios/aws-az-failure.yaml", extraArguments: ["--tls"])
        let plain = try ServedWorld(scenario: "scenarios/aws-az-failure.yaml")
        #expect(secure.aws.hasPrefix("https://127.0.0.1:"))
        let bundle = secure.directory.appendingPathComponent("ca-bundle.pem").path
        let pem = try String(contentsOfFile: bundle, encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let result = try secure.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/tls_checks.sh", secure.aws, secure.control,
                                                   bundle, plain.aws, plain.control, secure.directory.path])
        #expect(result.status == 0, "\(result.output)\n\(secure.serverLog)")
    }

    @Test func caBundleWithoutTLSIsRefused() throws {
        let result = try OdasSimProcess.run(["serve", "scenarios/local-dev.yaml", "--port", "0", "--ca-bundle", "/tmp/x.pem"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--ca-bundle applies only with --tls"))
    }
}
