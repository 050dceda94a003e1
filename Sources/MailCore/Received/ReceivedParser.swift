/// Reads one `Received:` field value into a `ReceivedHop`.
///
/// The value is split into clauses at the RFC 5321 keywords (`from`, `by`, `via`, `with`, `id`, `for`) found outside
/// comments, and a date after the last `;`. The `from` clause is then read by shape, which is how the formats
/// differ:
///
/// | shape | writers | connecting IP | HELO | reverse DNS |
/// |---|---|---|---|---|
/// | `from HELO (RDNS [IP])` | Postfix, Sendmail, Google, Courier | the literal | the word | the name in the comment |
/// | `from RDNS ([IP]:port helo=HELO ident=U)` | Exim | the literal | `helo=` or the word | the word |
/// | `from [IP] (port=P helo=HELO)` | Exim without reverse DNS | the word | `helo=` | none |
/// | `from RDNS (HELO HELO) (U@IP)` | qmail | the bare address | `HELO` or the word | the word (`unknown`: none) |
/// | `from HELO (IP) by HOST (IP)` | Exchange 2007+, Exchange Online | the bare address | the word | none |
/// | `from HELO ([IP] RDNS failed)` | Exchange 2000 | the literal | the word | failed |
/// | `from [IP] (HELO HELO)` / `(account U HELO H)` | CommuniGate | the word | `HELO` | none |
/// | `from HELO [IP] by HOST [IP]` | MDaemon, fetchmail | the literal after the word | the word | none |
/// | `from [IP] by HOST via HTTP` | Yahoo and other webmail | the word | none | none |
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

private enum Clause: UInt8, Equatable {
    case leading, from, by, via, with, id, `for`, date
}

/// A clause and its tokens, `toks[start..<end]` (a clause's tokens are always contiguous).
private struct ClauseSpan {
    var kind: Clause
    var start: Int
    var end: Int
    var isEmpty: Bool { start == end }
}

/// A text value found while reading, made into a `String` only if the hop keeps it.
private enum Val {
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

/// What a comment of the `from` clause says.
private struct CommentFacts {
    var helo: Range<Int>?
    var ip: IPAddress?
    /// An address literal that is not an address (`[]`, `[unix socket]`, `[x.x.x.x]`).
    var unparsedIP: Val?
    var hasAddress: Bool { ip != nil || unparsedIP != nil }
    var ipIsLiteral = false
    /// The word right before the literal (`rdns [ip]`).
    var name: Val?
    var ident: Val?
    var port: Int?
    var auth: Val?
    var tls: Val?
    var rdnsFailed = false
    var firstIsLiteral = false
    var eximKeys = false
    var localUser: Val?
    var localMarker = false
}

/// The words the family detection looks for in comments, one bit each.
private enum Family {
    static let microsoftExchange: UInt32 = 1 << 0
    static let postfix: UInt32 = 1 << 1
    static let exim: UInt32 = 1 << 2
    static let qmail: UInt32 = 1 << 3
    static let communigate: UInt32 = 1 << 4
    static let mdaemon: UInt32 = 1 << 5
    static let domino: UInt32 = 1 << 6
    static let amavis: UInt32 = 1 << 7
    static let fetchmail: UInt32 = 1 << 8
    static let getmail: UInt32 = 1 << 9
    static let cyrus: UInt32 = 1 << 10
    static let courier: UInt32 = 1 << 11
    static let simpleEmailService: UInt32 = 1 << 12
    static let sg: UInt32 = 1 << 13
}

private struct Reader {
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
    func isASCII(_ r: Range<Int>) -> Bool {
        for k in r where b[k] >= 0x80 { return false }
        return true
    }

    /// Whether `b[r]` equals the lower-case ASCII literal, ignoring ASCII case.
    @inline(__always)
    func equals(_ r: Range<Int>, _ lowered: StaticString) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard r.count == n else { return false }
        let p = lowered.utf8Start
        for k in 0..<n where ASCII.lower(b[r.lowerBound + k]) != p[k] { return false }
        return true
    }

