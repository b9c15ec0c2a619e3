import AWSSim
import SimCore

/// `s3-get` and `s3-put`: a client that reads preloaded objects or writes
/// new, unique keys through its region's S3 endpoint, signed with its
/// workload's credentials; with `failover`, it switches to the bucket's
/// replica after consecutive failures and stays there.
struct S3ClientProcess: ClientProcess {
    var client: ClientState
    var primaryBucket: String
    var replicaBucket: String?
    var preloadedObjects: Int
    var usingReplica = false

    init(_ client: ClientState, scenario: Scenario) {
        self.client = client
        let bucket = scenario.buckets.first { $0.name == client.spec.target }
        primaryBucket = client.spec.target
        replicaBucket = bucket?.replicaBucket
        preloadedObjects = bucket?.objects ?? 0
    }

    var currentBucket: String { usingReplica ? (replicaBucket ?? primaryBucket) : primaryBucket }

    mutating func issue(world: inout World) {
        let spec = client.spec
        let bucket = currentBucket
        let key: String
        var body: [UInt8]?
        var value: String?
        if spec.kind == .s3Put {
            client.sequence += 1
            key = Keys.written(workload: spec.name, sequence: client.sequence)
            value = "\(spec.name)-\(client.sequence)"
            body = Array((value ?? "").utf8)
        } else {
            let part = Int(client.random.next(upperBound: UInt64(max(preloadedObjects, 1))))
            key = Keys.preloaded(part)
        }
        let op = world.history.invoke(workload: spec.name, kind: spec.kind.writes ? .write : .read, at: world.loop.now,
                                      target: bucket, key: key, value: value)
        guard let credentials = world.credentials(for: spec) else {
            failLocally(op, error: "NoCredentialProviders: the instance metadata service gives no credentials for \(spec.principal?.description ?? World.defaultRole)",
                        world: &world)
            return
        }
        world.notePrincipal(op, credentials)
        guard let endpoint = world.s3Endpoint(forBucket: bucket) else {
            failLocally(op, error: "NoSuchBucket: bucket \(bucket) does not exist", world: &world)
            return
        }
        send(op: op, to: endpoint, S3Request(bucket: bucket, key: key, body: body, credentials: credentials), world: &world)
    }

    /// A retry (`retry: standard`): signed again with the credentials of now (instance-role credentials rotate).
    mutating func resend(op: Int, _ request: any WorldMessage, world: inout World) {
        guard var request = request as? S3Request else { return }
        if let credentials = world.credentials(for: client.spec) { request.credentials = credentials }
        guard let endpoint = world.s3Endpoint(forBucket: request.bucket) else {
            failLocally(op, error: "NoSuchBucket: bucket \(request.bucket) does not exist", world: &world)
            return
        }
        send(op: op, to: endpoint, request, world: &world)
    }

    mutating func noteFailure(world: inout World) {
        client.consecutiveFailures += 1
        guard client.spec.failover, !usingReplica, let replica = replicaBucket,
              client.consecutiveFailures >= client.spec.failoverAfter else { return }
        usingReplica = true
        client.consecutiveFailures = 0
        world.trace.record("workload", "client-failover", at: world.loop.now, [
            "workload": .string(client.spec.name), "from": .string(primaryBucket), "to": .string(replica),
        ])
        world.timeline.append(TimelineEntry(at: world.loop.now, kind: "client-failover",
                                            text: "client \(client.spec.name) fails over from bucket \(primaryBucket) to \(replica)"))
    }

    /// Lists what the writer can read now, where it reads now (after failover: the replica).
    mutating func finalRead(at end: SimInstant, world: inout World) {
        guard client.spec.kind == .s3Put else { return }
        let bucket = currentBucket
        let prefix = Keys.writtenPrefix(workload: client.spec.name)
        let op = world.history.invoke(workload: client.spec.name, kind: .finalRead, at: end, target: bucket, key: prefix)
        let region = world.s3.buckets[bucket]?.region ?? ""
        let endpoint = FaultDomain.host(S3Endpoint.host(region: region))
        if let reason = world.faults.unreachability(from: client.spec.from, to: endpoint) {
            world.history.complete(op, at: end, outcome: .failed, error: "final read impossible: \(reason)")
        } else {
            do {
                // In-process, one call lists everything (the wire adapter pages by 1000).
                let observed = try world.s3.listObjects(bucket: bucket, prefix: prefix, maxKeys: .max).objects.map(\.key)
                world.history.complete(op, at: end, outcome: .ok, observed: observed)
            } catch {
                world.history.complete(op, at: end, outcome: .failed, error: "\(error.code): \(error.message)")
            }
        }
        let completed = world.history.operation(op)
        world.trace.record("workload", "final-read", at: end, [
            "workload": .string(client.spec.name), "bucket": .string(bucket),
            "outcome": .string(completed.outcome?.rawValue ?? "unknown"),
            "observed": .int(Int64(completed.observed?.count ?? 0)),
        ])
    }
}
