import SimCore

/// An IAM error as the IAM API reports it (code, HTTP status, message).
public struct IAMError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var status: Int
    public var message: String

    public init(code: String, status: Int = 400, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func noSuchEntity(_ message: String) -> IAMError { IAMError(code: "NoSuchEntity", status: 404, message: message) }
    static func exists(_ message: String) -> IAMError { IAMError(code: "EntityAlreadyExists", status: 409, message: message) }
    static func malformed(_ error: PolicyDocument.Malformed) -> IAMError {
        IAMError(code: "MalformedPolicyDocument", message: error.message)
    }
}

/// IAM, the global identity service of one account: users, groups, roles
/// with trust policies, managed policies with versions, inline policies,
/// instance profiles and access keys, with ARNs and unique ids in AWS's
/// formats (IAM/latest/UserGuide/reference_identifiers.html).
///
/// A value type: the world owns it; every change goes through a mutating method.
public struct IAMService: Sendable {
    /// A managed policy and its versions (at most 5, IAM's quota).
    public struct ManagedPolicy: Sendable {
        public var name: String
        public var path: String
        public var policyId: String
        public var arn: String
        public var versions: [(versionId: String, document: String, created: SimInstant)]
        public var defaultVersionId: String
        public var created: SimInstant
        public var description: String
        /// Parsed documents by version id.
        var parsed: [String: PolicyDocument] = [:]

        public var defaultDocument: String { versions.first { $0.versionId == defaultVersionId }?.document ?? "" }
        var defaultParsed: PolicyDocument? { parsed[defaultVersionId] }
    }

    /// What users, groups and roles share: attached managed policies and inline policies.
    public struct Permissions: Sendable {
        public var attachedPolicyArns: [String] = []
        /// Inline policies by name, in the order they were put, with their parsed form
        /// (parsed once when put: authorization reads them on every request).
        public internal(set) var inlinePolicies: [(name: String, document: String, parsed: PolicyDocument)] = []
        public var permissionsBoundaryArn: String?
    }

    public struct User: Sendable {
        public var name: String
        public var path: String
        public var userId: String
        public var arn: String
        public var created: SimInstant
        public var permissions = Permissions()
    }

    public struct Group: Sendable {
        public var name: String
        public var path: String
        public var groupId: String
        public var arn: String
        public var created: SimInstant
        public var members: [String] = []
        public var permissions = Permissions()
    }

    public struct Role: Sendable {
        public var name: String
        public var path: String
        public var roleId: String
        public var arn: String
        public var created: SimInstant
        /// The trust policy: who may assume the role.
        public var assumeRolePolicyDocument: String
        public var description: String
        /// 3600 to 43200 seconds (IAM API Reference, CreateRole MaxSessionDuration).
        public var maxSessionDurationSeconds: Int
        public var permissions = Permissions()
    }

    public struct InstanceProfile: Sendable {
        public var name: String
        public var path: String
        public var instanceProfileId: String
        public var arn: String
        public var created: SimInstant
        /// At most one role (IAM quota "Roles in an instance profile: 1").
        public var roles: [String] = []
    }

