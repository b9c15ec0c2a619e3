import AWSSim
import Foundation
import Testing

/// IAM, STS and KMS over the wire, driven by the real aws CLI.
@Suite struct IdentityTests {
    @Test func theAWSCLIDrivesIAMSTSAndKMS() throws {
        guard requireTool("aws", check: ["--version"]), requireTool("curl", check: ["--version"]) else { return }
        let served = try ServedWorld()
        let result = try served.runClient("bash", ["Tests/OdasSimEndToEndTests/Clients/awscli_iam_checks.sh", served.aws, served.control])
        #expect(result.status == 0, "\(result.output)")
    }

    /// A policy, an action, a resource and context keys.
    struct Case: Sendable, CustomTestStringConvertible {
        var policy: String
        var action: String
        var resource: String
        var context: [String: String] = [:]
        var testDescription: String { "\(action) on \(resource) \(context)" }
    }

    static func allow(_ action: String, _ resource: String, _ condition: String = "", effect: String = "Allow") -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"\#(effect)","Action":"\#(action)","Resource":"\#(resource)"\#(condition.isEmpty ? "" : ",\"Condition\":" + condition)}]}"#
    }

    static let cases: [Case] = [
        Case(policy: allow("s3:GetObject", "arn:aws:s3:::data/*"), action: "s3:GetObject", resource: "arn:aws:s3:::data/a"),
        Case(policy: allow("s3:GetObject", "arn:aws:s3:::data/*"), action: "s3:PutObject", resource: "arn:aws:s3:::data/a"),
        Case(policy: allow("s3:Get*", "arn:aws:s3:::data/*"), action: "s3:GetObjectTagging", resource: "arn:aws:s3:::data/a"),
        Case(policy: allow("s3:*", "*", effect: "Deny"), action: "s3:GetObject", resource: "arn:aws:s3:::data/a"),
        Case(policy: allow("s3:ListBucket", "arn:aws:s3:::data", #"{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#),
             action: "s3:ListBucket", resource: "arn:aws:s3:::data", context: ["s3:prefix": "home/odas-sim-simulated-caller/x", "aws:username": "odas-sim-simulated-caller"]),
        Case(policy: allow("s3:ListBucket", "arn:aws:s3:::data", #"{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#),
             action: "s3:ListBucket", resource: "arn:aws:s3:::data", context: ["s3:prefix": "home/bob/x", "aws:username": "alice"]),
        Case(policy: allow("s3:GetObject", "*", #"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#),
             action: "s3:GetObject", resource: "arn:aws:s3:::data/a", context: ["aws:SourceIp": "10.1.2.3"]),
        Case(policy: allow("s3:GetObject", "*", #"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#),
             action: "s3:GetObject", resource: "arn:aws:s3:::data/a", context: ["aws:SourceIp": "192.168.0.1"]),
        Case(policy: allow("s3:GetObject", "*", #"{"Bool":{"aws:SecureTransport":"true"}}"#),
             action: "s3:GetObject", resource: "arn:aws:s3:::data/a", context: ["aws:SecureTransport": "false"]),
        Case(policy: allow("s3:PutObject", "*", #"{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}"#),
             action: "s3:PutObject", resource: "arn:aws:s3:::data/a", context: ["s3:x-amz-server-side-encryption": "aws:kms"]),
        Case(policy: allow("kms:Decrypt", "*", #"{"StringEquals":{"kms:ViaService":"s3.us-west-2.amazonaws.com"}}"#),
             action: "kms:Decrypt", resource: "arn:aws:kms:us-west-2:123456789012:key/k", context: ["kms:ViaService": "s3.us-east-1.amazonaws.com"]),
        Case(policy: allow("s3:GetObject", "*", #"{"NumericLessThan":{"s3:max-keys":"10"}}"#),
             action: "s3:GetObject", resource: "arn:aws:s3:::data/a", context: ["s3:max-keys": "5"]),
        Case(policy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
             action: "iam:CreateUser", resource: "*"),
        Case(policy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}]}"#,
             action: "s3:GetObject", resource: "arn:aws:s3:::secret/a"),
    ]

    /// `aws iam simulate-custom-policy` decides as the in-process evaluator does.
    @Test func simulateCustomPolicyMatchesTheInProcessEvaluator() throws {
        guard requireTool("aws", check: ["--version"]) else { return }
        let served = try ServedWorld()
        var decisions: Set<String> = []
        for testCase in Self.cases {
            var arguments = ["--endpoint-url", served.aws, "--output", "text", "iam", "simulate-custom-policy",
                             "--policy-input-list", testCase.policy, "--action-names", testCase.action,
                             "--resource-arns", testCase.resource, "--query", "EvaluationResults[0].EvalDecision"]
            if !testCase.context.isEmpty {
                arguments.append("--context-entries")
                for (key, value) in testCase.context.sorted(by: { $0.key < $1.key }) {
                    let type = key == "aws:SourceIp" ? "ip" : key == "aws:SecureTransport" ? "boolean" : key == "s3:max-keys" ? "numeric" : "string"
                    arguments.append("ContextKeyName=\(key),ContextKeyValues=\(value),ContextKeyType=\(type)")
                }
            }
            let result = try served.runClient("env", ["AWS_ACCESS_KEY_ID=AKIAODASSIMDEVELOPER", "AWS_SECRET_ACCESS_KEY=odas-sim-dev-secret-key",
                                                     "AWS_DEFAULT_REGION=us-west-2", "AWS_CONFIG_FILE=/dev/null", "aws"] + arguments)
            let request = AuthorizationRequest(principalArn: "arn:aws:iam::123456789012:user/odas-sim-simulated-caller",
                                               principalAccount: "123456789012", action: testCase.action, resource: testCase.resource,
                                               resourceAccount: "123456789012",
                                               context: testCase.context.mapValues { [$0] }.merging(
                                                   ["aws:PrincipalArn": ["arn:aws:iam::123456789012:user/odas-sim-simulated-caller"]]) { a, _ in a })
            let expected: String
            switch PolicyEvaluator.evaluate(request, identityPolicies: [try PolicyDocument.parse(testCase.policy)]) {
            case .allow: expected = "allowed"
            case .explicitDeny: expected = "explicitDeny"
            case .implicitDeny: expected = "implicitDeny"
            }
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "\(testCase.testDescription)")
            decisions.insert(expected)
        }
        #expect(decisions == ["allowed", "implicitDeny", "explicitDeny"], "the table covers every decision")
    }
}
