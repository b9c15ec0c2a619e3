import AWSSim

/// The node role as the preflight checks it: a session of the role (what an
/// ODAS node signs with) and IAM's decision on one S3 or KMS action, with the
/// bucket's own policy, as S3 and KMS decide at request time.
struct NodeRoleSession {
    let role: IAMService.Role
    let principal: IAMPrincipal
    let vpcId: String?

    init?(_ p: ODASPrerequisites, _ iam: IAMService) {
        guard let name = p.nodeRole, let role = iam.roles[name] else { return nil }
        self.role = role
        let session = "odas-preflight"
        principal = IAMPrincipal(kind: .assumedRole(role: name, session: session),
                                 arn: "arn:aws:sts::\(iam.account):assumed-role/\(name)/\(session)",
                                 principalArn: role.arn, account: iam.account, userId: "\(role.roleId):\(session)",
                                 usesLongLivedKey: false)
        vpcId = p.vpcId
    }

    /// IAM's decision on an S3 action: identity policies, boundary, and the bucket policy.
    func s3(_ action: String, bucket: String, key: String?, prefix: String? = nil, _ env: PreflightEnvironment) -> AuthorizationDecision {
        var context = principal.contextKeys
        context["aws:SecureTransport"] = ["true"]
        if let vpcId { context["aws:SourceVpc"] = [vpcId] }
        if let prefix { context["s3:prefix"] = [prefix] }
        let resource = key.map { "arn:aws:s3:::\(bucket)/\($0)" } ?? "arn:aws:s3:::\(bucket)"
        let request = AuthorizationRequest(principalArn: principal.arn, principalAccount: principal.account, action: action,
                                           resource: resource, resourceAccount: env.iam.account, context: context)
        let bucketPolicy = env.s3.buckets[bucket]?.policy.flatMap { try? PolicyDocument.parse($0) }
        return PolicyEvaluator.evaluate(request, identityPolicies: env.iam.identityPolicies(role: role.name), resourcePolicy: bucketPolicy,
                                        permissionsBoundary: env.iam.permissionsBoundary(role: role.name))
    }

    /// KMS's decision on a key action made through S3 (`kms:ViaService`).
    func kms(_ action: String, key: KMSService.Key, _ env: PreflightEnvironment) -> AuthorizationDecision {
        env.kms.authorize(principal, action: action, key: key, identityPolicies: env.iam.identityPolicies(role: role.name),
                          context: ["kms:ViaService": ["s3.\(key.region).amazonaws.com"]])
    }

    /// Why a decision on `action` denied, as a finding's text.
    static func why(_ action: String, _ decision: AuthorizationDecision) -> String {
        switch decision {
        case .allow(let statement): return "\(action) is allowed by \(statement)"
        case .explicitDeny(let statement): return "\(action) is explicitly denied (statement \(statement))"
        case .implicitDeny(let reason): return "\(reason)"
        }
    }
}

