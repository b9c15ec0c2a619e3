/// A Kubernetes resource quantity (`resource.Quantity`): `500m`, `2`, `1Gi`, `1.5G`, `1e3`.
///
/// Kept as the text the user wrote (so that it round-trips) plus its value in
/// thousandths (`milliValue`): millicores for CPU, thousandths of a byte for
/// memory. ``value`` rounds up to whole units as `Quantity.Value()` does.
/// JSON numbers are accepted too (`"cpu": 2`).
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The quantity as written.
    public var text: String
    /// The value in thousandths of the base unit (clamped to Int64).
    public var milliValue: Int64

    /// Parses a quantity; nil when the text is not a Kubernetes quantity.
    public init?(_ text: String) {
        guard let milli = Quantity.parseMilli(text) else { return nil }
        self.text = text
        self.milliValue = milli
    }

    /// A quantity in millicores (`250m`), or whole units when divisible by 1000.
    public init(milli: Int64) {
        self.milliValue = milli
        self.text = milli % 1000 == 0 ? String(milli / 1000) : "\(milli)m"
    }

    /// A quantity of whole units (`Int64` bytes or cores), written in binary suffixes when exact.
    public init(value: Int64) {
        self.milliValue = value.multipliedReportingOverflow(by: 1000).overflow ? .max : value * 1000
        let suffixes: [(String, Int64)] = [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        var text = String(value)
        for (suffix, unit) in suffixes where value != 0 && value % unit == 0 {
            text = "\(value / unit)\(suffix)"
            break
        }
        self.text = text
    }

    /// The value rounded up to whole units.
    public var value: Int64 { milliValue / 1000 + (milliValue % 1000 > 0 ? 1 : 0) }

    public var description: String { text }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let q = Quantity(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\"\(text.prefix(40))\" is not a quantity: a number with an optional suffix, m (milli), k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent, such as 500m, 2, 1.5, 4Gi or 1e3 (quantities must match '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')")
            }
            self = q
        } else if let int = try? container.decode(Int64.self) {
            self = Quantity(value: int)
            self.text = String(int)
        } else {
            let double = try container.decode(Double.self)
            guard let q = Quantity(String(double)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid quantity \(double)")
            }
            self = q
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    static func parseMilli(_ raw: String) -> Int64? {
        var s = Substring(raw)
        guard !s.isEmpty, s.count <= 64 else { return nil }
        var negative = false
        if s.first == "+" || s.first == "-" { negative = s.first == "-"; s = s.dropFirst() }
        let numberPart = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let suffix = s.dropFirst(numberPart.count)
        guard !numberPart.isEmpty, numberPart.filter({ $0 == "." }).count <= 1, numberPart != "." else { return nil }
        let parts = numberPart.split(separator: ".", omittingEmptySubsequences: false)
        let wholeDigits = parts[0]
        let fractionDigits = parts.count > 1 ? parts[1] : ""
        // value = digits × 10^decimalExponent × 2^binaryExponent (before the ×1000 for milli)
        var decimalExponent = 3 - fractionDigits.count
        var binaryExponent = 0
        switch suffix {
        case "": break
        case "m": decimalExponent -= 3
        case "k": decimalExponent += 3
        case "M": decimalExponent += 6
        case "G": decimalExponent += 9
        case "T": decimalExponent += 12
        case "P": decimalExponent += 15
        case "E": decimalExponent += 18
        case "Ki": binaryExponent = 10
        case "Mi": binaryExponent = 20
        case "Gi": binaryExponent = 30
        case "Ti": binaryExponent = 40
        case "Pi": binaryExponent = 50
        case "Ei": binaryExponent = 60
        default:
            guard suffix.first == "e" || suffix.first == "E", let exp = Int(suffix.dropFirst()), abs(exp) < 40 else { return nil }
            decimalExponent += exp
        }
        // Accumulate digits as a Double-free integer with saturation.
        var mantissa: Int64 = 0
        var saturated = false
        for ch in wholeDigits + fractionDigits {
            guard let digit = ch.wholeNumberValue else { return nil }
            let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(Int64(digit))
            if o1 || o2 { saturated = true; break }
            mantissa = m2
        }
        if saturated { return negative ? .min : .max }
        var value = mantissa
        while decimalExponent > 0 {
            let (v, o) = value.multipliedReportingOverflow(by: 10)
            if o { return negative ? .min : .max }
            value = v
            decimalExponent -= 1
        }
        if binaryExponent > 0 {
            if value != 0 && value.leadingZeroBitCount <= binaryExponent + 1 { return negative ? .min : .max }
            value <<= binaryExponent
        }
        if decimalExponent < 0 {
            // Quantities round up (Kubernetes rounds MilliValue away from zero).
            var divisor: Int64 = 1
            for _ in 0..<min(-decimalExponent, 18) { divisor *= 10 }
            value = value / divisor + (value % divisor == 0 ? 0 : 1)
            if -decimalExponent > 18 { value = value == 0 ? 0 : 1 }
        }
        return negative ? -value : value
    }
}

/// `intstr.IntOrString`: `maxSurge: 1`, `maxSurge: "25%"`, `targetPort: http`.
public enum IntOrString: Hashable, Sendable, Codable, CustomStringConvertible {
    case int(Int)
    case string(String)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int.self) { self = .int(int) } else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let v): try container.encode(v)
        case .string(let s): try container.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .string(let s): return s
        }
    }

    /// `intstr.GetScaledValueFromIntOrPercent`: an int as is, `"25%"` of `total`
    /// rounded up or down. Nil for a string that is not a percentage.
    /// Results are clamped to ±2^30 so that callers can add them safely.
    public func scaled(total: Int, roundUp: Bool) -> Int? {
        let limit = 1 << 30
        switch self {
        case .int(let v): return min(max(v, -limit), limit)
        case .string(let s):
            guard s.hasSuffix("%"), let percent = Int(s.dropLast()) else { return nil }
            let (product, overflow) = min(max(percent, -limit), limit).multipliedReportingOverflow(by: min(max(total, -limit), limit))
            if overflow { return percent < 0 ? -limit : limit }
            let value = roundUp ? (product + 99) / 100 : product / 100
            return min(max(value, -limit), limit)
        }
    }
}
