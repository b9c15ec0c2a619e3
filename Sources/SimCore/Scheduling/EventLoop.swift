/// The discrete-event loop of one simulation: a virtual clock plus the queue
/// of everything that will happen.
///
/// `EventLoop` is the only source of time in a run. Components never read the
/// wall clock; they schedule typed events (`Event` is the owner's enum) and
/// react when the owner pops them. Time jumps straight from one event to the
/// next, so two simulated hours with sparse events take milliseconds.
///
/// The owner drives the loop, which keeps handlers free to mutate the owner's
/// state without closures or reference cycles:
///
/// ```swift
/// while let (instant, event) = world.loop.next(until: end) {
///     world.handle(event, at: instant)
/// }
/// ```
///
/// It is not for waiting on real I/O; `serve` mode advances the same loop from
/// a ticker on one isolation domain. Not thread-safe by design.
public struct EventLoop<Event> {
    /// The current virtual time: the instant of the event being handled, or
    /// the instant the loop last advanced to.
    public var now: SimInstant { _now }
    @usableFromInline var _now: SimInstant = .zero

    @usableFromInline var queue = EventQueue<Event>()

    /// The number of events delivered so far.
    public var deliveredCount: UInt64 { _delivered }
    @usableFromInline var _delivered: UInt64 = 0

    @inlinable public init() {}

    /// The number of queued events, including cancelled ones not yet dropped.
    public var queuedCount: Int { queue.storedCount }

    /// Schedules `event` at `instant`. An instant in the past is clamped to
    /// `now`: the loop never moves backwards.
    @inlinable @discardableResult
    public mutating func schedule(_ event: Event, at instant: SimInstant) -> TimerID {
        queue.insert(event, at: max(instant, now))
    }

    /// Schedules `event` after `delay` from now (negative delays mean now).
    @inlinable @discardableResult
    public mutating func schedule(_ event: Event, after delay: SimDuration) -> TimerID {
        queue.insert(event, at: now + max(delay, .zero))
    }

    /// Cancels a pending event; see ``EventQueue/cancel(_:)``.
    @inlinable public mutating func cancel(_ id: TimerID) { queue.cancel(id) }

    /// The instant of the next live event, if any (cancelled events are skipped).
    @inlinable public mutating func nextInstant() -> SimInstant? { queue.nextInstant() }

    /// Pops the next event due at or before `limit` and advances `now` to it.
    /// Returns nil, and advances `now` to `limit`, when nothing is due by then.
    @inlinable public mutating func next(until limit: SimInstant) -> (instant: SimInstant, event: Event)? {
        guard let due = queue.nextInstant(), due <= limit, let entry = queue.popFirst() else {
            if limit > _now && limit != .distantFuture { _now = limit }
            return nil
        }
        _now = entry.instant
        _delivered &+= 1
        return (entry.instant, entry.event)
    }

    /// Advances `now` to `instant` without delivering anything. Only valid
    /// when no event is due before `instant`; returns false otherwise.
    @discardableResult
    public mutating func advance(to instant: SimInstant) -> Bool {
        if let due = queue.nextInstant(), due < instant { return false }
        if instant > _now { _now = instant }
        return true
    }
}

extension EventLoop: Sendable where Event: Sendable {}
