/// Reads one `Received:` field value into a `ReceivedHop`.
///
/// The value is split into clauses at the RFC 5321 keywords (`from`, `by`, `via`, `with`, `id`, `for`) found outside
/// comments, and a date after the last `;`. The `from` clause is then read by shape, which is how the formats
/// differ:
///
/// | shape | writers | connecting IP | HELO | reverse DNS | read by |
/// |---|---|---|---|---|---|
/// | `from HELO (RDNS [IP])` | Postfix, Sendmail, Google, Courier | the literal | the word | the name in the comment | `fromNamedLiteral`, `fromUnnamedLiteral` |
/// | `from RDNS ([IP]:port helo=HELO ident=U)` | Exim | the literal | `helo=` or the word | the word | `fromLeadingLiteral` |
/// | `from [IP] (port=P helo=HELO)` | Exim without reverse DNS | the word | `helo=` | none | `fromWordAlone` |
/// | `from RDNS (HELO HELO) (U@IP)` | qmail | the bare address | `HELO` or the word | the word (`unknown`: none) | `fromBareAddress` |
/// | `from HELO (IP) by HOST (IP)` | Exchange 2007+, Exchange Online | the bare address | the word | none | `fromBareAddress` |
/// | `from HELO ([IP] RDNS failed)` | Exchange 2000 | the literal | the word | failed | `fromLeadingLiteral` |
/// | `from [IP] (HELO HELO)` / `(account U HELO H)` | CommuniGate | the word | `HELO` | none | `fromWordAlone` |
/// | `from HELO [IP] by HOST [IP]` | MDaemon, fetchmail | the literal after the word | the word | none | `fromLiteralAfterWord` |
/// | `from [IP] by HOST via HTTP` | Yahoo and other webmail | the word | none | none | `fromWordAlone` |
///
/// An address in the word position is a HELO claim whenever the header records another, connecting, address.
public enum ReceivedParser {
    public struct Limits: Sendable {
        /// Bytes of the value read; the rest is ignored and the hop marked `truncated`.
        public var maxBytes: Int
        /// Tokens read at the top level and inside each comment.
        public var maxTokens: Int
        public init(maxBytes: Int = 8192, maxTokens: Int = 256) {
            self.maxBytes = maxBytes
            self.maxTokens = maxTokens
        }
    }

    /// Parses an unfolded `Received:` value (as `HeaderField.unfoldedValue(in:)` returns it).
    public static func parse(_ value: [UInt8], limits: Limits = Limits()) -> ReceivedHop {
        value.withUnsafeBufferPointer { parse($0, limits: limits) }
    }

    /// Parses an unfolded `Received:` value in place: the bytes are read, never copied; the hop's text values are
    /// the only allocations.
    public static func parse(_ value: UnsafeBufferPointer<UInt8>, limits: Limits = Limits()) -> ReceivedHop {
        var p = Reader(b: value, limits: limits)
        p.run()
        return (consume p).hop
    }

    public static func parse(_ value: String, limits: Limits = Limits()) -> ReceivedHop {
        parse(Array(value.utf8), limits: limits)
    }
}

/// The keyword a clause starts with (`leading`: the text before the first keyword; `date`: after a `;`).
enum Clause: UInt8, Equatable {
    case leading, from, by, via, with, id, `for`, date
}

/// A clause and its tokens, `toks[start..<end]` (a clause's tokens are always contiguous).
struct ClauseSpan {
    var kind: Clause
    var start: Int
    var end: Int
    var isEmpty: Bool { start == end }
}

/// A text value found while reading, made into a `String` only if the hop keeps it.
enum Val {
    /// `text(range)`, the range already clamped to its maximum length.
    case plain(Int32, Int32)
    /// The same with blanks trimmed at both ends.
    case trimmed(Int32, Int32)
    /// `account ` + the text.
    case account(Int32, Int32)
    /// `uid ` + the text.
    case uid(Int32, Int32)
    case string(String)

    @inline(__always) static func plain(_ r: Range<Int>) -> Val {
        .plain(Int32(truncatingIfNeeded: r.lowerBound), Int32(truncatingIfNeeded: r.upperBound))
    }
    @inline(__always) static func trimmed(_ r: Range<Int>) -> Val {
        .trimmed(Int32(truncatingIfNeeded: r.lowerBound), Int32(truncatingIfNeeded: r.upperBound))
    }
}

