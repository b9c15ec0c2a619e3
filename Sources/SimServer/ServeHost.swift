import AWSSim
import Foundation
import KubeSim
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Scenarios
import SimCore

/// Settings of `odas-sim serve`.
public struct ServeOptions: Sendable {
    /// Port of the AWS endpoint (0: any free port).
    public var port: Int
    /// Port of the control endpoint (0: any free port).
    public var controlPort: Int
    /// Virtual seconds per wall-clock second.
    public var speed: Double
    /// Accept any access key without checking signatures (local development only).
    public var allowAnyCredentials: Bool
    /// Host names under which buckets are addressed virtual-hosted style.
    public var baseDomains: [String]
    /// Largest request body accepted, in bytes.
    public var maximumBodyBytes: Int
    /// Where S3 state persists across restarts (nil: memory only).
    public var stateDirectory: String?
    /// Port of the Kubernetes API endpoint (0: any free port).
    public var kubePort: Int = 0
    /// Port of the ODAS REST API endpoint (0: any free port).
    public var odasPort: Int = 0
    /// Connection cap, idle and request timeouts and the shared body budget of every endpoint.
    public var limits = LoopbackHTTPServer.Limits()
    /// `--tls`: the AWS endpoint speaks HTTPS with this identity, and
    /// requests carry `aws:SecureTransport` true.
    public var tls: ServeTLSIdentity?
    /// `--control-token`: the control endpoint (faults, clock, state) answers
    /// only callers that send `Authorization: Bearer` with it.
    public var controlToken: String?

    public init(port: Int = 4566, controlPort: Int = 0, speed: Double = 1, allowAnyCredentials: Bool = false,
                baseDomains: [String] = ["localhost", "s3.localhost", "localhost.localstack.cloud"],
                maximumBodyBytes: Int = 256 * 1024 * 1024) {
        self.port = port
        self.controlPort = controlPort
        self.speed = speed
        self.allowAnyCredentials = allowAnyCredentials
        self.baseDomains = baseDomains
        self.maximumBodyBytes = maximumBodyBytes
    }
}

/// The live world behind `odas-sim serve`, shared by the AWS and control
/// endpoints: one lock is its isolation domain, so requests and clock ticks
/// take turns and each sees a consistent world.
///
/// Virtual time = speed × wall time since start + every manual advance. It is
/// computed on each request and by a 100 ms ticker, so scheduled faults and
/// replication happen even when no request arrives.
public final class ServeHost: Sendable {
    struct Clock: Sendable {
        var anchorWall: NIODeadline
        var anchorVirtual: SimInstant
        var speed: Double
    }

    struct State: Sendable {
        var world: LiveWorld
        var clock: Clock
        var requests: UInt64 = 0
        /// The state directory's stores (nil: memory only).
        var persistence: Persistence?
        /// Set once virtual time has passed the scenario's duration and serve said so.
        var announcedScenarioEnd = false
    }

    let state: NIOLockedValueBox<State>
    /// The signature checker's copy of every secret (users' keys and STS
    /// sessions), refreshed inside the lock whenever IAM or STS changes them.
    let credentials: NIOLockedValueBox<(generation: UInt64, store: CredentialStore)>
    /// The simulated account.
    static var account: String { LiveWorld.account }
    let options: ServeOptions
    /// IMDSv2 session tokens of the instance metadata endpoints.
    let imdsTokens = InstanceMetadataTokens()
    /// Unix milliseconds at virtual zero, for dates on the wire.
    let epochUnixMilliseconds: Int64
    /// What opening the state directory found and did (files quarantined,
    /// temporary files removed, …), for the server to print at start.
    public let stateNotes: [String]

