/// A point on the virtual timeline of one simulation run.
///
/// Instants count nanoseconds from the start of the run (`SimInstant.zero`).
/// They have no relation to the wall clock: a run of two simulated hours
/// may take a fraction of a second, and the same instant means the same
/// moment in every process that runs the same scenario and seed.
public struct SimInstant: Hashable, Comparable, Sendable {
    /// Nanoseconds since the start of the run.
    public var nanosecondsSinceStart: Int64

    public init(nanosecondsSinceStart: Int64) { self.nanosecondsSinceStart = nanosecondsSinceStart }

    /// The start of the run.
    public static let zero = SimInstant(nanosecondsSinceStart: 0)

    /// The latest representable instant; used as "never".
    public static let distantFuture = SimInstant(nanosecondsSinceStart: .max)

    /// The span from the start of the run to this instant.
    public var sinceStart: SimDuration { SimDuration(nanoseconds: nanosecondsSinceStart) }

    public static func < (lhs: SimInstant, rhs: SimInstant) -> Bool {
        lhs.nanosecondsSinceStart < rhs.nanosecondsSinceStart
    }
    /// Saturates at ``distantFuture`` instead of overflowing.
    public static func + (lhs: SimInstant, rhs: SimDuration) -> SimInstant {
        let (sum, overflow) = lhs.nanosecondsSinceStart.addingReportingOverflow(rhs.nanoseconds)
        if overflow { return rhs.nanoseconds > 0 ? .distantFuture : .zero }
        return SimInstant(nanosecondsSinceStart: sum)
    }
    public static func - (lhs: SimInstant, rhs: SimDuration) -> SimInstant { lhs + SimDuration(nanoseconds: -rhs.nanoseconds) }
    public static func - (lhs: SimInstant, rhs: SimInstant) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanosecondsSinceStart &- rhs.nanosecondsSinceStart)
    }
}

extension SimInstant: CustomStringConvertible {
    /// `T+` followed by the time since the start of the run, e.g. `T+20m0.25s`.
    public var description: String { "T+\(sinceStart)" }
}

/// Encoded as nanoseconds since the start of the run (reports carry instants this way).
extension SimInstant: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(nanosecondsSinceStart: try container.decode(Int64.self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanosecondsSinceStart)
    }
}
