import Foundation
import GRDB
public import MailCore

/// DNS blocklists (DNSBL, RFC 5782): whether an address is listed in a zone, and what the zone's return code means.
public enum DNSBL {
    /// `1.2.3.4` in `zen.spamhaus.org` → `4.3.2.1.zen.spamhaus.org`; IPv6 by nibbles (RFC 5782 §2.4). A Spamhaus
    /// Data Query Service key goes before the zone (`4.3.2.1.KEY.zen.dq.spamhaus.net`).
    public static func queryName(_ ip: IPAddress, zone: String, key: String? = nil) -> String {
        var z = zone.lowercased()
        while z.hasSuffix(".") { z.removeLast() }
        if let key, !key.isEmpty, z.hasSuffix(".dq.spamhaus.net"), !z.hasPrefix(key.lowercased() + ".") {
            z = key + "." + z
        }
        if let v4 = ip.ipv4Value {
            return "\(v4 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 >> 16 & 0xFF).\(v4 >> 24).\(z)"
        }
        var nibbles: [String] = []
        for word in [ip.low, ip.high] {
            var w = word
            for _ in 0..<16 {
                nibbles.append(String(w & 0xF, radix: 16))
                w >>= 4
            }
        }
        return nibbles.joined(separator: ".") + "." + z
    }

    /// How one check ended; the raw value is `dnsbl_results.status`.
    public enum Outcome: String, Sendable {
        /// The zone returned a code in 127.0.0.0/8 (outside 127.255.255.0/24).
        case listed
        /// NXDOMAIN (or an empty answer): not on the list.
        case notListed = "not-listed"
        /// The zone refused to answer this query: a code in 127.255.255.0/24 (Spamhaus: 127.255.255.252 a typo in
        /// the zone, .254 a query through a public or open resolver, .255 too many queries), or REFUSED. Never a
        /// listing.
        case refused
        /// No answer in time.
        case timeout
        /// Anything else: SERVFAIL, an answer outside 127.0.0.0/8 (a resolver that rewrites NXDOMAIN).
        case error
    }

    /// The outcome of an answer and the codes (`127.0.0.x`) it carried.
    public static func outcome(_ a: DNSAnswer) -> (Outcome, [String]) {
        switch a.status {
        case .nxdomain, .nodata: return (.notListed, [])
        case .refused: return (.refused, [])
        case .timeout: return (.timeout, [])
        case .servfail, .error: return (.error, [])
        case .answer: break
        }
        let codes = a.addresses.filter { $0.hasPrefix("127.") }
        if codes.isEmpty { return (.error, a.addresses) }
        if codes.allSatisfy({ $0.hasPrefix("127.255.255.") }) { return (.refused, codes) }
        return (.listed, codes.filter { !$0.hasPrefix("127.255.255.") })
    }

    /// The documented meaning of a return code, for the zones that document theirs (Spamhaus ZEN, its DQS form,
    /// SBL, XBL, PBL; Barracuda; SpamCop). Nil for other zones and unknown codes.
    public static func meaning(zone: String, code: String) -> String? {
        let z = zone.lowercased()
        if z.hasSuffix("zen.spamhaus.org") || z.hasSuffix("zen.dq.spamhaus.net") || z.hasSuffix("sbl.spamhaus.org")
            || z.hasSuffix("xbl.spamhaus.org") || z.hasSuffix("pbl.spamhaus.org") || z.hasSuffix("sbl-xbl.spamhaus.org")
        {
            switch code {
            case "127.0.0.2": return "SBL (Spamhaus Block List: spam source or operation)"
            case "127.0.0.3": return "SBL CSS (snowshoe spam)"
            case "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7": return "XBL (exploited: bot, proxy, malware)"
            case "127.0.0.9": return "SBL DROP (hijacked or criminal network)"
            case "127.0.0.10": return "PBL (end-user address, listed by its ISP)"
            case "127.0.0.11": return "PBL (end-user address, listed by Spamhaus)"
            default: return nil
            }
        }
        if z.hasSuffix("b.barracudacentral.org") {
            return code == "127.0.0.2" ? "Barracuda Reputation Block List" : nil
        }
        if z.hasSuffix("bl.spamcop.net") { return code == "127.0.0.2" ? "SpamCop Blocking List" : nil }
        return nil
    }
}

/// `mailatlas enrich --dnsbl ZONE…`: the store's origin IPs checked against DNS blocklists.
public struct DNSBLChecker {
    public struct Options: Sendable {
        public var resolver: DNSResolver.Options
        public var zones: [String]
        /// A Spamhaus Data Query Service key, for `*.dq.spamhaus.net` zones.
        public var key: String?
        public var since: String?
        public var scanID: Int64?
        /// Also check the addresses the selected messages link to: IP links, and the addresses `enrich --dns`
        /// found for their linked names.
        public var linkedAddresses: Bool = false
        public var maxQueries: Int
        public var maxAge: Duration
        public var deadline: Duration
        public init(
            resolver: DNSResolver.Options = .init(), zones: [String], key: String? = nil, since: String? = nil,
            scanID: Int64? = nil, linkedAddresses: Bool = false, maxQueries: Int = 20_000,
            maxAge: Duration = .seconds(86_400), deadline: Duration = .seconds(600)
        ) {
            self.linkedAddresses = linkedAddresses
            self.resolver = resolver
            self.zones = zones
            self.key = key
            self.since = since
            self.scanID = scanID
            self.maxQueries = maxQueries
            self.maxAge = maxAge
            self.deadline = deadline
        }
    }