    /// Builds the scenario's world, or restores it from `--state-dir`. Fails
    /// (with a message for the user) when the state directory is locked by
    /// another server or cannot be written; unreadable files in it are
    /// quarantined and listed in ``stateNotes`` instead.
    public init(scenario: Scenario, options: ServeOptions) throws(StateFailure) {
        self.options = options
        epochUnixMilliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var world = LiveWorld(scenario: scenario)
        var persistence: Persistence?
        var notes: [String] = []
        if let path = options.stateDirectory {
            persistence = try Persistence.open(path: path, world: &world, epochUnixMilliseconds: epochUnixMilliseconds,
                                               notes: &notes)
        }
        // Taken after the state directory is restored: keys and sessions created before a restart sign at once.
        let secrets = world.credentialSecrets
        credentials = NIOLockedValueBox((secrets.generation, CredentialStore(secrets: secrets.secrets,
                                                                             allowAnyCredentials: options.allowAnyCredentials)))
        stateNotes = notes
        state = NIOLockedValueBox(State(world: world,
                                        clock: Clock(anchorWall: .now(), anchorVirtual: .zero, speed: options.speed),
                                        persistence: persistence))
    }

    static func virtualNow(_ clock: Clock) -> SimInstant {
        let elapsed = NIODeadline.now() - clock.anchorWall
        return clock.anchorVirtual + .fromSeconds(Double(elapsed.nanoseconds) / 1e9 * clock.speed)
    }

    /// Brings the world up to the current virtual time.
    func tick() {
        let passedEnd: String? = state.withLockedValue { state in
            state.world.advance(to: Self.virtualNow(state.clock))
            _ = Self.persist(&state)
            let duration = state.world.scenario.duration
            guard !state.announcedScenarioEnd, state.world.now.sinceStart > duration else { return nil }
            state.announcedScenarioEnd = true
            return "odas-sim serve: virtual time \(state.world.now.description) passed the scenario's duration (\(duration)): its scheduled faults are over; the world keeps serving\n"
        }
        if let passedEnd { FileHandle.standardError.write(Data(passedEnd.utf8)) }
    }

    // MARK: AWS endpoint

