/// Identifies one scheduled event so that it can be cancelled.
///
/// Identifiers are the sequence numbers the queue hands out, so they are
/// unique within one queue and increase with scheduling order.
public struct TimerID: Hashable, Comparable, Sendable {
    public let sequence: UInt64
    @inlinable public init(sequence: UInt64) { self.sequence = sequence }
    @inlinable public static func < (lhs: TimerID, rhs: TimerID) -> Bool { lhs.sequence < rhs.sequence }
}

/// A priority queue of events keyed by `(instant, sequence)`.
///
/// Events due at the same instant come out in the order they were scheduled
/// (the sequence number breaks ties), so the order of a run never depends on
/// hashing, memory addresses or the heap's internal layout. Cancellation is
/// lazy: a cancelled entry stays in the heap and is skipped when it reaches
/// the top, which keeps `cancel` O(1).
///
/// This type is not thread-safe; a simulation owns exactly one, and all
/// access happens on the simulation's single isolation domain.
public struct EventQueue<Event> {
    @usableFromInline
    struct Entry {
        @usableFromInline var instant: Int64
        @usableFromInline var sequence: UInt64
        @usableFromInline var event: Event

        @inlinable init(instant: Int64, sequence: UInt64, event: Event) {
            self.instant = instant
            self.sequence = sequence
            self.event = event
        }

        @inlinable func precedes(_ other: Entry) -> Bool {
            instant < other.instant || (instant == other.instant && sequence < other.sequence)
        }
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var cancelled: Set<UInt64> = []

    @inlinable public init() {}

    /// The number of entries in the heap, including cancelled entries that
    /// have not reached the top yet.
    @inlinable public var storedCount: Int { heap.count }

    /// True when no deliverable event remains.
    @inlinable public mutating func isEmpty() -> Bool { nextInstant() == nil }

    /// Adds `event`, due at `instant`, and returns its identifier.
    @inlinable @discardableResult
    public mutating func insert(_ event: Event, at instant: SimInstant) -> TimerID {
        let sequence = nextSequence
        nextSequence &+= 1
        heap.append(Entry(instant: instant.nanosecondsSinceStart, sequence: sequence, event: event))
        siftUp(heap.count - 1)
        return TimerID(sequence: sequence)
    }

    /// Cancels a pending event in O(1). Cancelling an event that was already
    /// delivered has no effect on delivery; owners should forget a timer's
    /// identifier once it fired, so that the cancelled set stays small.
    @inlinable public mutating func cancel(_ id: TimerID) {
        guard id.sequence < nextSequence else { return }
        cancelled.insert(id.sequence)
    }

    /// The instant of the next deliverable event, if any.
    @inlinable public mutating func nextInstant() -> SimInstant? {
        dropCancelledTop()
        return heap.first.map { SimInstant(nanosecondsSinceStart: $0.instant) }
    }

    /// Removes and returns the earliest event (ties: earliest scheduled).
    @inlinable public mutating func popFirst() -> (instant: SimInstant, id: TimerID, event: Event)? {
        dropCancelledTop()
        guard !heap.isEmpty else { return nil }
        let top = removeTop()
        return (SimInstant(nanosecondsSinceStart: top.instant), TimerID(sequence: top.sequence), top.event)
    }

    @inlinable mutating func dropCancelledTop() {
        guard !cancelled.isEmpty else { return }
        while let first = heap.first, cancelled.remove(first.sequence) != nil {
            _ = removeTop()
        }
    }

    @inlinable mutating func removeTop() -> Entry {
        let last = heap.count - 1
        heap.swapAt(0, last)
        let top = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return top
    }

    @inlinable mutating func siftUp(_ index: Int) {
        var child = index
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    @inlinable mutating func siftDown(_ index: Int) {
        var parent = index
        let count = heap.count
        let entry = heap[parent]
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            var best = left
            if right < count, heap[right].precedes(heap[left]) { best = right }
            guard heap[best].precedes(entry) else { break }
            heap[parent] = heap[best]
            parent = best
        }
        heap[parent] = entry
    }
}

extension EventQueue: Sendable where Event: Sendable {}
extension EventQueue.Entry: Sendable where Event: Sendable {}
