/// What a comment of the `from` clause says.
struct CommentFacts {
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
    /// The address was a bare `ip:port` (XMail): the word before the comment is the HELO, not a looked-up name.
    var colonPort = false
}

extension Reader {
    // MARK: Comments

    /// `using tls`, `using ssl`, `version=tls`, `version=ssl` or `cipher=` in `b[r]`, in one pass.
    func mentionsTLS(_ r: Range<Int>) -> Bool {
        let end = r.upperBound
        var i = r.lowerBound
        while i < end {
            switch ASCII.lower(b[i]) {
            case 0x75:  // u
                if b.asciiMatches(at: i, "using tls", end: end) || b.asciiMatches(at: i, "using ssl", end: end) {
                    return true
                }
            case 0x76:  // v
                if b.asciiMatches(at: i, "version=tls", end: end) || b.asciiMatches(at: i, "version=ssl", end: end) {
                    return true
                }
            case 0x63:  // c
                if b.asciiMatches(at: i, "cipher=", end: end) { return true }
            default: break
            }
            i += 1
        }
        return false
    }

    /// Reads one comment (and up to three levels of comments inside it): the address and the name before it, the
    /// HELO, ident, port, TLS and authentication, a failed lookup, a local sender. Its tokens are pushed on `toks`
    /// and popped again.
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
                if b.asciiEquals(w, "helo") || b.asciiEquals(w, "ehlo"), let nx = next,
                    nx.kind == .word || nx.kind == .literal
                {
                    f.helo = nx.kind == .literal ? (nx.range.lowerBound - 1)..<(nx.range.upperBound + 1) : nx.range
                    k += 2
                    continue
                }
                if b.asciiHasPrefix(w, "helo=") || b.asciiHasPrefix(w, "ehlo=") {
                    f.helo = (w.lowerBound + 5)..<w.upperBound
                    f.eximKeys = true
                } else if b.asciiHasPrefix(w, "ident=") {
                    f.ident = .plain(clamp((w.lowerBound + 6)..<w.upperBound, 64))
                    f.eximKeys = true
                } else if b.asciiHasPrefix(w, "port=") {
                    var p = 0
                    for i in (w.lowerBound + 5)..<w.upperBound where ASCII.isDigit(b[i]) && p < 100_000 {
                        p = p * 10 + Int(b[i] &- 0x30)
                    }
                    if p <= 65_535 { f.port = p }
                    f.eximKeys = true
                } else if b.asciiEquals(w, "authenticated") {
                    let prevNot = k > base && isWord(toks[k - 1], "not")
                    if !prevNot, f.auth == nil {
                        f.auth = .trimmed(clamp(w.lowerBound..<r.upperBound, 128))
                    }
                } else if b.asciiEquals(w, "auth:") || b.asciiEquals(w, "authenticated-sender:") {
                    if f.auth == nil { f.auth = .trimmed(clamp(w.lowerBound..<r.upperBound, 128)) }
                } else if b.asciiEquals(w, "account"), let nx = next, nx.kind == .word {
                    // CommuniGate Pro: `(account USER HELO name)` marks an authenticated client.
                    let user = clamp(nx.range, 64)
                    if f.auth == nil {
                        f.auth = .account(
                            Int32(truncatingIfNeeded: user.lowerBound), Int32(truncatingIfNeeded: user.upperBound))
                    }
                    f.ident = f.ident ?? .plain(user)
                    k += 2
                    continue
                } else if b.asciiEquals(w, "softdnserr")
                    || (b.asciiEquals(w, "rdns") && next.map { isWord($0, "failed") } == true)
                {
                    f.rdnsFailed = true
                } else if b.asciiEquals(w, "from"), let nx = next, nx.kind == .word {
                    // Sendmail `(from user@localhost)`, Postfix `(Postfix, from userid 889)`.
                    if isWord(nx, "userid") {
                        f.localMarker = true
                        if k + 2 < n {
                            let uid = clamp(toks[k + 2].range, 32)
                            f.localUser = .uid(
                                Int32(truncatingIfNeeded: uid.lowerBound), Int32(truncatingIfNeeded: uid.upperBound))
                        }
                    } else if b.contains(byte: ASCII.at, in: nx.range) || !b.contains(byte: ASCII.dot, in: nx.range) {
                        f.localUser = .plain(clamp(nx.range, 64))
                    }
                    k += 2
                    continue
                } else if !f.hasAddress, !isHeloValue(base, k) {
                    if let a = bareAddress(w, into: &f) {
                        f.ip = a.0
                        f.port = a.1
                        f.ipIsLiteral = false
                        f.colonPort = a.1 != nil && b.contains(byte: ASCII.colon, in: w)
                    } else if let g = gluedLiteral(w) {
                        // `unknown[IP]`, `rdns[IP]`: the literal and the name before it, with no blank between.
                        f.ip = g.ip
                        f.port = g.port
                        f.ipIsLiteral = true
                        readName(g.name, into: &f)
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
        guard b.isASCII(full) else { return readNameText(r, into: &f) }
        var lo = full.lowerBound
        var hi = full.upperBound
        if b.asciiHasPrefix(lo..<hi, "ident:") { lo += 6 }
        var at = hi
        while at > lo, b[at - 1] != ASCII.at { at -= 1 }
        if at > lo {
            f.ident = .plain(lo..<(at - 1))
            lo = at
        }
        while hi > lo, b[hi - 1] == ASCII.dot { hi -= 1 }
        let l = lo..<hi
        if b.asciiEquals(l, "softdnserr") || b.asciiEquals(l, "unknown") || l.isEmpty {
            f.rdnsFailed = true
            return
        }
        if b.asciiEquals(l, "may") || b.asciiEquals(l, "verified") { return }
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

    /// `name[ip]` or `name[ip]:port` written as one word, with no blank before the bracket (`unknown[IP]`,
    /// `host.example.net[IP]`): the name's range, the address and the port. One pass over the word.
    func gluedLiteral(_ w: Range<Int>) -> (name: Range<Int>, ip: IPAddress, port: Int?)? {
        var open = w.lowerBound
        while open < w.upperBound, b[open] != ASCII.openBracket { open += 1 }
        guard open > w.lowerBound, open < w.upperBound else { return nil }
        var close = open + 1
        while close < w.upperBound, b[close] != ASCII.closeBracket { close += 1 }
        guard close < w.upperBound, let a = address(in: (open + 1)..<close) else { return nil }
        var port = a.1
        if close + 1 < w.upperBound {
            guard b[close + 1] == ASCII.colon, let p = self.port(in: (close + 2)..<w.upperBound) else { return nil }
            port = p
        }
        return (w.lowerBound..<open, a.0, port)
    }
}