    /// Handles one request to the AWS endpoint: SigV4 first (its credential
    /// scope names the service), then the service's wire adapter.
    public func handleAWS(_ request: WireRequest) -> WireResponse {
        // Authentication needs no world state: verify outside the lock, so
        // signature work on several connections runs in parallel.
        let wallSeconds = Int64(Date().timeIntervalSince1970)
        var v2Resource = String(request.rawPath)
        if case .success(let address) = S3RestAdapter.address(of: request, baseDomains: options.baseDomains),
           let bucket = address.bucket, address.isVirtualHosted {
            v2Resource = "/\(bucket)" + request.rawPath // virtual-hosted style
        }
        let verification: Result<SigV4.Verified, SigV4Error>
        let secrets = credentials.withLockedValue { $0.store }
        do throws(SigV4Error) {
            verification = .success(try SigV4.verify(request, credentials: secrets, nowUnixSeconds: wallSeconds,
                                                     v2Resource: v2Resource))
        } catch {
            verification = .failure(error)
        }
        return state.withLockedValue { state in
            state.world.advance(to: Self.virtualNow(state.clock))
            state.requests += 1
            let requestId = Self.requestId(state.requests)
            var context = S3WireContext(now: state.world.now, epochUnixMilliseconds: epochUnixMilliseconds,
                                        requestId: requestId, baseDomains: options.baseDomains,
                                        regions: state.world.regions, signingRegion: state.world.regions.first ?? "us-east-1")
            let verified: SigV4.Verified
            switch verification {
            case .failure(var error):
                if error.code == "InvalidAccessKeyId" { error.message += Self.unknownKeyHint(state.world) }
                // Errors take the shape of the service the request was signed for.
                switch SigV4.scopeService(of: request) {
                case "ec2":
                    return QueryResponse.ec2Error(code: error.code, message: error.message, status: error.status, requestId: requestId)
                case "sts", "rds", "autoscaling", "iam", "route53", "cloudformation", "elasticloadbalancing":
                    return QueryResponse.error(code: error.code, message: error.message, status: error.status, requestId: requestId)
                default:
                    break
                }
                let s3Error = S3Error(code: error.code, httpStatus: error.status, message: error.message,
                                      resource: String(request.rawPath))
                var response = S3RestAdapter.errorResponse(s3Error, request: request, context: context)
                response.headers.append(("x-amz-request-id", requestId))
                return response
            case .success(let value):
                verified = value
            }
            defer { refreshCredentials(state.world) }
            let service = verified.identity.service
            // Who signed: a user's key or an STS session (token checked, expiry enforced).
            let sessionToken = request.header("x-amz-security-token") ?? request.query("X-Amz-Security-Token")
            if let refused = tokenWithLongTermKey(sessionToken, accessKeyId: verified.identity.accessKeyId,
                                                       world: state.world, service: service, request: request, context: context) {
                return refused
            }
            let principal: IAMPrincipal
            switch state.world.principal(accessKeyId: verified.identity.accessKeyId, sessionToken: sessionToken) {
            case .success(let known):
                principal = known
            case .failure where options.allowAnyCredentials:
                let arn = "arn:aws:iam::\(Self.account):user/\(verified.identity.accessKeyId)"
                principal = IAMPrincipal(kind: .user(name: verified.identity.accessKeyId), arn: arn, principalArn: arn,
                                         account: Self.account, userId: "AIDA" + String(verified.identity.accessKeyId.prefix(16)),
                                         usesLongLivedKey: true)
            case .failure(let error):
                return Self.credentialError(error, service: service, request: request, context: context)
            }
            switch service {
            case "s3":
                if !verified.identity.region.isEmpty { context.signingRegion = verified.identity.region }
                if let wrong = Self.wrongRegion(request, signedRegion: verified.identity.region, world: state.world,
                                                baseDomains: options.baseDomains) {
                    var response = S3RestAdapter.errorResponse(wrong, request: request, context: context)
                    response.headers.append(("x-amz-request-id", requestId))
                    return response
                }
                var request = request
                if let denied = authorize(&request, principal: principal, world: &state.world, context: context,
                                          wallSeconds: wallSeconds) {
                    return denied
                }
                let response = state.world.handleS3(request, body: verified.body, trailers: verified.trailers, context: context)
                if let failure = Self.persist(&state) {
                    let error = S3Error(code: "InternalError", httpStatus: 500,
                                        message: "We encountered an internal error. Please try again. (\(failure))",
                                        resource: String(request.rawPath))
                    return S3RestAdapter.errorResponse(error, request: request, context: context)
                }
                return response
            case "iam", "sts", "kms":
                let region = verified.identity.region.isEmpty ? context.signingRegion : verified.identity.region
                let response = state.world.handleIdentity(service: service, request: request, body: verified.body, caller: principal,
                                                          region: region, epochUnixMilliseconds: epochUnixMilliseconds,
                                                          requestId: requestId, authorize: !options.allowAnyCredentials)
                    ?? QueryResponse.error(code: "InvalidAction", message: "unknown service \(service)", requestId: requestId)
                if let failure = Self.persist(&state) {
                    return QueryResponse.error(code: "InternalFailure", message: "cannot persist the change: \(failure)", status: 500,
                                               requestId: requestId)
                }
                return response
            default:
                let region = verified.identity.region.isEmpty ? context.signingRegion : verified.identity.region
                if !options.allowAnyCredentials,
                   let refused = state.world.authorizeInfrastructure(service: service, request: request, body: verified.body,
                                                                     caller: principal, region: region, requestId: requestId) {
                    return refused
                }
                let wallDate = HTTPDate.iso8601(unixMilliseconds: wallSeconds * 1000)
                if let response = state.world.handleQuery(service: verified.identity.service, request: request,
                                                          body: verified.body, region: region, requestId: requestId,
                                                          wallDate: wallDate, epochUnixMilliseconds: epochUnixMilliseconds) {
                    return response
                }
                let error = S3Error(code: "NotImplemented", httpStatus: 501,
                                    message: "The \(verified.identity.service) service is not simulated by odas-sim serve yet.",
                                    resource: String(request.rawPath))
                return S3RestAdapter.errorResponse(error, request: request, context: context)
            }
        }
    }

