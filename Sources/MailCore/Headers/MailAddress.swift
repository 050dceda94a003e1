/// A mailbox from an address header: the address and the display name a reader sees.
public struct MailAddress: Sendable, Equatable {
    /// `local@domain` as written (blanks and comments removed); may lack `@` when the header had no domain.
    public var address: String
    /// The display name, decoded (encoded words, quotes, 8-bit bytes); nil when there is none.
    public var name: String?

    public init(address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

/// Address lists (`From`, `To`, `Cc`, RFC 5322 section 3.4), read the way mail clients read spam.
///
/// Handles `Name <a@b>`, `"Quoted, Name" <a@b>`, bare `a@b`, `a@b (Comment Name)`, groups (`team: a@b, c@d;`),
/// obsolete routes (`<@relay:a@b>`), a missing `>`, encoded words in names (also inside quotes, as clients write
/// them), raw 8-bit names, and a quoted name holding the only address (`"a@b"`). Comments inside an address are
/// not part of it (`pete(his account)@silly.test` is `pete@silly.test`, RFC 5322 A.5); a comment after the
/// address is its name when there is no other, as GMime reads it. Unquoted names keep their blanks, also after a
/// full stop (`John Q. Smith`), while an obsolete address with blanks around its dots (`john . smith @ x.test`)
/// loses them.
public enum AddressParser {
    /// At most this many addresses are returned from one header.
    public static let maxAddresses = 256

    public static func parse(_ raw: UnsafeBufferPointer<UInt8>, fallback: Charset? = nil) -> [MailAddress] {
        var u: [UInt8] = []
        u.reserveCapacity(raw.count)
        for c in raw where c != ASCII.cr && c != ASCII.lf { u.append(c) }
        return u.withUnsafeBufferPointer { parseUnfolded($0, fallback: fallback) }
    }

    public static func parse(_ raw: [UInt8], fallback: Charset? = nil) -> [MailAddress] {
        raw.withUnsafeBufferPointer { parse($0, fallback: fallback) }
    }

    static func parseUnfolded(_ u: UnsafeBufferPointer<UInt8>, fallback: Charset?) -> [MailAddress] {
        var result: [MailAddress] = []
        let n = u.count
        var i = 0
        // One mailbox at a time: phrase words, then "<addr>" or an addr-spec, up to a top-level "," or ";".
        var phrase: [UInt8] = []  // display-name text, encoded words kept for decoding at the end
        var spec: [UInt8] = []  // an address outside angle brackets
        var comment: [UInt8] = []
        // The length of `spec` when `comment` was read: a comment the address goes on after (`pete(his
        // account)@silly.test`) comments a word of it and names nobody.
        var commentAt = 0
        var angle: [UInt8]? = nil
        var quotedOnly: [UInt8] = []

        func finish() {
            defer {
                phrase.removeAll(keepingCapacity: true)
                spec.removeAll(keepingCapacity: true)
                comment.removeAll(keepingCapacity: true)
                quotedOnly.removeAll(keepingCapacity: true)
                angle = nil
            }
            guard result.count < maxAddresses else { return }
            var address: [UInt8]
            var nameBytes: [UInt8]
            if let a = angle {
                address = a
                nameBytes = phrase + (spec.isEmpty ? [] : spec)
            } else if !spec.isEmpty && spec.contains(ASCII.at) {
                address = withoutBlanks(spec)
                nameBytes = phrase.isEmpty && commentAt == spec.count ? comment : phrase
                if !phrase.isEmpty {
                    // "Name a@b" without brackets: the last word is the address.
                    nameBytes = phrase
                }
            } else if let inner = addressInside(quotedOnly) {
                address = inner
                nameBytes = []
            } else {
                address = withoutBlanks(spec)
                nameBytes = phrase
            }
            address = stripRoute(address)
            trim(&nameBytes, quotes: false)
            trim(&address, quotes: true)
            if address.isEmpty && nameBytes.isEmpty { return }
            var name: String? = nil
            if !nameBytes.isEmpty {
                let (decoded, _) = HeaderText.decode(nameBytes, fallback: fallback)
                let t = decoded.trimmingSpacesAndTabs()
                name = t.isEmpty ? nil : t
            }
            let addr = String(decoding: address, as: UTF8.self)
            if addr.isEmpty && name == nil { return }
            result.append(MailAddress(address: addr, name: name))
        }

        while i < n {
            let c = u[i]
            switch c {
            case ASCII.quote:
                // A quoted string: part of the name (or of a local part when "@" follows).
                var j = i + 1
                var q: [UInt8] = []
                while j < n && u[j] != ASCII.quote {
                    if u[j] == ASCII.backslash && j + 1 < n { j += 1 }
                    q.append(u[j])
                    j += 1
                }
                let after = min(n, j + 1)
                if after < n && u[after] == ASCII.at {
                    spec.append(ASCII.quote)
                    spec.append(contentsOf: q)
                    spec.append(ASCII.quote)
                } else {
                    if !phrase.isEmpty || !spec.isEmpty { phrase.append(contentsOf: spec) }
                    spec.removeAll(keepingCapacity: true)
                    if !phrase.isEmpty && phrase.last != ASCII.space { phrase.append(ASCII.space) }
                    phrase.append(contentsOf: q)
                    quotedOnly.append(contentsOf: q)
                }
                i = after
            case ASCII.openParen:
                let end = MIMEHeader.skipComment(u, from: i)
                var inner = Array(u[(i + 1)..<max(i + 1, end - 1)])
                if end == n && u.last != ASCII.closeParen { inner = Array(u[(i + 1)..<n]) }
                if comment.isEmpty || commentAt != spec.count {
                    comment = inner
                    commentAt = spec.count
                }
                i = end
            case ASCII.openAngle:
                var j = i + 1
                var a: [UInt8] = []
                while j < n && u[j] != ASCII.closeAngle {
                    if u[j] == ASCII.openParen {
                        // A comment inside the address is not part of it: `<pete(his account)@silly.test>`.
                        j = MIMEHeader.skipComment(u, from: j)
                        continue
                    }
                    if u[j] == ASCII.openAngle {
                        a.removeAll(keepingCapacity: true)
                    }  // "<<a@b>>"
                    else if !ASCII.isWhitespace(u[j]) && u[j] != ASCII.quote {
                        a.append(u[j])
                    }
                    j += 1
                }
                if angle == nil || angle?.isEmpty == true { angle = a }
                // Words before "<" are the name.
                if !spec.isEmpty {
                    if !phrase.isEmpty { phrase.append(ASCII.space) }
                    phrase.append(contentsOf: spec)
                    spec.removeAll(keepingCapacity: true)
                }
                i = min(n, j + 1)
            case 0x2C:  // ","
                if angle != nil || spec.contains(ASCII.at) || (phrase.isEmpty && spec.isEmpty) {
                    finish()
                } else {
                    // "Last, First <a@b>" without quotes: the comma belongs to the name.
                    if !spec.isEmpty {
                        if !phrase.isEmpty { phrase.append(ASCII.space) }
                        phrase.append(contentsOf: spec)
                        spec.removeAll(keepingCapacity: true)
                    }
                    phrase.append(0x2C)
                }
                i += 1
            case 0x1B, 0x0E:
                // ISO-2022 text (a name in ISO-2022-JP or -KR written without encoded words): its bytes include
                // `;`, `@`, `:` and `(`, so it is one word up to the switch back to ASCII.
                let end = iso2022RunEnd(u, from: i)
                if angle == nil { spec.append(contentsOf: u[i..<end]) }
                i = end
            case ASCII.semicolon:
                finish()
                i += 1
            case ASCII.colon where angle == nil && !spec.contains(ASCII.at):
                // A group name: "undisclosed-recipients:" — what came before is not a mailbox.
                phrase.removeAll(keepingCapacity: true)
                spec.removeAll(keepingCapacity: true)
                quotedOnly.removeAll(keepingCapacity: true)
                i += 1
            case ASCII.space, ASCII.tab:
                // A blank ends a word: move the word to the phrase unless it is (part of) an address.
                var j = i
                while j < n && ASCII.isSpaceOrTab(u[j]) { j += 1 }
                let nextIsAt = j < n && (u[j] == ASCII.at || u[j] == ASCII.dot)
                let prevIsAt = spec.last == ASCII.at || spec.last == ASCII.dot
                if !spec.isEmpty && !nextIsAt && !prevIsAt && !(j < n && u[j] == ASCII.openParen) {
                    if !phrase.isEmpty && phrase.last != ASCII.space { phrase.append(ASCII.space) }
                    phrase.append(contentsOf: spec)
                    spec.removeAll(keepingCapacity: true)
                } else if !spec.isEmpty && (nextIsAt || prevIsAt) && j < n {
                    // Maybe an obsolete address with blanks around its dots (`john . smith @ x.test`), maybe a
                    // name with initials (`John Q. Smith <j@x.test>`): keep one blank, which the address drops
                    // and the name keeps.
                    spec.append(ASCII.space)
                }
                i = j
            default:
                if angle != nil {
                    // Text after "<addr>": ignored (but a second mailbox starts after a comma).
                    i += 1
                    continue
                }
                spec.append(c)
                i += 1
            }
        }
        // When the phrase ended with a word containing "@" (e.g. "Name a@b"), take it as the address.
        if angle == nil && !spec.contains(ASCII.at), let at = phrase.lastIndex(of: ASCII.at) {
            let start = (phrase[..<at].lastIndex(of: ASCII.space)).map { $0 + 1 } ?? 0
            if spec.isEmpty && quotedOnly.isEmpty {
                let end = phrase[at...].firstIndex(of: ASCII.space) ?? phrase.count
                spec = Array(phrase[start..<end])
                phrase.removeSubrange(start..<end)
            }
        }
        finish()
        return result
    }

    /// The end of ISO-2022 text starting at an ESC or SO at `i`: after the escape sequence back to ASCII (`ESC ( B`,
    /// `ESC ( J`) that follows a multi-byte designation (`ESC $ B`…), after the SI that ends an SO run, after the
    /// four bytes of a designation SO shifts to (`ESC $ ) C`), after any other escape sequence's three bytes; the
    /// end of the value when nothing ends it.
    static func iso2022RunEnd(_ u: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = u.count
        if u[i] == 0x0E {
            var j = i + 1
            while j < n && u[j] != 0x0F { j += 1 }
            return min(n, j + 1)
        }
        guard i + 2 < n, u[i + 1] == 0x24 else { return min(n, i + 3) }
        // ESC $ ) C and the like designate a set that SO shifts to later: the four bytes alone.
        if u[i + 2] == 0x29 || u[i + 2] == 0x2A || u[i + 2] == 0x2B { return min(n, i + 4) }
        var j = i + 3
        while j + 2 < n {
            if u[j] == 0x1B && u[j + 1] == 0x28 && (u[j + 2] == 0x42 || u[j + 2] == 0x4A) { return j + 3 }
            j += 1
        }
        return n
    }

    /// An address as written with blanks around its dots or its `@`: the blanks removed, except in quotes.
    static func withoutBlanks(_ a: [UInt8]) -> [UInt8] {
        guard a.contains(where: ASCII.isSpaceOrTab) else { return a }
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var quoted = false
        for c in a {
            if c == ASCII.quote { quoted.toggle() }
            if quoted || !ASCII.isSpaceOrTab(c) { out.append(c) }
        }
        return out
    }

    /// "<@a,@b:user@host>" → "user@host".
    static func stripRoute(_ a: [UInt8]) -> [UInt8] {
        guard a.first == ASCII.at, let colon = a.firstIndex(of: ASCII.colon) else { return a }
        return Array(a[(colon + 1)...])
    }

    /// `a@b` or `<a@b>` inside a quoted string that stood alone.
    static func addressInside(_ q: [UInt8]) -> [UInt8]? {
        guard q.contains(ASCII.at) else { return nil }
        var s = q[...]
        if let open = s.firstIndex(of: ASCII.openAngle) {
            s = s[(open + 1)...]
            if let close = s.firstIndex(of: ASCII.closeAngle) { s = s[..<close] }
        }
        let t = s.filter { !ASCII.isWhitespace($0) }
        return t.contains(ASCII.at) ? Array(t) : nil
    }

    static func trim(_ b: inout [UInt8], quotes: Bool) {
        func strip(_ c: UInt8) -> Bool { ASCII.isWhitespace(c) || (quotes && c == ASCII.quote) }
        while let l = b.last, strip(l) { b.removeLast() }
        var k = 0
        while k < b.count && strip(b[k]) { k += 1 }
        if k > 0 { b.removeFirst(k) }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingSpacesAndTabs() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
