import AWSSim
import SimCore

/// Identity in the world: the scenario's IAM users and roles, the
/// credentials each workload signs with, and the authorization of every S3
/// request before S3 runs it.
extension World {
    /// The simulated AWS account (also `odas-sim serve`'s).
    static let account = "123456789012"
    /// The role workloads without a `principal` sign as: the deployment's own
    /// role with full access, for scenarios that say nothing about IAM.
    static let defaultRole = "odas-sim-deployment"

    /// Credentials a client holds for one request.
    struct Credentials {
        var accessKeyId: String
        var sessionToken: String?
        /// Where the request comes from (for aws:SourceVpc).
        var source: FaultDomain
    }

    /// The id of a region's VPC, as EC2 reports it.
    static func vpcId(region: String, cidr: String) -> String {
        "vpc-" + String(String(StableHash.fnv1a64(region + cidr), radix: 16).prefix(17))
    }

    /// The VPC of the region `source` is in, if the region has one.
    func sourceVpc(of source: FaultDomain) -> String? {
        guard let region = faults.region(of: source),
              let vpc = scenario.topology.regions.first(where: { $0.name == region })?.vpc else { return nil }
        return Self.vpcId(region: region, cidr: vpc.cidr)
    }

    /// Users with their access keys and policies; roles with their trust
    /// policies, identity policies, boundaries and instance profiles; bucket
    /// policies (the replica's own: replication does not copy them).
    mutating func buildIAM(at now: SimInstant) {
        for user in scenario.iamUsers {
            do {
                _ = try iam.createUser(name: user.name, now: now)
                for (index, document) in user.policies.enumerated() {
                    try iam.putUserPolicy(user: user.name, policyName: "\(user.name)-policy-\(index + 1)", document: document)
                }
                _ = try iam.createAccessKey(user: user.name, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, now: now)
                trace.record("iam", "create-user", at: now, ["name": .string(user.name), "policies": .int(Int64(user.policies.count))])
            } catch {
                trace.record("iam", "create-user-failed", at: now, ["name": .string(user.name), "error": .string(error.description)])
            }
        }
        var roles = scenario.iamRoles
        if scenario.workloads.contains(where: { $0.principal == nil && ($0.kind == .s3Get || $0.kind == .s3Put) }),
           !roles.contains(where: { $0.name == Self.defaultRole }) {
            roles.append(IAMRoleSpec(name: Self.defaultRole, trustPolicy: ScenarioLoader.ec2TrustPolicy,
                                     policies: ManagedPolicies.documents["arn:aws:iam::aws:policy/AdministratorAccess"].map { [$0] } ?? [],
                                     permissionsBoundary: nil, instanceProfile: Self.defaultRole, buckets: nil))
        }
        for role in roles {
            do {
                _ = try iam.createRole(name: role.name, trustPolicy: role.trustPolicy, now: now)
                for (index, document) in role.policies.enumerated() {
                    try iam.putRolePolicy(role: role.name, policyName: "\(role.name)-policy-\(index + 1)", document: document)
                }
                if let boundary = role.permissionsBoundary {
                    let policy = try iam.createPolicy(name: "\(role.name)-boundary", document: boundary, now: now)
                    try iam.putRolePermissionsBoundary(role: role.name, policyArn: policy.arn)
                }
                if iam.instanceProfiles[role.instanceProfile] == nil {
                    _ = try iam.createInstanceProfile(name: role.instanceProfile, now: now)
                }
                try iam.addRoleToInstanceProfile(profile: role.instanceProfile, role: role.name)
                trace.record("iam", "create-role", at: now, ["name": .string(role.name), "instance_profile": .string(role.instanceProfile)])
            } catch {
                trace.record("iam", "create-role-failed", at: now, ["name": .string(role.name), "error": .string(error.description)])
            }
        }
        for bucket in scenario.buckets {
            for (name, policy) in [(bucket.name, bucket.policy), (bucket.replicaBucket, bucket.replicaPolicy)] {
                guard let name, let policy else { continue }
                do {
                    try s3.putBucketPolicy(name, document: policy)
                    trace.record("s3", "put-bucket-policy", at: now, ["bucket": .string(name)])
                } catch {
                    trace.record("s3", "put-bucket-policy-failed", at: now, ["bucket": .string(name), "error": .string(error.code)])
                }
            }
        }
    }

    /// The credentials a workload signs its next request with: a user's
    /// access key, or its role's current temporary credentials from the
    /// instance metadata service (which rotates them before they expire).
    /// Nil when the role's instance profile gives the instance no credentials.
    mutating func credentials(for spec: WorkloadSpec) -> Credentials? {
        switch spec.principal ?? .role(Self.defaultRole) {
        case .user(let name):
            guard let key = iam.accessKeys.values.filter({ $0.userName == name && $0.active }).min(by: { $0.accessKeyId < $1.accessKeyId })
            else { return nil }
            return Credentials(accessKeyId: key.accessKeyId, sessionToken: nil, source: spec.from)
        case .role(let name):
            guard let role = scenario.iamRoles.first(where: { $0.name == name }) ?? (name == Self.defaultRole
                ? IAMRoleSpec(name: name, trustPolicy: "", policies: [], permissionsBoundary: nil, instanceProfile: name, buckets: nil) : nil),
                  let session = sts.instanceCredentials(iam: iam, instanceId: "client-\(spec.name)", instanceProfile: role.instanceProfile,
                                                        now: loop.now) else { return nil }
            return Credentials(accessKeyId: session.accessKeyId, sessionToken: session.sessionToken, source: spec.from)
        }
    }

    /// Records in the history who signed operation `op`.
    mutating func notePrincipal(_ op: Int, _ credentials: Credentials) {
        if case .success(let principal) = sts.principal(accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken,
                                                         iam: iam, now: loop.now) {
            history.setPrincipal(op, arn: principal.principalArn, longLivedKey: principal.usesLongLivedKey)
        }
    }

