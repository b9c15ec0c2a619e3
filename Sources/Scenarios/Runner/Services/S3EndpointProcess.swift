import AWSSim
import SimCore

/// A GetObject (no body) or PutObject (a body) as a client sends it, with
/// the credentials it is signed with.
struct S3Request: WorldMessage {
    var bucket: String
    var key: String
    var body: [UInt8]?
    var credentials: World.Credentials
    /// A GET that wants the object's bytes (an ODAS worker), not only its ETag.
    var returnBody = false
}

/// The bytes of an object read with `returnBody`.
struct S3ObjectBody: WorldMessage {
    var bytes: [UInt8]
    var eTag: String
}

/// A region's S3 endpoint (`s3.<region>.amazonaws.com`, a host of the region:
/// S3 is regional, stored across at least three AZs). It authorizes each
/// request on arrival (``World/authorizeS3(_:action:bucket:key:)``), runs it on
/// the world's ``S3Service`` and answers after S3's service time.
struct S3EndpointProcess: WorldProcess {
    var region: String
    var random: SimRandom

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        guard case .request(let call, _, let payload) = delivery else { return }
        guard let request = payload as? S3Request else {
            world.reply(to: call, ServiceAnswer.error("InvalidRequest", "not an S3 request"))
            return
        }
        // S3 first-byte latency for small objects: "roughly 100–200 milliseconds"
        // (AmazonS3/latest/userguide/optimizing-performance-guidelines.html);
        // a log-normal with median 30 ms keeps most requests well inside it.
        let serviceTime = random.logNormal(median: .milliseconds(30), sigma: 0.5)
        let action = request.body != nil ? "s3:PutObject" : "s3:GetObject"
        let answer: any WorldMessage
        if !world.apiFaults.isEmpty, let injected = world.injectedS3Error(operation: request.body != nil ? "PutObject" : "GetObject", random: &random) {
            answer = ServiceAnswer.error(injected.code, injected.message)
        } else if let denied = world.authorizeS3(request.credentials, action: action, bucket: request.bucket, key: request.key) {
            answer = ServiceAnswer.error(denied.code, denied.message)
        } else {
            answer = execute(request, world: &world)
        }
        world.reply(to: call, answer, after: serviceTime)
    }

    /// Runs an authorized request: a PUT (with its replication) or a GET.
    func execute(_ request: S3Request, world: inout World) -> any WorldMessage {
        do {
            if let body = request.body {
                let object = try world.s3.putObject(bucket: request.bucket, key: request.key, body: body, now: world.loop.now)
                world.drainS3Outbox()
                return ServiceAnswer.ok(object.eTag)
            }
            let object = try world.s3.getObject(bucket: request.bucket, key: request.key)
            return request.returnBody ? S3ObjectBody(bytes: object.body, eTag: object.eTag) : ServiceAnswer.ok(object.eTag)
        } catch {
            return ServiceAnswer.error(error.code, error.message)
        }
    }
}

extension World {
    /// Spawns one S3 endpoint per region of the topology.
    mutating func spawnS3Endpoints() {
        let root = SimRandom(seed: seed).stream("s3-endpoints")
        for region in scenario.topology.regions {
            let host = S3Endpoint.host(region: region.name)
            let id = spawn(S3EndpointProcess(region: region.name, random: root.stream(region.name)),
                           name: host, domain: .host(host))
            s3Endpoints[region.name] = id
        }
    }

    /// The endpoint serving `bucket`: its region's.
    func s3Endpoint(forBucket bucket: String) -> Endpoint? {
        guard let region = s3.buckets[bucket]?.region, let id = s3Endpoints[region] else { return nil }
        return network.endpoint(id)
    }
}
