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
        var p = Reader(b: value, limits: limits)
        return p.run()
    }

    public static func parse(_ value: String, limits: Limits = Limits()) -> ReceivedHop {
        parse(Array(value.utf8), limits: limits)
    }
}

private enum Clause: Equatable {
    case leading, from, by, via, with, id, `for`, date
}

/// What a comment of the `from` clause says.
private struct CommentFacts {
    var helo: Range<Int>?
    var ip: IPAddress?
    /// An address literal that is not an address (`[]`, `[unix socket]`, `[x.x.x.x]`).
    var unparsedIP: String?
    var hasAddress: Bool { ip != nil || unparsedIP != nil }
    var ipIsLiteral = false
    /// The word right before the literal (`rdns [ip]`).
    var name: String?
    var ident: String?
    var port: Int?
    var auth: String?
    var tls: String?
    var rdnsFailed = false
    var firstIsLiteral = false
    var eximKeys = false
    var localUser: String?
    var localMarker = false
}

private struct Reader {
    /// The value, cut at `limits.maxBytes`.
    let b: [UInt8]
    /// The same bytes in ASCII lower case, for the keyword searches in comments.
    let lowered: [UInt8]
    let limits: ReceivedParser.Limits
    var hop = ReceivedHop()

    init(b value: [UInt8], limits: ReceivedParser.Limits) {
        let limit = Swift.max(0, limits.maxBytes)
        self.b = value.count > limit ? Array(value[..<limit]) : value
        self.lowered = self.b.map(ASCII.lower)
        self.limits = limits
        hop.truncated = value.count > limit
    }

    // MARK: Text helpers

    func text(_ r: Range<Int>, max: Int = 255) -> String {
        let lo = Swift.max(0, Swift.min(r.lowerBound, b.count))
        let hi = Swift.max(lo, Swift.min(r.upperBound, b.count, lo + max))
        return String(lossyUTF8: b[lo..<hi])
    }

    func lower(_ r: Range<Int>) -> [UInt8] {
        let lo = Swift.max(0, Swift.min(r.lowerBound, b.count))
        let hi = Swift.max(lo, Swift.min(r.upperBound, b.count, lo + 64))
        return Array(lowered[lo..<hi])
    }

    func isWord(_ t: ReceivedToken, _ lowered: String) -> Bool {
        t.kind == .word && b[t.range].equalsLowercasedASCII(lowered.utf8)
    }

    /// Whether `needle` (lower case) occurs in `r`, ignoring case: `memchr` over the lowered copy, so a comment of
    /// 8 KiB searched for a dozen keywords costs a dozen quick passes, not a dozen byte-by-byte slice comparisons.
    func contains(_ r: Range<Int>, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        let lo = Swift.max(0, r.lowerBound)
        let hi = Swift.min(lowered.count, r.upperBound)
        guard !n.isEmpty, hi - lo >= n.count else { return false }
        return lowered.withUnsafeBufferPointer { all in
            ByteSearch.find(n, in: UnsafeBufferPointer(rebasing: all[lo..<hi])) != nil
        }
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
        let s = b[lo..<hi]
        if let ip = IPAddress(bytes: s) { return (ip, nil) }
        // a.b.c.d.port
        var dots: [Int] = []
        for k in lo..<hi {
            if b[k] == ASCII.dot {
                dots.append(k)
            } else if !ASCII.isDigit(b[k]) {
                return nil
            }
        }
        guard dots.count == 4, let ip = IPAddress(bytes: b[lo..<dots[3]]) else { return nil }
        var port = 0
        for k in (dots[3] + 1)..<hi where port < 100_000 { port = port * 10 + Int(b[k] &- 0x30) }
        guard hi > dots[3] + 1, port <= 65_535 else { return nil }
        return (ip, port)
    }

    // MARK: Driver

