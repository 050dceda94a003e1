extension Reader {
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
        // Byte comparison gives what `lowercased()` would: no other character lower-cases to these letters.
        if hop.protocolKind == .unknown || hop.protocolKind == .other, let v = hop.via?.utf8,
            v.equalsLowercasedASCII("http".utf8) || v.equalsLowercasedASCII("https".utf8)
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
}

/// The protocol names `classifyProtocol` knows, packed for byte comparison.
enum ProtocolNames {
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
