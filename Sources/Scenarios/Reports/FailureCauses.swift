import SimCore

/// Groups failed and unknown operations by cause, so a report can say which
/// hop failed and why ("planner odas-planner-… on node-us-west-2a-1: timeout
/// after 5s: az us-west-2a is down").
enum FailureCauses {
    /// The most frequent causes of `operations`' failures, most frequent first
    /// (ties by first occurrence).
    static func summarize(_ operations: [Operation], limit: Int = 5) -> [RunReport.FailureCause] {
        var groups: [String: (count: Int, first: Operation)] = [:]
        var order: [String] = []
        for op in operations where op.outcome != .ok && !op.cutOffByEnd {
            guard let error = op.error else { continue }
            let key = generalize(error)
            if let group = groups[key] {
                groups[key] = (group.count + 1, group.first)
            } else {
                groups[key] = (1, op)
                order.append(key)
            }
        }
        let ranked = order.enumerated().sorted { lhs, rhs in
            let a = groups[lhs.element]?.count ?? 0, b = groups[rhs.element]?.count ?? 0
            return a != b ? a > b : lhs.offset < rhs.offset
        }
        return ranked.prefix(limit).compactMap { _, key in
            guard let group = groups[key] else { return nil }
            return RunReport.FailureCause(cause: key, count: group.count, example: group.first.error ?? "",
                                          firstAt: (group.first.completed ?? group.first.invoked).readable)
        }
    }

    /// Replaces generated names (a pod's `-<hash>-<suffix>`) and the file
    /// of an S3 object (`s3://bucket/prefix/…`, its ARN likewise), so that
    /// the same failure groups together.
    static func generalize(_ error: String) -> String {
        let words = error.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            for scheme in ["s3://", "\"arn:aws:s3:::"] where word.hasPrefix(scheme) {
                let trailing = word.reversed().prefix { ":\",.".contains($0) }.count
                let path = word.dropFirst(scheme.count).dropLast(trailing)
                if let slash = path.lastIndex(of: "/"), path[path.index(after: slash)...].count > 1 {
                    return scheme + path[...slash] + "…" + word.suffix(trailing)
                }
            }
            let parts = word.split(separator: "-")
            // A ReplicaSet pod: name-<10 chars>-<5 chars> (KubeSim's generateName).
            if parts.count >= 3, let last = parts.last, let hash = parts.dropLast().last,
               last.count == 5, hash.count == 10, (last + hash).allSatisfy({ $0.isLetter || $0.isNumber }) {
                return parts.dropLast(2).joined(separator: "-") + "-…"
            }
            return String(word)
        }
        return words.joined(separator: " ")
    }
}
