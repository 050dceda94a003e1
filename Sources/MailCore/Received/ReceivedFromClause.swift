extension Reader {
    /// A port: one to five digits, at most 65535.
    func port(in r: Range<Int>) -> Int? {
        guard !r.isEmpty, r.count <= 5 else { return nil }
        var p = 0
        for k in r {
            guard ASCII.isDigit(b[k]) else { return nil }
            p = p * 10 + Int(b[k] &- 0x30)
        }
        return p <= 65_535 ? p : nil
    }

    /// An address in a word or literal: strips `?…?`, brackets, a trailing dot or comma, `IPv6:`; accepts
    /// `a.b.c.d.port` and `a.b.c.d:port` (a port glued on with a dot or a colon).
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
        // a.b.c.d:port (XMail `(ip:port)`, Momentum `[ip:port]`): digits and dots, a colon, digits. Never an IPv6
        // address, whose colons come before any dot.
        var colon = lo
        while colon < hi, ASCII.isDigit(b[colon]) || b[colon] == ASCII.dot { colon += 1 }
        if colon < hi, b[colon] == ASCII.colon, let ip = IPAddress.parse(b, lo..<colon),
            let port = port(in: (colon + 1)..<hi)
        {
            return (ip, port)
        }
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

    // MARK: Clauses

    /// The text before the first keyword: a comment there marks a local hop (`(qmail 123 invoked by uid 0)`,
    /// `(from user@localhost)`) or a qmail queue step (`invoked from network`).
    mutating func readLeading(_ c: ClauseSpan) {
        for k in c.start..<c.end where toks[k].kind == .comment {
            let r = toks[k].range
            if b.asciiContains(r, "invoked by") || b.asciiContains(r, "invoked for bounce") {
                hop.isLocal = true
            } else if b.asciiContains(r, "invoked from network") {
                hop.isQmailQueueStep = true
            } else {
                let facts = comment(r, depth: 0)
                if facts.localMarker || facts.localUser != nil {
                    hop.isLocal = true
                    if hop.ident == nil { hop.ident = facts.localUser.map(string) }
                }
            }
            if b.asciiContains(r, "qmail") { hop.mta = hop.mta ?? .qmail }
        }
    }

    /// Reads the `from` clause: the word, the comments and literals after it, then what they mean by the shape
    /// they make (one function per row of the shape table on `ReceivedParser`).
    mutating func readFrom(_ c: ClauseSpan) {
        guard !c.isEmpty else { return }
        let parts = fromParts(c)
        if let hr = parts.comments.first(where: { $0.helo != nil })?.helo {
            hop.helo = stripQuestion(hr)
            hop.heloIP = address(in: hr)?.0
        }
        readFromAddress(parts)
        if let m = parts.main {
            if let name = m.name {
                fromNamedLiteral(m, name: name, parts)
            } else if m.firstIsLiteral {
                fromLeadingLiteral(m, parts)
            } else if m.ipIsLiteral {
                fromUnnamedLiteral(m, parts)
            } else {
                fromBareAddress(m, parts)
            }
        } else if parts.extraIP != nil || parts.extraUnparsed != nil {
            fromLiteralAfterWord(parts)
        } else {
            fromWordAlone(parts)
        }
        if let c = parts.comments.first(where: { $0.rdnsFailed }), hop.rdnsStatus == .absent, c.name == nil {
            hop.rdnsStatus = .failed
        }
        for c in parts.comments {
            if hop.ident == nil { hop.ident = c.ident.map(string) }
            if hop.auth == nil { hop.auth = c.auth.map(string) }
            if hop.tls == nil { hop.tls = c.tls.map(string) }
            if c.localMarker || c.localUser != nil {
                if hop.ident == nil { hop.ident = c.localUser.map(string) }
            }
        }
        if hop.heloIP == nil, let h = hop.helo, let ip = Reader.addressTrimmingQuestionMarks(h) { hop.heloIP = ip }
    }

    /// The tokens of a `from` clause, sorted: the word, the comments, the first literal or address after the word.
    mutating func fromParts(_ c: ClauseSpan) -> FromParts {
        var parts = FromParts()
        let t0 = toks[c.start]
        var k = c.start
        if t0.kind == .word || t0.kind == .literal {
            parts.firstWord = t0.range
            parts.wordIsLiteral = t0.kind == .literal
            parts.wordPort = t0.port
            let word = t0.kind == .literal ? "[" + text(t0.range) + "]" : text(t0.range)
            hop.fromWord = word
            parts.word = word
            parts.wordIP = address(in: t0.range)
            k += 1
        }
        while k < c.end {
            let t = toks[k]
            switch t.kind {
            case .comment: parts.comments.append(comment(t.range, depth: 0))
            case .literal:
                if let a = address(in: t.range) {
                    if parts.extraIP == nil { parts.extraIP = (a.0, t.port ?? a.1) }
                } else if parts.extraUnparsed == nil {
                    parts.extraUnparsed = .plain(clamp(t.range, 64))
                }
            case .word:
                if parts.extraIP == nil, let a = address(in: t.range) { parts.extraIP = a }
            default: break
            }
            k += 1
        }
        parts.main = parts.comments.first { $0.hasAddress }
        parts.heloGiven = parts.main.map { $0.eximKeys && $0.helo != nil } ?? false
        return parts
    }

    /// The connecting address: the comment's, else a literal after the word, else the word's. The word is a HELO
    /// claim when another address is recorded, unless the address comment names the HELO as a key (`helo=`): then
    /// the word is only the client's address again (Momentum `from [IP] ([IP:port] helo=HELO)`).
    mutating func readFromAddress(_ parts: FromParts) {
        if let c = parts.main {
            hop.ip = c.ip
            hop.unparsedIP = c.ip == nil ? c.unparsedIP.map(string) : nil
            hop.port = c.port
            if let w = parts.wordIP, !parts.heloGiven { hop.heloIP = hop.heloIP ?? w.0 }
        } else if let e = parts.extraIP {
            hop.ip = e.0
            hop.port = e.1
            if let w = parts.wordIP, !parts.heloGiven { hop.heloIP = hop.heloIP ?? w.0 }
        } else if let w = parts.wordIP {
            hop.ip = w.0
            hop.port = w.1 ?? parts.wordPort ?? parts.comments.first { $0.port != nil }?.port
        } else if let u = parts.extraUnparsed {
            hop.unparsedIP = string(u)
        } else if parts.wordIsLiteral, let fw = parts.firstWord {
            hop.unparsedIP = text(fw, max: 64)
        }
    }

    // MARK: Shapes

    /// `from HELO (RDNS [IP])`: Postfix, Sendmail, Google, Courier. The name before the literal is the reverse
    /// DNS (`unknown`, `softdnserr`: the lookup failed).
    mutating func fromNamedLiteral(_ c: CommentFacts, name: Val, _ parts: FromParts) {
        if hop.helo == nil { hop.helo = parts.word }
        if c.rdnsFailed || lowerEquals(name, "unknown") {
            hop.rdnsStatus = .failed
        } else {
            hop.rdns = string(name)
            hop.rdnsStatus = .name
        }
    }

    /// A comment that starts with the literal: Exim `from RDNS ([IP]:port helo=HELO)` (the word is the reverse
    /// DNS), Exchange 2000 `from HELO ([IP] RDNS failed)` and Sendmail `from HELO ([IP])` (the word is the HELO).
    mutating func fromLeadingLiteral(_ c: CommentFacts, _ parts: FromParts) {
        if c.eximKeys || hop.mta == .exim, !parts.wordIsAddress, let w = parts.word {
            hop.rdns = w
            hop.rdnsStatus = .name
            if hop.helo == nil { hop.helo = w }
        } else {
            if hop.helo == nil { hop.helo = parts.word }
            if c.rdnsFailed { hop.rdnsStatus = .failed }
        }
    }

    /// `from HELO (unknown [IP])`, `(softdnserr [IP])`: the name position says the lookup failed.
    mutating func fromUnnamedLiteral(_ c: CommentFacts, _ parts: FromParts) {
        if hop.helo == nil { hop.helo = parts.word }
        if c.rdnsFailed { hop.rdnsStatus = .failed }
    }

    /// An address without brackets in a comment: qmail `from RDNS (HELO x) (ip)` (the word is the reverse DNS,
    /// `unknown` when the lookup failed), Exchange `from HELO (ip)` or XMail `from HELO (ip:port)`.
    mutating func fromBareAddress(_ c: CommentFacts, _ parts: FromParts) {
        if hop.mta == .exchange || hop.mta == .exchangeOnline || c.colonPort {
            if hop.helo == nil { hop.helo = parts.word }
        } else if let w = parts.word, !parts.wordIsAddress {
            if lowerEquals(.string(w), "unknown") {
                hop.rdnsStatus = .failed
            } else {
                hop.rdns = w
                hop.rdnsStatus = .name
                if hop.helo == nil { hop.helo = w }
            }
        } else if hop.helo == nil {
            hop.helo = parts.word
        }
    }

    /// `from HELO [IP] by …`: MDaemon, fetchmail. The word is the HELO.
    mutating func fromLiteralAfterWord(_ parts: FromParts) {
        if hop.helo == nil { hop.helo = parts.word }
    }

    /// No address after the word: `from [IP] (HELO x)` (CommuniGate), `from [IP] by … via HTTP` (webmail) and
    /// `from HOST by …` (an internal hop). A word that is not an address is the HELO.
    mutating func fromWordAlone(_ parts: FromParts) {
        if !parts.wordIsAddress, hop.helo == nil { hop.helo = parts.word }
    }

    /// `IPAddress(s.trimmingQuestionMarks)`, over the bytes: for text that is not ASCII the two agree, since an
    /// address never holds such bytes except in a zone id (after `%`, ignored) and a `?` that trims differently as a
    /// `Character` (one with a combining mark after it) leaves text that is no address either way.
    static func addressTrimmingQuestionMarks(_ s: String) -> IPAddress? {
        var s = s
        return s.withUTF8 { p in IPAddress.parse(p, p.trimming(0..<p.count) { $0 == ASCII.question }) }
    }
}

/// A `from` clause sorted by what its tokens are, before the shape says what they mean.
struct FromParts {
    /// The first token when it is a word or a literal (`[…]`, kept with its brackets), as `fromWord`.
    var word: String?
    var firstWord: Range<Int>?
    var wordIsLiteral = false
    /// A `:port` after a literal word.
    var wordPort: Int?
    var wordIP: (IPAddress, Int?)?
    var wordIsAddress: Bool { wordIP != nil || wordIsLiteral }
    var comments: [CommentFacts] = []
    /// Whether the address comment names the HELO as a key (`[IP:port] helo=HELO`).
    var heloGiven = false
    /// The first comment that holds an address (or an address literal that is none): the connecting host's.
    var main: CommentFacts? = nil
    /// The first address (a literal, else a word) after the word outside comments, and its port.
    var extraIP: (IPAddress, Int?)? = nil
    /// The first literal after the word that is not an address.
    var extraUnparsed: Val? = nil
}
