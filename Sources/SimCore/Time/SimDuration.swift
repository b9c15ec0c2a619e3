/// A span of virtual time, counted in whole nanoseconds.
///
/// Int64 nanoseconds cover about ±292 years, far more than any scenario, and
/// are exact for every AWS and Kubernetes timing the simulation models
/// (SigV4 clock skew, Route53 intervals, kubelet lease renewals).
/// Durations never come from the wall clock: they are constants from
/// documentation, parsed from scenarios, or drawn from a ``SimRandom`` stream.
public struct SimDuration: Hashable, Comparable, Sendable {
    /// The length of the span in nanoseconds. May be negative only as the
    /// result of subtracting a later instant from an earlier one.
    public var nanoseconds: Int64

    /// A duration of exactly `nanoseconds` nanoseconds.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimDuration(nanoseconds: 0)

    public static func nanoseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value) }
    public static func microseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value &* 1_000) }
    public static func milliseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value &* 1_000_000) }
    public static func seconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value &* 1_000_000_000) }
    public static func minutes(_ value: Int64) -> SimDuration { .seconds(value &* 60) }
    public static func hours(_ value: Int64) -> SimDuration { .seconds(value &* 3_600) }

    /// A duration of `value` seconds, rounded to the nearest nanosecond.
    /// Values beyond the representable range are clamped.
    public static func fromSeconds(_ value: Double) -> SimDuration {
        let ns = (value * 1e9).rounded()
        if ns >= Double(Int64.max) { return SimDuration(nanoseconds: .max) }
        if ns <= Double(Int64.min) { return SimDuration(nanoseconds: .min) }
        return SimDuration(nanoseconds: Int64(ns))
    }

    /// The duration in (fractional) seconds, for reports and rates only.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }
    public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }
    public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds &* rhs)
    }
    public static func += (lhs: inout SimDuration, rhs: SimDuration) { lhs = lhs + rhs }
}

extension SimDuration: CustomStringConvertible {
    /// The canonical, unit-bearing form used in traces and reports:
    /// `0s`, `250ms`, `1m30s`, `2h`, `1h0m0.5s`. Stable across processes and platforms.
    public var description: String {
        var ns = nanoseconds
        if ns == 0 { return "0s" }
        var out = ""
        if ns < 0 { out = "-"; ns = ns == .min ? .max : -ns }
        let hour: Int64 = 3_600_000_000_000, minute: Int64 = 60_000_000_000, second: Int64 = 1_000_000_000
        if ns < second {
            if ns % 1_000_000 == 0 { return out + "\(ns / 1_000_000)ms" }
            if ns % 1_000 == 0 { return out + "\(ns / 1_000)us" }
            return out + "\(ns)ns"
        }
        let h = ns / hour, m = (ns % hour) / minute, rest = ns % minute
        if h > 0 { out += "\(h)h" }
        if m > 0 || (h > 0 && rest > 0) { out += "\(m)m" }
        if rest > 0 {
            let whole = rest / second, frac = rest % second
            if frac == 0 {
                out += "\(whole)s"
            } else {
                var digits = String(frac)
                digits = String(repeating: "0", count: 9 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                out += "\(whole).\(digits)s"
            }
        }
        return out
    }
}
