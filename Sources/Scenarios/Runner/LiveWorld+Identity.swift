import AWSSim
import SimCore

/// IAM, STS and KMS of the live world: who holds an access key, the wire
/// APIs, the instance metadata service and S3's use of KMS keys.
extension LiveWorld {
    /// The simulated account.
    public static var account: String { World.account }

    /// Secrets of every access key (users' and sessions'), and a counter that
    /// changes whenever they do, so the server can refresh its copy.
    public var credentialSecrets: (generation: UInt64, secrets: [String: String]) {
        var secrets = world.iam.activeSecrets
        for (key, secret) in world.sts.sessionSecrets { secrets[key] = secret }
        return (credentialGeneration, secrets)
    }

    /// Changes whenever an access key or session is created (cheap to read on every request).
    public var credentialGeneration: UInt64 { world.iam.credentialGeneration &+ world.sts.credentialGeneration }

    /// Who holds an access key now (session tokens checked; expired sessions fail with ExpiredToken).
    public func principal(accessKeyId: String, sessionToken: String?) -> Result<IAMPrincipal, STSError> {
        world.sts.principal(accessKeyId: accessKeyId, sessionToken: sessionToken, iam: world.iam, now: world.loop.now)
    }

    /// The identity policies and permissions boundary in force for a principal.
    public func policies(of principal: IAMPrincipal) -> (identity: [PolicyDocument], boundary: PolicyDocument?) {
        World.policies(of: principal, iam: world.iam)
    }

    /// IAM's decision on an S3 action by `principal`: its policies and the
    /// policy of `bucket` (parsed once per text, as in `run`), with the
    /// request's context keys. Also says whether the bucket has a policy.
    public mutating func evaluateS3(_ principal: IAMPrincipal, action: String, resource: String, bucket: String,
                                    context: [String: [String]]) -> (decision: AuthorizationDecision, bucketHasPolicy: Bool) {
        let policy = world.parsedPolicy(world.s3.buckets[bucket]?.policy)
        return (World.evaluate(principal, action: action, resource: resource, bucketPolicy: policy, iam: world.iam, context: context),
                policy != nil)
    }

    /// The IAM, STS and KMS APIs. IAM requests are authorized with the
    /// caller's identity policies first (as IAM does: AccessDenied otherwise);
    /// STS and KMS authorize inside their operations.
    public mutating func handleIdentity(service: String, request: WireRequest, body: [UInt8], caller: IAMPrincipal, region: String,
                                        epochUnixMilliseconds: Int64, requestId: String, authorize: Bool) -> WireResponse? {
        let clock = IAMQueryAdapter.Clock(now: world.loop.now, epochUnixMilliseconds: epochUnixMilliseconds)
        let policies = authorize ? self.policies(of: caller) : (identity: Self.allowEverything, boundary: nil)
        switch service {
        case "iam":
            let query = QueryRequest(request, body: body)
            let needed = IAMQueryAdapter.requirement(query, account: World.account)
            if authorize, query.action != nil, let denial = identityDenial(caller, action: needed.action, resource: needed.resource) {
                return QueryResponse.error(code: "AccessDenied", message: denial, status: 403, requestId: requestId)
            }
            let response = IAMQueryAdapter.handle(query, iam: &world.iam, caller: caller, clock: clock, requestId: requestId)
            world.trace.record("iam", "wire-request", at: world.loop.now, [
                "action": .string(query.action ?? ""), "status": .int(Int64(response.status)),
            ])
            return response
        case "sts":
            return STSQueryAdapter.handle(QueryRequest(request, body: body), sts: &world.sts, iam: world.iam, caller: caller,
                                          clock: clock, requestId: requestId)
        case "kms":
            return KMSJSONAdapter.handle(request, body: body, kms: &world.kms, caller: caller, identityPolicies: policies.identity,
                                         region: region, now: world.loop.now, epochUnixMilliseconds: epochUnixMilliseconds,
                                         requestId: requestId)
        default:
            return nil
        }
    }

