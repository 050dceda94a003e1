extension Reader {
    /// `by HOST [IP] (comments)`: the writing host, its own address, and what its comments say (software, TLS,
    /// authentication, a local submission).
    mutating func readBy(_ c: ClauseSpan) {
        guard !c.isEmpty else { return }
        let f = toks[c.start]
        var k = c.start
        if f.kind == .word || f.kind == .literal {
            if f.kind == .literal {
                hop.by = "[" + text(f.range) + "]"
            } else {
                // `by mx.example.org, with SMTP`: the comma is no part of the name.
                var name = text(f.range)
                while name.hasSuffix(",") { name.removeLast() }
                hop.by = name.isEmpty ? nil : name
            }
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

    /// `with PROTOCOL (comments)`: the words as written; TLS, authentication and software from the comments.
    mutating func readWith(_ c: ClauseSpan) {
        if hop.with == nil { hop.with = words(c) }
        for k in c.start..<c.end where toks[k].kind == .comment {
            let r = toks[k].range
            let facts = comment(r, depth: 0)
            if hop.tls == nil { hop.tls = facts.tls.map(string) ?? tlsOnly(r) }
            if hop.auth == nil { hop.auth = facts.auth.map(string) }
            if hop.software == nil, facts.tls == nil, !isTLSOnly(r), !b.asciiContains(r, "envelope-") {
                hop.software = softwareName(r)
            }
        }
    }

    /// `(TLS)`, `(TLS1.2)`, `(TLSv1:AES256-SHA:256)`: a with-comment that only names TLS.
    func isTLSOnly(_ r: Range<Int>) -> Bool {
        let s = clamp(r, 64)
        return s.count >= 3 && (b.asciiHasPrefix(s, "tls") || b.asciiHasPrefix(s, "ssl"))
    }

    func tlsOnly(_ r: Range<Int>) -> String? {
        isTLSOnly(r) ? text(r, max: 128) : nil
    }

    /// `for <address>`: the recipient, and TLS from a comment.
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
}
