import SimCore

/// IAM and STS state as plain values, for `serve --state-dir`: what the IAM
/// and STS APIs changed survives a restart (users, groups, roles, managed and
/// inline policies, instance profiles, access keys, sessions). Instants are
/// nanoseconds of virtual time; `shifted(by:)` moves them to a later start's.
extension IAMService {
    public struct Snapshot: Codable, Equatable, Sendable {
        public struct PolicyVersion: Codable, Equatable, Sendable {
            var versionId: String
            var document: String
            var created: Int64
        }

        public struct Policy: Codable, Equatable, Sendable {
            var name, path, policyId, arn, defaultVersionId, description: String
            var versions: [PolicyVersion]
            var created: Int64
        }

        public struct InlinePolicy: Codable, Equatable, Sendable {
            var name: String
            var document: String
        }

        public struct Permissions: Codable, Equatable, Sendable {
            var attached: [String]
            var inline: [InlinePolicy]
            var boundary: String?
        }

        public struct Principal: Codable, Equatable, Sendable {
            /// `user`, `group` or `role`.
            var kind: String
            var name, path, id, arn: String
            var created: Int64
            var permissions: Permissions
            /// Groups: their members.
            var members: [String]?
            /// Roles: the trust policy, description and session limit.
            var trustPolicy: String?
            var description: String?
            var maxSessionDurationSeconds: Int?
        }

        public struct InstanceProfile: Codable, Equatable, Sendable {
            var name, path, instanceProfileId, arn: String
            var created: Int64
            var roles: [String]
        }

        public struct AccessKey: Codable, Equatable, Sendable {
            var accessKeyId, secretAccessKey, userName: String
            var active: Bool
            var created: Int64
        }

        var principals: [Principal]
        var policies: [Policy]
        var instanceProfiles: [InstanceProfile]
        var accessKeys: [AccessKey]
        var counter: UInt64
        var credentialGeneration: UInt64

        /// The same state with every instant moved by `offset`.
        public func shifted(by offset: SimDuration) -> Snapshot {
            var copy = self
            let ns = offset.nanoseconds
            copy.principals = principals.map { var p = $0; p.created += ns; return p }
            copy.policies = policies.map { policy in
                var policy = policy
                policy.created += ns
                policy.versions = policy.versions.map { var v = $0; v.created += ns; return v }
                return policy
            }
            copy.instanceProfiles = instanceProfiles.map { var p = $0; p.created += ns; return p }
            copy.accessKeys = accessKeys.map { var k = $0; k.created += ns; return k }
            return copy
        }
    }

    static func snapshot(_ permissions: Permissions) -> Snapshot.Permissions {
        Snapshot.Permissions(attached: permissions.attachedPolicyArns,
                             inline: permissions.inlinePolicies.map { Snapshot.InlinePolicy(name: $0.name, document: $0.document) },
                             boundary: permissions.permissionsBoundaryArn)
    }

    /// The whole state, in a stable order (sorted by name, ARN or id).
    public var snapshot: Snapshot {
        var principals: [Snapshot.Principal] = []
        for user in users.values.sorted(by: { $0.name < $1.name }) {
            principals.append(.init(kind: "user", name: user.name, path: user.path, id: user.userId, arn: user.arn,
                                    created: user.created.nanosecondsSinceStart, permissions: Self.snapshot(user.permissions)))
        }
        for group in groups.values.sorted(by: { $0.name < $1.name }) {
            principals.append(.init(kind: "group", name: group.name, path: group.path, id: group.groupId, arn: group.arn,
                                    created: group.created.nanosecondsSinceStart, permissions: Self.snapshot(group.permissions),
                                    members: group.members))
        }
        for role in roles.values.sorted(by: { $0.name < $1.name }) {
            principals.append(.init(kind: "role", name: role.name, path: role.path, id: role.roleId, arn: role.arn,
                                    created: role.created.nanosecondsSinceStart, permissions: Self.snapshot(role.permissions),
                                    trustPolicy: role.assumeRolePolicyDocument, description: role.description,
                                    maxSessionDurationSeconds: role.maxSessionDurationSeconds))
        }
        let policies = policies.values.sorted(by: { $0.arn < $1.arn }).map { policy in
            Snapshot.Policy(name: policy.name, path: policy.path, policyId: policy.policyId, arn: policy.arn,
                            defaultVersionId: policy.defaultVersionId, description: policy.description,
                            versions: policy.versions.map { .init(versionId: $0.versionId, document: $0.document,
                                                                  created: $0.created.nanosecondsSinceStart) },
                            created: policy.created.nanosecondsSinceStart)
        }
        let profiles = instanceProfiles.values.sorted(by: { $0.name < $1.name }).map { profile in
            Snapshot.InstanceProfile(name: profile.name, path: profile.path, instanceProfileId: profile.instanceProfileId,
                                     arn: profile.arn, created: profile.created.nanosecondsSinceStart, roles: profile.roles)
        }
        let keys = accessKeys.values.sorted(by: { $0.accessKeyId < $1.accessKeyId }).map { key in
            Snapshot.AccessKey(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, userName: key.userName,
                               active: key.active, created: key.created.nanosecondsSinceStart)
        }
        return Snapshot(principals: principals, policies: policies, instanceProfiles: profiles, accessKeys: keys,
                        counter: counter, credentialGeneration: credentialGeneration)
    }

