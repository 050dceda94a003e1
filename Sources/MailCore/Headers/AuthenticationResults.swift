/// An `Authentication-Results` header field (RFC 8601), read as receiving servers write it.
///
/// `authserv-id [version] ; method=result [reason=…] [ptype.property=value …] ; …`, with comments anywhere. Also
/// read: Exchange Online's form with no authserv-id (`spf=pass (sender IP is …) smtp.mailfrom=…; dkim=…`) and its
/// bare `key=value` pairs (`action=none`); `none` (no results). Bounded: the value is read up to `maxBytes`, at
/// most `maxResults` results are kept, and the work is linear in the bytes read.
public struct AuthenticationResults: Sendable, Equatable {
    /// One `method=result` and what follows it up to the next `;`.
    public struct Result: Sendable, Equatable {
        /// `spf`, `dkim`, `dmarc`, `arc`, `iprev`, … lower-cased (a method version `/1` dropped).
        public var method: String
        /// `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror`, `policy`, … lower-cased.
        public var result: String
        /// `ptype.property` (lower-cased) or a bare key (`action`, `reason`) → value, in the order written.
        public var properties: [(key: String, value: String)]
        /// The text of the comments after the result (`(p=REJECT sp=REJECT dis=NONE)`), joined by a blank.
        public var comment: String

        public init(
            method: String, result: String, properties: [(key: String, value: String)] = [], comment: String = ""
        ) {
            self.method = method
            self.result = result
            self.properties = properties
            self.comment = comment
        }

        /// The value of the first property named `key` (lower-case).
        public func property(_ key: String) -> String? { properties.first { $0.key == key }?.value }

        public static func == (a: Result, b: Result) -> Bool {
            a.method == b.method && a.result == b.result && a.comment == b.comment
                && a.properties.map(\.key) == b.properties.map(\.key)
                && a.properties.map(\.value) == b.properties.map(\.value)
        }
    }

    /// The server that wrote the results (lower-cased, no trailing dot); nil when the field starts with a result.
    public var authservID: String?
    public var results: [Result]

    public init(authservID: String?, results: [Result]) {
        self.authservID = authservID
        self.results = results
    }

    /// Bytes of a value read; the rest is ignored.
    public static let maxBytes = 8192
    /// Results kept per field.
    public static let maxResults = 64

    /// Parses an unfolded field value; nil when it holds neither an authserv-id nor a result.
    public static func parse(_ value: [UInt8]) -> AuthenticationResults? {
        let tokens = tokenize(value.prefix(maxBytes))
        guard !tokens.isEmpty else { return nil }
        // Statements separated by `;`: the first is the authserv-id (and version) unless it holds a `method=result`.
        var statements: [[Token]] = [[]]
        for t in tokens {
            if case .semicolon = t { statements.append([]) } else { statements[statements.count - 1].append(t) }
        }
        var out = AuthenticationResults(authservID: nil, results: [])
        var first = 0
        if let head = statements.first,
            !head.contains(where: { if case .equals = $0 { return true } else { return false } })
        {
            first = 1
            if case .word(let id)? = head.first(where: { if case .word = $0 { return true } else { return false } }) {
                var id = id.lowercased()
                while id.hasSuffix(".") { id.removeLast() }
                out.authservID = id.isEmpty ? nil : id
            }
        }
        for statement in statements.dropFirst(first) where out.results.count < maxResults {
            if let r = result(statement) { out.results.append(r) }
        }
        if out.authservID == nil && out.results.isEmpty { return nil }
        return out
    }

    enum Token: Equatable {
        case word(String)
        case equals
        case semicolon
        case comment(String)
    }

    /// Words (atoms, dot-atoms, quoted strings), `=`, `;` and comments (nested, with quoted pairs).
    static func tokenize(_ b: ArraySlice<UInt8>) -> [Token] {
        var out: [Token] = []
        var i = b.startIndex
        let end = b.endIndex
        while i < end {
            let c = b[i]
            if ASCII.isWhitespace(c) {
                i += 1
            } else if c == ASCII.semicolon {
                out.append(.semicolon)
                i += 1
            } else if c == ASCII.equals {
                out.append(.equals)
                i += 1
            } else if c == ASCII.openParen {
                var depth = 0
                var text: [UInt8] = []
                while i < end {
                    let d = b[i]
                    if d == ASCII.backslash, i + 1 < end {
                        text.append(b[i + 1])
                        i += 2
                        continue
                    }
                    if d == ASCII.openParen {
                        depth += 1
                        if depth > 1 { text.append(d) }
                    } else if d == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            break
                        }
                        text.append(d)
                    } else {
                        text.append(d)
                    }
                    i += 1
                }
                out.append(.comment(String(decoding: text, as: UTF8.self)))
            } else if c == ASCII.quote {
                var text: [UInt8] = []
                i += 1
                while i < end, b[i] != ASCII.quote {
                    if b[i] == ASCII.backslash, i + 1 < end { i += 1 }
                    text.append(b[i])
                    i += 1
                }
                i += 1
                out.append(.word(String(decoding: text, as: UTF8.self)))
            } else {
                let start = i
                while i < end, !ASCII.isWhitespace(b[i]),
                    b[i] != ASCII.semicolon && b[i] != ASCII.equals && b[i] != ASCII.openParen && b[i] != ASCII.quote
                {
                    i += 1
                }
                out.append(.word(String(decoding: b[start..<i], as: UTF8.self)))
            }
        }
        return out
    }

    /// `method[/version]=result`, then `key=value` pairs; comments before the first pair describe the result.
    static func result(_ t: [Token]) -> Result? {
        guard t.count >= 3, case .word(let m) = t[0], case .equals = t[1], case .word(let r) = t[2] else { return nil }
        let method = String(m.lowercased().prefix { $0 != "/" })
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            return nil
        }
        var out = Result(method: method, result: r.lowercased())
        var comments: [String] = []
        var k = 3
        while k < t.count {
            switch t[k] {
            case .comment(let text):
                comments.append(text)
                k += 1
            case .word(let key) where k + 2 < t.count && t[k + 1] == .equals:
                if case .word(let value) = t[k + 2] {
                    out.properties.append((key.lowercased(), value))
                    k += 3
                } else {
                    k += 2
                }
            default:
                k += 1
            }
        }
        out.comment = comments.joined(separator: " ")
        return out
    }
}