    mutating func run() -> ReceivedHop {
        let tokens = ReceivedLexer.tokens(b, 0..<b.count, limit: limits.maxTokens)
        var clauses: [(Clause, [ReceivedToken])] = [(.leading, [])]
        for t in tokens {
            if t.kind == .semicolon {
                clauses.append((.date, []))
                continue
            }
            if t.kind == .word, let k = keyword(t) {
                // A keyword right after the same keyword is a value (`from from`), not a new clause.
                if let last = clauses.last, last.0 == k, last.1.isEmpty {
                    clauses[clauses.count - 1].1.append(t)
                } else {
                    clauses.append((k, []))
                }
                continue
            }
            clauses[clauses.count - 1].1.append(t)
        }
        detectFamily(clauses)
        var sawFrom = false
        var sawBy = false
        var dateTokens: [ReceivedToken]? = nil
        var trailing: [ReceivedToken] = []
        for (clause, toks) in clauses {
            switch clause {
            case .leading: readLeading(toks)
            case .from:
                if !sawFrom { readFrom(toks) }
                sawFrom = true
            case .by:
                if !sawBy { readBy(toks) }
                sawBy = true
            case .with: readWith(toks)
            case .via: if hop.via == nil { hop.via = words(toks) }
            case .id:
                if hop.id == nil, let first = toks.first, first.kind == .word || first.kind == .angle {
                    hop.id = text(first.range, max: 128)
                }
                trailing = Array(toks.dropFirst())
            case .for:
                readFor(toks)
                trailing = Array(toks.dropFirst())
            case .date: dateTokens = toks
            }
        }
        classifyProtocol()
        // The date: after the last `;`, else trailing words after `id`/`for` (`id X Wed, 31 Oct 2012 …`).
        if let dt = dateTokens, let r = span(dt) {
            hop.date = ReceivedDateParser.parse(b[r])
            if hop.date == nil { hop.badDate = !dt.isEmpty }
        } else if let r = span(trailing) {
            hop.date = ReceivedDateParser.parse(b[r])
        }
        hop.isJunk = !sawFrom && !sawBy && hop.date == nil && !hop.isLocal && !hop.isQmailQueueStep
        if hop.ip == nil, hop.fromWord == nil, !sawFrom, hop.by != nil, hop.protocolKind == .local {
            hop.isLocal = true
        }
        return hop
    }

    func span(_ toks: [ReceivedToken]) -> Range<Int>? {
        guard let f = toks.first, let l = toks.last else { return nil }
        // Re-include the delimiters of a trailing comment (`(PDT)`) so the date reader can skip it.
        let lo = f.kind == .word ? f.range.lowerBound : Swift.max(0, f.range.lowerBound - 1)
        let hi = l.kind == .word ? l.range.upperBound : Swift.min(b.count, l.range.upperBound + 1)
        return lo..<Swift.max(lo, hi)
    }

    func keyword(_ t: ReceivedToken) -> Clause? {
        let n = t.range.count
        guard n >= 2, n <= 4 else { return nil }
        let w = lower(t.range)
        switch w {
        case Array("from".utf8): return .from
        case Array("by".utf8): return .by
        case Array("via".utf8): return .via
        case Array("with".utf8): return .with
        case Array("id".utf8): return .id
        case Array("for".utf8): return .for
        default: return nil
        }
    }

    func words(_ toks: [ReceivedToken]) -> String? {
        let ws = toks.prefix { $0.kind == .word }
        guard let f = ws.first, let l = ws.last else { return nil }
        return text(f.range.lowerBound..<l.range.upperBound, max: 128)
    }

    // MARK: Family

