/// The ordered record of everything externally visible in one run.
///
/// Components append through ``record(_:_:at:_:)``; the order of the trace is
/// the order of the simulation's events, so the same scenario and seed give
/// the same trace, byte for byte, in any process. The trace's hash (computed
/// over ``canonicalJSONLines()`` by the report layer) is the run's
/// determinism check.
public struct Trace: Sendable {
    /// Version of the canonical encoding; part of every report.
    public static let formatVersion = 1

    public private(set) var events: [TraceEvent] = []

    /// An upper bound on recorded events; beyond it, recording stops and
    /// ``isTruncated`` becomes true (reported, never silent).
    public let capacity: Int
    public private(set) var isTruncated = false

    public init(capacity: Int = 5_000_000) { self.capacity = capacity }

    /// Appends an event.
    public mutating func record(_ source: String, _ kind: String, at instant: SimInstant,
                                _ attributes: KeyValuePairs<String, TraceValue> = [:]) {
        guard events.count < capacity else { isTruncated = true; return }
        events.append(TraceEvent(instant: instant, sequence: events.count, source: source, kind: kind,
                                 attributes: attributes.map { ($0.key, $0.value) }))
    }

    /// Appends an event whose attributes were built at run time.
    public mutating func record(_ source: String, _ kind: String, at instant: SimInstant,
                                attributes: [(key: String, value: TraceValue)]) {
        guard events.count < capacity else { isTruncated = true; return }
        events.append(TraceEvent(instant: instant, sequence: events.count, source: source, kind: kind,
                                 attributes: attributes))
    }

    /// The canonical JSON Lines form: one ``TraceEvent/canonicalJSON()`` per
    /// line, each terminated by a newline.
    public func canonicalJSONLines() -> String {
        var out = ""
        out.reserveCapacity(events.count * 120)
        for event in events {
            out += event.canonicalJSON()
            out += "\n"
        }
        return out
    }
}
