import SimCore

/// An STS error (or a credential error of any service that checks session tokens).
public struct STSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var status: Int
    public var message: String

    public var description: String { "\(code): \(message)" }

    /// The STS API's wording; S3 words the same condition "The provided token has expired."
    static let expired = STSError(code: "ExpiredToken", status: 400, message: "The security token included in the request is expired")
    static let invalidToken = STSError(code: "InvalidClientTokenId", status: 403,
                                       message: "The security token included in the request is invalid.")
}

/// Who is calling: an IAM user (long-lived access key), a role session
/// (temporary credentials), or the account's root.
public struct IAMPrincipal: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case user(name: String)
        case assumedRole(role: String, session: String)
    }

    public var kind: Kind
    /// The ARN STS reports (`…:user/alice`, `arn:aws:sts::…:assumed-role/Role/session`).
    public var arn: String
    /// For policy keys: the user ARN, or the role ARN for a role session (`aws:PrincipalArn`).
    public var principalArn: String
    public var account: String
    /// `aws:userid`: AIDA… for a user, AROA…:session for a role session.
    public var userId: String
    /// True when the caller signs with a long-lived access key (AKIA…).
    public var usesLongLivedKey: Bool

    public init(kind: Kind, arn: String, principalArn: String, account: String, userId: String, usesLongLivedKey: Bool) {
        self.kind = kind
        self.arn = arn
        self.principalArn = principalArn
        self.account = account
        self.userId = userId
        self.usesLongLivedKey = usesLongLivedKey
    }

    /// The request-context keys IAM adds for this principal.
    public var contextKeys: [String: [String]] {
        var keys: [String: [String]] = ["aws:PrincipalArn": [principalArn], "aws:userid": [userId],
                                        "aws:PrincipalAccount": [account]]
        if case .user(let name) = kind { keys["aws:username"] = [name] }
        return keys
    }
}