    mutating func detectFamily(_ clauses: [(Clause, [ReceivedToken])]) {
        var haystack: [Range<Int>] = []
        var byHost: Range<Int>? = nil
        var withRange: Range<Int>? = nil
        for (clause, toks) in clauses {
            for t in toks where t.kind == .comment && clause != .from { haystack.append(t.range) }
            if clause == .by, let f = toks.first, f.kind == .word { byHost = f.range }
            if clause == .with, let f = toks.first, let l = toks.prefix(while: { $0.kind == .word }).last {
                withRange = f.range.lowerBound..<l.range.upperBound
            }
            if clause == .leading { for t in toks where t.kind == .comment { haystack.append(t.range) } }
            if clause == .id, let f = toks.first, isEximID(f.range) { hop.mta = .exim }
        }
        func any(_ s: String) -> Bool { haystack.contains { contains($0, s) } }
        let by = byHost.map { lower($0) } ?? []
        func byEnds(_ s: String) -> Bool {
            let n = Array(s.utf8)
            return by.count >= n.count && Array(by.suffix(n.count)) == n
        }
        if let w = withRange,
            contains(w, "microsoft smtp server") || contains(w, "microsoft smtpsvc") || any("microsoft exchange")
        {
            hop.mta = byEnds(".outlook.com") || byEnds(".office365.com") ? .exchangeOnline : .exchange
        } else if any("postfix") {
            hop.mta = .postfix
        } else if any("exim") {
            hop.mta = .exim
        } else if any("qmail") {
            hop.mta = .qmail
        } else if any("communigate") {
            hop.mta = .communigate
        } else if any("mdaemon") {
            hop.mta = .mdaemon
        } else if any("domino") {
            hop.mta = .domino
        } else if any("amavis") {
            hop.mta = .amavis
        } else if any("fetchmail") {
            hop.mta = .fetchmail
        } else if any("getmail") {
            hop.mta = .getmail
        } else if any("cyrus") {
            hop.mta = .cyrus
        } else if any("courier") {
            hop.mta = .courier
        } else if any("simpleemailservice") || byEnds("amazonses.com") || byEnds("amazonaws.com") {
            hop.mta = .ses
        } else if any("sg") && haystack.contains(where: { $0.count == 2 }) || byEnds("sendgrid.net") {
            hop.mta = .sendgrid
        } else if byEnds("mailgun.net") || byEnds("mailgun.org") {
            hop.mta = .mailgun
        } else if byEnds("google.com") || byEnds("gmail.com") {
            hop.mta = .google
        } else if byEnds("yahoo.com") || byEnds("yahoo.net") || byEnds("yahoodns.net") {
            hop.mta = .yahoo
        } else if byEnds(".outlook.com") || byEnds(".office365.com") {
            hop.mta = .exchangeOnline
        } else if hop.mta == nil, haystack.contains(where: { isSendmailVersion($0) }) {
            hop.mta = .sendmail
        }
    }

    /// Exim message ids: `1KQq5G-0001aY-Cr` (6-6-2) or the newer `1rAbCd-000AbC-1x2y` style (6-6-2..4).
    func isEximID(_ r: Range<Int>) -> Bool {
        let s = Array(b[r])
        guard s.count >= 16, s.count <= 24, s.count > 13, s[6] == ASCII.hyphen, s[13] == ASCII.hyphen else {
            return false
        }
        for (k, c) in s.enumerated() where k != 6 && k != 13 && !ASCII.isAlphaNumeric(c) { return false }
        return true
    }

    /// `8.11.6/8.11.6`, `8.12.2/8.12.2/20020902/$Revision…`, `V8/cf`, `8.9.3/8.9.3`.
    func isSendmailVersion(_ r: Range<Int>) -> Bool {
        guard let slash = r.first(where: { b[$0] == 0x2F }), slash > r.lowerBound else { return false }
        let head = b[r.lowerBound..<slash]
        if head.equalsLowercasedASCII("v8".utf8) { return true }
        return head.allSatisfy { ASCII.isDigit($0) || $0 == ASCII.dot } && head.contains(ASCII.dot)
    }

    // MARK: Clauses

