import SimCore

/// Groups failed and unknown operations by cause, so a report can say which
/// hop failed and why ("planner odas-planner-… on node-us-west-2a-1: timeout
/// after 5s: az us-west-2a is down").
enum FailureCauses {
    /// The most frequent causes of `operations`' failures, most frequent first
    /// (ties by first occurrence).
    static func summarize(_ operations: [Operation], limit: Int = 5) -> [RunReport.FailureCause] {
        let failing = operations.filter { $0.outcome != .ok && !$0.cutOffByEnd }
        return ranked(failing) { $0.error.map(generalize) }.prefix(limit).compactMap { key, group in
            guard let first = group.first else { return nil }
            return RunReport.FailureCause(cause: key, count: group.count, example: first.error ?? "",
                                          firstAt: (first.completed ?? first.invoked).readable)
        }
    }

    /// `operations` grouped by `key` (nil: left out), in order within each
    /// group; groups most frequent first, ties by first occurrence.
    static func ranked<Key: Hashable>(_ operations: [Operation], by key: (Operation) -> Key?) -> [(key: Key, operations: [Operation])] {
        var order: [Key] = []
        var groups: [Key: [Operation]] = [:]
        for op in operations {
            guard let k = key(op) else { continue }
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(op)
        }
        return order.enumerated().map { ($0.offset, $0.element, groups[$0.element] ?? []) }
            .sorted { $0.2.count != $1.2.count ? $0.2.count > $1.2.count : $0.0 < $1.0 }
            .map { ($0.1, $0.2) }
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
