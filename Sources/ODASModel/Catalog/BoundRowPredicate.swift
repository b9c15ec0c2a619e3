/// A ``RowPredicate`` checked against one dataset's schema: every column
/// exists, every literal has the column's type. Evaluates rows of that
/// dataset (values in schema order).
public struct BoundRowPredicate: Sendable, Hashable, CustomStringConvertible {
    /// The predicate it was bound from.
    public let predicate: RowPredicate
    let root: Node

    indirect enum Node: Sendable, Hashable {
        case comparison(Int, RowPredicate.Operator, Value)
        case membership(Int, [Value], negated: Bool)
        case and([Node])
        case or([Node])
        case not(Node)
    }

    /// Whether `row` passes: true only when the predicate is true (unknown,
    /// from a NULL, does not pass — SQL's WHERE).
    public func matches(_ row: Row) -> Bool { Self.truth(root, row) == true }

    /// The predicate text.
    public var description: String { predicate.text }

    /// Three-valued evaluation: nil is unknown. Recursion depth is bounded
    /// by the parser's nesting bound (each level adds at most three nodes).
    static func truth(_ node: Node, _ row: Row) -> Bool? {
        switch node {
        case .comparison(let index, let op, let literal):
            return Value.compare(row[index], literal).map(op.holds)
        case .membership(let index, let literals, let negated):
            let value = row[index]
            if value == .null { return nil }
            let found = literals.contains { Value.compare(value, $0) == 0 }
            return negated ? !found : found
        case .and(let children):
            var sawUnknown = false
            for child in children {
                switch truth(child, row) {
                case false?: return false
                case nil: sawUnknown = true
                case true?: break
                }
            }
            return sawUnknown ? nil : true
        case .or(let children):
            var sawUnknown = false
            for child in children {
                switch truth(child, row) {
                case true?: return true
                case nil: sawUnknown = true
                case false?: break
                }
            }
            return sawUnknown ? nil : false
        case .not(let child):
            return truth(child, row).map { !$0 }
        }
    }
}

extension RowPredicate {
    /// Checks the predicate against `columns` (the schema of `dataset`) and
    /// returns the evaluable form. An unknown column or a literal of the
    /// wrong type throws ``CatalogError/invalidPredicate(offset:message:)``
    /// at its offset. Comparing booleans orders false before true; strings
    /// compare by UTF-8 bytes; a date literal is a string `'YYYY-MM-DD'`.
    public func bind(to columns: [ColumnDefinition], dataset: String) throws(CatalogError) -> BoundRowPredicate {
        var positions: [String: Int] = [:]
        for (index, column) in columns.enumerated() { positions[column.name] = index }
        func column(_ reference: ColumnReference) throws(CatalogError) -> (Int, ColumnType) {
            guard let index = positions[reference.name] else {
                let known = columns.map(\.name).joined(separator: ", ")
                throw .invalidPredicate(offset: reference.offset,
                                        message: "unknown column \(reference.name) in \(dataset) (columns: \(known))")
            }
            return (index, columns[index].type)
        }
        func value(_ literal: Literal, for reference: ColumnReference, type: ColumnType) throws(CatalogError) -> Value {
            let converted: Value?
            switch (literal.kind, type) {
            case (.number(let text), .bigint), (.number(let text), .int), (.number(let text), .double):
                converted = Value(text: text, as: type)
            case (.string(let text), .string), (.string(let text), .date):
                converted = Value(text: text, as: type)
            case (.boolean(let flag), .boolean):
                converted = .boolean(flag)
            default:
                converted = nil
            }
            guard let converted else {
                let shown: String
                switch literal.kind {
                case .number(let text): shown = text
                case .string(let text): shown = "'" + text.replacing("'", with: "''") + "'"
                case .boolean(let flag): shown = flag ? "true" : "false"
                }
                let hint: String
                switch type {
                case .bigint: hint = "an integer in the 64-bit range"
                case .int: hint = "an integer in the 32-bit range"
                case .double: hint = "a number"
                case .string: hint = "a 'quoted string'"
                case .date: hint = "a date 'YYYY-MM-DD'"
                case .boolean: hint = "true or false"
                }
                throw .invalidPredicate(offset: literal.offset,
                                        message: "column \(reference.name) is \(type.rawValue): \(shown) is not \(hint)")
            }
            return converted
        }
        func bindNode(_ node: Node) throws(CatalogError) -> BoundRowPredicate.Node {
            switch node {
            case .comparison(let reference, let op, let literal):
                let (index, type) = try column(reference)
                return .comparison(index, op, try value(literal, for: reference, type: type))
            case .membership(let reference, let literals, let negated):
                let (index, type) = try column(reference)
                var values: [Value] = []
                for literal in literals { values.append(try value(literal, for: reference, type: type)) }
                return .membership(index, values, negated: negated)
            case .and(let children):
                var bound: [BoundRowPredicate.Node] = []
                for child in children { bound.append(try bindNode(child)) }
                return .and(bound)
            case .or(let children):
                var bound: [BoundRowPredicate.Node] = []
                for child in children { bound.append(try bindNode(child)) }
                return .or(bound)
            case .not(let child):
                return .not(try bindNode(child))
            }
        }
        return BoundRowPredicate(predicate: self, root: try bindNode(root))
    }
}
