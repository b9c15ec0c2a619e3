import Foundation
import SimCore

/// The duration syntax of scenario files: one or more `<number><unit>`
/// groups with units `ms`, `s`, `m`, `h`, `d`, largest first — `90s`, `5m`,
/// `1h30m`, `250ms`, `1.5s`. ISO-8601 (`PT2M`, as AWS FIS writes durations)
/// is accepted too. Negative values and values above 365 days are rejected.
public enum DurationSyntax {
    public struct Problem: Error, Sendable {
        public var message: String
    }

    /// The longest duration a scenario may state.
    public static let maximum = SimDuration.hours(24 * 365)

    public static func parse(_ text: String) -> Result<SimDuration, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let example = "use a duration such as 90s, 5m, 1h30m or 250ms"
        if trimmed.isEmpty { return .failure(Problem(message: "empty duration; \(example)")) }
        if trimmed.hasPrefix("-") {
            return .failure(Problem(message: "duration must not be negative, found \(trimmed.prefix(40))"))
        }
        if trimmed.hasPrefix("PT") || trimmed.hasPrefix("P") { return parseISO8601(trimmed, example: example) }
        if Double(trimmed) != nil {
            return .failure(Problem(message: "duration \(trimmed.prefix(40)) has no unit; \(example)"))
        }
        let units: [(String, Double)] = [("ms", 1e6), ("d", 86_400e9), ("h", 3_600e9), ("m", 60e9), ("s", 1e9)]
        var rest = Substring(trimmed)
        var total = 0.0
        var lastRank = -1
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else {
                return .failure(Problem(message: "cannot read duration \"\(trimmed.prefix(40))\"; \(example)"))
            }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else {
                return .failure(Problem(message: "unknown unit in duration \"\(trimmed.prefix(40))\"; units are ms, s, m, h, d"))
            }
            let rank = ["d", "h", "m", "s", "ms"].firstIndex(of: unit.0) ?? 0
            guard rank > lastRank else {
                return .failure(Problem(message: "units in duration \"\(trimmed.prefix(40))\" must go from largest to smallest, each once (e.g. 1h30m)"))
            }
            lastRank = rank
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return checked(total, text: trimmed)
    }

    static func parseISO8601(_ text: String, example: String) -> Result<SimDuration, Problem> {
        // PnDTnHnMnS, with an optional fractional seconds part.
        var total = 0.0
        var inTime = false
        var number = ""
        for character in text.dropFirst() {
            if character == "T" { inTime = true; continue }
            if character.isNumber || character == "." { number.append(character); continue }
            guard let value = Double(number) else {
                return .failure(Problem(message: "cannot read ISO-8601 duration \"\(text.prefix(40))\"; \(example)"))
            }
            number = ""
            switch (character, inTime) {
            case ("D", false): total += value * 86_400e9
            case ("H", true): total += value * 3_600e9
            case ("M", true): total += value * 60e9
            case ("S", true): total += value * 1e9
            default:
                return .failure(Problem(message: "cannot read ISO-8601 duration \"\(text.prefix(40))\"; \(example)"))
            }
        }
        guard number.isEmpty, text.count > 1 else {
            return .failure(Problem(message: "cannot read ISO-8601 duration \"\(text.prefix(40))\"; \(example)"))
        }
        return checked(total, text: text)
    }

    static func checked(_ nanoseconds: Double, text: String) -> Result<SimDuration, Problem> {
        guard nanoseconds.isFinite, nanoseconds <= Double(maximum.nanoseconds) else {
            return .failure(Problem(message: "duration \(text.prefix(40)) is longer than the maximum of 365 days"))
        }
        return .success(SimDuration(nanoseconds: Int64(nanoseconds.rounded())))
    }
}
