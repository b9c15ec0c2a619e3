import Foundation
import SimCore
import Yams
import AWSSim

/// Error messages: did-you-mean, YAML errors with positions, invalid UTF-8.
extension ScenarioLoader {
    // MARK: Messages

    static func unknownMessage(_ what: String, _ value: String, _ candidates: [String]) -> String {
        var message = "unknown \(what) \"\(value.prefix(60))\""
        if let suggestion = Spelling.closest(to: value, in: candidates) {
            message += "; did you mean \"\(suggestion)\"?"
        } else if candidates.isEmpty {
            message += "; none are defined"
        } else {
            let shown = candidates.prefix(12).joined(separator: ", ")
            message += "; known: \(shown)\(candidates.count > 12 ? ", …" : "")"
        }
        return message
    }

    static func fileError(_ file: String, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: 0, column: 0, keyPath: "", message: message)
    }

    static func yamlError(_ error: Error, file: String) -> ScenarioError {
        guard let yaml = error as? YamlError else {
            return ScenarioError(file: file, line: 0, column: 0, keyPath: "", message: "invalid YAML: \(error)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, yaml), let .parser(context, problem, mark, yaml),
             let .composer(context, problem, mark, yaml):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            // libyaml reports problems found at the end of input one line past
            // the last line when the file has no final newline.
            let lastLine = max(1, yaml.split(separator: "\n", omittingEmptySubsequences: false).count
                                  - (yaml.hasSuffix("\n") ? 1 : 0))
            // A construct left open at the end of the file (a quote, a flow list)
            // is best located where it was opened.
            if problem.contains("end of stream"), let opened = context?.mark {
                return ScenarioError(file: file, line: opened.line, column: opened.column, keyPath: "",
                                     message: "invalid YAML: \(detail) (opened at line \(opened.line), never closed)")
            }
            let line = min(mark.line, lastLine)
            return ScenarioError(file: file, line: line, column: line == mark.line ? mark.column : 1, keyPath: "",
                                 message: "invalid YAML: \(detail)")
        case let .reader(problem, offset, _, yaml):
            let (line, column) = offset.map { lineAndColumn(Array(yaml.utf8), offset: $0) } ?? (0, 0)
            return ScenarioError(file: file, line: line, column: column, keyPath: "", message: "invalid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the first occurrence; point at the repeat, which is the one to fix.
            let (line, column) = duplicates.first.flatMap {
                secondOccurrence(ofKey: $0, in: context.text, after: context.mark)
            } ?? (context.mark.line, context.mark.column)
            return ScenarioError(file: file, line: line, column: column, keyPath: "",
                                 message: "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in one mapping (first given at line \(context.mark.line))")
        default:
            return ScenarioError(file: file, line: 0, column: 0, keyPath: "", message: "invalid YAML: \(yaml)")
        }
    }

    /// The line and column of the next `key:` after `mark` (the first occurrence).
    static func secondOccurrence(ofKey key: String, in text: String, after mark: Mark) -> (Int, Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        for index in (mark.line - 1)..<lines.count {
            let line = Array(lines[index].unicodeScalars)
            let keyScalars = Array(key.unicodeScalars)
            var start = index == mark.line - 1 ? max(0, mark.column - 1) + keyScalars.count : 0
            while start + keyScalars.count <= line.count {
                defer { start += 1 }
                guard Array(line[start..<start + keyScalars.count]) == keyScalars else { continue }
                let before = start == 0 ? " " : line[start - 1]
                guard before == " " || before == "{" || before == "," || before == "\t" || before == "-" else { continue }
                var after = start + keyScalars.count
                while after < line.count, line[after] == " " { after += 1 }
                if after < line.count, line[after] == ":" { return (index + 1, start + 1) }
            }
        }
        return nil
    }

    static func lineAndColumn(_ bytes: [UInt8], offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == 10 { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, column: Int, offset: Int, byte: UInt8) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 4)
            var length = 0
            for candidate in 1...max(1, end - offset) where String(validating: bytes[offset..<offset + candidate], as: UTF8.self) != nil {
                length = candidate
                break
            }
            if length == 0 {
                let (line, column) = lineAndColumn(bytes, offset: offset)
                return (line, column, offset, bytes[offset])
            }
            offset += length
        }
        return (1, 1, 0, bytes.first ?? 0)
    }
}
