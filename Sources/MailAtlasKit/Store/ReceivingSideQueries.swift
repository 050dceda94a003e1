public import GRDB
public import MailCore

/// What a scan decided the receiving side is, read back from the store: the public relays the walks trusted (the
/// hops above each message's origin), and the **suspects**: origin IPs that hold a large share of the messages and
/// received them from many networks, which is what the site's own relay looks like when mailatlas failed to see it
/// as one. Shown by `mailatlas relays` and counted in the scan's summary (docs/origin.md).
public struct ReceivingSide: Sendable {
    public struct Relay: Sendable {
        public var ip: String
        /// Messages in which it handed the message on inside the receiving side.
        public var messages: Int
        /// Distinct /16 (IPv4) or /32 (IPv6) networks of the hosts that handed it those messages.
        public var upstreamNetworks: Int
        /// Names it gave (HELO) or was given (reverse DNS), most frequent first, at most five.
        public var names: [String]
        /// The hosts that wrote the hops it sent to, at most three.
        public var handedTo: [String]
        /// How the walks decided it is receiving side: the `origin_rule` values of its messages.
        public var rules: [String]
    }

    public struct Suspect: Sendable, Equatable {
        public var ip: String
        public var messages: Int
        /// Its share of the messages that have an origin.
        public var share: Double
        /// Distinct networks of the hosts its hop below names as its senders.
        public var upstreamNetworks: Int
        public var names: [String]
    }

    public var messages: Int
    public var messagesWithOrigin: Int
    public var relays: [Relay]
    public var suspects: [Suspect]

    /// A suspect holds at least this share of the messages that have an origin. The site's own relay, when missed,
    /// holds most of them (three quarters on the spool that showed the problem); one real sender rarely holds more
    /// than a few percent of a company's spam.
    public static let suspectShare = 0.05
    /// …and the hops below it name senders in at least this many networks: a sender hands over its own mail, a
    /// relay hands over everybody's (the same bar as a learned relay's, docs/origin.md).
    public static let suspectNetworks = 5
    /// A suspect needs this many messages, so that 1 message of a 10-message spool is not a "share".
    public static let suspectMinimumMessages = 10