    mutating func readLeading(_ toks: [ReceivedToken]) {
        for t in toks where t.kind == .comment {
            if contains(t.range, "invoked by") || contains(t.range, "invoked for bounce") {
                hop.isLocal = true
            } else if contains(t.range, "invoked from network") {
                hop.isQmailQueueStep = true
            } else {
                let facts = comment(t.range, depth: 0)
                if facts.localMarker || facts.localUser != nil {
                    hop.isLocal = true
                    if hop.ident == nil { hop.ident = facts.localUser }
                }
            }
            if contains(t.range, "qmail") { hop.mta = hop.mta ?? .qmail }
        }
    }

    mutating func readFrom(_ toks: [ReceivedToken]) {
        guard !toks.isEmpty else { return }
        var k = 0
        var wordIP: (IPAddress, Int?)? = nil
        var firstWord: Range<Int>? = nil
        if toks[0].kind == .word || toks[0].kind == .literal {
            let t = toks[0]
            firstWord = t.range
            hop.fromWord = t.kind == .literal ? "[" + text(t.range) + "]" : text(t.range)
            wordIP = address(in: t.range)
            k = 1
        }
        var comments: [CommentFacts] = []
        var extraIP: (IPAddress, Int?)? = nil
        var extraUnparsed: String? = nil
        for t in toks[k...] {
            switch t.kind {
            case .comment: comments.append(comment(t.range, depth: 0))
            case .literal:
                if let a = address(in: t.range) {
                    if extraIP == nil { extraIP = (a.0, t.port ?? a.1) }
                } else if extraUnparsed == nil {
                    extraUnparsed = text(t.range, max: 64)
                }
            case .word:
                if extraIP == nil, let a = address(in: t.range) { extraIP = a }
            default: break
            }
        }
        let main = comments.first { $0.hasAddress }
        let heloFact = comments.first { $0.helo != nil }?.helo
        if let hr = heloFact {
            hop.helo = stripQuestion(hr)
            hop.heloIP = address(in: hr)?.0
        }
        if let c = main {
            hop.ip = c.ip
            hop.unparsedIP = c.ip == nil ? c.unparsedIP : nil
            hop.port = c.port
            if let w = wordIP { hop.heloIP = hop.heloIP ?? w.0 }
        } else if let e = extraIP {
            hop.ip = e.0
            hop.port = e.1
            if let w = wordIP { hop.heloIP = hop.heloIP ?? w.0 }
        } else if let w = wordIP {
            hop.ip = w.0
            hop.port = w.1 ?? toks[0].port ?? comments.first { $0.port != nil }?.port
        } else if let u = extraUnparsed {
            hop.unparsedIP = u
        } else if toks[0].kind == .literal, let fw = firstWord {
            hop.unparsedIP = text(fw, max: 64)
        }
        let word = firstWord.map { _ in hop.fromWord ?? "" }
        let wordIsAddress = wordIP != nil || toks.first?.kind == .literal
        // Reverse DNS and HELO by shape.
        if let c = main, let name = c.name {
            // Postfix, Sendmail, Google, Courier: `from HELO (RDNS [IP])`.
            if hop.helo == nil { hop.helo = word }
            if c.rdnsFailed || name.lowercased() == "unknown" {
                hop.rdnsStatus = .failed
            } else {
                hop.rdns = name
                hop.rdnsStatus = .name
            }
        } else if let c = main, c.firstIsLiteral {
            if (c.eximKeys || hop.mta == .exim), !wordIsAddress, let w = word {
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
                if w.lowercased() == "unknown" {
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
            if hop.ident == nil { hop.ident = c.ident }
            if hop.auth == nil { hop.auth = c.auth }
            if hop.tls == nil { hop.tls = c.tls }
            if c.localMarker || c.localUser != nil {
                if hop.ident == nil { hop.ident = c.localUser }
            }
        }
        if hop.heloIP == nil, let h = hop.helo, let ip = IPAddress(h.trimmingQuestionMarks) { hop.heloIP = ip }
    }

    func stripQuestion(_ r: Range<Int>) -> String {
        text(r).trimmingQuestionMarks
    }

    mutating func readBy(_ toks: [ReceivedToken]) {
        guard let f = toks.first else { return }
        var rest = toks[...]
        if f.kind == .word || f.kind == .literal {
            hop.by = f.kind == .literal ? "[" + text(f.range) + "]" : text(f.range)
            if let a = address(in: f.range) { hop.byIP = a.0 }
            rest = toks.dropFirst()
        }
        for t in rest {
            switch t.kind {
            case .literal:
                if hop.byIP == nil, let a = address(in: t.range) { hop.byIP = a.0 }
            case .comment:
                let inner = ReceivedLexer.tokens(b, t.range, limit: limits.maxTokens)
                if inner.count == 1, inner[0].kind == .word || inner[0].kind == .literal,
                    let a = address(in: inner[0].range)
                {
                    if hop.byIP == nil { hop.byIP = a.0 }
                    continue
                }
                let facts = comment(t.range, depth: 0)
                if hop.auth == nil { hop.auth = facts.auth }
                if hop.tls == nil { hop.tls = facts.tls }
                if facts.localUser != nil || facts.localMarker {
                    hop.isLocal = true
                    if hop.ident == nil { hop.ident = facts.localUser }
                }
                if hop.software == nil, facts.tls == nil, facts.auth == nil { hop.software = softwareName(t.range) }
            default: break
            }
        }
    }

    /// A software comment without a trailing `, from userid …`.
    func softwareName(_ r: Range<Int>) -> String? {
        var hi = r.upperBound
        if let comma = r.first(where: { b[$0] == 0x2C }) { hi = comma }
        let s = text(r.lowerBound..<hi, max: 96).trimmingBlanks
        return s.isEmpty ? nil : s
    }

    mutating func readWith(_ toks: [ReceivedToken]) {
        if hop.with == nil { hop.with = words(toks) }
        for t in toks where t.kind == .comment {
            let facts = comment(t.range, depth: 0)
            if hop.tls == nil { hop.tls = facts.tls ?? tlsOnly(t.range) }
            if hop.auth == nil { hop.auth = facts.auth }
            if hop.software == nil, facts.tls == nil, tlsOnly(t.range) == nil, !contains(t.range, "envelope-") {
                hop.software = softwareName(t.range)
            }
        }
    }

    /// `(TLS)`, `(TLS1.2)`, `(TLSv1:AES256-SHA:256)`: a with-comment that only names TLS.
    func tlsOnly(_ r: Range<Int>) -> String? {
        let s = lower(r)
        guard s.count >= 3, s.starts(with: Array("tls".utf8)) || s.starts(with: Array("ssl".utf8)) else { return nil }
        return text(r, max: 128)
    }

    mutating func readFor(_ toks: [ReceivedToken]) {
        if hop.forAddress == nil, let f = toks.first, f.kind == .angle || f.kind == .word {
            var s = text(f.range, max: 254)
            while s.hasSuffix(",") { s.removeLast() }
            hop.forAddress = s.isEmpty ? nil : s
        }
        for t in toks where t.kind == .comment {
            let facts = comment(t.range, depth: 0)
            if hop.tls == nil { hop.tls = facts.tls }
        }
    }

    mutating func classifyProtocol() {
        var first: [UInt8] = []
        if let w = hop.with {
            for c in w.utf8 {
                if c == ASCII.space || c == 0x2F || c == ASCII.openParen { break }
                if first.count < 16 { first.append(ASCII.lower(c)) }
            }
        }
        let name = String(decoding: first, as: UTF8.self)
        let lowerWith = hop.with?.lowercased() ?? ""
        switch name {
        case "smtp", "utf8smtp", "asmtp", "nnfmp", "qmqp", "smtps":
            hop.protocolKind = .smtp
        case "esmtp", "esmtps", "esmtpa", "esmtpsa", "utf8esmtp", "utf8esmtps", "utf8esmtpa", "utf8esmtpsa",
            "utf8smtps", "utf8smtpa", "utf8smtpsa":
            hop.protocolKind = .esmtp
        case "lmtp", "lmtps", "lmtpa", "lmtpsa", "utf8lmtp", "utf8lmtps", "utf8lmtpa", "utf8lmtpsa":
            hop.protocolKind = .lmtp
        case "http", "https": hop.protocolKind = .http
        case "local", "local-esmtp", "local-smtp", "local-bsmtp", "unix": hop.protocolKind = .local
        case "imap", "imap4", "imaps", "imap4s", "imap4rev1": hop.protocolKind = .imap
        case "pop", "pop3", "pops", "pop3s", "pop2", "apop", "sdps", "odmr": hop.protocolKind = .pop
        case "mapi": hop.protocolKind = .mapi
        case "microsoft":
            hop.protocolKind = lowerWith.hasPrefix("microsoft smtpsvc") ? .smtp : .esmtp
        case "": hop.protocolKind = .unknown
        default:
            if name.hasPrefix("esmtp") {
                hop.protocolKind = .esmtp
            } else if name.hasPrefix("smtp") {
                hop.protocolKind = .smtp
            } else {
                hop.protocolKind = .other
            }
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
        let authenticated: Set<String> = [
            "esmtpa", "esmtpsa", "lmtpa", "lmtpsa", "utf8smtpa", "utf8smtpsa", "utf8esmtpa", "utf8esmtpsa", "utf8lmtpa",
            "utf8lmtpsa", "asmtp",
        ]
        if hop.auth == nil, authenticated.contains(name), let w = hop.with {
            hop.auth = String(w.prefix { $0 != " " && $0 != "/" })
        }
        let tlsNames: Set<String> = [
            "esmtps", "esmtpsa", "lmtps", "lmtpsa", "utf8smtps", "utf8smtpsa", "utf8esmtps", "utf8esmtpsa", "smtps",
            "https", "imaps", "pop3s", "pops", "imap4s",
        ]
        if hop.tls == nil {
            if tlsNames.contains(name), let w = hop.with {
                hop.tls = String(w.prefix { $0 != " " && $0 != "/" })
            } else if let w = hop.with, let slash = w.firstIndex(of: "/"), w[slash...].uppercased().contains("TLS") {
                hop.tls = String(w[w.index(after: slash)...])
            }
        }
        if hop.protocolKind == .local { hop.isLocal = true }
    }

    // MARK: Comments

    func comment(_ r: Range<Int>, depth: Int) -> CommentFacts {
        var f = CommentFacts()
        let toks = ReceivedLexer.tokens(b, r, limit: limits.maxTokens)
        if let first = toks.first, first.kind == .literal { f.firstIsLiteral = true }
        if contains(r, "using tls") || contains(r, "using ssl") || contains(r, "version=tls")
            || contains(r, "version=ssl") || contains(r, "cipher=") || contains(r, "using tlsv")
        {
            f.tls = text(r, max: 200).trimmingBlanks
        }
        var k = 0
        while k < toks.count {
            let t = toks[k]
            let next: ReceivedToken? = k + 1 < toks.count ? toks[k + 1] : nil
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
                        f.unparsedIP = text(t.range, max: 64)
                    }
                    f.ipIsLiteral = true
                    if k > 0, toks[k - 1].kind == .word, !isHeloValue(toks, k - 1) {
                        readName(toks[k - 1].range, into: &f)
                    }
                }
            case .word:
                let w = lower(t.range)
                if (w == Array("helo".utf8) || w == Array("ehlo".utf8)), let n = next,
                    n.kind == .word || n.kind == .literal
                {
                    f.helo = n.kind == .literal ? (n.range.lowerBound - 1)..<(n.range.upperBound + 1) : n.range
                    k += 2
                    continue
                }
                if w.starts(with: Array("helo=".utf8)) || w.starts(with: Array("ehlo=".utf8)) {
                    f.helo = (t.range.lowerBound + 5)..<t.range.upperBound
                    f.eximKeys = true
                } else if w.starts(with: Array("ident=".utf8)) {
                    f.ident = text((t.range.lowerBound + 6)..<t.range.upperBound, max: 64)
                    f.eximKeys = true
                } else if w.starts(with: Array("port=".utf8)) {
                    var p = 0
                    for c in b[(t.range.lowerBound + 5)..<t.range.upperBound] where ASCII.isDigit(c) && p < 100_000 {
                        p = p * 10 + Int(c &- 0x30)
                    }
                    if p <= 65_535 { f.port = p }
                    f.eximKeys = true
                } else if w == Array("authenticated".utf8) {
                    let prevNot = k > 0 && isWord(toks[k - 1], "not")
                    if !prevNot, f.auth == nil {
                        f.auth = text(t.range.lowerBound..<r.upperBound, max: 128).trimmingBlanks
                    }
                } else if w == Array("auth:".utf8) || w == Array("authenticated-sender:".utf8) {
                    if f.auth == nil { f.auth = text(t.range.lowerBound..<r.upperBound, max: 128).trimmingBlanks }
                } else if w == Array("account".utf8), let n = next, n.kind == .word {
                    // CommuniGate Pro: `(account USER HELO name)` marks an authenticated client.
                    if f.auth == nil { f.auth = "account " + text(n.range, max: 64) }
                    f.ident = f.ident ?? text(n.range, max: 64)
                    k += 2
                    continue
                } else if w == Array("softdnserr".utf8)
                    || (w == Array("rdns".utf8) && next.map { isWord($0, "failed") } == true)
                {
                    f.rdnsFailed = true
                } else if w == Array("from".utf8), let n = next, n.kind == .word {
                    // Sendmail `(from user@localhost)`, Postfix `(Postfix, from userid 889)`.
                    if isWord(n, "userid") {
                        f.localMarker = true
                        if k + 2 < toks.count { f.localUser = "uid " + text(toks[k + 2].range, max: 32) }
                    } else if contains(n.range, "@") || !contains(n.range, ".") {
                        f.localUser = text(n.range, max: 64)
                    }
                    k += 2
                    continue
                } else if !f.hasAddress, !isHeloValue(toks, k) {
                    if let a = bareAddress(t.range, into: &f) {
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

    func isHeloValue(_ toks: [ReceivedToken], _ k: Int) -> Bool {
        guard k > 0 else { return false }
        return isWord(toks[k - 1], "helo") || isWord(toks[k - 1], "ehlo") || isWord(toks[k - 1], "account")
    }

    /// `rdns`, `rdns.`, `user@rdns`, `IDENT:user@rdns`, `unknown`, `softdnserr`.
    func readName(_ r: Range<Int>, into f: inout CommentFacts) {
        var s = text(r)
        if s.lowercased().hasPrefix("ident:") { s = String(s.dropFirst(6)) }
        if let at = s.lastIndex(of: "@") {
            f.ident = String(s[..<at])
            s = String(s[s.index(after: at)...])
        }
        while s.hasSuffix(".") { s.removeLast() }
        let l = s.lowercased()
        if l == "softdnserr" || l == "unknown" || l.isEmpty {
            f.rdnsFailed = true
            return
        }
        if l == "may" || l == "verified" { return }
        f.name = s
    }

    /// qmail `(ip)`, `(user@ip)`, Exchange `(ip)`, `(ip.port)`.
    func bareAddress(_ r: Range<Int>, into f: inout CommentFacts) -> (IPAddress, Int?)? {
        if let a = address(in: r) { return a }
        if let at = r.last(where: { b[$0] == ASCII.at }), at + 1 < r.upperBound,
            let a = address(in: (at + 1)..<r.upperBound)
        {
            f.ident = text(r.lowerBound..<at, max: 64)
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
        ReceivedDateParser.parse(value[...])
    }
}
