import Foundation
import GRDB
import MailAtlasKit

/// A store for report tests, written row by row (as the scan's writer would), with every table the report reads
/// filled — countries, providers, hops, links, attachments, archive members, diagnostics, geo databases — and
/// messages from November 2025 to October 2026 plus a few undated ones. Deterministic: the same call writes the
/// same rows. With `hostile`, AS names, HELO/rDNS names, domains, file names, archive members, subjects and
/// diagnostic codes carry markup, formula starts and control characters.
public enum ReportFixture {
    /// Strings an attacker controls, as they are stored.
    public static let script = "<script>alert(1)</script>"
    public static let formula = "=HYPERLINK(\"http://x\")"
    public static let control = "Evil\u{1B}[31mNet\u{7}\u{202E}gnp.exe\r\n@SUM(1)"
    public static let hostileStrings = [script, formula, control]

    struct Provider {
        var asn: Int
        var name: String
        var country: String
    }

    static let providers = [
        Provider(asn: 3320, name: "Deutsche Telekom AG", country: "DE"),
        Provider(asn: 7922, name: "COMCAST-7922", country: "US"),
        Provider(asn: 4134, name: "CHINANET-BACKBONE", country: "CN"),
        Provider(asn: 12389, name: "ROSTELECOM-AS", country: "RU"),
        Provider(asn: 28573, name: "Claro NXT", country: "BR"),
        Provider(asn: 16509, name: "AMAZON-02", country: "US"),
        Provider(asn: 24940, name: "Hetzner Online GmbH", country: "DE"),
    ]

    static let hostileProviders = [
        Provider(asn: 64500, name: script, country: "NL"),
        Provider(asn: 64501, name: formula, country: "NL"),
        Provider(asn: 64502, name: control, country: "RU"),
    ]