    /// What a client signing with a key the scenario does not know (the
    /// LocalStack habit `AWS_ACCESS_KEY_ID=test`) should do instead.
    static func unknownKeyHint(_ world: LiveWorld) -> String {
        let users = world.scenario.iamUsers.map { "\($0.name) (\($0.accessKeyId))" }
        let keys = users.isEmpty ? "the scenario declares no iam.users" : "use a key of the scenario's iam.users: \(users.joined(separator: ", "))"
        return " (odas-sim serve checks signatures: \(keys); or role credentials from the control endpoint's /v1/imds/<instance>/; or start serve with --allow-any-credentials for any key)"
    }

    /// Copies new secrets (access keys, STS sessions) to the signature checker.
    func refreshCredentials(_ world: LiveWorld) {
        guard credentials.withLockedValue({ $0.generation }) != world.credentialGeneration else { return }
        let secrets = world.credentialSecrets
        credentials.withLockedValue { $0 = (secrets.generation, CredentialStore(secrets: secrets.secrets,
                                                                                 allowAnyCredentials: $0.store.allowAnyCredentials)) }
    }

    /// A credential failure (expired session, unknown key) in the shape of the service signed for.
    static func credentialError(_ error: STSError, service: String, request: WireRequest, context: S3WireContext) -> WireResponse {
        switch service {
        case "s3":
            // S3's wording (AmazonS3/latest/API/ErrorResponses.html).
            let s3Error = error.code == "ExpiredToken"
                ? S3Error(code: "ExpiredToken", httpStatus: 400, message: "The provided token has expired.", resource: String(request.rawPath))
                : S3Error(code: "InvalidAccessKeyId", httpStatus: 403, message: "The AWS Access Key Id you provided does not exist in our records.",
                          resource: String(request.rawPath))
            var response = S3RestAdapter.errorResponse(s3Error, request: request, context: context)
            response.headers.append(("x-amz-request-id", context.requestId))
            return response
        case "kms":
            let type = error.code == "ExpiredToken" ? "ExpiredTokenException" : "UnrecognizedClientException"
            let body = "{\"__type\":\"\(type)\",\"message\":\"\(error.message)\"}"
            return WireResponse(status: 400, headers: [("Content-Type", "application/x-amz-json-1.1")], body: Array(body.utf8))
        case "ec2":
            return QueryResponse.ec2Error(code: error.code, message: error.message, status: error.status, requestId: context.requestId)
        default:
            return QueryResponse.error(code: error.code, message: error.message, status: error.status, requestId: context.requestId)
        }
    }