    public struct Counts: Sendable, Equatable {
        public var checked = 0
        public var fresh = 0
        public var overCap = 0
        public var byOutcome: [DNSBL.Outcome: Int] = [:]
    }

    public let storePath: String
    public let options: Options
    public init(storePath: String, options: Options) {
        self.storePath = storePath
        self.options = options
    }

    public func run() throws -> Counts {
        let lock = try ScanLock(storePath: storePath)
        defer { withExtendedLifetime(lock) {} }
        let store = try MailStore.openForWriting(path: storePath)
        var counts = Counts()
        let ips: [IPAddress] = try store.pool.read { db in
            let (clause, args) = EnrichSelection.messages(since: options.since, scanID: options.scanID)
            var texts = try String.fetchAll(
                db,
                sql: """
                    SELECT m.origin_ip FROM messages m WHERE \(clause) AND m.origin_ip IS NOT NULL
                    GROUP BY m.origin_ip ORDER BY max(coalesce(m.received_utc, '')) DESC, m.origin_ip
                    """, arguments: StatementArguments(args))
            if options.linkedAddresses {
                let hasDNS = try db.tableExists("dns_addresses")
                let dnsPart =
                    hasDNS
                    ? """
                    UNION SELECT a.address FROM messages m JOIN links l ON l.message_id = m.id
                    JOIN dns_addresses a ON a.host IN (l.host, l.domain) WHERE \(clause) AND l.is_ip = 0
                    """ : ""
                let linked = try String.fetchAll(
                    db,
                    sql: """
                        SELECT l.host FROM messages m JOIN links l ON l.message_id = m.id WHERE \(clause) AND l.is_ip = 1
                        \(dnsPart)
                        """, arguments: StatementArguments(hasDNS ? args + args : args))
                let seen = Set(texts)
                texts += Set(linked).subtracting(seen).sorted()
            }
            // Only public addresses are asked: a blocklist lists none of the others.
            return texts.compactMap { IPAddress($0) }.filter(\.isPublic)
        }
        let staleBefore = EnrichSelection.staleBefore(maxAge: options.maxAge)
        var ask: [(name: String, ip: String, zone: String)] = []
        for zone in options.zones {
            let fresh = try store.pool.read { db in
                Set(
                    try String.fetchAll(
                        db, sql: "SELECT ip FROM dnsbl_results WHERE zone = ? AND checked_at > ?",
                        arguments: [zone, staleBefore]))
            }
            for ip in ips {
                if fresh.contains(ip.description) {
                    counts.fresh += 1
                } else if ask.count >= options.maxQueries {
                    counts.overCap += 1
                } else {
                    ask.append((DNSBL.queryName(ip, zone: zone, key: options.key), ip.description, zone))
                }
            }
        }
        guard !ask.isEmpty else { return counts }
        let byName = Dictionary(ask.map { ($0.name, ($0.ip, $0.zone)) }, uniquingKeysWith: { a, _ in a })
        let resolver = try DNSResolver(options: options.resolver)
        var batch: [(String, String, DNSBL.Outcome, [String], Int)] = []
        func flush() throws {
            try store.pool.write { db in
                for (ip, zone, outcome, codes, at) in batch {
                    let meanings = codes.compactMap { DNSBL.meaning(zone: zone, code: $0) }
                    try db.cachedStatement(
                        sql: """
                            INSERT OR REPLACE INTO dnsbl_results (ip, zone, status, codes, meaning, checked_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        ip, zone, outcome.rawValue, codes.isEmpty ? nil : codes.joined(separator: " "),
                        meanings.isEmpty ? nil : meanings.joined(separator: "; "),
                        ISO8601.format(epochSeconds: at),
                    ])
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        var failure: (any Error)? = nil
        resolver.resolve(ask.map(\.name), deadline: ContinuousClock.now + options.deadline, ipv4Only: true) { a in
            guard let (ip, zone) = byName[a.host] else { return }
            let (outcome, codes) = DNSBL.outcome(a)
            counts.checked += 1
            counts.byOutcome[outcome, default: 0] += 1
            batch.append((ip, zone, outcome, codes, a.resolvedAt))
            if batch.count >= 2000, failure == nil {
                do { try flush() } catch { failure = error }
            }
        }
        if let failure { throw failure }
        try flush()
        return counts
    }
}
