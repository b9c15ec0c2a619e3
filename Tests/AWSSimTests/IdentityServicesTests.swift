import Testing
import SimCore
@testable import AWSSim

/// IAM entities, STS sessions and KMS keys, in-process.
@Suite struct IdentityServicesTests {
    static let account = "123456789012"
    static let ec2Trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
    static let readData = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#
    static let t0 = SimInstant.zero

    @Test func arnsAndUniqueIdsFollowAWSFormats() throws {
        var iam = IAMService(account: Self.account)
        let user = try iam.createUser(name: "alice", path: "/ops/", now: Self.t0)
        #expect(user.arn == "arn:aws:iam::123456789012:user/ops/alice")
        #expect(user.userId.hasPrefix("AIDA") && user.userId.count == 20)
        let role = try iam.createRole(name: "odas", trustPolicy: Self.ec2Trust, now: Self.t0)
        #expect(role.arn == "arn:aws:iam::123456789012:role/odas" && role.roleId.hasPrefix("AROA"))
        let key = try iam.createAccessKey(user: "alice", now: Self.t0)
        #expect(key.accessKeyId.hasPrefix("AKIA") && key.accessKeyId.count == 20 && key.secretAccessKey.count == 40)
        // Same calls, same ids: determinism.
        var again = IAMService(account: Self.account)
        #expect(try again.createUser(name: "alice", path: "/ops/", now: Self.t0).userId == user.userId)
    }

