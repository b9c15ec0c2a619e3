import Testing
import SimCore
@testable import AWSSim

/// IAM's snapshot for `serve --state-dir`: what is restored is what was
/// saved, documents are parsed again, and ids handed out later do not repeat.
@Suite struct IdentitySnapshotTests {
    @Test func aRestoredIAMIsTheSavedOneAndKeepsCounting() throws {
        var iam = IAMService(account: IdentityServicesTests.account)
        _ = try iam.createUser(name: "alice", path: "/ops/", now: .zero + .seconds(5))
        _ = try iam.createAccessKey(user: "alice", now: .zero)
        try iam.putUserPolicy(user: "alice", policyName: "read", document: IdentityServicesTests.readData)
        let policy = try iam.createPolicy(name: "data", document: IdentityServicesTests.readData, now: .zero)
        _ = try iam.createPolicyVersion(arn: policy.arn, document: IdentityServicesTests.readData, setAsDefault: true, now: .zero)
        _ = try iam.createRole(name: "odas", trustPolicy: IdentityServicesTests.ec2Trust, now: .zero)
        let saved = iam.snapshot

        var restored = IAMService(account: IdentityServicesTests.account)
        try restored.restore(saved)
        #expect(restored.snapshot.principals == saved.principals && restored.snapshot.policies == saved.policies
                && restored.snapshot.accessKeys == saved.accessKeys)
        #expect(restored.credentialGeneration > iam.credentialGeneration)
        #expect(restored.policies[policy.arn]?.defaultParsed != nil, "the managed policy's documents were not parsed again")
        #expect(restored.users["alice"]?.permissions.inlinePolicies.first?.name == "read")
        // The next user gets a new id, not one of the restored ones.
        let bob = try restored.createUser(name: "bob", now: .zero)
        #expect(!saved.principals.contains { $0.id == bob.userId })
        // Shifted: every instant moves with the new start's epoch.
        #expect(saved.shifted(by: .seconds(10)).principals.first { $0.name == "alice" }?.created == (SimInstant.zero + .seconds(15)).nanosecondsSinceStart)
    }

    @Test func aDocumentThatNoLongerParsesRefusesTheWholeSnapshot() throws {
        var iam = IAMService(account: IdentityServicesTests.account)
        _ = try iam.createUser(name: "alice", now: .zero)
        try iam.putUserPolicy(user: "alice", policyName: "read", document: IdentityServicesTests.readData)
        var broken = iam.snapshot
        broken.principals[0].permissions.inline[0].document = "{"
        var target = IAMService(account: IdentityServicesTests.account)
        _ = try target.createUser(name: "keep", now: .zero)
        #expect(throws: IAMError.self) { try target.restore(broken) }
        #expect(target.users["keep"] != nil && target.users["alice"] == nil)
    }
}
