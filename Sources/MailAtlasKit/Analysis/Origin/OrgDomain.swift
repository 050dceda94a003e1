import MailCore

/// The organisation a host name belongs to, for "same site" decisions: its registrable domain, approximated with
/// the common second-level public suffixes (`co.uk`, `ne.jp`, `com.br`…).
///
/// This is deliberately small: it decides whether two relays belong to the same site, where a wrong split only
/// makes the analysis more cautious. When the Public Suffix List lands in MailCore this should call it.
enum OrgDomain {
    /// Second-level labels that sit under a country code as public suffixes in most ccTLDs.
    private static let secondLevel: Set<String> = [
        "ac", "ad", "co", "com", "ed", "edu", "go", "gob", "gov", "gr", "lg", "ltd", "me", "mil", "ne", "net", "nic",
        "nom", "or", "org", "plc", "sch", "info", "biz", "int", "res", "in", "ind", "gen", "firm", "web", "asso",
        "nhs", "police", "kyoto", "tokyo", "osaka",
    ]
    /// Names that are never a real organisation (local, reserved, or what misconfigured hosts call themselves).
    private static let notReal: Set<String> = [
        "local", "localdomain", "lan", "internal", "home", "corp", "localhost", "invalid", "intranet", "private",
        "loc", "domain", "workgroup", "arpa",
    ]
    /// The same lists as lower-case labels packed into two words (labels are at most 11 bytes), for byte lookups.
    private static let secondLevelPacked: [Packed] = secondLevel.map { Packed(Array($0.utf8)[...]) }
    private static let notRealPacked: [Packed] = notReal.map { Packed(Array($0.utf8)[...]) }

    /// Up to 16 lower-case bytes in two words, and the length.
    private struct Packed: Equatable {
        var a: UInt64 = 0
        var b: UInt64 = 0
        var count: Int = 0

        init?(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) {
            guard r.count <= 16 else { return nil }
            count = r.count
            for (k, i) in r.enumerated() {
                let c = UInt64(ASCII.lower(p[i]))
                if k < 8 { a |= c << UInt64(8 * k) } else { b |= c << UInt64(8 * (k - 8)) }
            }
        }

        init(_ bytes: ArraySlice<UInt8>) {
            count = bytes.count
            for (k, c) in bytes.enumerated() where k < 16 {
                if k < 8 { a |= UInt64(c) << UInt64(8 * k) } else { b |= UInt64(c) << UInt64(8 * (k - 8)) }
            }
        }
    }

    /// The organisation domain of a host name, or nil for names that cannot be one (single labels, address
    /// literals, reserved names).
    static func of(_ host: String?) -> String? {
        guard let host else { return nil }
        switch host.utf8.withContiguousStorageIfAvailable({ range(in: $0) }) {
        case .some(.org(let r)):
            return host.utf8.withContiguousStorageIfAvailable { lowered(UnsafeBufferPointer(rebasing: $0[r])) }
        case .some(.none): return nil
        case .some(.notASCII), nil: return ofText(host)
        }
    }

    /// The site a host belongs to, for keying a receiving site's relays: its organisation domain, or, for a name
    /// that has none (an internal `mx1.corp.local`, a `.lan` or `.internal` host, a name a corpus anonymised), the
    /// name without its first label. Nil for single labels, address literals and `localhost` names. Only the site
    /// keys use this: a host outside the public namespace can still name the receiving side's own hosts.
    static func site(of host: String?) -> String? {
        if let o = of(host) { return o }
        guard let host, !host.isEmpty, host.utf8.count <= 255 else { return nil }
        var h = HostText.lowerWithoutTrailingDots(host)
        while h.hasPrefix(".") { h.removeFirst() }
        guard !h.hasPrefix("localhost"), !h.hasPrefix("["), IPAddress(h) == nil,
            h.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x40 && $0 != 0x5B && $0 != 0x5D && $0 != 0x2C })
        else { return nil }
        guard let dot = h.firstIndex(of: ".") else { return nil }
        let rest = h[h.index(after: dot)...]
        guard !rest.isEmpty, !rest.hasPrefix("."), !rest.hasPrefix("localhost") else { return nil }
        return String(rest)
    }

    enum Found: Equatable {
        /// `name[range]`, in any case, is the organisation.
        case org(Range<Int>)
        case none
        /// Not printable ASCII: use `ofText`, which has Unicode's idea of letters and case.
        case notASCII
    }

    /// Where the organisation domain sits in a host name (bytes as written), without making any text.
    static func range(in p: UnsafeBufferPointer<UInt8>) -> Found {
        let n = p.count
        for c in p where c < 0x21 || c > 0x7E { return .notASCII }
        guard n > 0, n <= 255 else { return .none }
        var hi = n
        while hi > 0, p[hi - 1] == ASCII.dot { hi -= 1 }
        if hi > 0, p[0] == ASCII.openBracket { return .none }
        if IPAddress.parse(p, 0..<hi) != nil { return .none }
        // Labels, from the right: every label 1…63 of letters, digits, `-`, `_`; the TLD 2+ of letters and `-`.
        var labels = 0
        var end = hi
        var starts: (Int, Int, Int) = (0, 0, 0)  // starts of the last three labels
        var secondLast: Range<Int> = 0..<0
        var tld: Range<Int> = 0..<0
        var i = hi
        while true {
            var s = end
            while s > 0, p[s - 1] != ASCII.dot { s -= 1 }
            let count = end - s
            guard count > 0, count <= 63 else { return .none }
            for k in s..<end {
                let c = p[k]
                guard ASCII.isAlphaNumeric(c) || c == ASCII.hyphen || c == 0x5F else { return .none }
            }
            labels += 1
            switch labels {
            case 1:
                tld = s..<end
                starts.0 = s
            case 2:
                secondLast = s..<end
                starts.1 = s
            case 3: starts.2 = s
            default: break
            }
            i = s
            if i == 0 { break }
            end = i - 1
        }
        guard labels >= 2, tld.count >= 2 else { return .none }
        for k in tld where !(ASCII.isAlpha(p[k]) || p[k] == ASCII.hyphen) { return .none }
        if let t = Packed(p, tld), notRealPacked.contains(t) { return .none }
        var take = 2
        if tld.count == 2, labels >= 3, let s = Packed(p, secondLast), secondLevelPacked.contains(s) { take = 3 }
        return .org((take == 3 ? starts.2 : starts.1)..<hi)
    }

    /// ASCII bytes in lower case, as a String.
    static func lowered(_ p: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: p.count) { out in
            for k in 0..<p.count { out[k] = ASCII.lower(p[k]) }
            return p.count
        }
    }

    /// `of` with `String` semantics (Unicode letters, case and characters), for names that are not plain ASCII.
    static func ofText(_ host: String?) -> String? {
        guard var h = host?.lowercased(), !h.isEmpty, h.count <= 255 else { return nil }
        while h.hasSuffix(".") { h.removeLast() }
        if h.hasPrefix("[") || IPAddress(h) != nil { return nil }
        let labels = h.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return nil }
        guard let tld = labels.last, tld.count >= 2, tld.allSatisfy({ $0.isLetter || $0 == "-" }),
            !notReal.contains(String(tld))
        else { return nil }
        for l in labels where !l.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) { return nil }
        var take = 2
        if tld.count == 2, labels.count >= 3, secondLevel.contains(String(labels[labels.count - 2])) { take = 3 }
        guard labels.count >= take else { return nil }
        return labels.suffix(take).joined(separator: ".")
    }
}
