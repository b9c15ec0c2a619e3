/// A row filter's predicate: a small, safe boolean language over one
/// dataset's columns.
///
/// ```
/// predicate  := or
/// or         := and ("OR" and)*
/// and        := unary ("AND" unary)*
/// unary      := "NOT"* primary
/// primary    := "(" predicate ")" | comparison | membership
/// comparison := column ("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") literal
/// membership := column ["NOT"] "IN" "(" literal ("," literal)* ")"
/// column     := [A-Za-z_][A-Za-z0-9_]*  |  `any text, `` for a backquote`
/// literal    := -?digits[.digits][e[+-]digits] | 'text, '' for a quote' | true | false
/// ```
///
/// Keywords are case-insensitive. `NOT` binds tighter than `AND`, which
/// binds tighter than `OR`. Parsing is bounded: at most
/// ``maximumLength`` bytes of text and ``maximumDepth`` nested parentheses;
/// it never recurses except into a parenthesis, which counts against the
/// depth. Errors carry the byte offset.
///
/// Evaluation (``BoundRowPredicate``) uses SQL's three-valued logic: a
/// comparison with NULL is unknown, `NOT unknown` is unknown, and a row
/// passes only when the predicate is true.
public struct RowPredicate: Sendable, Hashable, CustomStringConvertible {
    /// The longest predicate text, in UTF-8 bytes.
    public static let maximumLength = 4096
    /// The deepest nesting of parentheses.
    public static let maximumDepth = 32

    /// The text it was parsed from.
    public let text: String
    let root: Node

    /// Parses `text`; throws ``CatalogError/invalidPredicate(offset:message:)``.
    public static func parse(_ text: String) throws(CatalogError) -> RowPredicate {
        var parser = try PredicateParser(text)
        return RowPredicate(text: text, root: try parser.parseAll())
    }

    init(text: String, root: Node) {
        self.text = text
        self.root = root
    }

    /// The column names the predicate mentions, sorted, each once.
    public var columns: [String] {
        var names: Set<String> = []
        var stack = [root]
        while let node = stack.popLast() {
            switch node {
            case .comparison(let column, _, _), .membership(let column, _, _):
                names.insert(column.name)
            case .and(let children), .or(let children):
                stack.append(contentsOf: children)
            case .not(let child):
                stack.append(child)
            }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The predicate text.
    public var description: String { text }

    /// A column reference with its offset in the text.
    struct ColumnReference: Sendable, Hashable {
        var name: String
        var offset: Int
    }

    /// A literal with its offset in the text.
    struct Literal: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case number(String)
            case string(String)
            case boolean(Bool)
        }
        var kind: Kind
        var offset: Int
    }

    /// A comparison operator.
    enum Operator: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        func holds(_ order: Int) -> Bool {
            switch self {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            }
        }
    }

    /// The syntax tree. `and`/`or` are n-ary, so a long chain is flat.
    indirect enum Node: Sendable, Hashable {
        case comparison(ColumnReference, Operator, Literal)
        case membership(ColumnReference, [Literal], negated: Bool)
        case and([Node])
        case or([Node])
        case not(Node)
    }
}
