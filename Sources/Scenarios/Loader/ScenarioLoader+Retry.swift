import SimCore

/// `retry:` on a workload: `standard` (the AWS SDKs' mode, S3 workloads) or
/// `reconnect` (a database driver's loop, db workloads), as a word or a
/// mapping `{mode, maxAttempts, interval}`.
extension ScenarioLoader {
    static func readRetry(_ node: SourceNode, kind: WorkloadKind?, _ d: inout Diagnostics) -> RetryPolicy? {
        let modes = RetryPolicy.Mode.allCases.map(\.rawValue)
        var mode: RetryPolicy.Mode?
        var maxAttempts: Int?
        var interval: SimDuration?
        var modeNode = node
        if case .scalar = node.value {
            guard let text = Read.string(node, &d) else { return nil }
            mode = RetryPolicy.Mode(rawValue: text)
            if mode == nil { d.error(node, unknownMessage("retry mode", text, modes)) }
        } else {
            guard var r = MappingReader(node, allowedKeys: ["mode", "maxAttempts", "interval"], what: "a retry policy", diagnostics: &d) else { return nil }
            if let m = r.required("mode", &d, hint: "one of \(modes.joined(separator: ", "))"), let text = Read.string(m, &d) {
                modeNode = m
                mode = RetryPolicy.Mode(rawValue: text)
                if mode == nil { d.error(m, unknownMessage("retry mode", text, modes)) }
            }
            maxAttempts = r.child("maxAttempts").flatMap { Read.integer($0, &d, range: 1...100, what: "a number of attempts") }.map(Int.init)
            if let i = r.child("interval") {
                if mode != .reconnect { d.error(i, "interval applies to reconnect; standard backs off exponentially with jitter") }
                interval = Read.duration(i, &d, allowZero: false)
            }
            r.reportUnknownKeys(&d)
        }
        guard let mode, let kind else { return nil }
        switch (mode, kind) {
        case (.standard, .s3Get), (.standard, .s3Put), (.reconnect, .dbWrite), (.reconnect, .dbRead):
            return RetryPolicy(mode: mode, maxAttempts: maxAttempts, interval: interval)
        case (.standard, _):
            d.error(modeNode, "retry: standard is the AWS SDKs' mode, for S3 workloads (s3-get, s3-put); \(kind.rawValue) does not take it")
        case (.reconnect, _):
            d.error(modeNode, "retry: reconnect is a database client's, for db-write and db-read; \(kind.rawValue) does not take it")
        }
        return nil
    }
}