    /// Reads the receiving side from a store.
    public static func read(_ reader: some DatabaseReader, limit: Int = 50) throws -> ReceivingSide {
        try reader.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE removed_scan_id IS NULL") ?? 0
            let withOrigin =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM messages WHERE removed_scan_id IS NULL AND origin_ip IS NOT NULL")
                ?? 0
            return ReceivingSide(
                messages: total, messagesWithOrigin: withOrigin, relays: try relays(db, limit: limit),
                suspects: try suspects(db, withOrigin: withOrigin))
        }
    }

    /// The suspects alone, without the relays (which read every trusted hop of the store): what a scan's summary
    /// line asks for every night.
    public static func readSuspects(_ reader: some DatabaseReader) throws -> [Suspect] {
        try reader.read { db in
            let withOrigin =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM messages WHERE removed_scan_id IS NULL AND origin_ip IS NOT NULL")
                ?? 0
            return try suspects(db, withOrigin: withOrigin)
        }
    }

    /// The network a sender is counted by.
    static func network(_ text: String) -> String? {
        guard let ip = IPAddress(text) else { return nil }
        if let v = ip.ipv4Value { return "\(v >> 24).\((v >> 16) & 0xFF)" }
        return String(ip.high >> 32, radix: 16)
    }

    static func relays(_ db: Database, limit: Int) throws -> [Relay] {
        // Trusted hops with an address: one row per (relay, message), with the hop below's sender.
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT h.from_ip AS ip, h.message_id AS mid, h.from_helo AS helo, h.from_rdns AS rdns,
                       h.by_host AS by_host, m.origin_rule AS rule, b.from_ip AS below
                FROM received_hops h
                JOIN messages m ON m.id = h.message_id AND m.removed_scan_id IS NULL
                LEFT JOIN received_hops b ON b.message_id = h.message_id AND b.position = h.position + 1
                WHERE h.trusted = 1 AND h.from_ip IS NOT NULL
                """)
        struct Acc {
            var messages = Set<Int64>()
            var networks = Set<String>()
            var names: [String: Int] = [:]
            var handedTo: [String: Int] = [:]
            var rules = Set<String>()
        }
        var acc: [String: Acc] = [:]
        while let r = try rows.next() {
            let ip: String = r["ip"]
            guard let a = IPAddress(ip), a.isPublic else { continue }
            var x = acc[ip] ?? Acc()
            x.messages.insert(r["mid"])
            if x.networks.count < 1000, let below: String = r["below"], below != ip, IPAddress(below)?.isPublic == true,
                let n = network(below)
            {
                x.networks.insert(n)
            }
            for name in [r["helo"] as String?, r["rdns"] as String?].compactMap({ $0 }) where x.names.count < 50 {
                x.names[name.lowercased(), default: 0] += 1
            }
            if let by: String = r["by_host"], x.handedTo.count < 50 { x.handedTo[by.lowercased(), default: 0] += 1 }
            if let rule: String = r["rule"] { x.rules.insert(rule) }
            acc[ip] = x
        }
        func top(_ d: [String: Int], _ n: Int) -> [String] {
            d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map(\.key)
        }
        return acc.map { ip, x in
            Relay(
                ip: ip, messages: x.messages.count, upstreamNetworks: x.networks.count, names: top(x.names, 5),
                handedTo: top(x.handedTo, 3), rules: x.rules.sorted())
        }
        .sorted { $0.messages != $1.messages ? $0.messages > $1.messages : $0.ip < $1.ip }
        .prefix(limit).map { $0 }
    }

    /// The suspects among the messages `scope` selects (an SQL condition on `messages m`, with its arguments);
    /// `withOrigin` is how many of them have an origin.
    static func suspects(
        _ db: Database, withOrigin: Int, scope: String = "m.removed_scan_id IS NULL", arguments: [DatabaseValue] = []
    ) throws -> [Suspect] {
        guard withOrigin > 0 else { return [] }
        let minimum = max(suspectMinimumMessages, Int((Double(withOrigin) * suspectShare).rounded(.up)))
        let heavy = try Row.fetchAll(
            db,
            sql: """
                SELECT m.origin_ip AS ip, count(*) AS n FROM messages m
                WHERE \(scope) AND m.origin_ip IS NOT NULL
                GROUP BY m.origin_ip HAVING count(*) >= ? ORDER BY n DESC, ip LIMIT 20
                """, arguments: StatementArguments(arguments + [minimum.databaseValue]))
        var out: [Suspect] = []
        for row in heavy {
            let ip: String = row["ip"]
            let n: Int = row["n"]
            var networks = Set<String>()
            var names: [String: Int] = [:]
            let below = try Row.fetchCursor(
                db,
                sql: """
                    SELECT b.from_ip AS below, b.by_host AS below_by, o.from_helo AS helo, o.from_rdns AS rdns
                    FROM messages m
                    JOIN received_hops o ON o.message_id = m.id AND o.position = m.origin_hop
                    LEFT JOIN received_hops b ON b.message_id = m.id AND b.position = m.origin_hop + 1
                    WHERE \(scope) AND m.origin_ip = ?
                    """, arguments: StatementArguments(arguments + [ip.databaseValue]))
            while let r = try below.next() {
                // Only a hop below written under the suspect's own name (or organisation) counts: a relay writes its
                // inbound header itself, while a sender that forges hops below its own invents their writers too.
                let helo: String? = r["helo"]
                let rdns: String? = r["rdns"]
                let belowBy: String? = r["below_by"]
                if networks.count < 1000, let b: String = r["below"], b != ip, IPAddress(b)?.isPublic == true,
                    let net = network(b), Self.writtenUnderItsName(belowBy, helo: helo, rdns: rdns)
                {
                    networks.insert(net)
                }
                for name in [r["helo"] as String?, r["rdns"] as String?].compactMap({ $0 }) where names.count < 50 {
                    names[name.lowercased(), default: 0] += 1
                }
            }
            guard networks.count >= suspectNetworks else { continue }
            out.append(
                Suspect(
                    ip: ip, messages: n, share: Double(n) / Double(withOrigin), upstreamNetworks: networks.count,
                    names: names.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5)
                        .map(\.key)))
        }
        return out
    }

    /// Whether a hop written by `by` was written by the host that called itself `helo` or was named `rdns`: the same
    /// name, or names in the same organisation.
    static func writtenUnderItsName(_ by: String?, helo: String?, rdns: String?) -> Bool {
        guard let by = by.map(HostText.lowerWithoutTrailingDots), HostText.address(by, stripping: "[]") == nil else {
            return false
        }
        let names = [helo, rdns].compactMap { $0.map(HostText.lowerWithoutTrailingDots) }
            .filter { HostText.address($0, stripping: "[]?") == nil }
        if names.contains(by) { return true }
        guard let org = OrgDomain.site(of: by) else { return false }
        return names.contains { OrgDomain.site(of: $0) == org }
    }

    /// The `--internal-networks` value that would settle the suspects: each address as a host network.
    public var suggestedInternalNetworks: String? { Self.internalNetworks(settling: suspects) }

    /// The `--internal-networks` value that would settle `suspects`.
    public static func internalNetworks(settling suspects: [Suspect]) -> String? {
        guard !suspects.isEmpty else { return nil }
        return suspects.map { s in IPAddress(s.ip).map { $0.isIPv4 ? "\(s.ip)/32" : "\(s.ip)/128" } ?? s.ip }
            .joined(separator: ",")
    }
}
