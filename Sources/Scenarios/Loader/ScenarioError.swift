/// One problem in a scenario file, located precisely enough to fix it
/// without reading the loader: file, line, column and key path.
///
/// Rendered like a compiler diagnostic:
/// `scenarios/x.yaml:12:11: error: faults[0].target: unknown availability zone "us-west-2d"; …`
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when the problem is about the whole file.
    public var line: Int
    /// 1-based column; 0 when unknown.
    public var column: Int
    /// Where in the document, e.g. `faults[0].target`; empty for the root.
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        let path = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(location): error: \(path)\(message)"
    }
}

/// All the problems found in one scenario file, in file order.
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ScenarioError]
    public init(_ errors: [ScenarioError]) {
        self.errors = errors.sorted { ($0.line, $0.column, $0.keyPath) < ($1.line, $1.column, $1.keyPath) }
    }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
