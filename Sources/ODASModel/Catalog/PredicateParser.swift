/// The row-filter lexer and recursive-descent parser (see ``RowPredicate``
/// for the grammar). Bounded: the text is at most
/// ``RowPredicate/maximumLength`` bytes, so tokens are too; recursion happens
/// only through parentheses and is cut at ``RowPredicate/maximumDepth``.
struct PredicateParser {
    enum Token: Equatable {
        case identifier(String, quoted: Bool)
        case number(String)
        case string(String)
        case op(RowPredicate.Operator)
        case leftParenthesis, rightParenthesis, comma
        case end

        var shown: String {
            switch self {
            case .identifier(let name, let quoted): return quoted ? "`\(name)`" : name
            case .number(let text): return text
            case .string(let text): return "'" + text.replacing("'", with: "''") + "'"
            case .op(let op): return op.rawValue
            case .leftParenthesis: return "'('"
            case .rightParenthesis: return "')'"
            case .comma: return "','"
            case .end: return "end of predicate"
            }
        }

        func isKeyword(_ word: String) -> Bool {
            guard case .identifier(let name, quoted: false) = self else { return false }
            return name.uppercased() == word
        }
    }

    /// The most literals in one IN list.
    static let maximumListLength = 1000

    var tokens: [(token: Token, offset: Int)] = []
    var index = 0
    var depth = 0

    init(_ text: String) throws(CatalogError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= RowPredicate.maximumLength else {
            throw .invalidPredicate(offset: RowPredicate.maximumLength,
                                    message: "the predicate is \(bytes.count) bytes long; at most \(RowPredicate.maximumLength) are allowed")
        }
        tokens = try Self.tokenize(bytes)
        if tokens.count == 1 { throw .invalidPredicate(offset: 0, message: "the predicate is empty") }
    }

    // MARK: Lexer

    static func tokenize(_ bytes: [UInt8]) throws(CatalogError) -> [(token: Token, offset: Int)] {
        var tokens: [(token: Token, offset: Int)] = []
        var i = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func isIdentifierStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        func at(_ j: Int) -> UInt8? { j < bytes.count ? bytes[j] : nil }
        while i < bytes.count {
            let start = i
            let byte = bytes[i]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
            case 0x28: tokens.append((.leftParenthesis, start)); i += 1
            case 0x29: tokens.append((.rightParenthesis, start)); i += 1
            case 0x2C: tokens.append((.comma, start)); i += 1
            case 0x3D: tokens.append((.op(.equal), start)); i += 1
            case 0x21: // !=
                guard at(i + 1) == 0x3D else {
                    throw .invalidPredicate(offset: start, message: "'!' must be followed by '=' (write != or <>)")
                }
                tokens.append((.op(.notEqual), start)); i += 2
            case 0x3C: // < <= <>
                if at(i + 1) == 0x3D { tokens.append((.op(.lessOrEqual), start)); i += 2 }
                else if at(i + 1) == 0x3E { tokens.append((.op(.notEqual), start)); i += 2 }
                else { tokens.append((.op(.less), start)); i += 1 }
            case 0x3E: // > >=
                if at(i + 1) == 0x3D { tokens.append((.op(.greaterOrEqual), start)); i += 2 }
                else { tokens.append((.op(.greater), start)); i += 1 }
            case 0x27, 0x60: // 'string' or `identifier`
                let quote = byte
                var content: [UInt8] = []
                i += 1
                while true {
                    guard let b = at(i) else {
                        let what = quote == 0x27 ? "string" : "quoted column name"
                        throw .invalidPredicate(offset: start, message: "unterminated \(what) (close it with \(quote == 0x27 ? "'" : "`"))")
                    }
                    if b == quote {
                        if at(i + 1) == quote { content.append(quote); i += 2; continue }
                        i += 1
                        break
                    }
                    if b < 0x20 || b == 0x7F {
                        throw .invalidPredicate(offset: i, message: "control character 0x\(String(b, radix: 16)) inside quotes")
                    }
                    content.append(b)
                    i += 1
                }
                let text = String(decoding: content, as: UTF8.self)
                if quote == 0x27 {
                    tokens.append((.string(text), start))
                } else {
                    guard !text.isEmpty else { throw .invalidPredicate(offset: start, message: "empty quoted column name") }
                    tokens.append((.identifier(text, quoted: true), start))
                }
            case _ where isDigit(byte) || (byte == 0x2D && at(i + 1).map(isDigit) == true):
                if byte == 0x2D { i += 1 }
                while let b = at(i), isDigit(b) { i += 1 }
                if at(i) == 0x2E {
                    i += 1
                    guard let b = at(i), isDigit(b) else {
                        throw .invalidPredicate(offset: i, message: "a digit must follow the decimal point")
                    }
                    while let b = at(i), isDigit(b) { i += 1 }
                }
                if at(i) == 0x65 || at(i) == 0x45 {
                    i += 1
                    if at(i) == 0x2B || at(i) == 0x2D { i += 1 }
                    guard let b = at(i), isDigit(b) else {
                        throw .invalidPredicate(offset: i, message: "a digit must follow the exponent")
                    }
                    while let b = at(i), isDigit(b) { i += 1 }
                }
                if let b = at(i), isIdentifierStart(b) || isDigit(b) || b == 0x2E {
                    throw .invalidPredicate(offset: i, message: "unexpected character after the number")
                }
                tokens.append((.number(String(decoding: bytes[start..<i], as: UTF8.self)), start))
            case _ where isIdentifierStart(byte):
                while let b = at(i), isIdentifierStart(b) || isDigit(b) { i += 1 }
                tokens.append((.identifier(String(decoding: bytes[start..<i], as: UTF8.self), quoted: false), start))
            default:
                if byte < 0x20 || byte == 0x7F {
                    throw .invalidPredicate(offset: start, message: "control character 0x\(String(byte, radix: 16))")
                }
                let shown = byte < 0x80 ? "'" + String(UnicodeScalar(byte)) + "'" : "a non-ASCII character outside quotes"
                throw .invalidPredicate(offset: start,
                                        message: "unexpected \(shown); expected a column, a literal, an operator or a parenthesis")
            }
        }
        tokens.append((.end, bytes.count))
        return tokens
    }