    /// A tiny deterministic generator (64-bit LCG), so fixtures never depend on a seed's implementation.
    struct LCG {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Writes the store at `path` (which must not exist) and returns the number of messages.
    @discardableResult
    public static func make(path: String, hostile: Bool = true) throws -> Int {
        let store = try MailStore.openForWriting(path: path)
        var rng = LCG(state: 42)
        let providers = Self.providers + (hostile ? hostileProviders : [])
        let tlds = ["com", "ru", "cn", "top", "xyz", "de", "co.uk"]
        var domains = (0..<14).map { i in "brand\(i)-offers." + tlds[i % tlds.count] }
        if hostile {
            domains += [script + ".example", formula, "bad\u{1B}]8;;\u{7}.example"]
        }
        let types: [(type: String, ext: String, archive: Bool)] = [
            ("pdf", "pdf", false), ("zip", "zip", true), ("docx", "docx", false), ("exe", "exe", false),
            ("rar5", "rar", true), ("png", "png", false),
        ]
        var count = 0
        try store.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO scans (started_at, finished_at, status, roots, tool_version, geo_databases)
                    VALUES ('2026-11-01T03:00:00Z', '2026-11-01T03:05:00Z', 'completed', '["/var/vmail"]', 'test',
                        ?)
                    """,
                arguments: [
                    #"[{"name":"IPFire Location Database","date":"2026-08-22","kind":"embedded","path":"embedded"}]"#
                ])
            try db.execute(
                sql: """
                    INSERT INTO scans (started_at, finished_at, status, roots, tool_version, geo_databases)
                    VALUES ('2026-11-02T03:00:00Z', '2026-11-02T03:01:00Z', 'completed', '["/var/vmail"]', 'test',
                        ?)
                    """,
                arguments: [
                    hostile
                        ? #"[{"name":"<script>alert(1)</script>","date":"=1+1","kind":"mmdb","path":"/x"}]"#
                        : #"[{"name":"GeoLite2-ASN","date":"2026-10-28","kind":"mmdb","path":"/x"}]"#
                ])
            // Months 2025-11 .. 2026-10; the count grows towards October so the trend has a shape.
            var attachmentID: Int64 = 0
            for monthIndex in 0..<12 {
                let year = monthIndex < 2 ? 2025 : 2026
                let month = monthIndex < 2 ? 11 + monthIndex : monthIndex - 1
                let messages = 6 + monthIndex * 3
                for i in 0..<messages {
                    count += 1
                    let id = Int64(count)
                    let day = 1 + (i * 7 + monthIndex) % 28
                    let date = String(format: "%04d-%02d-%02dT%02d:%02d:00Z", year, month, day, i % 24, i % 60)
                    let verdict = i % 5 == 4 ? "ham" : (i % 11 == 10 ? "unknown" : "spam")
                    let folder = verdict == "spam" ? "Junk" : "INBOX"
                    let p = providers[(i * 3 + monthIndex + rng.next(2)) % providers.count]
                    // Some messages have no origin; some an origin without geo.
                    let noOrigin = i % 13 == 7
                    let noGeo = !noOrigin && i % 17 == 5
                    let ip = "198.51.\(p.asn % 200).\(1 + (i + rng.next(3)) % 6)"
                    let subject = hostile && i % 4 == 1 ? hostileStrings[i % 3] : "Offer \(i) for you"
                    try db.execute(
                        sql: """
                            INSERT INTO messages (id, scan_id, source_path, source_index, source_offset, folder,
                                size, sha256, message_id, date_utc, subject, from_addr, verdict, verdict_source,
                                origin_ip, origin_hop, origin_rule, origin_confidence, origin_country, origin_asn,
                                origin_as_org, truncated, removed_scan_id, received_utc, received_source)
                            VALUES (?, 1, ?, 0, 0, ?, 1000, ?, ?, ?, ?, 'x@example.org', ?, 'folder', ?, ?, ?, 'high',
                                ?, ?, ?, ?, ?, ?, 'origin-hop')
                            """,
                        arguments: [
                            id, "/var/vmail/\(folder)/cur/\(id)", folder, String(format: "%064x", id), "<\(id)@t>",
                            date, subject, verdict, noOrigin ? nil : ip, noOrigin ? nil : 1,
                            noOrigin ? (i % 2 == 0 ? "none-internal" : "none-unclear") : "edge",
                            noOrigin || noGeo ? nil : p.country, noOrigin || noGeo ? nil : p.asn,
                            noOrigin || noGeo ? nil : p.name, i % 19 == 3 ? 1 : 0, i % 23 == 11 ? 2 : nil, date,
                        ])
                    try db.execute(
                        sql: """
                            INSERT INTO received_hops (message_id, position, from_helo, from_rdns, from_ip, by_host,
                                protocol, trusted) VALUES (?, 0, 'mx1.example.net', 'mx1.example.net', '10.0.0.2',
                                'imap.example.net', 'LMTP', 1)
                            """, arguments: [id])
                    // What the receiving side's checks said: none on every seventh message; a signature by a
                    // domain that ham also signs with on some (an abused sender), the spammer's own on others.
                    if i % 7 != 6 {
                        let spf = ["pass", "softfail", "fail", "none", "neutral"][i % 5]
                        let signer = i % 3 == 0 ? "mailer.example" : "brand\(i % 4)-offers.example"
                        let dkim = i % 4 == 3 ? "fail" : "pass"
                        let dmarc = dkim == "pass" && i % 2 == 0 ? "pass" : (i % 6 == 1 ? "none" : "fail")
                        try db.execute(
                            sql: """
                                UPDATE messages SET auth_serv_id = 'mx1.example.net', auth_spf = ?,
                                    auth_spf_domain = ?, auth_dkim = ?, auth_dmarc = ?, auth_dmarc_policy = ?,
                                    auth_dmarc_domain = ?
                                WHERE id = ?
                                """,
                            arguments: [
                                spf, signer, dkim, dmarc, i % 2 == 0 ? "reject" : nil, signer, id,
                            ])
                        try db.execute(
                            sql: """
                                INSERT INTO auth_dkim (message_id, position, result, domain, selector)
                                VALUES (?, 0, ?, ?, 's1')
                                """, arguments: [id, dkim, signer])
                    }
                    if !noOrigin {
                        let helo =
                            hostile && i % 6 == 2
                            ? "<img src=x onerror=alert(1)>" : "helo\(i % 4).\(p.country.lowercased())"
                        let rdns = i % 3 == 0 ? nil : (hostile && i % 6 == 4 ? control : "dyn-\(ip).isp.example")
                        try db.execute(
                            sql: """
                                INSERT INTO received_hops (message_id, position, from_helo, from_rdns, from_ip,
                                    by_host, protocol, trusted, country, asn, as_org)
                                VALUES (?, 1, ?, ?, ?, 'mx1.example.net', 'ESMTP', 0, ?, ?, ?)
                                """, arguments: [id, helo, rdns, ip, p.country, p.asn, p.name])
                    }
                    // Links: 0 to 3 per message.
                    var used = Set<String>()
                    for k in 0..<((i + monthIndex) % 4) {
                        let domain = domains[(i * 5 + k * 3 + monthIndex) % domains.count]
                        guard used.insert(domain).inserted else { continue }
                        let tld =
                            domain.contains(".")
                            ? String(domain[domain.index(after: domain.firstIndex(of: ".")!)...]) : nil
                        try db.execute(
                            sql: """
                                INSERT INTO links (message_id, url, host, domain, tld, source, count)
                                VALUES (?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                id, "https://\(domain)/x", domain, domain,
                                tld,
                                ["href", "text", "img"][k % 3], 1 + k,
                            ])
                    }
                    // A link to a bare IP address on every fifth message, hosted in the sending country, in
                    // another one, or at an address no database places.
                    if i % 5 == 2 {
                        let hosts: [(String, String?, Int?)] = [
                            ("203.0.113.9", nil, nil), ("192.0.2.77", "CN", 4134), ("198.18.4.4", p.country, p.asn),
                        ]
                        let h = hosts[(i / 5 + monthIndex) % hosts.count]
                        try db.execute(
                            sql: """
                                INSERT INTO links (message_id, url, host, domain, tld, is_ip, source, count,
                                    host_country, host_asn)
                                VALUES (?, ?, ?, ?, NULL, 1, 'href', 1, ?, ?)
                                """,
                            arguments: [id, "http://\(h.0)/login", h.0, h.0, h.1, h.2])
                    }
                    // Attachments on every third message.
                    if i % 3 == 0 {
                        attachmentID += 1
                        let t = types[(i / 3 + monthIndex) % types.count]
                        var filename = "document\(i).\(t.ext)"
                        var ext = t.ext
                        var flags: String? = nil
                        if i % 9 == 0 {
                            filename = "invoice\(i).pdf.exe"
                            ext = "exe"
                            flags = "double-extension,extension-mismatch"
                        }
                        if hostile && i % 12 == 3 { filename = hostileStrings[(i / 12) % 3] }
                        try db.execute(
                            sql: """
                                INSERT INTO attachments (id, message_id, part_path, filename, declared_type,
                                    detected_type, extension, size, sha256, is_archive, flags)
                                VALUES (?, ?, '2', ?, 'application/pdf', ?, ?, 2048, ?, ?, ?)
                                """,
                            arguments: [
                                attachmentID, id, filename, t.type, ext, String(format: "%064x", attachmentID),
                                t.archive,
                                flags,
                            ])
                        if t.archive {
                            let member = hostile && i % 2 == 0 ? script + ".js" : "setup\(i % 3).exe"
                            try db.execute(
                                sql: """
                                    INSERT INTO archive_members (attachment_id, name, size, compressed_size,
                                        detected_type, encrypted, depth)
                                    VALUES (?, ?, 5000, 3000, ?, ?, 0), (?, 'readme.txt', 100, 80, 'text', 0, 0)
                                    """,
                                arguments: [
                                    attachmentID, member, member.hasSuffix(".js") ? "javascript" : "exe", i % 2,
                                    attachmentID,
                                ])
                        }
                    }
                    if i % 8 == 2 {
                        try db.execute(
                            sql: """
                                INSERT INTO diagnostics (scan_id, message_id, severity, code, message)
                                VALUES (1, ?, 'warning', ?, 'test')
                                """, arguments: [id, i % 16 == 2 ? "header.field-limit" : "received.unreadable"])
                    }
                }
            }
            // Undated messages (in no period) and file-level diagnostics.
            for k in 0..<3 {
                count += 1
                try db.execute(
                    sql: """
                        INSERT INTO messages (id, scan_id, source_path, source_index, source_offset, folder, size,
                            sha256, verdict, verdict_source, origin_rule)
                        VALUES (?, 1, ?, 0, 0, 'Junk', 10, ?, 'spam', 'folder', 'none-unclear')
                        """, arguments: [count, "/var/vmail/undated/\(k)", String(format: "%064x", count)])
            }
            try db.execute(
                sql: """
                    INSERT INTO diagnostics (scan_id, message_id, source_path, severity, code, message)
                    VALUES (1, NULL, '/var/vmail/x', 'warning', 'spool.gzip', 'test'),
                        (2, NULL, '/var/vmail/y', 'error', 'spool.unreadable', 'test')
                    """)
        }
        _ = try store.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        return count
    }
}