/// One parse: the value, its tokens and the hop being filled. The driver (clause splitting) is here; the clauses
/// are read in `ReceivedFromClause.swift` (the `from` shapes), `ReceivedComment.swift`, `ReceivedByWithFor.swift`,
/// `ReceivedFamily.swift` (which MTA wrote the header) and `ReceivedProtocol.swift` (the `with` protocol).
struct Reader {
    let b: UnsafeBufferPointer<UInt8>
    let limits: ReceivedParser.Limits
    var hop = ReceivedHop()
    /// Tokens of the value, then (as a stack) the tokens of the comment being read.
    var toks: [ReceivedToken] = []

    init(b: UnsafeBufferPointer<UInt8>, limits: ReceivedParser.Limits) {
        self.b = b
        self.limits = limits
    }

    // MARK: Text helpers

    /// `r` clamped to the value and to `max` bytes.
    @inline(__always)
    func clamp(_ r: Range<Int>, _ max: Int) -> Range<Int> {
        let lo = Swift.max(0, Swift.min(r.lowerBound, b.count))
        let hi = Swift.max(lo, Swift.min(r.upperBound, b.count, lo + max))
        return lo..<hi
    }

    func decode(_ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    func text(_ r: Range<Int>, max: Int = 255) -> String {
        decode(clamp(r, max))
    }

    func string(_ v: Val) -> String {
        switch v {
        case .plain(let lo, let hi): return decode(Int(lo)..<Int(hi))
        case .trimmed(let lo, let hi): return trimmedBlanks(Int(lo)..<Int(hi))
        case .account(let lo, let hi): return "account " + decode(Int(lo)..<Int(hi))
        case .uid(let lo, let hi): return "uid " + decode(Int(lo)..<Int(hi))
        case .string(let s): return s
        }
    }

    @inline(__always)
    func isWord(_ t: ReceivedToken, _ lowered: StaticString) -> Bool {
        t.kind == .word && b.asciiEquals(t.range, lowered)
    }

    // The three helpers below are the only `String` rules left, and only for text that is not ASCII: there the
    // rules are `Character` rules (a `?` followed by a combining mark is not a `?`; `K`, the Kelvin sign,
    // lower-cases to `k`), which bytes cannot reproduce. ASCII text, nearly all of it, takes the byte path.

    /// Whether a text value, lower-cased, is the literal (`String.lowercased()` semantics for non-ASCII text).
    func lowerEquals(_ v: Val, _ lowered: StaticString) -> Bool {
        if case .plain(let lo, let hi) = v, b.isASCII(Int(lo)..<Int(hi)) {
            return b.asciiEquals(Int(lo)..<Int(hi), lowered)
        }
        return string(v).lowercased() == lowered.description
    }

    /// `text(r).trimmingQuestionMarks`.
    func stripQuestion(_ r: Range<Int>) -> String {
        let c = clamp(r, 255)
        guard b.isASCII(c) else { return text(r).trimmingQuestionMarks }
        return decode(b.trimming(c) { $0 == ASCII.question })
    }

    /// `decode(r).trimmingBlanks` (`r` already clamped).
    func trimmedBlanks(_ r: Range<Int>) -> String {
        guard b.isASCII(r) else { return decode(r).trimmingBlanks }
        return decode(b.trimming(r, ASCII.isSpaceOrTab))
    }

    // MARK: Driver

    mutating func run() {
        var end = b.count
        if end > limits.maxBytes {
            end = limits.maxBytes
            hop.truncated = true
        }
        toks.reserveCapacity(64)
        ReceivedLexer.tokens(b, 0..<end, limit: limits.maxTokens, into: &toks)
        let topCount = toks.count
        var clauses: [ClauseSpan] = [ClauseSpan(kind: .leading, start: 0, end: 0)]
        clauses.reserveCapacity(12)
        for idx in 0..<topCount {
            let t = toks[idx]
            if t.kind == .semicolon {
                clauses.append(ClauseSpan(kind: .date, start: idx + 1, end: idx + 1))
                continue
            }
            if t.kind == .word, let k = keyword(t) {
                // A keyword right after the same keyword is a value (`from from`), not a new clause.
                let last = clauses.count - 1
                if clauses[last].kind == k, clauses[last].isEmpty {
                    clauses[last].end = idx + 1
                } else {
                    clauses.append(ClauseSpan(kind: k, start: idx + 1, end: idx + 1))
                }
                continue
            }
            clauses[clauses.count - 1].end = idx + 1
        }
        detectFamily(clauses)
        var sawFrom = false
        var sawBy = false
        var dateClause: ClauseSpan? = nil
        var trailing: Range<Int> = 0..<0
        for c in clauses {
            switch c.kind {
            case .leading: readLeading(c)
            case .from:
                if !sawFrom { readFrom(c) }
                sawFrom = true
            case .by:
                if !sawBy { readBy(c) }
                sawBy = true
            case .with: readWith(c)
            case .via: if hop.via == nil { hop.via = words(c) }
            case .id:
                if hop.id == nil, !c.isEmpty, toks[c.start].kind == .word || toks[c.start].kind == .angle {
                    hop.id = text(toks[c.start].range, max: 128)
                }
                trailing = c.isEmpty ? 0..<0 : (c.start + 1)..<c.end
            case .for:
                readFor(c)
                trailing = c.isEmpty ? 0..<0 : (c.start + 1)..<c.end
            case .date: dateClause = c
            }
        }
        classifyProtocol()
        // The date: after the last `;`, else trailing words after `id`/`for` (`id X Wed, 31 Oct 2012 …`).
        if let dt = dateClause, !dt.isEmpty {
            let r = span(dt.start..<dt.end)
            hop.date = ReceivedDateParser.parse(b, r)
            if hop.date == nil { hop.badDate = true }
        } else if !trailing.isEmpty {
            hop.date = ReceivedDateParser.parse(b, span(trailing))
        }
        hop.isJunk = !sawFrom && !sawBy && hop.date == nil && !hop.isLocal && !hop.isQmailQueueStep
        if hop.ip == nil, hop.fromWord == nil, !sawFrom, hop.by != nil, hop.protocolKind == .local {
            hop.isLocal = true
        }
    }

    /// The bytes from the first to the last of `toks[indices]` (not empty).
    func span(_ indices: Range<Int>) -> Range<Int> {
        let f = toks[indices.lowerBound]
        let l = toks[indices.upperBound - 1]
        // Re-include the delimiters of a trailing comment (`(PDT)`) so the date reader can skip it.
        let lo = f.kind == .word ? f.range.lowerBound : Swift.max(0, f.range.lowerBound - 1)
        let hi = l.kind == .word ? l.range.upperBound : Swift.min(b.count, l.range.upperBound + 1)
        return lo..<Swift.max(lo, hi)
    }

    func keyword(_ t: ReceivedToken) -> Clause? {
        let r = t.range
        switch r.count {
        case 2:
            if b.asciiEquals(r, "by") { return .by }
            if b.asciiEquals(r, "id") { return .id }
        case 3:
            if b.asciiEquals(r, "via") { return .via }
            if b.asciiEquals(r, "for") { return .for }
        case 4:
            if b.asciiEquals(r, "from") { return .from }
            if b.asciiEquals(r, "with") { return .with }
        default: break
        }
        return nil
    }

    /// The leading words of a clause, as written.
    func words(_ c: ClauseSpan) -> String? {
        guard !c.isEmpty, toks[c.start].kind == .word else { return nil }
        var last = c.start
        while last + 1 < c.end, toks[last + 1].kind == .word { last += 1 }
        return text(toks[c.start].range.lowerBound..<toks[last].range.upperBound, max: 128)
    }
}

extension String {
    fileprivate var trimmingQuestionMarks: String {
        var s = Substring(self)
        while s.first == "?" { s = s.dropFirst() }
        while s.last == "?" { s = s.dropLast() }
        return String(s)
    }

    fileprivate var trimmingBlanks: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension ReceivedParser {
    /// Reads a date the way Received dates are read (tolerant of broken years, zones and orders). Used for the
    /// Date header when comparing hop times with it.
    public static func date(_ value: [UInt8]) -> ReceivedDate? {
        value.withUnsafeBufferPointer { ReceivedDateParser.parse($0, 0..<$0.count) }
    }

    /// The same over bytes in place.
    public static func date(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> ReceivedDate? {
        ReceivedDateParser.parse(b, range)
    }
}