/// The node role: it exists, EC2 may assume it, an instance profile carries
/// it, and it reads every dataset's files (Okera's one IAM policy for the
/// data-lake paths, the log bucket and the KMS keys — no access keys).
struct InstanceRoleCheck: PreflightCheck {
    static let id = "iam/instance-role"
    static let title = "The nodes' instance role reads the data lake (no static AWS keys)"

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        guard let name = p.nodeRole else {
            return ([], [PreflightFinding(.gap, resource: "odas.nodeRole", problem: "the ODAS nodes carry no IAM role: they could read S3 only with static AWS keys",
                                          fix: "create a role trusted by ec2.amazonaws.com with the ODAS policy, put it in an instance profile and name it in odas.nodeRole")])
        }
        guard let session = NodeRoleSession(p, env.iam) else {
            return ([], [PreflightFinding(.gap, resource: "role \(name)", problem: "the role does not exist",
                                          fix: "aws iam create-role --role-name \(name) --assume-role-policy-document file://ec2-trust.json")])
        }
        var verified: [String] = []
        var findings: [PreflightFinding] = []
        if trustsEC2(session.role, env.iam) { verified.append("role \(name) is trusted by ec2.amazonaws.com") } else {
            findings.append(PreflightFinding(.gap, resource: "role \(name)", problem: "its trust policy does not let ec2.amazonaws.com assume it: instances get no credentials",
                                             fix: "aws iam update-assume-role-policy --role-name \(name) --policy-document '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'"))
        }
        let profiles = env.iam.instanceProfiles.values.filter { $0.roles.contains(name) }.map(\.name).sorted()
        if let profile = profiles.first { verified.append("instance profile \(profile) carries role \(name)") } else {
            findings.append(PreflightFinding(.gap, resource: "role \(name)", problem: "no instance profile carries the role, so no instance can use it",
                                             fix: "aws iam create-instance-profile --instance-profile-name \(name) && aws iam add-role-to-instance-profile --instance-profile-name \(name) --role-name \(name)"))
        }
        for path in p.dataPaths {
            let resource = "s3://\(path.bucket)/\(path.prefix)"
            guard env.s3.buckets[path.bucket] != nil else {
                findings.append(PreflightFinding(.gap, resource: resource, problem: "the bucket \(path.bucket) (\(path.purpose)) does not exist",
                                                 fix: "aws s3api create-bucket --bucket \(path.bucket)"))
                continue
            }
            let list = session.s3("s3:ListBucket", bucket: path.bucket, key: nil, prefix: path.prefix, env)
            // Every file there, as the workers will read them (a probe key when there are none yet).
            var keys = env.s3.buckets[path.bucket]?.sortedKeys.filter { $0.hasPrefix(path.prefix) } ?? []
            if keys.isEmpty { keys = [path.prefix + "part-00000"] }
            let denied = keys.map { ($0, session.s3("s3:GetObject", bucket: path.bucket, key: $0, env)) }.filter { !$0.1.isAllowed }
            var problems: [String] = []
            if !list.isAllowed { problems.append("\(NodeRoleSession.why("s3:ListBucket", list)) (prefix \(path.prefix))") }
            if let first = denied.first {
                problems.append("s3:GetObject denied on \(denied.count) of \(keys.count) file\(keys.count == 1 ? "" : "s"), first: \(NodeRoleSession.why("s3:GetObject", first.1))")
            }
            if problems.isEmpty {
                verified.append("role \(name) lists and reads \(resource) (\(path.purpose), \(keys.count) file\(keys.count == 1 ? "" : "s"))")
            } else {
                findings.append(PreflightFinding(.gap, resource: "role \(name)", problem: "cannot read \(resource) (\(path.purpose)): " + problems.joined(separator: "; "),
                                                 fix: "allow s3:GetObject on arn:aws:s3:::\(path.bucket)/\(path.prefix)* and s3:ListBucket on arn:aws:s3:::\(path.bucket) in the role's policy (and in the bucket policy, if it denies)"))
            }
        }
        return (verified, findings)
    }

    static func trustsEC2(_ role: IAMService.Role, _ iam: IAMService) -> Bool {
        guard let trust = try? PolicyDocument.parse(role.assumeRolePolicyDocument) else { return false }
        let request = AuthorizationRequest(principalArn: "ec2.amazonaws.com", principalAccount: iam.account,
                                           servicePrincipal: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: role.arn,
                                           resourceAccount: iam.account)
        return PolicyEvaluator.evaluate(request, identityPolicies: [], resourcePolicy: trust).isAllowed
    }
}

/// The log and staging bucket: exists, versioned and encrypted (Okera's
/// production advice), and the node role writes, reads and lists it.
struct LogBucketCheck: PreflightCheck {
    static let id = "storage/log-bucket"
    static let title = "The log and staging bucket exists, is versioned and encrypted, and the nodes can write it"

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        let name = p.logBucket
        var verified: [String] = []
        var findings: [PreflightFinding] = []
        if let bucket = env.s3.buckets[name] {
            findings += configuration(bucket, p, &verified)
        } else {
            findings.append(PreflightFinding(.gap, resource: "bucket \(name)", problem: "the log and staging bucket does not exist",
                                             fix: "aws s3api create-bucket --bucket \(name) --create-bucket-configuration LocationConstraint=\(p.region), then enable versioning"))
        }
        // The role's policy is checked whether or not the bucket exists yet: both must be fixed.
        guard let session = NodeRoleSession(p, env.iam) else { return (verified, findings) } // the role check names it
        let probe = p.logPrefix + "odas-preflight/probe"
        let decisions = [("s3:PutObject", session.s3("s3:PutObject", bucket: name, key: probe, env)),
                         ("s3:GetObject", session.s3("s3:GetObject", bucket: name, key: probe, env)),
                         ("s3:ListBucket", session.s3("s3:ListBucket", bucket: name, key: nil, prefix: p.logPrefix, env))]
        let denied = decisions.filter { !$0.1.isAllowed }
        if denied.isEmpty {
            verified.append("role \(session.role.name) writes, reads and lists s3://\(name)/\(p.logPrefix)")
        } else {
            findings.append(PreflightFinding(.gap, resource: "role \(session.role.name)",
                                             problem: "cannot use the log bucket s3://\(name)/\(p.logPrefix): " + denied.map { NodeRoleSession.why($0.0, $0.1) }.joined(separator: "; "),
                                             fix: "allow \(denied.map(\.0).joined(separator: ", ")) on arn:aws:s3:::\(name)\(denied.contains { $0.0 != "s3:ListBucket" } ? "/\(p.logPrefix)*" : "") in the role's policy"))
        }
        return (verified, findings)
    }

    /// Region, versioning and encryption of an existing log bucket.
    static func configuration(_ bucket: S3Bucket, _ p: ODASPrerequisites, _ verified: inout [String]) -> [PreflightFinding] {
        let name = bucket.name
        var findings: [PreflightFinding] = []
        if bucket.region != p.region {
            findings.append(PreflightFinding(.warning, resource: "bucket \(name)", problem: "the bucket is in \(bucket.region), not in \(p.region): every log write crosses regions",
                                             fix: "use a log bucket in \(p.region)"))
        }
        if bucket.versioning == .enabled { verified.append("bucket \(name) is versioned") } else {
            findings.append(PreflightFinding(.gap, resource: "bucket \(name)",
                                             problem: bucket.versioning == .suspended ? "versioning is suspended" : "versioning is not enabled (audit logs can be overwritten or lost)",
                                             fix: "aws s3api put-bucket-versioning --bucket \(name) --versioning-configuration Status=Enabled"))
        }
        let encryption = bucket.encryption ?? .sseS3
        verified.append("bucket \(name) is encrypted (\(encryption.usesKMS ? "SSE-KMS with \(encryption.kmsMasterKeyID ?? "the AWS managed key")" : bucket.encryption == nil ? "SSE-S3, S3's default" : "SSE-S3"))")
        return findings
    }
}

