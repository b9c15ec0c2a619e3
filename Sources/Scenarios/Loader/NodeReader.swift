import SimCore

/// Collects errors while the loader reads a document, so that one run of
/// `validate` reports every problem in the file, not only the first.
struct Diagnostics {
    let file: String
    private(set) var errors: [ScenarioError] = []
    /// Names declared but rejected (an invalid bucket name), so that what
    /// refers to them is not reported again: one mistake, one error.
    var rejectedNames: Set<String> = []

    /// Things worth saying that are not errors ("file:line:column: message").
    private(set) var notes: [String] = []

    init(file: String) { self.file = file }

    mutating func note(_ node: SourceNode, _ message: String) {
        notes.append("\(file):\(node.location.line):\(node.location.column): \(message)")
    }

    mutating func error(_ node: SourceNode, _ message: String) {
        errors.append(ScenarioError(file: file, line: node.location.line, column: node.location.column,
                                    keyPath: node.path, message: message))
    }

    mutating func error(at location: SourceLocation, path: String, _ message: String) {
        errors.append(ScenarioError(file: file, line: location.line, column: location.column,
                                    keyPath: path, message: message))
    }
}

/// Reads the fields of one YAML mapping, remembering which keys were used so
/// that leftovers can be reported as unknown keys with a "did you mean" hint.
struct MappingReader {
    let node: SourceNode
    private var entries: [(key: String, keyNode: SourceNode, value: SourceNode)] = []
    private var used: Set<String> = []
    let allowedKeys: [String]

    /// Returns nil (after reporting) if `node` is not a mapping.
    init?(_ node: SourceNode, allowedKeys: [String], what: String, diagnostics: inout Diagnostics) {
        self.node = node
        self.allowedKeys = allowedKeys
        guard case .mapping(let pairs) = node.value else {
            diagnostics.error(node, "expected \(what) (a mapping with keys \(allowedKeys.joined(separator: ", "))), found \(node.kindDescription)")
            return nil
        }
        var seen: [String: SourceLocation] = [:]
        for pair in pairs {
            guard case .scalar(let key, _, _) = pair.key.value else {
                diagnostics.error(pair.key, "mapping keys must be plain strings, found \(pair.key.kindDescription)")
                continue
            }
            if let first = seen[key] {
                diagnostics.error(pair.key, "duplicate key \"\(key)\" (first given at line \(first.line))")
                continue
            }
            seen[key] = pair.key.location
            entries.append((key, pair.key, pair.value))
        }
    }

    /// The node under `key`, marking the key as used.
    mutating func child(_ key: String) -> SourceNode? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// The node under `key`, or an error naming the missing key.
    mutating func required(_ key: String, _ diagnostics: inout Diagnostics, hint: String = "") -> SourceNode? {
        if let value = child(key) { return value }
        let path = node.path.isEmpty ? key : "\(node.path).\(key)"
        diagnostics.error(at: node.location, path: path, "missing required key \"\(key)\"\(hint.isEmpty ? "" : "; \(hint)")")
        return nil
    }

    /// Reports every key that is not in `allowedKeys`.
    func reportUnknownKeys(_ diagnostics: inout Diagnostics) {
        for entry in entries where !allowedKeys.contains(entry.key) {
            var message = "unknown key \"\(entry.key)\""
            if let suggestion = Spelling.closest(to: entry.key, in: allowedKeys) {
                message += "; did you mean \"\(suggestion)\"?"
            } else {
                message += "; allowed keys here: \(allowedKeys.joined(separator: ", "))"
            }
            diagnostics.error(entry.keyNode, message)
        }
    }
}

/// Typed readers for scalar nodes. Each returns nil after reporting an error
/// that says what was found and what would be valid.
enum Read {
    static func string(_ node: SourceNode, _ d: inout Diagnostics, what: String = "a string") -> String? {
        guard case .scalar(let text, _, let tag) = node.value, tag != "alias" else {
            d.error(node, "expected \(what), found \(node.kindDescription)")
            return nil
        }
        return text
    }

