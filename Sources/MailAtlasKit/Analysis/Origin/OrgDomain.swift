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

    /// The organisation domain of a host name, or nil for names that cannot be one (single labels, address
    /// literals, reserved names).
    static func of(_ host: String?) -> String? {
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