    public struct AccessKey: Sendable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var userName: String
        public var active: Bool
        public var created: SimInstant
    }

    public let account: String
    public internal(set) var users: [String: User] = [:]
    public internal(set) var groups: [String: Group] = [:]
    public internal(set) var roles: [String: Role] = [:]
    public internal(set) var policies: [String: ManagedPolicy] = [:]
    public internal(set) var instanceProfiles: [String: InstanceProfile] = [:]
    public internal(set) var accessKeys: [String: AccessKey] = [:]
    /// Counts every change to credentials (users' keys), so a server can refresh its copy.
    public internal(set) var credentialGeneration: UInt64 = 0
    var counter: UInt64 = 0

    public init(account: String) {
        self.account = account
    }

    // MARK: Identifiers

    /// A unique id: a 4-letter prefix naming the kind (AIDA user, AGPA group,
    /// AROA role, ANPA policy, AIPA instance profile, AKIA access key, ASIA
    /// temporary key) and 16 characters; derived from a counter, so the same
    /// calls give the same ids in every run.
    mutating func uniqueId(_ prefix: String, _ name: String) -> String {
        counter += 1
        return prefix + IAMIdentifiers.characters(seed: "\(prefix)/\(name)/\(counter)", count: 16)
    }

    static func validPath(_ path: String) -> Bool {
        path.hasPrefix("/") && path.hasSuffix("/") && path.count <= 512
            && path.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
    }

    /// Names: 1–64 (roles, users, groups) or 1–128 (policies, instance profiles) of `[\w+=,.@-]`.
    static func check(name: String, field: String, maximum: Int) throws(IAMError) {
        guard !name.isEmpty, name.count <= maximum, IAMIdentifiers.isNameText(name) else {
            throw IAMError(code: "ValidationError",
                           message: "1 validation error detected: Value '\(name)' at '\(field)' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
        }
    }

    // MARK: Policies

    /// Resolves a managed policy ARN: the account's own or an AWS managed one.
    public func managedDocument(_ arn: String) -> String? {
        policies[arn]?.defaultDocument ?? ManagedPolicies.documents[arn]
    }

    /// IAM's policy-size quotas, counted without white space (IAM User Guide,
    /// reference_iam-quotas.html, "IAM and STS character limits").
    public static let managedPolicySize = 6_144
    public static let userInlineSize = 2_048
    public static let groupInlineSize = 5_120
    public static let roleInlineSize = 10_240
    public static let trustPolicySize = 2_048

    static func size(_ document: String) -> Int { document.unicodeScalars.filter { !$0.properties.isWhitespace }.count }

    public mutating func createPolicy(name: String, document: String, path: String = "/", description: String = "",
                                      now: SimInstant) throws(IAMError) -> ManagedPolicy {
        try Self.check(name: name, field: "policyName", maximum: 128)
        guard Self.size(document) <= Self.managedPolicySize else {
            throw IAMError(code: "LimitExceeded", status: 409, message: "Cannot exceed quota for PolicySize: \(Self.managedPolicySize)")
        }
        let parsed: PolicyDocument
        do { parsed = try PolicyDocument.parse(document) } catch { throw .malformed(error) }
        let arn = "arn:aws:iam::\(account):policy\(path)\(name)"
        guard policies[arn] == nil else { throw .exists("A policy called \(name) already exists. Duplicate names are not allowed.") }
        let policy = ManagedPolicy(name: name, path: path, policyId: uniqueId("ANPA", name), arn: arn,
                                   versions: [("v1", document, now)], defaultVersionId: "v1", created: now, description: description,
                                   parsed: ["v1": parsed])
        policies[arn] = policy
        return policy
    }

    /// A new version, optionally the default. IAM keeps at most five versions.
    public mutating func createPolicyVersion(arn: String, document: String, setAsDefault: Bool, now: SimInstant) throws(IAMError) -> String {
        guard var policy = policies[arn] else { throw .noSuchEntity("Policy \(arn) does not exist or is not attachable.") }
        guard Self.size(document) <= Self.managedPolicySize else {
            throw IAMError(code: "LimitExceeded", status: 409, message: "Cannot exceed quota for PolicySize: \(Self.managedPolicySize)")
        }
        let parsed: PolicyDocument
        do { parsed = try PolicyDocument.parse(document) } catch { throw .malformed(error) }
        guard policy.versions.count < 5 else {
            throw IAMError(code: "LimitExceeded", status: 409,
                           message: "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
        }
        let next = (policy.versions.compactMap { Int($0.versionId.dropFirst()) }.max() ?? 0) + 1
        let versionId = "v\(next)"
        policy.versions.append((versionId, document, now))
        policy.parsed[versionId] = parsed
        if setAsDefault { policy.defaultVersionId = versionId }
        policies[arn] = policy
        return versionId
    }

    func requirePolicy(_ arn: String) throws(IAMError) {
        guard policies[arn] != nil || ManagedPolicies.documents[arn] != nil else {
            throw .noSuchEntity("Policy \(arn) does not exist or is not attachable.")
        }
    }

    /// Puts an inline policy; `limit` is the aggregate size quota of the entity's inline policies.
    static func putInline(_ permissions: inout Permissions, name: String, document: String, limit: Int,
                          entity: String) throws(IAMError) {
        try check(name: name, field: "policyName", maximum: 128)
        let others = permissions.inlinePolicies.filter { $0.name != name }.map { size($0.document) }.reduce(0, +)
        guard others + size(document) <= limit else {
            throw IAMError(code: "LimitExceeded", status: 409, message: "Maximum policy size of \(limit) bytes exceeded for \(entity)")
        }
        let parsed: PolicyDocument
        do { parsed = try PolicyDocument.parse(document) } catch { throw .malformed(error) }
        if let index = permissions.inlinePolicies.firstIndex(where: { $0.name == name }) {
            permissions.inlinePolicies[index] = (name, document, parsed)
        } else {
            permissions.inlinePolicies.append((name, document, parsed))
        }
    }

    static func attach(_ permissions: inout Permissions, _ arn: String) {
        if !permissions.attachedPolicyArns.contains(arn) { permissions.attachedPolicyArns.append(arn) }
    }

    // MARK: Users, groups, access keys

    public mutating func createUser(name: String, path: String = "/", now: SimInstant) throws(IAMError) -> User {
        try Self.check(name: name, field: "userName", maximum: 64)
        guard users[name] == nil else { throw .exists("User with name \(name) already exists.") }
        let user = User(name: name, path: path, userId: uniqueId("AIDA", name), arn: "arn:aws:iam::\(account):user\(path)\(name)",
                        created: now)
        users[name] = user
        return user
    }

    func requireUser(_ name: String) throws(IAMError) -> User {
        guard let user = users[name] else { throw .noSuchEntity("The user with name \(name) cannot be found.") }
        return user
    }

    public mutating func putUserPolicy(user name: String, policyName: String, document: String) throws(IAMError) {
        var user = try requireUser(name)
        try Self.putInline(&user.permissions, name: policyName, document: document, limit: Self.userInlineSize, entity: "user \(name)")
        users[name] = user
    }

    public mutating func attachUserPolicy(user name: String, policyArn: String) throws(IAMError) {
        var user = try requireUser(name)
        try requirePolicy(policyArn)
        Self.attach(&user.permissions, policyArn)
        users[name] = user
    }

    /// An access key for a user. Given ids (from a scenario) are kept; otherwise AKIA… is generated.
    public mutating func createAccessKey(user name: String, accessKeyId: String? = nil, secretAccessKey: String? = nil,
                                         now: SimInstant) throws(IAMError) -> AccessKey {
        _ = try requireUser(name)
        guard accessKeys.values.filter({ $0.userName == name }).count < 2 else {
            throw IAMError(code: "LimitExceeded", status: 409, message: "Cannot exceed quota for AccessKeysPerUser: 2")
        }
        let id = accessKeyId ?? uniqueId("AKIA", name)
        guard accessKeys[id] == nil else { throw .exists("Access key \(id) already exists.") }
        let secret = secretAccessKey ?? IAMIdentifiers.secret(seed: "secret/\(id)")
        let key = AccessKey(accessKeyId: id, secretAccessKey: secret, userName: name, active: true, created: now)
        accessKeys[id] = key
        credentialGeneration += 1
        return key
    }

    public mutating func createGroup(name: String, path: String = "/", now: SimInstant) throws(IAMError) -> Group {
        try Self.check(name: name, field: "groupName", maximum: 128)
        guard groups[name] == nil else { throw .exists("Group with name \(name) already exists.") }
        let group = Group(name: name, path: path, groupId: uniqueId("AGPA", name), arn: "arn:aws:iam::\(account):group\(path)\(name)",
                          created: now)
        groups[name] = group
        return group
    }

    public mutating func addUserToGroup(user: String, group name: String) throws(IAMError) {
        _ = try requireUser(user)
        guard var group = groups[name] else { throw .noSuchEntity("The group with name \(name) cannot be found.") }
        if !group.members.contains(user) { group.members.append(user) }
        groups[name] = group
    }

    public mutating func putGroupPolicy(group name: String, policyName: String, document: String) throws(IAMError) {
        guard var group = groups[name] else { throw .noSuchEntity("The group with name \(name) cannot be found.") }
        try Self.putInline(&group.permissions, name: policyName, document: document, limit: Self.groupInlineSize, entity: "group \(name)")
        groups[name] = group
    }

    public mutating func attachGroupPolicy(group name: String, policyArn: String) throws(IAMError) {
        guard var group = groups[name] else { throw .noSuchEntity("The group with name \(name) cannot be found.") }
        try requirePolicy(policyArn)
        Self.attach(&group.permissions, policyArn)
        groups[name] = group
    }

    // MARK: Roles and instance profiles

    public mutating func createRole(name: String, trustPolicy: String, path: String = "/", description: String = "",
                                    maxSessionDurationSeconds: Int = 3600, now: SimInstant) throws(IAMError) -> Role {
        try Self.check(name: name, field: "roleName", maximum: 64)
        guard roles[name] == nil else { throw .exists("Role with name \(name) already exists.") }
        guard Self.size(trustPolicy) <= Self.trustPolicySize else {
            throw IAMError(code: "LimitExceeded", status: 409, message: "Cannot exceed quota for ACLSizePerRole: \(Self.trustPolicySize)")
        }
        let trust: PolicyDocument
        do { trust = try PolicyDocument.parse(trustPolicy) } catch { throw .malformed(error) }
        // A trust policy is a resource policy: every statement names a principal
        // (IAM rejects it otherwise with this message).
        guard trust.statements.allSatisfy({ $0.principals != nil }) else {
            throw IAMError(code: "MalformedPolicyDocument", message: "Has prohibited field Resource or missing Principal")
        }
        guard (3600...43200).contains(maxSessionDurationSeconds) else {
            throw IAMError(code: "ValidationError",
                           message: "1 validation error detected: Value '\(maxSessionDurationSeconds)' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200")
        }
        let role = Role(name: name, path: path, roleId: uniqueId("AROA", name), arn: "arn:aws:iam::\(account):role\(path)\(name)",
                        created: now, assumeRolePolicyDocument: trustPolicy, description: description,
                        maxSessionDurationSeconds: maxSessionDurationSeconds)
        roles[name] = role
        return role
    }

    func requireRole(_ name: String) throws(IAMError) -> Role {
        guard let role = roles[name] else { throw .noSuchEntity("The role with name \(name) cannot be found.") }
        return role
    }

    /// The role an ARN names (`arn:aws:iam::ACCOUNT:role/path/NAME`).
    public func role(arn: String) -> Role? {
        guard let name = arn.split(separator: "/").last else { return nil }
        return roles[String(name)].flatMap { $0.arn == arn ? $0 : nil }
    }

    public mutating func putRolePolicy(role name: String, policyName: String, document: String) throws(IAMError) {
        var role = try requireRole(name)
        try Self.putInline(&role.permissions, name: policyName, document: document, limit: Self.roleInlineSize, entity: "role \(name)")
        roles[name] = role
    }

    public mutating func attachRolePolicy(role name: String, policyArn: String) throws(IAMError) {
        var role = try requireRole(name)
        try requirePolicy(policyArn)
        Self.attach(&role.permissions, policyArn)
        roles[name] = role
    }

    public mutating func putRolePermissionsBoundary(role name: String, policyArn: String) throws(IAMError) {
        var role = try requireRole(name)
        try requirePolicy(policyArn)
        role.permissions.permissionsBoundaryArn = policyArn
        roles[name] = role
    }

    public mutating func createInstanceProfile(name: String, path: String = "/", now: SimInstant) throws(IAMError) -> InstanceProfile {
        try Self.check(name: name, field: "instanceProfileName", maximum: 128)
        guard instanceProfiles[name] == nil else { throw .exists("Instance Profile \(name) already exists.") }
        let profile = InstanceProfile(name: name, path: path, instanceProfileId: uniqueId("AIPA", name),
                                      arn: "arn:aws:iam::\(account):instance-profile\(path)\(name)", created: now)
        instanceProfiles[name] = profile
        return profile
    }

    public mutating func addRoleToInstanceProfile(profile name: String, role: String) throws(IAMError) {
        guard var profile = instanceProfiles[name] else { throw .noSuchEntity("Instance Profile \(name) cannot be found.") }
        _ = try requireRole(role)
        guard profile.roles.isEmpty else {
            throw IAMError(code: "LimitExceeded", status: 409, message: "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        }
        profile.roles.append(role)
        instanceProfiles[name] = profile
    }

    // MARK: Evaluation inputs

    /// A managed policy's default version, parsed.
    func managedParsed(_ arn: String) -> PolicyDocument? {
        policies[arn]?.defaultParsed ?? ManagedPolicies.parsed[arn]
    }

    /// The identity policies in force for a permission set (inline, then attached), parsed.
    func documents(_ permissions: Permissions) -> [PolicyDocument] {
        permissions.inlinePolicies.map(\.parsed) + permissions.attachedPolicyArns.compactMap(managedParsed)
    }

    /// A user's identity policies: their own and their groups'.
    public func identityPolicies(user name: String) -> [PolicyDocument] {
        guard let user = users[name] else { return [] }
        let memberOf = groups.values.filter { $0.members.contains(name) }.sorted { $0.name < $1.name }
        return documents(user.permissions) + memberOf.flatMap { documents($0.permissions) }
    }

    public func identityPolicies(role name: String) -> [PolicyDocument] {
        roles[name].map { documents($0.permissions) } ?? []
    }

    public func permissionsBoundary(role name: String) -> PolicyDocument? {
        roles[name]?.permissions.permissionsBoundaryArn.flatMap(managedParsed)
    }

    public func permissionsBoundary(user name: String) -> PolicyDocument? {
        users[name]?.permissions.permissionsBoundaryArn.flatMap(managedParsed)
    }

    /// Secrets of every active access key, for the signature checker.
    public var activeSecrets: [String: String] {
        var secrets: [String: String] = [:]
        for key in accessKeys.values where key.active { secrets[key.accessKeyId] = key.secretAccessKey }
        return secrets
    }
}

/// Deterministic identifier text.
enum IAMIdentifiers {
    /// IAM's name alphabet `[\w+=,.@-]` (entity names, role session names).
    static func isNameText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))))
                || "_+=,.@-".unicodeScalars.contains(scalar)
        }
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// `count` characters of IAM's unique-id alphabet, derived from `seed`.
    static func characters(seed: String, count: Int) -> String {
        var state = StableHash.fnv1a64(seed)
        var out = ""
        for _ in 0..<count {
            state = SplitMix64.mix(state)
            out.append(alphabet[Int(state % UInt64(alphabet.count))])
        }
        return out
    }

    /// A 40-character secret access key.
    static func secret(seed: String) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        var state = StableHash.fnv1a64(seed)
        var out = ""
        for _ in 0..<40 {
            state = SplitMix64.mix(state)
            out.append(letters[Int(state % UInt64(letters.count))])
        }
        return out
    }
}
