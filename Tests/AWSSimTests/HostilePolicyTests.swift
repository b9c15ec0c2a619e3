import Foundation
import SimCore
import Testing
@testable import AWSSim

/// Hostile policy documents: each gets IAM's error, nothing crashes, nothing changes.
@Suite struct HostilePolicyTests {
    static let deep = #"{"Version":"2012-10-17","Statement":"# + String(repeating: "[", count: 100_000)
        + String(repeating: "]", count: 100_000) + "}"
    static let deepObjects = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":"#
        + String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000) + "}]}"

    @Test(arguments: [
        (deep, "Syntax errors in policy."),
        (deepObjects, "Syntax errors in policy"),
        ("", "Syntax errors in policy."),
        ("null", "Syntax errors in policy."),
        ("[]", "Syntax errors in policy."),
        ("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]", "Syntax errors in policy."),
        ("\u{0}\u{1}{}", "Syntax errors in policy."),
        (#"{"Version":"2012-10-17","Statement":5}"#, "Missing required field Statement"),
        (#"{"Version":"2012-10-17","Statement":[5]}"#, "Missing required field Statement"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":1,"Action":"s3:*","Resource":"*"}]}"#, "Effect"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[1,2],"Resource":"*"}]}"#, "Action must be a string"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":{"a":"b"}}]}"#, "Resource must be a string"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":"x"}}]}"#, "Syntax errors in policy"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":[{"x":1}]}}}]}"#, "condition value"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringFoo":{"k":"v"}}}]}"#, "Invalid Condition type : StringFoo."),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForSomeValues:StringLike":{"k":"v"}}}]}"#, "Invalid Condition type"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":{"Alien":"x"}}]}"#, "Invalid principal"),
        (#"{"Version":"2099-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#, "valid version"),
        (String(repeating: " ", count: 2 << 20) + "{}", "Syntax errors in policy."),
    ])
    func hostileDocumentsGetIAMsError(text: String, fragment: String) {
        do {
            _ = try PolicyDocument.parse(text)
            Issue.record("accepted a hostile document (\(text.prefix(60))…)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    /// A 100 KB document is valid JSON, but larger than every IAM quota.
    @Test func a100KBDocumentExceedsIAMsQuotasAndChangesNothing() throws {
        let actions = (0..<6_000).map { "\"s3:GetObject\($0)\"" }.joined(separator: ",")
        let big = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["#+actions+#"],"Resource":"*"}]}"#
        #expect(big.utf8.count > 100_000)
        var iam = IAMService(account: "123456789012")
        _ = try iam.createRole(name: "r", trustPolicy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#, now: .zero)
        #expect(throws: IAMError(code: "LimitExceeded", status: 409, message: "Cannot exceed quota for PolicySize: 6144")) {
            try iam.createPolicy(name: "big", document: big, now: .zero)
        }
        #expect(throws: IAMError(code: "LimitExceeded", status: 409, message: "Maximum policy size of 10240 bytes exceeded for role r")) {
            try iam.putRolePolicy(role: "r", policyName: "big", document: big)
        }
        #expect(iam.policies.isEmpty && iam.roles["r"]?.permissions.inlinePolicies.isEmpty == true)
        // White space does not count (IAM quotas).
        let spaced = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
            .replacingOccurrences(of: ",", with: "," + String(repeating: " ", count: 3_000))
        _ = try iam.createPolicy(name: "spaced", document: spaced, now: .zero)
    }
}