    static func restore(_ permissions: Snapshot.Permissions) throws(IAMError) -> Permissions {
        var restored = Permissions()
        restored.attachedPolicyArns = permissions.attached
        restored.permissionsBoundaryArn = permissions.boundary
        for inline in permissions.inline {
            do { restored.inlinePolicies.append((inline.name, inline.document, try PolicyDocument.parse(inline.document))) } catch {
                throw .malformed(error)
            }
        }
        return restored
    }

    /// Replaces the whole state with a persisted one; documents are parsed
    /// again (a document that no longer parses is refused, nothing replaced).
    public mutating func restore(_ snapshot: Snapshot) throws(IAMError) {
        var restored = IAMService(account: account)
        for principal in snapshot.principals {
            let created = SimInstant.zero + .nanoseconds(principal.created)
            let permissions = try Self.restore(principal.permissions)
            switch principal.kind {
            case "user":
                restored.users[principal.name] = User(name: principal.name, path: principal.path, userId: principal.id,
                                                      arn: principal.arn, created: created, permissions: permissions)
            case "group":
                restored.groups[principal.name] = Group(name: principal.name, path: principal.path, groupId: principal.id,
                                                        arn: principal.arn, created: created, members: principal.members ?? [],
                                                        permissions: permissions)
            default:
                restored.roles[principal.name] = Role(name: principal.name, path: principal.path, roleId: principal.id,
                                                      arn: principal.arn, created: created,
                                                      assumeRolePolicyDocument: principal.trustPolicy ?? "",
                                                      description: principal.description ?? "",
                                                      maxSessionDurationSeconds: principal.maxSessionDurationSeconds ?? 3600,
                                                      permissions: permissions)
            }
        }
        for policy in snapshot.policies {
            var managed = ManagedPolicy(name: policy.name, path: policy.path, policyId: policy.policyId, arn: policy.arn,
                                        versions: policy.versions.map { ($0.versionId, $0.document, SimInstant.zero + .nanoseconds($0.created)) },
                                        defaultVersionId: policy.defaultVersionId, created: SimInstant.zero + .nanoseconds(policy.created),
                                        description: policy.description)
            for version in policy.versions {
                do { managed.parsed[version.versionId] = try PolicyDocument.parse(version.document) } catch { throw .malformed(error) }
            }
            restored.policies[policy.arn] = managed
        }
        for profile in snapshot.instanceProfiles {
            restored.instanceProfiles[profile.name] = InstanceProfile(name: profile.name, path: profile.path,
                                                                      instanceProfileId: profile.instanceProfileId, arn: profile.arn,
                                                                      created: SimInstant.zero + .nanoseconds(profile.created),
                                                                      roles: profile.roles)
        }
        for key in snapshot.accessKeys {
            restored.accessKeys[key.accessKeyId] = AccessKey(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey,
                                                             userName: key.userName, active: key.active,
                                                             created: SimInstant.zero + .nanoseconds(key.created))
        }
        restored.counter = snapshot.counter
        // A new generation: whoever caches credentials (serve's signature check) reloads them.
        restored.credentialGeneration = max(snapshot.credentialGeneration, credentialGeneration) + 1
        self = restored
    }
}


extension STSService {
    /// The role sessions handed out (AssumeRole over the wire, instance
    /// metadata), so that credentials a client holds still sign after a restart.
    public struct Snapshot: Codable, Equatable, Sendable {
        var sessions: [Session]
        var instanceSessions: [String: String]
        var counter: UInt64
        var credentialGeneration: UInt64

        /// The same sessions with issue and expiry times moved by `offset`.
        public func shifted(by offset: SimDuration) -> Snapshot {
            var copy = self
            copy.sessions = sessions.map { session in
                var session = session
                session.issued = session.issued + offset
                session.expiration = session.expiration + offset
                return session
            }
            return copy
        }
    }

    public var snapshot: Snapshot {
        Snapshot(sessions: sessions.values.sorted { $0.accessKeyId < $1.accessKeyId }, instanceSessions: instanceSessions,
                 counter: counter, credentialGeneration: credentialGeneration)
    }

    public mutating func restore(_ snapshot: Snapshot) {
        sessions = Dictionary(snapshot.sessions.map { ($0.accessKeyId, $0) }, uniquingKeysWith: { _, last in last })
        instanceSessions = snapshot.instanceSessions
        counter = max(counter, snapshot.counter)
        credentialGeneration = max(snapshot.credentialGeneration, credentialGeneration) + 1
    }
}