/// STS: role sessions from AssumeRole and from the instance metadata service
/// (instance profiles), and the lookup of who holds an access key.
public struct STSService: Sendable {
    /// Temporary credentials of one role session.
    public struct Session: Sendable, Equatable, Codable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var sessionToken: String
        public var roleName: String
        public var roleArn: String
        public var sessionName: String
        public var assumedRoleArn: String
        public var assumedRoleId: String
        public var issued: SimInstant
        public var expiration: SimInstant
    }

    /// Sessions by access key id (ASIA…), kept after expiry so that a late
    /// request gets ExpiredToken rather than an unknown key.
    public internal(set) var sessions: [String: Session] = [:]
    /// The current instance-role session of each instance (by instance id).
    public internal(set) var instanceSessions: [String: String] = [:]
    public internal(set) var credentialGeneration: UInt64 = 0
    var counter: UInt64 = 0

    /// How long instance-profile credentials last, and when the metadata
    /// service hands out the next ones. AWS documents only that "new
    /// credentials [are made] available at least five minutes before the
    /// expiration of the old credentials" (AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html,
    /// "Retrieve security credentials from instance metadata"); the 6 h
    /// lifetime and 1 h early rotation are what instances show in practice
    /// (docs/fidelity.md lists this as a simplification).
    public static let instanceCredentialLifetime = SimDuration.hours(6)
    public static let instanceCredentialRefreshBefore = SimDuration.hours(1)

    public init() {}

    /// AssumeRole: the trust policy must name the caller (or its account, in
    /// which case the caller's own policies must also allow sts:AssumeRole);
    /// a caller in another account always needs both. Duration 900 s up to
    /// the role's maximum (STS API Reference, AssumeRole DurationSeconds).
    public mutating func assumeRole(iam: IAMService, caller: IAMPrincipal, roleArn: String, sessionName: String,
                                    durationSeconds: Int?, now: SimInstant) throws(STSError) -> Session {
        guard (2...64).contains(sessionName.count), IAMIdentifiers.isNameText(sessionName) else {
            throw STSError(code: "ValidationError", status: 400,
                           message: "1 validation error detected: Value '\(sessionName)' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        }
        let denied = STSError(code: "AccessDenied", status: 403,
                              message: "User: \(caller.arn) is not authorized to perform: sts:AssumeRole on resource: \(roleArn)")
        guard let role = iam.role(arn: roleArn) else { throw denied }
        let duration = durationSeconds ?? 3600
        guard duration >= 900, duration <= role.maxSessionDurationSeconds else {
            throw STSError(code: "ValidationError", status: 400,
                           message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        }
        guard let trust = try? PolicyDocument.parse(role.assumeRolePolicyDocument) else { throw denied }
        let request = AuthorizationRequest(principalArn: caller.arn, principalAccount: caller.account, action: "sts:AssumeRole",
                                           resource: role.arn, resourceAccount: iam.account, context: caller.contextKeys)
        let identity: [PolicyDocument]
        switch caller.kind {
        case .user(let name): identity = iam.identityPolicies(user: name)
        case .assumedRole(let roleName, _): identity = iam.identityPolicies(role: roleName)
        }
        // Unlike other resource policies, the trust policy is never optional:
        // the role must trust the caller (IAM User Guide, id_roles_use_permissions-to-switch.html).
        guard PolicyEvaluator.firstAllow([trust], request, isResourcePolicy: true) != nil,
              PolicyEvaluator.evaluate(request, identityPolicies: identity, resourcePolicy: trust).isAllowed else { throw denied }
        return issue(role: role, sessionName: sessionName, lifetime: .seconds(Int64(duration)), now: now)
    }

    /// The instance metadata service's answer for an instance with an
    /// instance profile: the current credentials of the profile's role,
    /// rotated `instanceCredentialRefreshBefore` before they expire. Nil when
    /// the profile has no role or the role's trust policy does not let
    /// `ec2.amazonaws.com` assume it (as on EC2, the instance then has no credentials).
    public mutating func instanceCredentials(iam: IAMService, instanceId: String, instanceProfile: String,
                                             now: SimInstant) -> Session? {
        guard let profile = iam.instanceProfiles[instanceProfile], let roleName = profile.roles.first,
              let role = iam.roles[roleName] else { return nil }
        // The current credentials until they are due for renewal (the trust was checked when they were issued).
        if let key = instanceSessions[instanceId], let current = sessions[key], current.roleArn == role.arn,
           now < current.expiration - Self.instanceCredentialRefreshBefore {
            return current
        }
        guard let trust = try? PolicyDocument.parse(role.assumeRolePolicyDocument) else { return nil }
        let request = AuthorizationRequest(principalArn: "ec2.amazonaws.com", principalAccount: iam.account,
                                           servicePrincipal: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: role.arn,
                                           resourceAccount: iam.account)
        guard PolicyEvaluator.evaluate(request, identityPolicies: [], resourcePolicy: trust).isAllowed else { return nil }
        let session = issue(role: role, sessionName: instanceId, lifetime: Self.instanceCredentialLifetime, now: now)
        instanceSessions[instanceId] = session.accessKeyId
        return session
    }

    mutating func issue(role: IAMService.Role, sessionName: String, lifetime: SimDuration, now: SimInstant) -> Session {
        counter += 1
        let seed = "\(role.arn)/\(sessionName)/\(counter)"
        let accessKeyId = "ASIA" + IAMIdentifiers.characters(seed: seed, count: 16)
        let token = "IQoJb3JpZ2luX2Vj" + IAMIdentifiers.secret(seed: "token/" + seed) + IAMIdentifiers.secret(seed: "token2/" + seed)
        let account = role.arn.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) ?? ""
        // The session ARN leaves out the role's path (reference_identifiers.html, "IAM ARNs").
        let session = Session(accessKeyId: accessKeyId, secretAccessKey: IAMIdentifiers.secret(seed: "secret/" + seed),
                              sessionToken: token, roleName: role.name, roleArn: role.arn, sessionName: sessionName,
                              assumedRoleArn: "arn:aws:sts::\(account):assumed-role/\(role.name)/\(sessionName)",
                              assumedRoleId: "\(role.roleId):\(sessionName)", issued: now, expiration: now + lifetime)
        sessions[accessKeyId] = session
        credentialGeneration += 1
        return session
    }

    /// Who holds an access key, at `now`: a user's key, or a live session
    /// (whose token must match). Expired sessions give ExpiredToken.
    public func principal(accessKeyId: String, sessionToken: String?, iam: IAMService, now: SimInstant) -> Result<IAMPrincipal, STSError> {
        if let key = iam.accessKeys[accessKeyId] {
            guard key.active, let user = iam.users[key.userName] else { return .failure(.invalidToken) }
            return .success(IAMPrincipal(kind: .user(name: user.name), arn: user.arn, principalArn: user.arn, account: iam.account,
                                         userId: user.userId, usesLongLivedKey: true))
        }
        guard let session = sessions[accessKeyId] else { return .failure(.invalidToken) }
        guard sessionToken == session.sessionToken else { return .failure(.invalidToken) }
        guard now < session.expiration else { return .failure(.expired) }
        return .success(Self.principal(of: session, account: iam.account))
    }

    static func principal(of session: Session, account: String) -> IAMPrincipal {
        IAMPrincipal(kind: .assumedRole(role: session.roleName, session: session.sessionName), arn: session.assumedRoleArn,
                     principalArn: session.roleArn, account: account, userId: session.assumedRoleId, usesLongLivedKey: false)
    }

    /// Secrets of every session (expired ones too: their requests must
    /// authenticate before they can be told the token expired).
    public var sessionSecrets: [String: String] {
        var secrets: [String: String] = [:]
        for session in sessions.values { secrets[session.accessKeyId] = session.secretAccessKey }
        return secrets
    }
}
