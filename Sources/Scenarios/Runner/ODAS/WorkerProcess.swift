import AWSSim
import ODASModel
import SimCore

/// The ODAS workers (Enforcement Fleet, port 13050): one process answering
/// for every worker pod. A task's file is read from S3 with the node's
/// instance-role credentials (IMDS; no keys), decoded, filtered and masked
/// as the task's authorization says, and the rows' summary returned. A
/// cluster in another region than the dataset's bucket reads the bucket's
/// replica in its own region (``World/datasetBucket(_:cluster:)``).
struct WorkerProcess: WorldProcess {
    var spec: ODASSpec
    /// The ODAS cluster whose worker pods this process answers for.
    var cluster: Int
    var random: SimRandom
    /// S3 reads in progress: for which client call and task.
    var outgoing: [CallID: (client: CallID, pod: String, task: ScanTask, wantRows: Bool)] = [:]
    /// Decoded rows by object and ETag: files never change once written, so a
    /// worker decodes each version once (the cache is a simulator economy,
    /// not a claim about ODAS; every read still goes to S3).
    var decoded: [String: [Row]] = [:]
    /// Results by object version and authorization (user and catalog version):
    /// the same file under the same authorization gives the same rows.
    var results: [String: ScanRowSummary] = [:]

    init(spec: ODASSpec, cluster: Int, random: SimRandom) {
        self.spec = spec
        self.cluster = cluster
        self.random = random
    }

    /// How long a worker waits for S3 (a model choice).
    static let s3Timeout = SimDuration.seconds(3)

    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        switch delivery {
        case .request(let call, _, let payload):
            guard let request = payload as? TaskRequest else {
                world.reply(to: call, ServiceAnswer.error("ProtocolError", "not a worker task"))
                return
            }
            let node = world.odasPodNode(request.pod, cluster: cluster)
            if let refusal = world.podRefusal(request.pod, node: node, cluster: cluster) {
                world.reply(to: call, ServiceAnswer.error("ConnectionRefused", "worker \(refusal)"))
                return
            }
            guard let credentials = world.nodeCredentials(node: node, cluster: cluster) else {
                world.reply(to: call, ServiceAnswer.error("NoCredentialProviders",
                                                          "worker \(request.pod): the instance metadata service of \(node) gives no credentials"))
                return
            }
            var task = request.task
            task.bucket = world.datasetBucket(task.bucket, cluster: cluster)
            guard let from = world.odasEndpoint(.worker, cluster: cluster, node: node),
                  let s3 = world.s3Endpoint(forBucket: task.bucket) else {
                world.reply(to: call, ServiceAnswer.error("NoSuchBucket", "worker \(request.pod): bucket \(task.bucket) does not exist"))
                return
            }
            let read = world.call(from: from, to: s3, S3Request(bucket: task.bucket, key: task.key, body: nil,
                                                                credentials: credentials, returnBody: true),
                                  timeout: Self.s3Timeout)
            outgoing[read] = (call, request.pod, task, request.wantRows)
        case .reply(let call, let payload):
            guard let pending = outgoing.removeValue(forKey: call) else { return }
            let object = "s3://\(pending.task.bucket)/\(pending.task.key)"
            if let body = payload as? S3ObjectBody {
                do {
                    let cacheKey = object + "#" + body.eTag
                    let resultKey = cacheKey + "#" + pending.task.scan.user + "#\(pending.task.scan.catalogVersion)"
                    if let summary = results[resultKey], !pending.wantRows {
                        world.reply(to: pending.client, TaskReply(summary: summary),
                                    after: random.logNormal(median: .milliseconds(10), sigma: 0.4))
                        return
                    }
                    let rows: [Row]
                    if let cached = decoded[cacheKey] { rows = cached } else {
                        rows = try DatasetFile.decode(body.bytes, columns: pending.task.scan.dataset.columns)
                        decoded[cacheKey] = rows
                    }
                    let result = ScanResultBuilder.build(pending.task.scan, rows: rows)
                    if results.count > 10_000 { results.removeAll() }
                    results[resultKey] = result.summary
                    // Decoding and masking time: a modelling assumption.
                    world.reply(to: pending.client, TaskReply(summary: result.summary, result: pending.wantRows ? result : nil),
                                after: random.logNormal(median: .milliseconds(10), sigma: 0.4))
                } catch {
                    world.reply(to: pending.client, ServiceAnswer.error("CorruptFile", "worker \(pending.pod) reading \(object): \(error.description)"))
                }
            } else if let answer = payload as? ServiceAnswer, case .error(let code, let message) = answer.result {
                world.reply(to: pending.client, ServiceAnswer.error(code, "worker \(pending.pod) → S3 \(object): \(message)"))
            }
        case .timedOut(let call, let reason):
            guard let pending = outgoing.removeValue(forKey: call) else { return }
            world.reply(to: pending.client, ServiceAnswer.error("SlowDown",
                                                                "worker \(pending.pod) → S3 s3://\(pending.task.bucket)/\(pending.task.key): no answer within \(Self.s3Timeout): \(reason)"))
        }
    }
}