    /// A name: non-empty, at most 128 characters, no whitespace or control characters.
    static func name(_ node: SourceNode, _ d: inout Diagnostics, what: String = "a name") -> String? {
        guard let text = string(node, &d, what: what) else { return nil }
        guard !text.isEmpty, text.count <= 128,
              !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            d.error(node, "expected \(what): 1 to 128 characters without spaces, found \"\(text.prefix(60))\"")
            return nil
        }
        return text
    }

    /// A name that also names files and report folders (scenario, workload,
    /// fault and host names): 1 to 63 letters, digits, `-`, `_` and `.`,
    /// starting with a letter or digit, never `..` — DNS-label-like, as AWS
    /// and Kubernetes names are, so it can never climb out of a folder.
    static func label(_ node: SourceNode, _ d: inout Diagnostics, what: String) -> String? {
        guard let text = name(node, &d, what: what) else { return nil }
        let allowed = text.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.".unicodeScalars.contains($0) }
        guard text.count <= 63, allowed, let first = text.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || ("0"..."9").contains(first), !text.contains("..") else {
            d.error(node, "expected \(what): 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit (no '/', no '..'), found \"\(text.prefix(60))\"")
            return nil
        }
        return text
    }

    static func integer(_ node: SourceNode, _ d: inout Diagnostics, range: ClosedRange<UInt64>, what: String) -> UInt64? {
        guard case .scalar(let text, let isPlain, _) = node.value, isPlain else {
            d.error(node, "expected \(what) (an integer from \(range.lowerBound) to \(range.upperBound)), found \(node.kindDescription)")
            return nil
        }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard let value = UInt64(cleaned), range.contains(value) else {
            let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
            d.error(node, "expected \(what) (an integer from \(range.lowerBound) to \(range.upperBound)), found \(shown)")
            return nil
        }
        return value
    }

    static func bool(_ node: SourceNode, _ d: inout Diagnostics) -> Bool? {
        guard case .scalar(let text, let isPlain, _) = node.value, isPlain else {
            d.error(node, "expected true or false, found \(node.kindDescription)")
            return nil
        }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            d.error(node, "expected true or false, found \(text)")
            return nil
        }
    }

    static func list(_ node: SourceNode, _ d: inout Diagnostics, what: String) -> [SourceNode]? {
        guard case .sequence(let items) = node.value else {
            d.error(node, "expected \(what) (a list), found \(node.kindDescription)")
            return nil
        }
        return items
    }

    /// A duration such as `90s`, `5m`, `1h30m`, `250ms`, `1.5s`, `2d`.
    static func duration(_ node: SourceNode, _ d: inout Diagnostics, allowZero: Bool = true) -> SimDuration? {
        guard case .scalar(let text, _, _) = node.value else {
            d.error(node, "expected a duration such as 90s, 5m or 1h30m, found \(node.kindDescription)")
            return nil
        }
        switch DurationSyntax.parse(text) {
        case .success(let duration):
            if !allowZero && duration == .zero {
                d.error(node, "duration must be greater than 0s")
                return nil
            }
            return duration
        case .failure(let problem):
            d.error(node, problem.message)
            return nil
        }
    }

    /// A percentage such as `99.9%` (or a fraction from 0 to 1, e.g. `0.999`), as a fraction.
    static func percentage(_ node: SourceNode, _ d: inout Diagnostics) -> Double? {
        guard case .scalar(let text, _, _) = node.value else {
            d.error(node, "expected a percentage such as 99.9%, found \(node.kindDescription)")
            return nil
        }
        var fraction: Double?
        if text.hasSuffix("%"), let percent = Double(text.dropLast()), percent.isFinite {
            fraction = percent / 100
        } else if let value = Double(text), value.isFinite, value <= 1 {
            fraction = value
        }
        guard let fraction, (0...1).contains(fraction) else {
            d.error(node, "expected a percentage from 0% to 100% such as 99.9%, found \(text.prefix(40))")
            return nil
        }
        return fraction
    }

    /// A rate such as `5/s`, `300/m`, `2/h`, `0.1/s`, as operations per second.
    static func rate(_ node: SourceNode, _ d: inout Diagnostics, maximumPerSecond: Double) -> Double? {
        guard case .scalar(let text, _, _) = node.value else {
            d.error(node, "expected a rate such as 5/s or 30/m, found \(node.kindDescription)")
            return nil
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let perUnit: [Substring: Double] = ["s": 1, "m": 60, "h": 3600]
        guard parts.count == 2, let count = Double(parts[0]), count.isFinite, let unit = perUnit[parts[1]] else {
            d.error(node, "expected a rate such as 5/s, 30/m or 2/h, found \(text.prefix(40))")
            return nil
        }
        let perSecond = count / unit
        guard perSecond > 0, perSecond <= maximumPerSecond else {
            d.error(node, "rate must be greater than 0 and at most \(Int(maximumPerSecond))/s, found \(text.prefix(40))")
            return nil
        }
        return perSecond
    }
}

/// "Did you mean" suggestions by edit distance.
enum Spelling {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            guard distance <= max(2, candidate.count / 3) else { continue }
            if let current = best, current.1 <= distance { continue }
            best = (candidate, distance)
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
