import Testing
@testable import AWSSim

/// Table-driven IAM policy evaluation, each case citing where its rule comes
/// from in the IAM User Guide (docs.aws.amazon.com/IAM/latest/UserGuide/…).
@Suite struct PolicyEvaluationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var source: String
        var identity: [String]
        var resource: String? = nil
        var boundary: String? = nil
        var request: AuthorizationRequest
        var allowed: Bool
        var testDescription: String { name }
    }

    static let alice = "arn:aws:iam::111122223333:user/alice"
    static func req(_ action: String, _ resource: String, principal: String = alice, account: String = "111122223333",
                    resourceAccount: String = "111122223333", context: [String: [String]] = [:]) -> AuthorizationRequest {
        AuthorizationRequest(principalArn: principal, principalAccount: account, action: action, resource: resource,
                             resourceAccount: resourceAccount, context: context)
    }
    static func allow(_ action: String, _ resource: String, condition: String = "") -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"\#(action)","Resource":"\#(resource)"\#(condition.isEmpty ? "" : ",\"Condition\":" + condition)}]}"#
    }
    static func deny(_ action: String, _ resource: String, condition: String = "") -> String {
        allow(action, resource, condition: condition).replacingOccurrences(of: "\"Allow\"", with: "\"Deny\"")
    }

    static let cases: [Case] = [
        Case(name: "implicit deny without any policy", source: "reference_policies_evaluation-logic.html (default deny)",
             identity: [], request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "identity allow", source: "evaluation-logic: identity-based policies",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data/*")], request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "explicit deny beats allow", source: "evaluation-logic: explicit deny",
             identity: [allow("s3:*", "*"), deny("s3:DeleteObject", "*")], request: req("s3:DeleteObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "action match is case-insensitive", source: "reference_policies_elements_action.html",
             identity: [allow("S3:getobject", "arn:aws:s3:::data/*")], request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "resource match is case-sensitive", source: "reference_policies_elements_resource.html",
             identity: [allow("s3:GetObject", "arn:aws:s3:::Data/*")], request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "? matches one character", source: "reference_policies_elements_resource.html (wildcards)",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data/file?.csv")], request: req("s3:GetObject", "arn:aws:s3:::data/file1.csv"), allowed: true),
        Case(name: "* in the action", source: "reference_policies_elements_action.html",
             identity: [allow("s3:Get*", "*")], request: req("s3:GetBucketLocation", "arn:aws:s3:::data"), allowed: true),
        Case(name: "NotAction allows everything else", source: "reference_policies_elements_notaction.html",
             identity: [#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#],
             request: req("s3:PutObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "NotAction does not allow the listed action", source: "reference_policies_elements_notaction.html",
             identity: [#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#],
             request: req("iam:CreateUser", "arn:aws:iam::111122223333:user/bob"), allowed: false),
        Case(name: "Deny with NotResource protects all but one bucket", source: "reference_policies_elements_notresource.html",
             identity: [allow("s3:*", "*"), #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}"#],
             request: req("s3:GetObject", "arn:aws:s3:::secret/a"), allowed: false),
        Case(name: "policy variable aws:username", source: "reference_policies_variables.html",
             identity: [allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")],
             request: req("s3:PutObject", "arn:aws:s3:::home/alice/x", context: ["aws:username": ["alice"]]), allowed: true),
        Case(name: "policy variable does not reach another user", source: "reference_policies_variables.html",
             identity: [allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")],
             request: req("s3:PutObject", "arn:aws:s3:::home/bob/x", context: ["aws:username": ["alice"]]), allowed: false),
        Case(name: "StringLike on s3:prefix", source: "reference_policies_elements_condition_operators.html#Conditions_String",
             identity: [allow("s3:ListBucket", "arn:aws:s3:::data", condition: #"{"StringLike":{"s3:prefix":["sales/*"]}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["s3:prefix": ["sales/2026"]]), allowed: true),
        Case(name: "StringLike fails for another prefix", source: "condition_operators#Conditions_String",
             identity: [allow("s3:ListBucket", "arn:aws:s3:::data", condition: #"{"StringLike":{"s3:prefix":["sales/*"]}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["s3:prefix": ["hr/"]]), allowed: false),
        Case(name: "a missing condition key fails the condition", source: "reference_policies_condition-single-vs-multi-valued-context-keys / evaluation",
             identity: [allow("s3:ListBucket", "arn:aws:s3:::data", condition: #"{"StringLike":{"s3:prefix":["sales/*"]}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data"), allowed: false),
        Case(name: "...IfExists holds when the key is absent", source: "condition_operators#Conditions_IfExists",
             identity: [allow("s3:ListBucket", "arn:aws:s3:::data", condition: #"{"StringLikeIfExists":{"s3:prefix":["sales/*"]}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data"), allowed: true),
        Case(name: "IpAddress inside the range", source: "condition_operators#Conditions_IPAddress",
             identity: [allow("s3:*", "*", condition: #"{"IpAddress":{"aws:SourceIp":"10.20.0.0/16"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:SourceIp": ["10.20.3.4"]]), allowed: true),
        Case(name: "NotIpAddress deny blocks outside addresses", source: "condition_operators#Conditions_IPAddress",
             identity: [allow("s3:*", "*"), deny("s3:*", "*", condition: #"{"NotIpAddress":{"aws:SourceIp":"10.20.0.0/16"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:SourceIp": ["203.0.113.9"]]), allowed: false),
        Case(name: "Bool aws:SecureTransport deny", source: "condition_operators#Conditions_Boolean",
             identity: [allow("s3:*", "*"), deny("s3:*", "*", condition: #"{"Bool":{"aws:SecureTransport":"false"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:SecureTransport": ["false"]]), allowed: false),
        Case(name: "NumericLessThanEquals on s3:max-keys", source: "condition_operators#Conditions_Numeric",
             identity: [allow("s3:ListBucket", "*", condition: #"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["s3:max-keys": ["11"]]), allowed: false),
        Case(name: "DateLessThan on aws:CurrentTime", source: "condition_operators#Conditions_Date",
             identity: [allow("s3:*", "*", condition: #"{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:CurrentTime": ["2026-11-27T04:12:28Z"]]), allowed: true),
        Case(name: "Null true when the key is absent", source: "condition_operators#Conditions_Null",
             identity: [allow("s3:*", "*"), deny("s3:PutObject", "*", condition: #"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#)],
             request: req("s3:PutObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "ForAllValues with every requested tag allowed", source: "reference_policies_condition-single-vs-multi-valued-context-keys.html",
             identity: [allow("ec2:CreateTags", "*", condition: #"{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}"#)],
             request: req("ec2:CreateTags", "arn:aws:ec2:us-west-2:111122223333:instance/i-1", context: ["aws:TagKeys": ["team", "env"]]), allowed: true),
        Case(name: "ForAllValues with an extra tag", source: "condition-single-vs-multi-valued-context-keys.html",
             identity: [allow("ec2:CreateTags", "*", condition: #"{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}"#)],
             request: req("ec2:CreateTags", "arn:aws:ec2:us-west-2:111122223333:instance/i-1", context: ["aws:TagKeys": ["team", "owner"]]), allowed: false),
        Case(name: "ForAnyValue with one matching tag", source: "condition-single-vs-multi-valued-context-keys.html",
             identity: [allow("ec2:CreateTags", "*", condition: #"{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}"#)],
             request: req("ec2:CreateTags", "arn:aws:ec2:us-west-2:111122223333:instance/i-1", context: ["aws:TagKeys": ["team", "owner"]]), allowed: true),
        Case(name: "resource-policy-only grant in the same account", source: "evaluation-logic: resource-based policies (same account)",
             identity: [], resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "a resource policy naming only the account delegates to IAM", source: "reference_policies_elements_principal.html (AWS account principals)",
             identity: [], resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "an account principal plus an identity allow grants", source: "reference_policies_elements_principal.html (AWS account principals)",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data/*")],
             resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "a role's ARN in a resource policy names its sessions", source: "reference_policies_elements_principal.html (IAM role principals)",
             identity: [], resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/odas"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a", principal: "arn:aws:sts::111122223333:assumed-role/odas/i-1",
                          context: ["aws:PrincipalArn": ["arn:aws:iam::111122223333:role/odas"]]), allowed: true),
        Case(name: "cross-account needs both sides: resource only", source: "reference_policies_evaluation-logic-cross-account.html",
             identity: [], resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a", principal: "arn:aws:iam::444455556666:role/emr", account: "444455556666"), allowed: false),
        Case(name: "cross-account with both sides allowing", source: "evaluation-logic-cross-account.html",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data/*")],
             resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a", principal: "arn:aws:iam::444455556666:role/emr", account: "444455556666"), allowed: true),
        Case(name: "cross-account identity only", source: "evaluation-logic-cross-account.html",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data/*")],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", principal: "arn:aws:iam::444455556666:role/emr", account: "444455556666"), allowed: false),
        Case(name: "resource policy deny overrides identity allow", source: "evaluation-logic: explicit deny in any policy",
             identity: [allow("s3:*", "*")],
             resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::data"}]}"#,
             request: req("s3:DeleteBucket", "arn:aws:s3:::data"), allowed: false),
        Case(name: "a permissions boundary caps an identity allow", source: "access_policies_boundaries.html",
             identity: [allow("s3:*", "*")], boundary: allow("s3:GetObject", "*"),
             request: req("s3:PutObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "allowed by both identity and boundary", source: "access_policies_boundaries.html",
             identity: [allow("s3:*", "*")], boundary: allow("s3:GetObject", "*"),
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "NotPrincipal deny spares the named principal", source: "reference_policies_elements_notprincipal.html",
             identity: [allow("s3:*", "*")],
             resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "StringNotEquals deny with a missing key", source: "condition_operators (negated operators and missing keys)",
             identity: [allow("s3:*", "*"), deny("s3:PutObject", "*", condition: #"{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}"#)],
             request: req("s3:PutObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "ArnLike on aws:PrincipalArn", source: "condition_operators#Conditions_ARN",
             identity: [allow("s3:*", "*", condition: #"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:PrincipalArn": [alice]]), allowed: true),
        Case(name: "Allow with a list of actions", source: "reference_policies_elements_action.html",
             identity: [#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}"#],
             request: req("s3:PutObject", "arn:aws:s3:::data/a"), allowed: true),
        Case(name: "a list of actions does not include others", source: "reference_policies_elements_action.html",
             identity: [#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}"#],
             request: req("s3:DeleteObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "Action * allows any service", source: "reference_policies_elements_action.html",
             identity: [allow("*", "*")], request: req("kms:Decrypt", "arn:aws:kms:us-west-2:111122223333:key/k"), allowed: true),
        Case(name: "a bucket ARN does not cover its objects", source: "reference_policies_elements_resource.html (S3 examples)",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data")], request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "an object wildcard does not cover the bucket", source: "reference_policies_elements_resource.html (S3 examples)",
             identity: [allow("s3:ListBucket", "arn:aws:s3:::data/*")], request: req("s3:ListBucket", "arn:aws:s3:::data"), allowed: false),
        Case(name: "* in the middle of a resource", source: "reference_policies_elements_resource.html (wildcards in ARN segments)",
             identity: [allow("s3:GetObject", "arn:aws:s3:::data/*/report.csv")], request: req("s3:GetObject", "arn:aws:s3:::data/2026/11/report.csv"), allowed: true),
        Case(name: "statements are ORed", source: "reference_policies_evaluation-logic.html",
             identity: [#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#],
             request: req("s3:GetObject", "arn:aws:s3:::b/x"), allowed: true),
        Case(name: "policies are combined", source: "reference_policies_evaluation-logic.html",
             identity: [allow("s3:GetObject", "arn:aws:s3:::a/*"), allow("s3:GetObject", "arn:aws:s3:::b/*")],
             request: req("s3:GetObject", "arn:aws:s3:::b/x"), allowed: true),
        Case(name: "keys in one condition block are ANDed", source: "reference_policies_multi-value-conditions.html (evaluation logic)",
             identity: [allow("s3:*", "*", condition: #"{"StringEquals":{"aws:username":"alice","s3:prefix":"home/"}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["aws:username": ["alice"], "s3:prefix": ["other/"]]), allowed: false),
        Case(name: "values of one key are ORed", source: "reference_policies_multi-value-conditions.html",
             identity: [allow("s3:*", "*", condition: #"{"StringEquals":{"s3:prefix":["home/","shared/"]}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["s3:prefix": ["shared/"]]), allowed: true),
        Case(name: "operators in one block are ANDed", source: "reference_policies_multi-value-conditions.html",
             identity: [allow("s3:*", "*", condition: #"{"StringEquals":{"aws:username":"alice"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:username": ["alice"], "aws:SourceIp": ["192.0.2.1"]]), allowed: false),
        Case(name: "StringEqualsIgnoreCase", source: "condition_operators#Conditions_String",
             identity: [allow("s3:*", "*", condition: #"{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:username": ["alice"]]), allowed: true),
        Case(name: "StringEquals is case-sensitive", source: "condition_operators#Conditions_String",
             identity: [allow("s3:*", "*", condition: #"{"StringEquals":{"aws:username":"ALICE"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:username": ["alice"]]), allowed: false),
        Case(name: "condition keys are case-insensitive", source: "reference_policies_elements_condition.html (key names)",
             identity: [allow("s3:*", "*", condition: #"{"StringEquals":{"AWS:UserName":"alice"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:username": ["alice"]]), allowed: true),
        Case(name: "NumericGreaterThan", source: "condition_operators#Conditions_Numeric",
             identity: [allow("s3:*", "*", condition: #"{"NumericGreaterThan":{"s3:max-keys":"5"}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["s3:max-keys": ["6"]]), allowed: true),
        Case(name: "DateGreaterThan with epoch seconds", source: "condition_operators#Conditions_Date",
             identity: [allow("s3:*", "*", condition: #"{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:EpochTime": ["1795000000"]]), allowed: true),
        Case(name: "IpAddress with a single address", source: "condition_operators#Conditions_IPAddress",
             identity: [allow("s3:*", "*", condition: #"{"IpAddress":{"aws:SourceIp":"203.0.113.7/32"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:SourceIp": ["203.0.113.8"]]), allowed: false),
        Case(name: "Null false requires the key", source: "condition_operators#Conditions_Null",
             identity: [allow("s3:PutObject", "*", condition: #"{"Null":{"s3:x-amz-server-side-encryption":"false"}}"#)],
             request: req("s3:PutObject", "arn:aws:s3:::data/a", context: ["s3:x-amz-server-side-encryption": ["aws:kms"]]), allowed: true),
        Case(name: "StringNotEquals holds for a different value", source: "condition_operators#Conditions_String",
             identity: [allow("s3:*", "*", condition: #"{"StringNotEquals":{"aws:username":"mallory"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:username": ["alice"]]), allowed: true),
        Case(name: "StringNotLike with several values is a NOR", source: "reference_policies_multi-value-conditions.html (negated operators)",
             identity: [allow("s3:*", "*", condition: #"{"StringNotLike":{"s3:prefix":["secret/*","hr/*"]}}"#)],
             request: req("s3:ListBucket", "arn:aws:s3:::data", context: ["s3:prefix": ["hr/2026"]]), allowed: false),
        Case(name: "ArnNotLike spares other principals", source: "condition_operators#Conditions_ARN",
             identity: [allow("s3:*", "*"), deny("s3:*", "*", condition: #"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/odas-*"}}"#)],
             request: req("s3:GetObject", "arn:aws:s3:::data/a", context: ["aws:PrincipalArn": [alice]]), allowed: false),
        Case(name: "Principal * in a bucket policy", source: "reference_policies_elements_principal.html (anonymous/all)",
             identity: [], resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::public/index.html"), allowed: true),
        Case(name: "a resource policy naming another principal grants nothing", source: "reference_policies_elements_principal.html",
             identity: [], resource: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "the boundary alone grants nothing", source: "access_policies_boundaries.html",
             identity: [], boundary: allow("s3:*", "*"), request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: false),
        Case(name: "a boundary deny overrides", source: "access_policies_boundaries.html",
             identity: [allow("s3:*", "*")], boundary: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
             request: req("s3:DeleteBucket", "arn:aws:s3:::data"), allowed: false),
        Case(name: "an identity statement without Resource matches nothing", source: "reference_policies_elements_resource.html (required in identity policies)",
             identity: [#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::other/*"}]}"#],
             request: req("s3:GetObject", "arn:aws:s3:::data/a"), allowed: true),
    ]

    @Test(arguments: cases)
    func evaluationFollowsTheDocumentedLogic(testCase: Case) throws {
        let identity = try testCase.identity.map { try PolicyDocument.parse($0) }
        let resource = try testCase.resource.map { try PolicyDocument.parse($0) }
        let boundary = try testCase.boundary.map { try PolicyDocument.parse($0) }
        let decision = PolicyEvaluator.evaluate(testCase.request, identityPolicies: identity, resourcePolicy: resource,
                                                permissionsBoundary: boundary)
        #expect(decision.isAllowed == testCase.allowed, "\(testCase.name) [\(testCase.source)]: \(decision)")
    }

    @Test(arguments: [
        ("not json", "Syntax errors"),
        (#"{"Version":"2012-10-17"}"#, "Missing required field Statement"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}"#, "Effect"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}"#, "prefaced by a vendor"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}"#, "both Action and NotAction"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLooksLike":{"a":"b"}}}]}"#, "Invalid Condition type"),
        (#"{"Version":"2099-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#, "valid version"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Bogus":1}]}"#, "unknown field Bogus"),
    ])
    func malformedPoliciesAreRejectedWithIAMsMessages(text: String, fragment: String) {
        do {
            _ = try PolicyDocument.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }
}