    @Test func entityErrorsAreIAMs() throws {
        var iam = IAMService(account: Self.account)
        _ = try iam.createUser(name: "alice", now: Self.t0)
        #expect(throws: IAMError(code: "EntityAlreadyExists", status: 409, message: "User with name alice already exists.")) {
            try iam.createUser(name: "alice", now: Self.t0)
        }
        #expect(throws: IAMError(code: "NoSuchEntity", status: 404, message: "The role with name nobody cannot be found.")) {
            try iam.putRolePolicy(role: "nobody", policyName: "p", document: Self.readData)
        }
        #expect(throws: IAMError.self) { try iam.createUser(name: "bad name!", now: Self.t0) }
        do {
            try iam.putUserPolicy(user: "alice", policyName: "p", document: "{")
            Issue.record("a malformed policy was accepted")
        } catch {
            #expect(error.code == "MalformedPolicyDocument")
        }
        // A trust policy without Principal is refused.
        #expect(throws: IAMError.self) { try iam.createRole(name: "r", trustPolicy: Self.readData, now: Self.t0) }
    }

    @Test func groupPoliciesApplyToMembers() throws {
        var iam = IAMService(account: Self.account)
        _ = try iam.createUser(name: "bob", now: Self.t0)
        _ = try iam.createGroup(name: "analysts", now: Self.t0)
        try iam.putGroupPolicy(group: "analysts", policyName: "read", document: Self.readData)
        let request = AuthorizationRequest(principalArn: "arn:aws:iam::123456789012:user/bob", principalAccount: Self.account,
                                           action: "s3:GetObject", resource: "arn:aws:s3:::data/a", resourceAccount: Self.account)
        #expect(!PolicyEvaluator.evaluate(request, identityPolicies: iam.identityPolicies(user: "bob")).isAllowed)
        try iam.addUserToGroup(user: "bob", group: "analysts")
        #expect(PolicyEvaluator.evaluate(request, identityPolicies: iam.identityPolicies(user: "bob")).isAllowed)
    }

    @Test func policyVersionsAndTheirLimit() throws {
        var iam = IAMService(account: Self.account)
        let policy = try iam.createPolicy(name: "read", document: Self.readData, now: Self.t0)
        for _ in 2...5 { _ = try iam.createPolicyVersion(arn: policy.arn, document: Self.readData, setAsDefault: true, now: Self.t0) }
        #expect(iam.policies[policy.arn]?.defaultVersionId == "v5")
        #expect(throws: IAMError.self) { try iam.createPolicyVersion(arn: policy.arn, document: Self.readData, setAsDefault: false, now: Self.t0) }
    }

    @Test func assumeRoleChecksTheTrustPolicy() throws {
        var iam = IAMService(account: Self.account)
        var sts = STSService()
        _ = try iam.createUser(name: "alice", now: Self.t0)
        let key = try iam.createAccessKey(user: "alice", now: Self.t0)
        let alice = try sts.principal(accessKeyId: key.accessKeyId, sessionToken: nil, iam: iam, now: Self.t0).get()
        #expect(alice.usesLongLivedKey)
        let trustAlice = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}"#
        let role = try iam.createRole(name: "reader", trustPolicy: trustAlice, now: Self.t0)
        let session = try sts.assumeRole(iam: iam, caller: alice, roleArn: role.arn, sessionName: "s1", durationSeconds: 900, now: Self.t0)
        #expect(session.assumedRoleArn == "arn:aws:sts::123456789012:assumed-role/reader/s1")
        #expect(session.accessKeyId.hasPrefix("ASIA") && session.expiration == Self.t0 + .seconds(900))
        // An account-root trust delegates: alice then needs sts:AssumeRole herself.
        let trustAccount = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#
        let delegated = try iam.createRole(name: "delegated", trustPolicy: trustAccount, now: Self.t0)
        #expect(throws: STSError.self) {
            try sts.assumeRole(iam: iam, caller: alice, roleArn: delegated.arn, sessionName: "s2", durationSeconds: nil, now: Self.t0)
        }
        try iam.putUserPolicy(user: "alice", policyName: "assume",
                              document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#)
        _ = try sts.assumeRole(iam: iam, caller: alice, roleArn: delegated.arn, sessionName: "s2", durationSeconds: nil, now: Self.t0)
        // The EC2 role is not assumable by alice; durations beyond the role's maximum are refused.
        let ec2 = try iam.createRole(name: "ec2", trustPolicy: Self.ec2Trust, now: Self.t0)
        #expect(throws: STSError(code: "AccessDenied", status: 403,
                                 message: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: \(ec2.arn)")) {
            try sts.assumeRole(iam: iam, caller: alice, roleArn: ec2.arn, sessionName: "s3", durationSeconds: nil, now: Self.t0)
        }
        #expect(throws: STSError.self) {
            try sts.assumeRole(iam: iam, caller: alice, roleArn: role.arn, sessionName: "s4", durationSeconds: 7200, now: Self.t0)
        }
    }

    @Test func sessionCredentialsExpire() throws {
        var iam = IAMService(account: Self.account)
        var sts = STSService()
        _ = try iam.createRole(name: "odas", trustPolicy: Self.ec2Trust, now: Self.t0)
        _ = try iam.createInstanceProfile(name: "odas", now: Self.t0)
        try iam.addRoleToInstanceProfile(profile: "odas", role: "odas")
        let issued = sts.instanceCredentials(iam: iam, instanceId: "i-1", instanceProfile: "odas", now: Self.t0)
        let first = try #require(issued)
        #expect(first.expiration == Self.t0 + .hours(6))
        // The metadata service hands out the same credentials until an hour before expiry, then new ones.
        let later = sts.instanceCredentials(iam: iam, instanceId: "i-1", instanceProfile: "odas", now: Self.t0 + .hours(4))
        #expect(later?.accessKeyId == first.accessKeyId)
        let rotated = sts.instanceCredentials(iam: iam, instanceId: "i-1", instanceProfile: "odas", now: Self.t0 + .hours(5))
        let second = try #require(rotated)
        #expect(second.accessKeyId != first.accessKeyId)
        let who = try sts.principal(accessKeyId: first.accessKeyId, sessionToken: first.sessionToken, iam: iam, now: Self.t0 + .hours(5)).get()
        #expect(who.principalArn == "arn:aws:iam::123456789012:role/odas" && !who.usesLongLivedKey)
        #expect(sts.principal(accessKeyId: first.accessKeyId, sessionToken: first.sessionToken, iam: iam, now: Self.t0 + .hours(6))
            == .failure(STSError(code: "ExpiredToken", status: 400, message: "The security token included in the request is expired")))
        #expect(sts.principal(accessKeyId: first.accessKeyId, sessionToken: "forged", iam: iam, now: Self.t0).isFailure)
        // A role EC2 may not assume gives the instance no credentials.
        _ = try iam.createRole(name: "people", trustPolicy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#, now: Self.t0)
        _ = try iam.createInstanceProfile(name: "people", now: Self.t0)
        try iam.addRoleToInstanceProfile(profile: "people", role: "people")
        let none = sts.instanceCredentials(iam: iam, instanceId: "i-2", instanceProfile: "people", now: Self.t0)
        #expect(none == nil)
    }

    @Test func kmsEncryptDecryptAndKeyState() throws {
        var kms = KMSService(account: Self.account)
        let key = try kms.createKey(region: "us-west-2", description: "odas", now: Self.t0)
        let sealed = try kms.encrypt(key.keyId, region: "us-west-2", plaintext: Array("secret".utf8), context: ["purpose": "test"])
        #expect(try kms.decrypt(sealed.blob, region: "us-west-2", keyId: nil, context: ["purpose": "test"]).plaintext == Array("secret".utf8))
        #expect(throws: KMSError.self) { try kms.decrypt(sealed.blob, region: "us-west-2", keyId: nil, context: [:]) }
        var tampered = sealed.blob
        tampered[tampered.count - 1] ^= 1
        #expect(throws: KMSError(type: "InvalidCiphertextException", message: "")) { try kms.decrypt(tampered, region: "us-west-2", keyId: nil) }
        // Another region does not know a single-region key.
        #expect(throws: KMSError.self) { try kms.decrypt(sealed.blob, region: "us-east-1", keyId: nil, context: ["purpose": "test"]) }
        _ = try kms.setState(key.keyId, region: "us-west-2", enabled: false)
        #expect(throws: KMSError(type: "DisabledException", message: "\(key.arn) is disabled.")) {
            try kms.decrypt(sealed.blob, region: "us-west-2", keyId: nil, context: ["purpose": "test"])
        }
        _ = try kms.scheduleDeletion(key.keyId, region: "us-west-2", pendingWindowDays: 7, now: Self.t0)
        #expect(throws: KMSError(type: "KMSInvalidStateException", message: "\(key.arn) is pending deletion.")) {
            try kms.encrypt(key.keyId, region: "us-west-2", plaintext: [1])
        }
        #expect(throws: KMSError.self) { try kms.scheduleDeletion(key.keyId, region: "us-west-2", pendingWindowDays: 3, now: Self.t0) }
        #expect(try kms.cancelDeletion(key.keyId, region: "us-west-2").state == .disabled)
    }

    @Test func multiRegionReplicaDecryptsThePrimarysCiphertext() throws {
        var kms = KMSService(account: Self.account)
        let key = try kms.createKey(region: "us-west-2", multiRegion: true, now: Self.t0)
        #expect(key.keyId.hasPrefix("mrk-"))
        let dataKey = try kms.generateDataKey(key.keyId, region: "us-west-2", keySpec: "AES_256", numberOfBytes: nil)
        #expect(dataKey.plaintext.count == 32)
        _ = try kms.replicateKey(key.keyId, region: "us-west-2", replicaRegion: "us-east-1", now: Self.t0)
        #expect(try kms.decrypt(dataKey.blob, region: "us-east-1", keyId: nil).plaintext == dataKey.plaintext)
    }

    @Test func kmsAuthorizationNeedsTheKeyPolicyOrAGrant() throws {
        var iam = IAMService(account: Self.account)
        var kms = KMSService(account: Self.account)
        var sts = STSService()
        _ = try iam.createUser(name: "alice", now: Self.t0)
        let aliceKey = try iam.createAccessKey(user: "alice", now: Self.t0)
        let alice = try sts.principal(accessKeyId: aliceKey.accessKeyId, sessionToken: nil, iam: iam, now: Self.t0).get()
        let decrypt = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#
        // Default key policy: IAM policies decide.
        let open = try kms.createKey(region: "us-west-2", now: Self.t0)
        #expect(!kms.authorize(alice, action: "kms:Decrypt", key: open, identityPolicies: []).isAllowed)
        let identity = [try PolicyDocument.parse(decrypt)]
        #expect(kms.authorize(alice, action: "kms:Decrypt", key: open, identityPolicies: identity).isAllowed)
        // A key policy that does not delegate to the account: IAM policies do not count.
        let closedPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},"Action":"kms:*","Resource":"*"}]}"#
        let closed = try kms.createKey(region: "us-west-2", policy: closedPolicy, now: Self.t0)
        #expect(!kms.authorize(alice, action: "kms:Decrypt", key: closed, identityPolicies: identity).isAllowed)
        // A grant lets alice decrypt without any policy.
        _ = try kms.createGrant(closed.keyId, region: "us-west-2", grantee: alice.arn, operations: ["Decrypt"], name: nil)
        let granted = try kms.key(closed.keyId, region: "us-west-2")
        #expect(kms.authorize(alice, action: "kms:Decrypt", key: granted, identityPolicies: []).isAllowed)
        #expect(!kms.authorize(alice, action: "kms:Encrypt", key: granted, identityPolicies: []).isAllowed)
        _ = sts
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { return true }; return false }
}