    /// Whether `b[r]` starts with the lower-case ASCII literal, ignoring ASCII case.
    @inline(__always)
    func hasPrefix(_ r: Range<Int>, _ lowered: StaticString) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard r.count >= n else { return false }
        let p = lowered.utf8Start
        for k in 0..<n where ASCII.lower(b[r.lowerBound + k]) != p[k] { return false }
        return true
    }

    /// Whether the literal occurs at `i`, not reaching past `end`.
    @inline(__always)
    func matches(at i: Int, _ lowered: StaticString, end: Int) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard i + n <= end else { return false }
        let p = lowered.utf8Start
        for k in 0..<n where ASCII.lower(b[i + k]) != p[k] { return false }
        return true
    }

    @inline(__always)
    func isWord(_ t: ReceivedToken, _ lowered: StaticString) -> Bool {
        t.kind == .word && equals(t.range, lowered)
    }

    /// Whether the lower-case ASCII literal occurs in `b[r]`, ignoring ASCII case.
    func contains(_ r: Range<Int>, _ lowered: StaticString) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard n > 0, r.count >= n else { return false }
        let first = lowered.utf8Start[0]
        var i = r.lowerBound
        let last = r.upperBound - n
        while i <= last {
            if ASCII.lower(b[i]) == first, matches(at: i, lowered, end: r.upperBound) { return true }
            i += 1
        }
        return false
    }

    @inline(__always)
    func containsByte(_ r: Range<Int>, _ c: UInt8) -> Bool {
        for k in r where b[k] == c { return true }
        return false
    }

    /// Whether a text value, lower-cased, is the literal (`String.lowercased()` semantics for non-ASCII text).
    func lowerEquals(_ v: Val, _ lowered: StaticString) -> Bool {
        if case .plain(let lo, let hi) = v, isASCII(Int(lo)..<Int(hi)) {
            return equals(Int(lo)..<Int(hi), lowered)
        }
        return string(v).lowercased() == lowered.description
    }

    /// An address in a word or literal: strips `?…?`, brackets, a trailing dot or comma, `IPv6:`; accepts
    /// `a.b.c.d.port` (a port glued on with a dot).
    func address(in r: Range<Int>) -> (IPAddress, Int?)? {
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi, b[lo] == ASCII.question || b[lo] == ASCII.openBracket { lo += 1 }
        while hi > lo,
            b[hi - 1] == ASCII.question || b[hi - 1] == ASCII.closeBracket || b[hi - 1] == ASCII.dot
                || b[hi - 1] == 0x2C
        {
            hi -= 1
        }
        guard hi > lo, hi - lo <= 64 else { return nil }
        if let ip = IPAddress.parse(b, lo..<hi) { return (ip, nil) }
        // a.b.c.d.port
        var dots = 0
        var fourth = 0
        for k in lo..<hi {
            if b[k] == ASCII.dot {
                dots += 1
                if dots == 4 { fourth = k }
            } else if !ASCII.isDigit(b[k]) {
                return nil
            }
        }
        guard dots == 4, let ip = IPAddress.parse(b, lo..<fourth) else { return nil }
        var port = 0
        for k in (fourth + 1)..<hi where port < 100_000 { port = port * 10 + Int(b[k] &- 0x30) }
        guard hi > fourth + 1, port <= 65_535 else { return nil }
        return (ip, port)
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
            if equals(r, "by") { return .by }
            if equals(r, "id") { return .id }
        case 3:
            if equals(r, "via") { return .via }
            if equals(r, "for") { return .for }
        case 4:
            if equals(r, "from") { return .from }
            if equals(r, "with") { return .with }
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

    // MARK: Family

    /// The family words found in `b[r]`, in one pass.
    func familyWords(_ r: Range<Int>) -> UInt32 {
        var mask: UInt32 = 0
        let end = r.upperBound
        var i = r.lowerBound
        while i < end {
            switch ASCII.lower(b[i]) {
            case 0x61:  // a
                if matches(at: i, "amavis", end: end) { mask |= Family.amavis }
            case 0x63:  // c
                if matches(at: i, "communigate", end: end) { mask |= Family.communigate }
                if matches(at: i, "cyrus", end: end) { mask |= Family.cyrus }
                if matches(at: i, "courier", end: end) { mask |= Family.courier }
            case 0x64:  // d
                if matches(at: i, "domino", end: end) { mask |= Family.domino }
            case 0x65:  // e
                if matches(at: i, "exim", end: end) { mask |= Family.exim }
            case 0x66:  // f
                if matches(at: i, "fetchmail", end: end) { mask |= Family.fetchmail }
            case 0x67:  // g
                if matches(at: i, "getmail", end: end) { mask |= Family.getmail }
            case 0x6D:  // m
                if matches(at: i, "microsoft exchange", end: end) { mask |= Family.microsoftExchange }
                if matches(at: i, "mdaemon", end: end) { mask |= Family.mdaemon }
            case 0x70:  // p
                if matches(at: i, "postfix", end: end) { mask |= Family.postfix }
            case 0x71:  // q
                if matches(at: i, "qmail", end: end) { mask |= Family.qmail }
            case 0x73:  // s
                if matches(at: i, "sg", end: end) { mask |= Family.sg }
                if matches(at: i, "simpleemailservice", end: end) { mask |= Family.simpleEmailService }
            default: break
            }
            i += 1
        }
        return mask
    }

    mutating func detectFamily(_ clauses: [ClauseSpan]) {
        // Comments outside the `from` clause: what they name, and whether one has two bytes (`(sg)`).
        var words: UInt32 = 0
        var twoByteComment = false
        var byHost: Range<Int>? = nil
        var withRange: Range<Int>? = nil
        for c in clauses {
            if c.kind != .from {
                for k in c.start..<c.end where toks[k].kind == .comment {
                    words |= familyWords(toks[k].range)
                    if toks[k].count == 2 { twoByteComment = true }
                }
            }
            if c.kind == .by, !c.isEmpty, toks[c.start].kind == .word { byHost = toks[c.start].range }
            if c.kind == .with, !c.isEmpty, toks[c.start].kind == .word {
                var last = c.start
                while last + 1 < c.end, toks[last + 1].kind == .word { last += 1 }
                withRange = toks[c.start].range.lowerBound..<toks[last].range.upperBound
            }
            if c.kind == .id, !c.isEmpty, isEximID(toks[c.start].range) { hop.mta = .exim }
        }
        func any(_ w: UInt32) -> Bool { words & w != 0 }
        // The `by` host as the family tests read it: its first 64 bytes.
        let by = byHost.map { clamp($0, 64) } ?? 0..<0
        func byEnds(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            return by.count >= n && equals((by.upperBound - n)..<by.upperBound, s)
        }
        if let w = withRange,
            contains(w, "microsoft smtp server") || contains(w, "microsoft smtpsvc") || any(Family.microsoftExchange)
        {
            hop.mta = byEnds(".outlook.com") || byEnds(".office365.com") ? .exchangeOnline : .exchange
        } else if any(Family.postfix) {
            hop.mta = .postfix
        } else if any(Family.exim) {
            hop.mta = .exim
        } else if any(Family.qmail) {
            hop.mta = .qmail
        } else if any(Family.communigate) {
            hop.mta = .communigate
        } else if any(Family.mdaemon) {
            hop.mta = .mdaemon
        } else if any(Family.domino) {
            hop.mta = .domino
        } else if any(Family.amavis) {
            hop.mta = .amavis
        } else if any(Family.fetchmail) {
            hop.mta = .fetchmail
        } else if any(Family.getmail) {
            hop.mta = .getmail
        } else if any(Family.cyrus) {
            hop.mta = .cyrus
        } else if any(Family.courier) {
            hop.mta = .courier
        } else if any(Family.simpleEmailService) || byEnds("amazonses.com") || byEnds("amazonaws.com") {
            hop.mta = .ses
        } else if any(Family.sg) && twoByteComment || byEnds("sendgrid.net") {
            hop.mta = .sendgrid
        } else if byEnds("mailgun.net") || byEnds("mailgun.org") {
            hop.mta = .mailgun
        } else if byEnds("google.com") || byEnds("gmail.com") {
            hop.mta = .google
        } else if byEnds("yahoo.com") || byEnds("yahoo.net") || byEnds("yahoodns.net") {
            hop.mta = .yahoo
        } else if byEnds(".outlook.com") || byEnds(".office365.com") {
            hop.mta = .exchangeOnline
        } else if hop.mta == nil, hasSendmailVersion(clauses) {
            hop.mta = .sendmail
        }
    }

    func hasSendmailVersion(_ clauses: [ClauseSpan]) -> Bool {
        for c in clauses where c.kind != .from {
            for k in c.start..<c.end where toks[k].kind == .comment && isSendmailVersion(toks[k].range) {
                return true
            }
        }
        return false
    }

    /// Exim message ids: `1KQq5G-0001aY-Cr` (6-6-2) or the newer `1rAbCd-000AbC-1x2y` style (6-6-2..4).
    func isEximID(_ r: Range<Int>) -> Bool {
        let n = r.count
        guard n >= 16, n <= 24, b[r.lowerBound + 6] == ASCII.hyphen, b[r.lowerBound + 13] == ASCII.hyphen else {
            return false
        }
        for k in 0..<n where k != 6 && k != 13 && !ASCII.isAlphaNumeric(b[r.lowerBound + k]) { return false }
        return true
    }

    /// `8.11.6/8.11.6`, `8.12.2/8.12.2/20020902/$Revision…`, `V8/cf`, `8.9.3/8.9.3`.
    func isSendmailVersion(_ r: Range<Int>) -> Bool {
        var slash = r.lowerBound
        while slash < r.upperBound, b[slash] != 0x2F { slash += 1 }
        guard slash < r.upperBound, slash > r.lowerBound else { return false }
        let head = r.lowerBound..<slash
        if equals(head, "v8") { return true }
        var dot = false
        for k in head {
            if b[k] == ASCII.dot {
                dot = true
            } else if !ASCII.isDigit(b[k]) {
                return false
            }
        }
        return dot
    }

    // MARK: Clauses

    mutating func readLeading(_ c: ClauseSpan) {
        for k in c.start..<c.end where toks[k].kind == .comment {
            let r = toks[k].range
            if contains(r, "invoked by") || contains(r, "invoked for bounce") {
                hop.isLocal = true
            } else if contains(r, "invoked from network") {
                hop.isQmailQueueStep = true
            } else {
                let facts = comment(r, depth: 0)
                if facts.localMarker || facts.localUser != nil {
                    hop.isLocal = true
                    if hop.ident == nil { hop.ident = facts.localUser.map(string) }
                }
            }
            if contains(r, "qmail") { hop.mta = hop.mta ?? .qmail }
        }
    }

    mutating func readFrom(_ c: ClauseSpan) {
        guard !c.isEmpty else { return }
        let t0 = toks[c.start]
        var k = c.start
        var wordIP: (IPAddress, Int?)? = nil
        var firstWord: Range<Int>? = nil
        if t0.kind == .word || t0.kind == .literal {
            firstWord = t0.range
            hop.fromWord = t0.kind == .literal ? "[" + text(t0.range) + "]" : text(t0.range)
            wordIP = address(in: t0.range)
            k += 1
        }
        var comments: [CommentFacts] = []
        var extraIP: (IPAddress, Int?)? = nil
        var extraUnparsed: Val? = nil
        while k < c.end {
            let t = toks[k]
            switch t.kind {
            case .comment: comments.append(comment(t.range, depth: 0))
            case .literal:
                if let a = address(in: t.range) {
                    if extraIP == nil { extraIP = (a.0, t.port ?? a.1) }
                } else if extraUnparsed == nil {
                    extraUnparsed = .plain(clamp(t.range, 64))
                }
            case .word:
                if extraIP == nil, let a = address(in: t.range) { extraIP = a }
            default: break
            }
            k += 1
        }
        let main = comments.first { $0.hasAddress }
        let heloFact = comments.first { $0.helo != nil }?.helo
        if let hr = heloFact {
            hop.helo = stripQuestion(hr)
            hop.heloIP = address(in: hr)?.0
        }
        if let c = main {
            hop.ip = c.ip
            hop.unparsedIP = c.ip == nil ? c.unparsedIP.map(string) : nil
            hop.port = c.port
            if let w = wordIP { hop.heloIP = hop.heloIP ?? w.0 }
        } else if let e = extraIP {
            hop.ip = e.0
            hop.port = e.1
            if let w = wordIP { hop.heloIP = hop.heloIP ?? w.0 }
        } else if let w = wordIP {
            hop.ip = w.0
            hop.port = w.1 ?? t0.port ?? comments.first { $0.port != nil }?.port
        } else if let u = extraUnparsed {
            hop.unparsedIP = string(u)
        } else if t0.kind == .literal, let fw = firstWord {
            hop.unparsedIP = text(fw, max: 64)
        }
        let word = firstWord.map { _ in hop.fromWord ?? "" }
        let wordIsAddress = wordIP != nil || t0.kind == .literal
        // Reverse DNS and HELO by shape.
        if let c = main, let name = c.name {
            // Postfix, Sendmail, Google, Courier: `from HELO (RDNS [IP])`.
            if hop.helo == nil { hop.helo = word }
            if c.rdnsFailed || lowerEquals(name, "unknown") {
                hop.rdnsStatus = .failed
            } else {
                hop.rdns = string(name)
                hop.rdnsStatus = .name
            }
        } else if let c = main, c.firstIsLiteral {
            if c.eximKeys || hop.mta == .exim, !wordIsAddress, let w = word {
                hop.rdns = w
                hop.rdnsStatus = .name
                if hop.helo == nil { hop.helo = w }
            } else {
                if hop.helo == nil { hop.helo = word }
                if c.rdnsFailed { hop.rdnsStatus = .failed }
            }
        } else if let c = main, c.ipIsLiteral {
            // `from HELO (unknown [IP])`, `(softdnserr [IP])`: the name position says the lookup failed.
            if hop.helo == nil { hop.helo = word }
            if c.rdnsFailed { hop.rdnsStatus = .failed }
        } else if let c = main, !c.ipIsLiteral {
            // qmail `from RDNS (HELO x) (ip)` or Exchange `from HELO (ip)`.
            if hop.mta == .exchange || hop.mta == .exchangeOnline {
                if hop.helo == nil { hop.helo = word }
            } else if let w = word, !wordIsAddress {
                if lowerEquals(.string(w), "unknown") {
                    hop.rdnsStatus = .failed
                } else {
                    hop.rdns = w
                    hop.rdnsStatus = .name
                    if hop.helo == nil { hop.helo = w }
                }
            } else if hop.helo == nil {
                hop.helo = word
            }
        } else if main == nil, extraIP != nil || extraUnparsed != nil {
            if hop.helo == nil { hop.helo = word }
        } else if main == nil, !wordIsAddress, hop.helo == nil {
            hop.helo = word
        } else if let c = main, c.rdnsFailed {
            hop.rdnsStatus = .failed
        }
        if let c = comments.first(where: { $0.rdnsFailed }), hop.rdnsStatus == .absent, c.name == nil {
            hop.rdnsStatus = .failed
        }
        for c in comments {
            if hop.ident == nil { hop.ident = c.ident.map(string) }
            if hop.auth == nil { hop.auth = c.auth.map(string) }
            if hop.tls == nil { hop.tls = c.tls.map(string) }
            if c.localMarker || c.localUser != nil {
                if hop.ident == nil { hop.ident = c.localUser.map(string) }
            }
        }
        if hop.heloIP == nil, let h = hop.helo, let ip = Reader.addressTrimmingQuestionMarks(h) { hop.heloIP = ip }
    }

    /// `IPAddress(s.trimmingQuestionMarks)`.
    static func addressTrimmingQuestionMarks(_ s: String) -> IPAddress? {
        let r = s.utf8.withContiguousStorageIfAvailable { p -> IPAddress?? in
            for c in p where c >= 0x80 { return .none }
            var lo = 0
            var hi = p.count
            while lo < hi, p[lo] == ASCII.question { lo += 1 }
            while hi > lo, p[hi - 1] == ASCII.question { hi -= 1 }
            return .some(IPAddress.parse(p, lo..<hi))
        }
        // nil: no contiguous storage; .some(nil): not ASCII; .some(.some(x)): the answer.
        if let r, let ascii = r { return ascii }
        return IPAddress(s.trimmingQuestionMarks)
    }

    /// `text(r).trimmingQuestionMarks`.
    func stripQuestion(_ r: Range<Int>) -> String {
        let c = clamp(r, 255)
        guard isASCII(c) else { return text(r).trimmingQuestionMarks }
        var lo = c.lowerBound
        var hi = c.upperBound
        while lo < hi, b[lo] == ASCII.question { lo += 1 }
        while hi > lo, b[hi - 1] == ASCII.question { hi -= 1 }
        return decode(lo..<hi)
    }

    /// `decode(r).trimmingBlanks` (`r` already clamped).
    func trimmedBlanks(_ r: Range<Int>) -> String {
        guard isASCII(r) else { return decode(r).trimmingBlanks }
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi, ASCII.isSpaceOrTab(b[lo]) { lo += 1 }
        while hi > lo, ASCII.isSpaceOrTab(b[hi - 1]) { hi -= 1 }
        return decode(lo..<hi)
    }

    mutating func readBy(_ c: ClauseSpan) {
        guard !c.isEmpty else { return }
        let f = toks[c.start]
        var k = c.start
        if f.kind == .word || f.kind == .literal {
            hop.by = f.kind == .literal ? "[" + text(f.range) + "]" : text(f.range)
            if let a = address(in: f.range) { hop.byIP = a.0 }
            k += 1
        }
        while k < c.end {
            let t = toks[k]
            k += 1
            switch t.kind {
            case .literal:
                if hop.byIP == nil, let a = address(in: t.range) { hop.byIP = a.0 }
            case .comment:
                // A comment that is one address: the writing host's own (`by host (10.13.7.32)`).
                let base = toks.count
                ReceivedLexer.tokens(b, t.range, limit: Swift.min(2, limits.maxTokens), into: &toks)
                var single: (IPAddress, Int?)? = nil
                if toks.count - base == 1, toks[base].kind == .word || toks[base].kind == .literal {
                    single = address(in: toks[base].range)
                }
                toks.removeLast(toks.count - base)
                if let a = single {
                    if hop.byIP == nil { hop.byIP = a.0 }
                    continue
                }
                let facts = comment(t.range, depth: 0)
                if hop.auth == nil { hop.auth = facts.auth.map(string) }
                if hop.tls == nil { hop.tls = facts.tls.map(string) }
                if facts.localUser != nil || facts.localMarker {
                    hop.isLocal = true
                    if hop.ident == nil { hop.ident = facts.localUser.map(string) }
                }
                if hop.software == nil, facts.tls == nil, facts.auth == nil { hop.software = softwareName(t.range) }
            default: break
            }
        }
    }

    /// A software comment without a trailing `, from userid …`.
    func softwareName(_ r: Range<Int>) -> String? {
        var hi = r.lowerBound
        while hi < r.upperBound, b[hi] != 0x2C { hi += 1 }
        let s = trimmedBlanks(clamp(r.lowerBound..<hi, 96))
        return s.isEmpty ? nil : s
    }

    mutating func readWith(_ c: ClauseSpan) {
        if hop.with == nil { hop.with = words(c) }
        for k in c.start..<c.end where toks[k].kind == .comment {
            let r = toks[k].range
            let facts = comment(r, depth: 0)
            if hop.tls == nil { hop.tls = facts.tls.map(string) ?? tlsOnly(r) }
            if hop.auth == nil { hop.auth = facts.auth.map(string) }
            if hop.software == nil, facts.tls == nil, !isTLSOnly(r), !contains(r, "envelope-") {
                hop.software = softwareName(r)
            }
        }
    }

    /// `(TLS)`, `(TLS1.2)`, `(TLSv1:AES256-SHA:256)`: a with-comment that only names TLS.
    func isTLSOnly(_ r: Range<Int>) -> Bool {
        let s = clamp(r, 64)
        return s.count >= 3 && (hasPrefix(s, "tls") || hasPrefix(s, "ssl"))
    }

    func tlsOnly(_ r: Range<Int>) -> String? {
        isTLSOnly(r) ? text(r, max: 128) : nil
    }

    mutating func readFor(_ c: ClauseSpan) {
        if hop.forAddress == nil, !c.isEmpty, toks[c.start].kind == .angle || toks[c.start].kind == .word {
            var s = text(toks[c.start].range, max: 254)
            while s.hasSuffix(",") { s.removeLast() }
            hop.forAddress = s.isEmpty ? nil : s
        }
        for k in c.start..<c.end where toks[k].kind == .comment {
            let facts = comment(toks[k].range, depth: 0)
            if hop.tls == nil { hop.tls = facts.tls.map(string) }
        }
    }

    /// The protocol class from the first word of `with` (`ESMTPSA`, `Microsoft SMTP Server`, `IMAP`…), and the
    /// authentication and TLS it implies.
    /// Byte semantics throughout, also for a `with` that is not ASCII: every known name is ASCII, so a word with
    /// other bytes is only ever `other`, or `esmtp`/`smtp` by its ASCII prefix.
    mutating func classifyProtocol() {
        // The first word of `with`, lower case, at most 16 bytes, packed.
        var name = ProtocolNames.Packed()
        if let w = hop.with {
            for c in w.utf8 {
                if c == ASCII.space || c == 0x2F || c == ASCII.openParen { break }
                name.append(ASCII.lower(c))
            }
        }
        var authenticated = false
        var tlsName = false
        if let entry = ProtocolNames.table.first(where: { $0.name == name }) {
            hop.protocolKind = entry.kind
            authenticated = entry.authenticated
            tlsName = entry.tls
            if entry.microsoft {
                hop.protocolKind =
                    hop.with.map { ReceivedParser.lowerHasPrefix($0, "microsoft smtpsvc") } == true ? .smtp : .esmtp
            }
        } else if name.count == 0 {
            hop.protocolKind = .unknown
        } else if name.hasPrefix("esmtp") {
            hop.protocolKind = .esmtp
        } else if name.hasPrefix("smtp") {
            hop.protocolKind = .smtp
        } else {
            hop.protocolKind = .other
        }
        if hop.protocolKind == .unknown || hop.protocolKind == .other, let v = hop.via?.lowercased(),
            v == "http" || v == "https"
        {
            hop.protocolKind = .http
        }
        if hop.mta == .fetchmail || hop.mta == .getmail, hop.protocolKind != .imap, hop.protocolKind != .pop,
            hop.with != nil, name.contains("pop") || name.contains("imap")
        {
            hop.protocolKind = name.contains("pop") ? .pop : .imap
        }
        if hop.auth == nil, authenticated, let w = hop.with {
            hop.auth = firstWordOf(w)
        }
        if hop.tls == nil, let w = hop.with {
            if tlsName {
                hop.tls = firstWordOf(w)
            } else {
                // The bytes after the first `/`, when `TLS` is among them.
                var u = w.utf8[...]
                if let slash = u.firstIndex(of: 0x2F) {
                    u = u[slash...]
                    if u.count >= 3, containsTLS(u) { hop.tls = String(u.dropFirst())! }
                }
            }
        }
        if hop.protocolKind == .local { hop.isLocal = true }
    }

    /// The text up to the first blank or slash (both ASCII, so never inside a multi-byte character).
    func firstWordOf(_ w: String) -> String {
        let u = w.utf8
        let end = u.firstIndex { $0 == ASCII.space || $0 == 0x2F } ?? u.endIndex
        return String(u[u.startIndex..<end])!
    }

    func containsTLS(_ u: Substring.UTF8View) -> Bool {
        var it = u.makeIterator()
        var a: UInt8 = 0
        var b1: UInt8 = 0
        while let c = it.next() {
            let l = ASCII.lower(c)
            if a == 0x74, b1 == 0x6C, l == 0x73 { return true }
            a = b1
            b1 = l
        }
        return false
    }

    // MARK: Comments

    /// `using tls`, `using ssl`, `version=tls`, `version=ssl` or `cipher=` in `b[r]`, in one pass.
    func mentionsTLS(_ r: Range<Int>) -> Bool {
        let end = r.upperBound
        var i = r.lowerBound
        while i < end {
            switch ASCII.lower(b[i]) {
            case 0x75:  // u
                if matches(at: i, "using tls", end: end) || matches(at: i, "using ssl", end: end) { return true }
            case 0x76:  // v
                if matches(at: i, "version=tls", end: end) || matches(at: i, "version=ssl", end: end) { return true }
            case 0x63:  // c
                if matches(at: i, "cipher=", end: end) { return true }
            default: break
            }
            i += 1
        }
        return false
    }

    mutating func comment(_ r: Range<Int>, depth: Int) -> CommentFacts {
        var f = CommentFacts()
        let base = toks.count
        ReceivedLexer.tokens(b, r, limit: limits.maxTokens, into: &toks)
        let n = toks.count
        defer { toks.removeLast(toks.count - base) }
        if n > base, toks[base].kind == .literal { f.firstIsLiteral = true }
        if mentionsTLS(r) { f.tls = .trimmed(clamp(r, 200)) }
        var k = base
        while k < n {
            let t = toks[k]
            let next: ReceivedToken? = k + 1 < n ? toks[k + 1] : nil
            switch t.kind {
            case .comment:
                if depth < 3 {
                    let inner = comment(t.range, depth: depth + 1)
                    if f.tls == nil { f.tls = inner.tls }
                    if f.auth == nil { f.auth = inner.auth }
                    if inner.rdnsFailed { f.rdnsFailed = true }
                }
            case .literal:
                if !f.hasAddress {
                    if let a = address(in: t.range) {
                        f.ip = a.0
                        f.port = t.port ?? a.1
                    } else {
                        f.unparsedIP = .plain(clamp(t.range, 64))
                    }
                    f.ipIsLiteral = true
                    if k > base, toks[k - 1].kind == .word, !isHeloValue(base, k - 1) {
                        readName(toks[k - 1].range, into: &f)
                    }
                }
            case .word:
                let w = t.range
                if equals(w, "helo") || equals(w, "ehlo"), let nx = next, nx.kind == .word || nx.kind == .literal {
                    f.helo = nx.kind == .literal ? (nx.range.lowerBound - 1)..<(nx.range.upperBound + 1) : nx.range
                    k += 2
                    continue
                }
                if hasPrefix(w, "helo=") || hasPrefix(w, "ehlo=") {
                    f.helo = (w.lowerBound + 5)..<w.upperBound
                    f.eximKeys = true
                } else if hasPrefix(w, "ident=") {
                    f.ident = .plain(clamp((w.lowerBound + 6)..<w.upperBound, 64))
                    f.eximKeys = true
                } else if hasPrefix(w, "port=") {
                    var p = 0
                    for i in (w.lowerBound + 5)..<w.upperBound where ASCII.isDigit(b[i]) && p < 100_000 {
                        p = p * 10 + Int(b[i] &- 0x30)
                    }
                    if p <= 65_535 { f.port = p }
                    f.eximKeys = true
                } else if equals(w, "authenticated") {
                    let prevNot = k > base && isWord(toks[k - 1], "not")
                    if !prevNot, f.auth == nil {
                        f.auth = .trimmed(clamp(w.lowerBound..<r.upperBound, 128))
                    }
                } else if equals(w, "auth:") || equals(w, "authenticated-sender:") {
                    if f.auth == nil { f.auth = .trimmed(clamp(w.lowerBound..<r.upperBound, 128)) }
                } else if equals(w, "account"), let nx = next, nx.kind == .word {
                    // CommuniGate Pro: `(account USER HELO name)` marks an authenticated client.
                    let user = clamp(nx.range, 64)
                    if f.auth == nil {
                        f.auth = .account(
                            Int32(truncatingIfNeeded: user.lowerBound), Int32(truncatingIfNeeded: user.upperBound))
                    }
                    f.ident = f.ident ?? .plain(user)
                    k += 2
                    continue
                } else if equals(w, "softdnserr") || (equals(w, "rdns") && next.map { isWord($0, "failed") } == true) {
                    f.rdnsFailed = true
                } else if equals(w, "from"), let nx = next, nx.kind == .word {
                    // Sendmail `(from user@localhost)`, Postfix `(Postfix, from userid 889)`.
                    if isWord(nx, "userid") {
                        f.localMarker = true
                        if k + 2 < n {
                            let uid = clamp(toks[k + 2].range, 32)
                            f.localUser = .uid(
                                Int32(truncatingIfNeeded: uid.lowerBound), Int32(truncatingIfNeeded: uid.upperBound))
                        }
                    } else if containsByte(nx.range, ASCII.at) || !containsByte(nx.range, ASCII.dot) {
                        f.localUser = .plain(clamp(nx.range, 64))
                    }
                    k += 2
                    continue
                } else if !f.hasAddress, !isHeloValue(base, k) {
                    if let a = bareAddress(w, into: &f) {
                        f.ip = a.0
                        f.port = a.1
                        f.ipIsLiteral = false
                    }
                }
            default: break
            }
            k += 1
        }
        return f
    }

    /// Whether token `k` (of a comment whose tokens start at `base`) is the argument of HELO, EHLO or account.
    func isHeloValue(_ base: Int, _ k: Int) -> Bool {
        guard k > base else { return false }
        let p = toks[k - 1]
        return isWord(p, "helo") || isWord(p, "ehlo") || isWord(p, "account")
    }

    /// `rdns`, `rdns.`, `user@rdns`, `IDENT:user@rdns`, `unknown`, `softdnserr`.
    func readName(_ r: Range<Int>, into f: inout CommentFacts) {
        let full = clamp(r, 255)
        guard isASCII(full) else { return readNameText(r, into: &f) }
        var lo = full.lowerBound
        var hi = full.upperBound
        if hasPrefix(lo..<hi, "ident:") { lo += 6 }
        var at = hi
        while at > lo, b[at - 1] != ASCII.at { at -= 1 }
        if at > lo {
            f.ident = .plain(lo..<(at - 1))
            lo = at
        }
        while hi > lo, b[hi - 1] == ASCII.dot { hi -= 1 }
        let l = lo..<hi
        if equals(l, "softdnserr") || equals(l, "unknown") || l.isEmpty {
            f.rdnsFailed = true
            return
        }
        if equals(l, "may") || equals(l, "verified") { return }
        f.name = .plain(l)
    }

    /// `readName` for text that is not ASCII, with `String` semantics.
    func readNameText(_ r: Range<Int>, into f: inout CommentFacts) {
        var s = text(r)
        if s.lowercased().hasPrefix("ident:") { s = String(s.dropFirst(6)) }
        if let at = s.lastIndex(of: "@") {
            f.ident = .string(String(s[..<at]))
            s = String(s[s.index(after: at)...])
        }
        while s.hasSuffix(".") { s.removeLast() }
        let l = s.lowercased()
        if l == "softdnserr" || l == "unknown" || l.isEmpty {
            f.rdnsFailed = true
            return
        }
        if l == "may" || l == "verified" { return }
        f.name = .string(s)
    }

    /// qmail `(ip)`, `(user@ip)`, Exchange `(ip)`, `(ip.port)`.
    func bareAddress(_ r: Range<Int>, into f: inout CommentFacts) -> (IPAddress, Int?)? {
        if let a = address(in: r) { return a }
        var at = r.upperBound - 1
        while at >= r.lowerBound, b[at] != ASCII.at { at -= 1 }
        if at >= r.lowerBound, at + 1 < r.upperBound, let a = address(in: (at + 1)..<r.upperBound) {
            f.ident = .plain(clamp(r.lowerBound..<at, 64))
            return a
        }
        return nil
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

/// The protocol names `classifyProtocol` knows, packed for byte comparison.
private enum ProtocolNames {
    /// Up to 16 lower-case bytes in two words, and the count.
    struct Packed: Equatable {
        var a: UInt64 = 0
        var b: UInt64 = 0
        var count = 0

        init() {}

        init(_ s: StaticString) {
            let p = UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
            for c in p { append(c) }
        }

        @inline(__always)
        mutating func append(_ c: UInt8) {
            guard count < 16 else { return }
            if count < 8 { a |= UInt64(c) << UInt64(8 * count) } else { b |= UInt64(c) << UInt64(8 * (count - 8)) }
            count += 1
        }

        func byte(_ k: Int) -> UInt8 {
            UInt8(truncatingIfNeeded: k < 8 ? a >> UInt64(8 * k) : b >> UInt64(8 * (k - 8)))
        }

        func hasPrefix(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard count >= n else { return false }
            for k in 0..<n where byte(k) != s.utf8Start[k] { return false }
            return true
        }

        func contains(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard count >= n else { return false }
            for i in 0...(count - n) {
                var k = 0
                while k < n, byte(i + k) == s.utf8Start[k] { k += 1 }
                if k == n { return true }
            }
            return false
        }
    }

    struct Entry {
        var name: Packed
        var kind: ReceivedHop.ProtocolKind
        var authenticated = false
        var tls = false
        var microsoft = false
    }

    static let table: [Entry] = {
        var t: [Entry] = []
        func add(_ kind: ReceivedHop.ProtocolKind, _ names: [StaticString]) {
            for n in names { t.append(Entry(name: Packed(n), kind: kind)) }
        }
        add(.smtp, ["smtp", "utf8smtp", "asmtp", "nnfmp", "qmqp", "smtps"])
        add(
            .esmtp,
            [
                "esmtp", "esmtps", "esmtpa", "esmtpsa", "utf8esmtp", "utf8esmtps", "utf8esmtpa", "utf8esmtpsa",
                "utf8smtps", "utf8smtpa", "utf8smtpsa",
            ])
        add(.lmtp, ["lmtp", "lmtps", "lmtpa", "lmtpsa", "utf8lmtp", "utf8lmtps", "utf8lmtpa", "utf8lmtpsa"])
        add(.http, ["http", "https"])
        add(.local, ["local", "local-esmtp", "local-smtp", "local-bsmtp", "unix"])
        add(.imap, ["imap", "imap4", "imaps", "imap4s", "imap4rev1"])
        add(.pop, ["pop", "pop3", "pops", "pop3s", "pop2", "apop", "sdps", "odmr"])
        add(.mapi, ["mapi"])
        add(.esmtp, ["microsoft"])
        let authenticated: [StaticString] = [
            "esmtpa", "esmtpsa", "lmtpa", "lmtpsa", "utf8smtpa", "utf8smtpsa", "utf8esmtpa", "utf8esmtpsa", "utf8lmtpa",
            "utf8lmtpsa", "asmtp",
        ]
        let tls: [StaticString] = [
            "esmtps", "esmtpsa", "lmtps", "lmtpsa", "utf8smtps", "utf8smtpsa", "utf8esmtps", "utf8esmtpsa", "smtps",
            "https", "imaps", "pop3s", "pops", "imap4s",
        ]
        for k in t.indices {
            t[k].authenticated = authenticated.contains { Packed($0) == t[k].name }
            t[k].tls = tls.contains { Packed($0) == t[k].name }
            t[k].microsoft = t[k].name == Packed("microsoft")
        }
        return t
    }()
}

extension ReceivedParser {
    /// `s.lowercased().hasPrefix(prefix)` for ASCII text and a lower-case ASCII prefix.
    static func lowerHasPrefix(_ s: String, _ prefix: StaticString) -> Bool {
        let u = s.utf8
        guard u.count >= prefix.utf8CodeUnitCount else { return false }
        for (k, c) in u.prefix(prefix.utf8CodeUnitCount).enumerated() where ASCII.lower(c) != prefix.utf8Start[k] {
            return false
        }
        return true
    }
}
