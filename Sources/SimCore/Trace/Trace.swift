import DequeModule

/// Where a streamed trace goes: a file, a hash, both. Called with whole lines
/// of the canonical encoding, in order, on the simulation's thread.
public protocol TraceSink: AnyObject, Sendable {
    /// Takes the next bytes of the canonical JSON Lines.
    func write(_ text: String)
}

/// The ordered record of everything externally visible in one run.
///
/// Components append through ``record(_:_:at:_:)``; the order of the trace is
/// the order of the simulation's events, so the same scenario and seed give
/// the same trace, byte for byte, in any process. The trace's hash (computed
/// over the canonical JSON Lines by the report layer) is the run's
/// determinism check.
///
/// Each event is encoded once, when it is recorded, and kept as text — never
/// as the event itself — by its ``Retention``: all of it (a run's trace held
/// in memory), the last lines only (serve, whose trace would otherwise grow
/// with every request), or none, streamed to a ``TraceSink`` in blocks of
/// about ``blockBytes`` so that memory stays flat however long the run.
public struct Trace: Sendable {
    /// Version of the canonical encoding; part of every report.
    public static let formatVersion = 1
    /// Streamed traces are handed to their sink in blocks of about this size.
    public static let blockBytes = 1 << 20

    /// What stays in memory.
    public enum Retention: Sendable, Equatable {
        /// Every line (``canonicalJSONLines()`` returns the whole trace).
        case all
        /// The last `n` lines; older ones are dropped and counted.
        case last(Int)
    }

    /// Events recorded (those beyond ``capacity`` are not).
    public private(set) var count = 0
    /// The last event recorded (tests and diagnostics read it).
    public private(set) var lastEvent: TraceEvent?
    /// An upper bound on recorded events; beyond it, recording stops and
    /// ``isTruncated`` becomes true (reported, never silent).
    public let capacity: Int
    public private(set) var isTruncated = false
    /// Lines dropped from memory by a `.last(n)` retention.
    public private(set) var droppedLines = 0

    let retention: Retention
    let sink: (any TraceSink)?
    /// `.all`: the whole text; with a sink: the block not yet written.
    var text = ""
    /// `.last(n)`: the retained lines.
    var lines = Deque<String>()

    /// A trace kept in memory by `retention`.
    public init(capacity: Int = 5_000_000, retention: Retention = .all) {
        self.capacity = capacity
        self.retention = retention
        sink = nil
    }

    /// A trace streamed to `sink`, nothing of it kept but the block being filled.
    /// Call ``flush()`` at the end of the run.
    public init(capacity: Int = 5_000_000, streamingTo sink: any TraceSink) {
        self.capacity = capacity
        retention = .last(0)
        self.sink = sink
    }

    /// Appends an event.
    public mutating func record(_ source: String, _ kind: String, at instant: SimInstant,
                                _ attributes: KeyValuePairs<String, TraceValue> = [:]) {
        append(source, kind, at: instant, attributes.map { ($0.key, $0.value) })
    }

    /// Appends an event whose attributes were built at run time.
    public mutating func record(_ source: String, _ kind: String, at instant: SimInstant,
                                attributes: [(key: String, value: TraceValue)]) {
        append(source, kind, at: instant, attributes)
    }

    mutating func append(_ source: String, _ kind: String, at instant: SimInstant, _ attributes: [(key: String, value: TraceValue)]) {
        guard count < capacity else { isTruncated = true; return }
        let event = TraceEvent(instant: instant, sequence: count, source: source, kind: kind, attributes: attributes)
        count += 1
        lastEvent = event
        if let sink {
            text += event.canonicalJSON()
            text += "\n"
            if text.utf8.count >= Self.blockBytes {
                sink.write(text)
                text = ""
            }
            return
        }
        switch retention {
        case .all:
            text += event.canonicalJSON()
            text += "\n"
        case .last(let keep):
            guard keep > 0 else { droppedLines += 1; return }
            lines.append(event.canonicalJSON())
            if lines.count > keep {
                lines.removeFirst()
                droppedLines += 1
            }
        }
    }

    /// Hands a streamed trace's last block to its sink (nothing otherwise).
    public mutating func flush() {
        guard let sink, !text.isEmpty else { return }
        sink.write(text)
        text = ""
    }

    /// The canonical JSON Lines form of what memory holds: one
    /// ``TraceEvent/canonicalJSON()`` per line, each terminated by a newline.
    /// The whole trace with `.all`; the last lines with `.last(n)`; empty
    /// for a streamed trace (its lines are with its sink).
    public func canonicalJSONLines() -> String {
        if sink != nil { return "" }
        switch retention {
        case .all:
            return text
        case .last:
            var out = ""
            for line in lines {
                out += line
                out += "\n"
            }
            return out
        }
    }
}