    /// S3's authorization of a request that reached it: who signed (expired
    /// session credentials are refused), then the principal's identity
    /// policies, boundary and the bucket policy of the bucket actually
    /// addressed. Returns the error S3 answers, or nil when allowed.
    mutating func authorizeS3(_ credentials: Credentials, action: String, bucket: String, key: String) -> (code: String, message: String)? {
        let principal: IAMPrincipal
        switch sts.principal(accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken, iam: iam, now: loop.now) {
        case .success(let value): principal = value
        case .failure(let error):
            // S3's wording of an expired session (AmazonS3/latest/API/ErrorResponses.html).
            return error.code == "ExpiredToken" ? ("ExpiredToken", "The provided token has expired.")
                : ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        }
        let resource = "arn:aws:s3:::\(bucket)/\(key)"
        var context: [String: [String]] = [:]
        // A client in a region with a VPC reaches S3 through the VPC's gateway
        // endpoint (assumed in every VPC, docs/fidelity.md), so the request carries aws:SourceVpc.
        if let vpc = sourceVpc(of: credentials.source) { context["aws:SourceVpc"] = [vpc] }
        let decision = Self.evaluate(principal, action: action, resource: resource, bucketPolicy: parsedPolicy(s3.buckets[bucket]?.policy), iam: iam,
                                     context: context)
        // AWS's wording names the kind of policy that decided; the history also
        // keeps which statement (or that none allowed), for the report's causes.
        let why: String
        switch decision {
        case .allow: return authorizeKMSThroughS3(principal, action: action, bucket: bucket, key: key)
        case .explicitDeny(let statement): why = "with an explicit deny in a policy (statement \(statement))"
        case .implicitDeny(let reason): why = "because no policy allows the \(action) action (\(reason))"
        }
        return ("AccessDenied", "User: \(principal.arn) is not authorized to perform: \(action) on resource: \"\(resource)\" \(why)")
    }

    /// S3's use of KMS for an SSE-KMS object (AmazonS3/latest/userguide/UsingKMSEncryption.html,
    /// "Permissions"): reading needs `kms:Decrypt` on the object's key, writing
    /// into a bucket whose default is SSE-KMS `kms:GenerateDataKey`, each
    /// decided by KMS's own rule (the key policy, then IAM when it delegates).
    mutating func authorizeKMSThroughS3(_ principal: IAMPrincipal, action: String, bucket: String, key: String) -> (code: String, message: String)? {
        let keyID: String?
        let kmsAction: String
        switch action {
        case "s3:GetObject":
            guard let object = s3.buckets[bucket]?.objects[key], object.contentHeaders["x-amz-server-side-encryption"]?.hasPrefix("aws:kms") == true else { return nil }
            keyID = object.contentHeaders["x-amz-server-side-encryption-aws-kms-key-id"]
            kmsAction = "kms:Decrypt"
        case "s3:PutObject":
            guard let encryption = s3.buckets[bucket]?.encryption, encryption.usesKMS else { return nil }
            keyID = encryption.kmsMasterKeyID
            kmsAction = "kms:GenerateDataKey"
        default: return nil
        }
        guard let keyID, let region = s3.buckets[bucket]?.region, let kmsKey = try? kms.key(keyID, region: region) else {
            return ("KMS.NotFoundException", "Invalid keyId \(keyID ?? "(none)")")
        }
        let decision = kms.authorize(principal, action: kmsAction, key: kmsKey, identityPolicies: Self.policies(of: principal, iam: iam).identity,
                                     context: ["kms:ViaService": ["s3.\(region).amazonaws.com"]])
        guard !decision.isAllowed else { return nil }
        // S3 answers AccessDenied naming the KMS action (UsingKMSEncryption.html, troubleshooting).
        return ("AccessDenied", "User: \(principal.arn) is not authorized to perform: \(kmsAction) on resource: \(kmsKey.arn) because no policy allows the \(kmsAction) action (KMS key \(kmsKey.arn))")
    }

    /// One IAM decision for a principal on an S3 resource (same account).
    /// A bucket policy parsed once per distinct text (requests read it constantly; it rarely changes).
    mutating func parsedPolicy(_ text: String?) -> PolicyDocument? {
        guard let text else { return nil }
        if let cached = policyCache[text] { return cached }
        let parsed = try? PolicyDocument.parse(text)
        policyCache[text] = parsed
        return parsed
    }

    static func evaluate(_ principal: IAMPrincipal, action: String, resource: String, bucketPolicy: PolicyDocument?,
                         iam: IAMService, context: [String: [String]] = [:]) -> AuthorizationDecision {
        var keys = principal.contextKeys
        keys["aws:SecureTransport"] = ["true"]
        for (name, values) in context { keys[name] = values }
        let request = AuthorizationRequest(principalArn: principal.arn, principalAccount: principal.account, action: action,
                                           resource: resource, resourceAccount: account, context: keys)
        let policies = Self.policies(of: principal, iam: iam)
        return PolicyEvaluator.evaluate(request, identityPolicies: policies.identity, resourcePolicy: bucketPolicy,
                                        permissionsBoundary: policies.boundary)
    }

    /// The identity policies and permissions boundary in force for a principal (a role session: its role's).
    static func policies(of principal: IAMPrincipal, iam: IAMService) -> (identity: [PolicyDocument], boundary: PolicyDocument?) {
        switch principal.kind {
        case .user(let name): return (iam.identityPolicies(user: name), iam.permissionsBoundary(user: name))
        case .assumedRole(let role, _): return (iam.identityPolicies(role: role), iam.permissionsBoundary(role: role))
        }
    }
}