    // MARK: Parser

    var current: Token { tokens[index].token }
    var offset: Int { tokens[index].offset }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    mutating func parseAll() throws(CatalogError) -> RowPredicate.Node {
        let node = try parseOr()
        guard current == .end else {
            throw .invalidPredicate(offset: offset, message: "expected AND, OR or the end of the predicate, found \(current.shown)")
        }
        return node
    }

    mutating func parseOr() throws(CatalogError) -> RowPredicate.Node {
        var children = [try parseAnd()]
        while current.isKeyword("OR") {
            advance()
            children.append(try parseAnd())
        }
        return children.count == 1 ? children[0] : .or(children)
    }

    mutating func parseAnd() throws(CatalogError) -> RowPredicate.Node {
        var children = [try parseUnary()]
        while current.isKeyword("AND") {
            advance()
            children.append(try parseUnary())
        }
        return children.count == 1 ? children[0] : .and(children)
    }

    /// `NOT`s are counted in a loop, not recursed into: `NOT NOT x` is `x`
    /// (also in three-valued logic).
    mutating func parseUnary() throws(CatalogError) -> RowPredicate.Node {
        var negations = 0
        while current.isKeyword("NOT") {
            negations += 1
            advance()
        }
        let node = try parsePrimary()
        return negations % 2 == 1 ? .not(node) : node
    }

    mutating func parsePrimary() throws(CatalogError) -> RowPredicate.Node {
        switch current {
        case .leftParenthesis:
            let open = offset
            depth += 1
            guard depth <= RowPredicate.maximumDepth else {
                throw .invalidPredicate(offset: open,
                                        message: "parentheses nested deeper than \(RowPredicate.maximumDepth) levels")
            }
            advance()
            let node = try parseOr()
            guard current == .rightParenthesis else {
                throw .invalidPredicate(offset: offset, message: "expected ')' to close the '(' at offset \(open), found \(current.shown)")
            }
            advance()
            depth -= 1
            return node
        case .identifier(let name, let quoted):
            if !quoted, ["AND", "OR", "NOT", "IN", "TRUE", "FALSE"].contains(name.uppercased()) {
                throw .invalidPredicate(offset: offset,
                                        message: "expected a column, NOT or '(', found the keyword \(name) (quote a column named so with backquotes)")
            }
            let column = RowPredicate.ColumnReference(name: name, offset: offset)
            advance()
            return try parseAfterColumn(column)
        default:
            throw .invalidPredicate(offset: offset, message: "expected a column, NOT or '(', found \(current.shown)")
        }
    }

    mutating func parseAfterColumn(_ column: RowPredicate.ColumnReference) throws(CatalogError) -> RowPredicate.Node {
        if case .op(let op) = current {
            advance()
            return .comparison(column, op, try parseLiteral())
        }
        var negated = false
        if current.isKeyword("NOT") {
            negated = true
            advance()
            guard current.isKeyword("IN") else {
                throw .invalidPredicate(offset: offset, message: "expected IN after \(column.name) NOT, found \(current.shown)")
            }
        }
        guard current.isKeyword("IN") else {
            throw .invalidPredicate(offset: offset,
                                    message: "expected a comparison (=, !=, <, <=, >, >=) or IN after column \(column.name), found \(current.shown)")
        }
        advance()
        guard current == .leftParenthesis else {
            throw .invalidPredicate(offset: offset, message: "expected '(' after IN, found \(current.shown)")
        }
        let open = offset
        advance()
        var literals = [try parseLiteral()]
        while current == .comma {
            advance()
            guard literals.count < Self.maximumListLength else {
                throw .invalidPredicate(offset: offset, message: "an IN list holds at most \(Self.maximumListLength) literals")
            }
            literals.append(try parseLiteral())
        }
        guard current == .rightParenthesis else {
            throw .invalidPredicate(offset: offset, message: "expected ',' or ')' to close the IN list at offset \(open), found \(current.shown)")
        }
        advance()
        return .membership(column, literals, negated: negated)
    }

    mutating func parseLiteral() throws(CatalogError) -> RowPredicate.Literal {
        let at = offset
        let kind: RowPredicate.Literal.Kind
        switch current {
        case .number(let text): kind = .number(text)
        case .string(let text): kind = .string(text)
        case _ where current.isKeyword("TRUE"): kind = .boolean(true)
        case _ where current.isKeyword("FALSE"): kind = .boolean(false)
        default:
            throw .invalidPredicate(offset: at, message: "expected a literal (a number, 'text', true or false), found \(current.shown)")
        }
        advance()
        return RowPredicate.Literal(kind: kind, offset: at)
    }
}
