import AWSSim
import Foundation
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
    }

    let state: NIOLockedValueBox<State>
    let credentials: CredentialStore
    /// Users by access key: name and identity policies.
    let users: [String: (name: String, policies: [PolicyDocument])]
    /// The simulated account.
    static let account = "123456789012"
    let options: ServeOptions
    let store: S3StateStore?
    /// Unix milliseconds at virtual zero, for dates on the wire.
    let epochUnixMilliseconds: Int64

    public init(scenario: Scenario, options: ServeOptions) throws(S3StateStore.Failure) {
        self.options = options
        var secrets: [String: String] = [:]
        var users: [String: (name: String, policies: [PolicyDocument])] = [:]
        for user in scenario.iamUsers {
            secrets[user.accessKeyId] = user.secretAccessKey
            users[user.accessKeyId] = (user.name, user.policies.compactMap { try? PolicyDocument.parse($0) })
        }
        self.users = users
        credentials = CredentialStore(secrets: secrets, allowAnyCredentials: options.allowAnyCredentials)
        epochUnixMilliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var world = LiveWorld(scenario: scenario)
        if let directory = options.stateDirectory {
            let store = try S3StateStore(directory: directory)
            if let restored = try store.load() {
                world.restoreS3(restored)
            } else {
                try store.saveAll(world.s3Buckets)
            }
            world.recordS3Changes()
            _ = world.takeS3Changes()
            self.store = store
        } else {
            store = nil
        }
        state = NIOLockedValueBox(State(world: world,
                                        clock: Clock(anchorWall: .now(), anchorVirtual: .zero, speed: options.speed)))
    }

    /// Writes what changed to the state directory. Runs inside the lock, before
    /// the response leaves: an acknowledged write is on disk. A failure to
    /// persist turns the answer into a 500 InternalError.
    static func persist(_ store: S3StateStore?, _ state: inout State) -> String? {
        guard let store else { return nil }
        for change in state.world.takeS3Changes() {
            let bucketName: String
            switch change {
            case .bucket(let name): bucketName = name
            case .object(let name, _): bucketName = name
            }
            do { try store.save(change, bucket: state.world.s3Bucket(bucketName)) } catch { return error.description }
        }
        return nil
    }

    static func virtualNow(_ clock: Clock) -> SimInstant {
        let elapsed = NIODeadline.now() - clock.anchorWall
        return clock.anchorVirtual + .fromSeconds(Double(elapsed.nanoseconds) / 1e9 * clock.speed)
    }

    /// Brings the world up to the current virtual time.
    func tick() {
        state.withLockedValue { state in
            state.world.advance(to: Self.virtualNow(state.clock))
            _ = Self.persist(store, &state)
        }
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
        do throws(SigV4Error) {
            verification = .success(try SigV4.verify(request, credentials: credentials, nowUnixSeconds: wallSeconds,
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
            case .failure(let error):
                // Errors take the shape of the service the request was signed for.
                switch SigV4.scopeService(of: request) {
                case "ec2":
                    return QueryResponse.ec2Error(code: error.code, message: error.message, status: error.status, requestId: requestId)
                case "sts", "rds", "autoscaling", "iam", "route53":
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
            switch verified.identity.service {
            case "s3":
                if !verified.identity.region.isEmpty { context.signingRegion = verified.identity.region }
                if let denied = authorize(request, identity: verified.identity, world: state.world, context: context,
                                          wallSeconds: wallSeconds) {
                    return denied
                }
                let response = state.world.handleS3(request, body: verified.body, trailers: verified.trailers, context: context)
                if let failure = Self.persist(store, &state) {
                    let error = S3Error(code: "InternalError", httpStatus: 500,
                                        message: "We encountered an internal error. Please try again. (\(failure))",
                                        resource: String(request.rawPath))
                    return S3RestAdapter.errorResponse(error, request: request, context: context)
                }
                return response
            case "sts" where QueryRequest(request, body: verified.body).action == "GetCallerIdentity":
                // The caller, as STS reports it (the simulated account; user ids are derived from the access key).
                let userName = users[verified.identity.accessKeyId]?.name ?? verified.identity.accessKeyId
                let userId = "AIDA" + String(verified.identity.accessKeyId.dropFirst(4).prefix(17))
                return QueryResponse.result(action: "GetCallerIdentity", namespace: "https://sts.amazonaws.com/doc/2011-06-15/", children: [
                    .leaf("Arn", "arn:aws:iam::\(Self.account):user/\(userName)"), .leaf("UserId", userId), .leaf("Account", Self.account),
                ], requestId: requestId)
            default:
                let region = verified.identity.region.isEmpty ? context.signingRegion : verified.identity.region
                let wallDate = HTTPDate.iso8601(unixMilliseconds: wallSeconds * 1000)
                if let response = state.world.handleQuery(service: verified.identity.service, request: request,
                                                          body: verified.body, region: region, requestId: requestId,
                                                          wallDate: wallDate) {
                    return response
                }
                let error = S3Error(code: "NotImplemented", httpStatus: 501,
                                    message: "The \(verified.identity.service) service is not simulated by odas-sim serve yet.",
                                    resource: String(request.rawPath))
                return S3RestAdapter.errorResponse(error, request: request, context: context)
            }
        }
    }

    /// IAM authorization of an S3 request: the user's identity policies and
    /// the bucket policy, evaluated for each permission the request needs.
    /// `--allow-any-credentials` skips it (documented local-development mode).
    func authorize(_ request: WireRequest, identity: SigV4Identity, world: LiveWorld, context: S3WireContext,
                   wallSeconds: Int64) -> WireResponse? {
        guard !credentials.allowAnyCredentials,
              case .success(let address) = S3RestAdapter.address(of: request, baseDomains: options.baseDomains) else { return nil }
        let user = users[identity.accessKeyId]
        let userName = user?.name ?? identity.accessKeyId
        let principal = "arn:aws:iam::\(Self.account):user/\(userName)"
        for requirement in S3Authorization.requirements(request, address: address) {
            var keys = requirement.context
            keys["aws:username"] = [userName]
            keys["aws:PrincipalArn"] = [principal]
            keys["aws:SecureTransport"] = ["false"]
            keys["aws:SourceIp"] = ["127.0.0.1"]
            keys["aws:CurrentTime"] = [HTTPDate.iso8601(unixMilliseconds: wallSeconds * 1000)]
            let bucketName = requirement.resource.hasPrefix("arn:aws:s3:::")
                ? String(requirement.resource.dropFirst("arn:aws:s3:::".count).split(separator: "/").first ?? "") : ""
            let bucketPolicy = world.bucketPolicy(bucketName).flatMap { try? PolicyDocument.parse($0) }
            let authorization = AuthorizationRequest(principalArn: principal, principalAccount: Self.account,
                                                     action: requirement.action, resource: requirement.resource,
                                                     resourceAccount: Self.account, context: keys)
            let decision = PolicyEvaluator.evaluate(authorization, identityPolicies: user?.policies ?? [], resourcePolicy: bucketPolicy)
            guard decision.isAllowed else {
                let why: String
                if case .explicitDeny = decision { why = "with an explicit deny in a\(bucketPolicy == nil ? "n identity-based" : "") policy" }
                else { why = "because no identity-based policy allows the \(requirement.action) action" }
                let error = S3Error(code: "AccessDenied", httpStatus: 403,
                                    message: "User: \(principal) is not authorized to perform: \(requirement.action) on resource: \"\(requirement.resource)\" \(why)",
                                    resource: String(request.rawPath))
                var response = S3RestAdapter.errorResponse(error, request: request, context: context)
                response.headers.append(("x-amz-request-id", context.requestId))
                return response
            }
        }
        return nil
    }

    static func requestId(_ counter: UInt64) -> String {
        let hex = String(counter, radix: 16, uppercase: true)
        return "ODASSIM" + String(repeating: "0", count: max(0, 9 - hex.count)) + hex
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
            let text = state.withLockedValue { state in
                state.world.advance(to: Self.virtualNow(state.clock))
                return state.world.traceJSONLines
            }
            return WireResponse(status: 200, headers: [("Content-Type", "application/x-ndjson")], body: Array(text.utf8))
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

    func stateDocument() -> [String: Any] {
        state.withLockedValue { state -> [String: Any] in
            state.world.advance(to: Self.virtualNow(state.clock))
            return [
                "now": state.world.now.description,
                "nowNanoseconds": state.world.now.nanosecondsSinceStart,
                "speed": state.clock.speed,
                "requests": state.requests,
                "faults": state.world.activeFaults.map { ["id": $0.id, "fault": $0.description, "source": $0.source] },
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

    /// Listens on both endpoints and starts the clock ticker. Returns the servers.
    public func start(group: EventLoopGroup) throws -> (aws: LoopbackHTTPServer, control: LoopbackHTTPServer) {
        let aws = try LoopbackHTTPServer.start(group: group, port: options.port, maximumBodyBytes: options.maximumBodyBytes) {
            [self] request in self.handleAWS(request)
        }
        let control = try LoopbackHTTPServer.start(group: group, port: options.controlPort, maximumBodyBytes: 1 << 20) {
            [self] request in self.handleControl(request)
        }
        group.next().scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [self] _ in
            self.tick()
        }
        return (aws, control)
    }
}