    static let allowEverything: [PolicyDocument] = [(try? PolicyDocument.parse(
        #"{"Version":"2012-10-17","Statement":[{"Sid":"allow-any-credentials","Effect":"Allow","Action":"*","Resource":"*"}]}"#))]
        .compactMap { $0 }

    // MARK: Instance metadata

    /// The instance metadata service of a running instance (by name or id):
    /// the role of its instance profile and that role's current credentials.
    public mutating func instanceMetadataCredentials(instance: String) -> Result<(role: String, session: STSService.Session), LiveWorldError> {
        guard let running = world.ec2.instances.values.first(where: { $0.name == instance || $0.id == instance }) else {
            return .failure(LiveWorldError("no instance \"\(instance)\"; instances: \(world.ec2.instances.values.map(\.name).sorted().joined(separator: ", "))"))
        }
        guard running.state == .running else { return .failure(LiveWorldError("instance \(instance) is \(running.state)")) }
        guard let profile = running.instanceProfile else { return .failure(LiveWorldError("instance \(instance) has no instance profile")) }
        guard let session = world.sts.instanceCredentials(iam: world.iam, instanceId: running.id, instanceProfile: profile,
                                                          now: world.loop.now) else {
            return .failure(LiveWorldError("instance profile \(profile) gives \(instance) no credentials (no role that ec2.amazonaws.com may assume)"))
        }
        return .success((session.roleName, session))
    }

    // MARK: S3 and KMS

    /// For an S3 request that stores or reads an SSE-KMS object: the KMS key
    /// and the permission the caller needs on it (`kms:GenerateDataKey` to
    /// write, `kms:Decrypt` to read), as S3 requires
    /// (AmazonS3/latest/userguide/UsingKMSEncryption.html, "Permissions").
    /// A PUT without a key id uses the account's AWS managed key `alias/aws/s3`,
    /// created on first use as on AWS. Returns nil when no key is involved.
    public mutating func kmsRequirement(_ request: WireRequest, bucket: String, key: String?, region: String)
        -> Result<(key: KMSService.Key, action: String)?, KMSError> {
        guard let key else { return .success(nil) }
        if request.method == "PUT", request.header("x-amz-copy-source") == nil, request.query("partNumber") == nil {
            guard let sse = request.header("x-amz-server-side-encryption"), sse.hasPrefix("aws:kms") else { return .success(nil) }
            do throws(KMSError) {
                let kmsKey: KMSService.Key
                if let id = request.header("x-amz-server-side-encryption-aws-kms-key-id") {
                    kmsKey = try world.kms.key(id, region: region)
                } else if let existing = try? world.kms.key("alias/aws/s3", region: region) {
                    kmsKey = existing
                } else {
                    kmsKey = try world.kms.createKey(region: region, description: "Default key that protects my S3 objects when no other key is defined",
                                                     now: world.loop.now)
                    try world.kms.createAlias("alias/aws/s3", keyId: kmsKey.keyId, region: region, managedByAWS: true)
                }
                return .success((kmsKey, "kms:GenerateDataKey"))
            } catch {
                return .failure(error)
            }
        }
        guard request.method == "GET" || request.method == "HEAD",
              let object = world.s3.buckets[bucket]?.objects[key],
              object.contentHeaders["x-amz-server-side-encryption"]?.hasPrefix("aws:kms") == true,
              let arn = object.contentHeaders["x-amz-server-side-encryption-aws-kms-key-id"] else { return .success(nil) }
        do throws(KMSError) { return .success((try world.kms.key(arn, region: region), "kms:Decrypt")) } catch { return .failure(error) }
    }

    /// KMS's decision on a principal's use of a key.
    public func authorizeKMS(_ principal: IAMPrincipal, action: String, key: KMSService.Key) -> AuthorizationDecision {
        world.kms.authorize(principal, action: action, key: key, identityPolicies: policies(of: principal).identity,
                            context: ["kms:ViaService": ["s3.\(key.region).amazonaws.com"]])
    }
}