    /// IAM authorization of an S3 request: the principal's identity policies,
    /// boundary and the bucket policy, for each permission the request needs;
    /// for SSE-KMS objects also the KMS permission S3 needs on the caller's
    /// behalf. `--allow-any-credentials` skips it (documented local-development mode).
    func authorize(_ request: inout WireRequest, principal: IAMPrincipal, world: inout LiveWorld, context: S3WireContext,
                   wallSeconds: Int64) -> WireResponse? {
        guard case .success(let address) = S3RestAdapter.address(of: request, baseDomains: options.baseDomains) else { return nil }
        let allowAny = options.allowAnyCredentials
        func denied(_ action: String, _ resource: String, _ why: String) -> WireResponse {
            let error = S3Error(code: "AccessDenied", httpStatus: 403,
                                message: "User: \(principal.arn) is not authorized to perform: \(action) on resource: \"\(resource)\" \(why)",
                                resource: String(request.rawPath))
            var response = S3RestAdapter.errorResponse(error, request: request, context: context)
            response.headers.append(("x-amz-request-id", context.requestId))
            return response
        }
        if !allowAny {
            for requirement in S3Authorization.requirements(request, address: address) {
                var keys = requirement.context
                keys["aws:SecureTransport"] = [options.tls == nil ? "false" : "true"]
                keys["aws:SourceIp"] = ["127.0.0.1"]
                keys["aws:CurrentTime"] = [HTTPDate.iso8601(unixMilliseconds: wallSeconds * 1000)]
                let bucketName = requirement.resource.hasPrefix("arn:aws:s3:::")
                    ? String(requirement.resource.dropFirst("arn:aws:s3:::".count).split(separator: "/").first ?? "") : ""
                let (decision, bucketHasPolicy) = world.evaluateS3(principal, action: requirement.action, resource: requirement.resource,
                                                                   bucket: bucketName, context: keys)
                guard decision.isAllowed else {
                    if case .explicitDeny = decision {
                        return denied(requirement.action, requirement.resource, "with an explicit deny in a\(bucketHasPolicy ? "" : "n identity-based") policy")
                    }
                    return denied(requirement.action, requirement.resource, "because no identity-based policy allows the \(requirement.action) action")
                }
            }
        }
        guard let bucket = address.bucket else { return nil }
        let region = world.bucketRegion(bucket) ?? context.signingRegion
        switch world.kmsRequirement(request, bucket: bucket, key: address.key, region: region) {
        case .success(nil):
            return nil
        case .success(let (key, action)?):
            do throws(KMSError) { try KMSService.usable(key) } catch {
                let s3Error = S3Error(code: "KMS.\(error.type)", httpStatus: 400, message: error.message, resource: String(request.rawPath))
                return S3RestAdapter.errorResponse(s3Error, request: request, context: context)
            }
            if !allowAny, !world.authorizeKMS(principal, action: action, key: key).isAllowed {
                return denied(action, key.arn, "because no identity-based policy allows the \(action) action")
            }
            if action == "kms:GenerateDataKey" {
                // S3 records the key's ARN with the object, whatever name the request used.
                request.headers.removeAll { $0.name.lowercased() == "x-amz-server-side-encryption-aws-kms-key-id" }
                request.headers.append(("x-amz-server-side-encryption-aws-kms-key-id", key.arn))
            }
            return nil
        case .failure(let error):
            let s3Error = S3Error(code: "KMS.\(error.type)", httpStatus: 400, message: error.message, resource: String(request.rawPath))
            return S3RestAdapter.errorResponse(s3Error, request: request, context: context)
        }
    }

    static func requestId(_ counter: UInt64) -> String {
        let hex = String(counter, radix: 16, uppercase: true)
        return "ODASSIM" + String(repeating: "0", count: max(0, 9 - hex.count)) + hex
    }

    // MARK: Kubernetes endpoint

    /// A request to the Kubernetes API (kubectl). Watches become streams
    /// polled every 50 ms, each poll taking the world's lock and advancing
    /// it to the current virtual time.
    public func handleKube(_ request: WireRequest, serverAddress: String) -> WireResponse {
        let outcome = state.withLockedValue { state in
            state.world.advance(to: Self.virtualNow(state.clock))
            // Virtual zero is the wall-clock time serve started; KubeTime counts from its own epoch.
            return state.world.handleKube(request, serverAddress: serverAddress,
                                          timeShiftSeconds: epochUnixMilliseconds / 1000 - KubeTime.epochUnixSeconds)
        }
        switch outcome {
        case .response(let response):
            return response
        case .watch(let initial):
            let watch = NIOLockedValueBox(initial)
            var response = WireResponse(status: 200, headers: [("Content-Type", "application/json")])
            response.stream = WireStream(timeoutSeconds: Int64(initial.timeoutSeconds)) { [self] in
                state.withLockedValue { state in
                    state.world.advance(to: Self.virtualNow(state.clock))
                    return watch.withLockedValue { state.world.pollKubeWatch(&$0) }
                }
            }
            return response
        }
    }