/// The KMS keys ODAS uses for SSE — the buckets' default keys and any
/// listed — exist, are enabled, and the node role may use them through S3
/// (Decrypt to read; GenerateDataKey as well to write logs).
struct KMSKeysCheck: PreflightCheck {
    static let id = "kms/keys"
    static let title = "The nodes may use the KMS keys of the data lake and the log bucket"

    static func run(_ p: ODASPrerequisites, _ env: PreflightEnvironment) -> (verified: [String], findings: [PreflightFinding]) {
        // (key id, region, why needed, actions)
        var uses: [(id: String, region: String, purpose: String, actions: [String])] = []
        for bucketName in Array(Set(p.dataPaths.map(\.bucket))).sorted() {
            if let bucket = env.s3.buckets[bucketName], let encryption = bucket.encryption, encryption.usesKMS, let key = encryption.kmsMasterKeyID {
                uses.append((key, bucket.region, "default encryption of \(bucketName)", ["kms:Decrypt"]))
            }
        }
        if let bucket = env.s3.buckets[p.logBucket], let encryption = bucket.encryption, encryption.usesKMS, let key = encryption.kmsMasterKeyID {
            uses.append((key, bucket.region, "default encryption of the log bucket \(p.logBucket)", ["kms:GenerateDataKey", "kms:Decrypt"]))
        }
        for key in p.kmsKeys { uses.append((key, p.region, "listed in installer.kmsKeys", ["kms:GenerateDataKey", "kms:Decrypt"])) }
        guard !uses.isEmpty else { return (["no SSE-KMS keys in use (the buckets use SSE-S3)"], []) }
        var verified: [String] = []
        var findings: [PreflightFinding] = []
        let session = NodeRoleSession(p, env.iam)
        for use in uses {
            let key: KMSService.Key
            do throws(KMSError) { key = try env.kms.key(use.id, region: use.region) } catch {
                findings.append(PreflightFinding(.gap, resource: "KMS key \(use.id)", problem: "\(use.purpose): \(error.message)",
                                                 fix: "create the key in \(use.region) or correct the key id"))
                continue
            }
            if key.state != .enabled {
                findings.append(PreflightFinding(.gap, resource: "KMS key \(key.arn)", problem: "\(use.purpose): the key is \(key.state.rawValue)",
                                                 fix: "aws kms enable-key --key-id \(key.keyId)"))
                continue
            }
            guard let session else { continue } // the role check names the missing role
            let denied = use.actions.map { ($0, session.kms($0, key: key, env)) }.filter { !$0.1.isAllowed }
            if denied.isEmpty {
                verified.append("role \(session.role.name) may \(use.actions.joined(separator: " and ")) with \(key.arn) (\(use.purpose))")
            } else {
                findings.append(PreflightFinding(.gap, resource: "role \(session.role.name)",
                                                 problem: "\(use.purpose): " + denied.map { NodeRoleSession.why($0.0, $0.1) }.joined(separator: "; "),
                                                 fix: "allow \(denied.map(\.0).joined(separator: ", ")) on \(key.arn) in the role's policy (the key policy must delegate to the account, as the default does)"))
            }
        }
        return (verified, findings)
    }
}
