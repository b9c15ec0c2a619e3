import SimCore

/// A Kubernetes timestamp (`metav1.Time` / `metav1.MicroTime`) on the virtual timeline.
///
/// The simulation has no wall clock: `SimInstant.zero` is mapped to the fixed
/// civil time ``epochDescription`` (2025-01-01T00:00:00Z) so that timestamps in
/// JSON look like a real cluster's and are identical in every run. Encoded as
/// RFC 3339 in UTC: whole seconds (`metav1.Time`) unless the instant has a
/// sub-second part, which is then written with microseconds (`metav1.MicroTime`).
public struct KubeTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The instant on the virtual timeline.
    public var instant: SimInstant

    public init(_ instant: SimInstant) { self.instant = instant }

    /// Seconds from 1970-01-01T00:00:00Z to 2025-01-01T00:00:00Z.
    public static let epochUnixSeconds: Int64 = 1_735_689_600
    /// The civil time that `SimInstant.zero` stands for.
    public static let epochDescription = "2025-01-01T00:00:00Z"

    public static func < (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.instant < rhs.instant }

    /// RFC 3339 in UTC.
    public var description: String {
        let ns = instant.nanosecondsSinceStart
        let totalSeconds = Self.epochUnixSeconds + floorDiv(ns, 1_000_000_000)
        let fraction = ns - floorDiv(ns, 1_000_000_000) * 1_000_000_000
        let days = floorDiv(totalSeconds, 86_400)
        let secondsOfDay = totalSeconds - days * 86_400
        let (y, m, d) = Self.civil(fromDays: days)
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(secondsOfDay / 3600, 2) + ":" + pad((secondsOfDay % 3600) / 60, 2) + ":" + pad(secondsOfDay % 60, 2)
        if fraction != 0 { out += "." + pad(fraction / 1000, 6) }
        return out + "Z"
    }

    /// Parses RFC 3339 (`2025-01-01T00:00:10Z`, `…10.5Z`, `…10+02:00`). Nil when malformed.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for b in bytes[from..<(from + count)] {
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int64(b - 48)
            }
            return value
        }
        guard bytes.count >= 20,
              let y = number(0, 4), bytes[4] == 45, let mo = number(5, 2), bytes[7] == 45, let d = number(8, 2),
              bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
              let h = number(11, 2), bytes[13] == 58, let mi = number(14, 2), bytes[16] == 58, let s = number(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var index = 19
        var fractionNs: Int64 = 0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 9 { fractionNs = fractionNs * 10 + Int64(bytes[index] - 48); digits += 1 }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fractionNs *= 10 }
        }
        var offsetSeconds: Int64 = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 90 || bytes[index] == 122 {
            index += 1
        } else if bytes[index] == 43 || bytes[index] == 45 {
            guard let oh = number(index + 1, 2), bytes.count > index + 3, bytes[index + 3] == 58,
                  let om = number(index + 4, 2) else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (bytes[index] == 43 ? 1 : -1)
            index += 6
        } else { return nil }
        guard index == bytes.count else { return nil }
        let days = Self.days(fromCivil: y, mo, d)
        let unix = days * 86_400 + h * 3600 + mi * 60 + s - offsetSeconds
        let (sinceEpoch, o1) = (unix - Self.epochUnixSeconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !o1 else { return nil }
        self.instant = SimInstant(nanosecondsSinceStart: sinceEpoch &+ fractionNs)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = KubeTime(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
