public import GRDB

/// Rows for `mailatlas trace --db`: what each linked host (or, when the host itself was not asked, its registrable
/// domain) resolved to when `enrich --dns` last asked, and where those addresses are.
public enum DNSTrace {
    public static let title = "Linked hosts, as resolved by enrich --dns"

    public static func rows(_ queue: DatabaseQueue, links: [LinkFacts]) throws -> [(String, String)] {
        try queue.read { db in
            guard try db.tableExists("dns_hosts") else { return [] }
            var out: [(String, String)] = []
            var seen = Set<String>()
            for l in links where !l.isIP {
                for name in [l.host.lowercased(), l.domain.lowercased()] where seen.insert(name).inserted {
                    guard
                        let h = try Row.fetchOne(
                            db, sql: "SELECT status, resolved_at, cnames FROM dns_hosts WHERE host = ?",
                            arguments: [name])
                    else { continue }
                    let addresses = try Row.fetchAll(
                        db,
                        sql: "SELECT address, country, asn, as_org FROM dns_addresses WHERE host = ? ORDER BY address",
                        arguments: [name]
                    ).map { a -> String in
                        var where_: [String] = []
                        if let c = a["country"] as String? { where_.append(c) }
                        if let asn = a["asn"] as Int64? {
                            where_.append("AS\(asn)" + ((a["as_org"] as String?).map { " " + $0 } ?? ""))
                        }
                        return (a["address"] as String)
                            + (where_.isEmpty ? "" : " (" + where_.joined(separator: ", ") + ")")
                    }
                    var text = (h["status"] as String) + " at " + (h["resolved_at"] as String)
                    if let c = h["cnames"] as String? {
                        text += ", via " + c.split(separator: " ").joined(separator: " → ")
                    }
                    if !addresses.isEmpty { text += ": " + addresses.joined(separator: ", ") }
                    out.append((name, text))
                }
            }
            return out
        }
    }

    public static let listingsTitle = "Origin on DNS blocklists, as enrich --dnsbl last checked"

    /// One row per blocklist zone the origin IP was checked against.
    public static func listings(_ queue: DatabaseQueue, ip: String) throws -> [(String, String)] {
        try queue.read { db in
            guard try db.tableExists("dnsbl_results") else { return [] }
            return try Row.fetchAll(
                db,
                sql: "SELECT zone, status, codes, meaning, checked_at FROM dnsbl_results WHERE ip = ? ORDER BY zone",
                arguments: [ip]
            ).map { r in
                var text = (r["status"] as String) + " at " + (r["checked_at"] as String)
                if let codes = r["codes"] as String? { text += ": " + codes }
                if let meaning = r["meaning"] as String? { text += " (" + meaning + ")" }
                return (r["zone"] as String, text)
            }
        }
    }
}
