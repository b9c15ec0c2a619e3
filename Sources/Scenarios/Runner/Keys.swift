import SimCore

/// A notable event for the report's timeline.
public struct TimelineEntry: Codable, Sendable {
    public var at: SimInstant
    public var kind: String
    public var text: String
}

/// An instance Auto Scaling terminated to rebalance its zones, and the Kubernetes node it was.
struct RebalanceTermination: Sendable {
    var at: SimInstant
    var group: String
    var instance: String
    var node: String
}

/// Names of S3 endpoints in the fault model.
enum S3Endpoint {
    static func host(region: String) -> String { "s3.\(region).amazonaws.com" }
}

/// Object keys and bodies used by the workloads.
enum Keys {
    static func preloaded(_ part: Int) -> String {
        let digits = String(part)
        return "data/part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".parquet"
    }

    static func writtenPrefix(workload: String) -> String { "writes/\(workload)/" }

    /// The history key of a database row written by a workload.
    static func dbRow(workload: String, sequence: Int) -> String { "\(workload)#\(sequence)" }

    /// A string literal body for SQL (single quotes doubled).
    static func sqlEscaped(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "''") }

    static func written(workload: String, sequence: Int) -> String {
        let digits = String(sequence)
        return writtenPrefix(workload: workload) + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Deterministic bytes for a preloaded object.
    static func body(for name: String, size: Int) -> [UInt8] {
        var random = SimRandom(seed: StableHash.fnv1a64(name))
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        while bytes.count < size {
            var word = random.next()
            for _ in 0..<8 where bytes.count < size {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }
}