    /// A kubeconfig for kubectl: one cluster (plain HTTP on 127.0.0.1, no credentials), one context.
    public static func kubeconfig(server: String, name: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: odas-sim-\(name)
          cluster:
            server: \(server)
        users:
        - name: odas-sim
          user: {}
        contexts:
        - name: odas-sim-\(name)
          context:
            cluster: odas-sim-\(name)
            user: odas-sim
            namespace: default
        current-context: odas-sim-\(name)

        """
    }

    // MARK: Control endpoint

    /// The control API (JSON): `GET /v1/state`, `POST /v1/faults`,
    /// `DELETE /v1/faults/{id}`, `POST /v1/clock` (`{"advance": "5m"}` and/or `{"speed": 10}`),
    /// `GET /v1/trace`.
    public func handleControl(_ request: WireRequest) -> WireResponse {
        let path = String(request.rawPath)
        switch (request.method, path) {
        case ("GET", "/v1/state"):
            return json(200, stateDocument())
        case ("GET", "/v1/trace"):
            let (text, dropped) = state.withLockedValue { state in
                state.world.advance(to: Self.virtualNow(state.clock))
                return (state.world.traceJSONLines, state.world.traceLinesDropped)
            }
            return WireResponse(status: 200, headers: [("Content-Type", "application/x-ndjson"), ("X-ODAS-Sim-Trace-Dropped", String(dropped))],
                                body: Array(text.utf8))
        case ("POST", "/v1/faults"):
            guard let body = object(request.body) else { return problem(400, "body must be a JSON object") }
            guard let action = body["action"] as? String, let target = body["target"] as? String else {
                return problem(400, "a fault needs \"action\" and \"target\"")
            }
            var duration: SimDuration?
            if let text = body["duration"] as? String {
                guard case .success(let value) = DurationSyntax.parse(text), value > .zero else {
                    return problem(400, "duration \"\(text)\" is not a duration such as 5m")
                }
                duration = value
            }
            var latency: SimDuration?
            if let text = body["latency"] as? String {
                guard case .success(let value) = DurationSyntax.parse(text) else { return problem(400, "bad latency \"\(text)\"") }
                latency = value
            }
            let peers = body["peers"] as? [String]
            let result: Result<String, LiveWorldError> = state.withLockedValue { state in
                state.world.advance(to: Self.virtualNow(state.clock))
                do throws(LiveWorldError) { return .success(try state.world.injectFault(action: action, target: target, peers: peers,
                                                                 latency: latency, duration: duration)) }
                catch { return .failure(error) }
            }
            switch result {
            case .success(let id): return json(201, ["id": id, "action": action, "target": target])
            case .failure(let error): return problem(400, error.description)
            }
        case ("POST", "/v1/clock"):
            guard let body = object(request.body) else { return problem(400, "body must be a JSON object") }
            var advance: SimDuration?
            if let text = body["advance"] as? String {
                guard case .success(let value) = DurationSyntax.parse(text) else {
                    return problem(400, "advance \"\(text)\" is not a duration such as 5m")
                }
                advance = value
            }
            var speed: Double?
            if let value = body["speed"] as? Double ?? (body["speed"] as? Int).map(Double.init) {
                guard value >= 0, value <= 1_000_000 else { return problem(400, "speed must be from 0 to 1000000") }
                speed = value
            }
            guard advance != nil || speed != nil else { return problem(400, "give \"advance\" (a duration) or \"speed\"") }
            state.withLockedValue { state in
                let now = Self.virtualNow(state.clock)
                state.world.advance(to: now)
                let target = now + (advance ?? .zero)
                state.world.advance(to: target)
                state.clock = Clock(anchorWall: .now(), anchorVirtual: target, speed: speed ?? state.clock.speed)
            }
            return json(200, stateDocument())
        default:
            if path.hasPrefix("/v1/imds/") { return instanceMetadata(request, path: path) }
            if request.method == "DELETE", path.hasPrefix("/v1/faults/") {
                let id = PercentEncoding.decode(path.dropFirst("/v1/faults/".count))
                let lifted = state.withLockedValue { state in
                    state.world.advance(to: Self.virtualNow(state.clock))
                    return state.world.liftFault(id)
                }
                return lifted ? WireResponse(status: 204) : problem(404, "no active fault \"\(id)\"")
            }
            return problem(404, "unknown control path \(request.method) \(path); see docs/serve.md")
        }
    }

    /// The instance metadata service of one instance, at
    /// `/v1/imds/<instance>/latest/…` (IMDSv2: a token from `PUT latest/api/token`,
    /// then `meta-data/iam/security-credentials/[role]`). Point an SDK at it with
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:<control>/v1/imds/<instance>/`.
    func instanceMetadata(_ request: WireRequest, path: String) -> WireResponse {
        let parts = path.dropFirst("/v1/imds/".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let instance = PercentEncoding.decode(parts.first ?? "")
        let rest = parts.count > 1 ? String(parts[1]) : ""
        func text(_ status: Int, _ body: String) -> WireResponse {
            WireResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array(body.utf8))
        }
        // IMDSv2 as EC2 answers it with HttpTokens required (EC2 User Guide,
        // "Use the Instance Metadata Service"): a token needs a TTL header of
        // 1–21600 seconds (else 400) and no X-Forwarded-For (else 403); a GET
        // without a valid token of this instance gets 401.
        if rest == "latest/api/token" {
            guard request.method == "PUT" else { return text(405, "Method Not Allowed") }
            guard request.header("x-forwarded-for") == nil else { return text(403, "Forbidden") }
            guard let ttlText = request.header("x-aws-ec2-metadata-token-ttl-seconds"), let ttl = Int(ttlText),
                  (1...InstanceMetadataTokens.maximumTTLSeconds).contains(ttl) else {
                return text(400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be from 1 to 21600")
            }
            let token = imdsTokens.issue(instance: instance, ttlSeconds: ttl)
            return WireResponse(status: 200, headers: [("Content-Type", "text/plain"), ("X-aws-ec2-metadata-token-ttl-seconds", String(ttl))],
                                body: Array(token.utf8))
        }
        guard imdsTokens.isValid(request.header("x-aws-ec2-metadata-token"), instance: instance) else {
            return text(401, "Unauthorized")
        }
        let prefix = "latest/meta-data/iam/security-credentials/"
        guard rest.hasPrefix(prefix), request.method == "GET" else { return text(404, "Not Found") }
        let result = state.withLockedValue { state in
            state.world.advance(to: Self.virtualNow(state.clock))
            let answer = state.world.instanceMetadataCredentials(instance: instance)
            refreshCredentials(state.world)
            return answer
        }
        switch result {
        case .failure(let error):
            return text(404, error.description)
        case .success(let (role, session)):
            let wanted = String(rest.dropFirst(prefix.count))
            if wanted.isEmpty { return text(200, role) }
            guard wanted == role else { return text(404, "Not Found") }
            func date(_ instant: SimInstant) -> String {
                String(HTTPDate.iso8601(unixMilliseconds: epochUnixMilliseconds + instant.nanosecondsSinceStart / 1_000_000).prefix(19)) + "Z"
            }
            return json(200, ["Code": "Success", "LastUpdated": date(session.issued), "Type": "AWS-HMAC",
                              "AccessKeyId": session.accessKeyId, "SecretAccessKey": session.secretAccessKey,
                              "Token": session.sessionToken, "Expiration": date(session.expiration)])
        }
    }

    func stateDocument() -> [String: Any] {
        state.withLockedValue { state -> [String: Any] in
            state.world.advance(to: Self.virtualNow(state.clock))
            return [
                "now": state.world.now.description,
                "nowNanoseconds": state.world.now.nanosecondsSinceStart,
                "speed": state.clock.speed,
                "requests": state.requests,
                "faults": state.world.activeFaults.map { ["id": $0.id, "fault": $0.description, "source": $0.source] },
                "scenarioDuration": state.world.scenario.duration.description,
                "pastScenarioEnd": state.world.now.sinceStart > state.world.scenario.duration,
            ]
        }
    }

    func object(_ body: [UInt8]) -> [String: Any]? {
        guard !body.isEmpty else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    func json(_ status: Int, _ value: Any) -> WireResponse {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        return WireResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    func problem(_ status: Int, _ message: String) -> WireResponse {
        json(status, ["error": message])
    }

    // MARK: Running

    /// Listens on the AWS, control, Kubernetes and ODAS REST endpoints and starts the clock ticker. Returns the servers.
    public func start(group: EventLoopGroup) throws -> ServeServers {
        let limits = options.limits
        /// Names the endpoint and its port when it cannot listen.
        func listen(_ endpoint: String, _ option: String, port: Int, _ body: () throws -> LoopbackHTTPServer) throws -> LoopbackHTTPServer {
            do { return try body() } catch {
                throw ServeListenError(endpoint: endpoint, option: option, port: port, underlying: "\(error)")
            }
        }
        let aws = try listen("AWS", "--port", port: options.port) {
            try LoopbackHTTPServer.start(group: group, port: options.port, rules: awsRules, limits: limits,
                                         tls: try options.tls?.serverContext()) {
                [self] request in self.handleAWS(request)
            }
        }
        let control = try listen("control", "--control-port", port: options.controlPort) {
            try LoopbackHTTPServer.start(group: group, port: options.controlPort, rules: controlRules, limits: limits) {
                [self] request in self.handleControl(request)
            }
        }
        let kubeAddress = NIOLockedValueBox("127.0.0.1")
        let kube = try listen("Kubernetes", "--kube-port", port: options.kubePort) {
            try LoopbackHTTPServer.start(group: group, port: options.kubePort, rules: kubeRules, limits: limits) {
                [self] request in self.handleKube(request, serverAddress: kubeAddress.withLockedValue { $0 })
            }
        }
        kubeAddress.withLockedValue { $0 = "127.0.0.1:\(kube.port)" }
        let odas = try listen("ODAS REST", "--odas-port", port: options.odasPort) {
            try LoopbackHTTPServer.start(group: group, port: options.odasPort, rules: odasRules, limits: limits) {
                [self] request in self.handleODAS(request)
            }
        }
        group.next().scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [self] _ in
            self.tick()
        }
        return ServeServers(aws: aws, control: control, kube: kube, odas: odas)
    }
}

/// Where every serve also writes its ready file, so `fault` and `clock`
/// find the running serve without `--endpoint`.
public enum ServeDefaults {
    /// `$ODAS_SIM_READY_FILE`, else `odas-sim-serve-<uid>.json` in the temporary directory.
    public static var readyFile: String {
        if let path = ProcessInfo.processInfo.environment["ODAS_SIM_READY_FILE"], !path.isEmpty { return path }
        return FileManager.default.temporaryDirectory.appendingPathComponent("odas-sim-serve-\(getuid()).json").path
    }
}

/// An endpoint could not listen: which one, on which port, and why.
public struct ServeListenError: Error, CustomStringConvertible {
    public var endpoint: String
    public var option: String
    public var port: Int
    public var underlying: String

    public var description: String {
        let reason = underlying.contains("errno: 98") || underlying.contains("Address already in use") ? "the port is in use" : underlying
        return "the \(endpoint) endpoint cannot listen on 127.0.0.1:\(port) (\(option)): \(reason)"
            + (port == 0 ? "" : "; choose another port with \(option), or 0 for any free port")
    }
}

/// The endpoints `serve` listens on.
public struct ServeServers: Sendable {
    public var aws: LoopbackHTTPServer
    public var control: LoopbackHTTPServer
    public var kube: LoopbackHTTPServer
    public var odas: LoopbackHTTPServer
}
