import Foundation
import GRDB
public import MailCore

/// `mailatlas enrich --dns`: resolves the hosts of stored links and places every address with the geo databases.
///
/// What is asked, and why not more: a host name unique to one message (a per-recipient tracking name) tells the
/// spammer's DNS server that the message was read, so by default only registrable domains (`links.domain`) and host
/// names seen in more than one message are resolved; unique hosts only with `resolveUniqueHosts`. Each name once per
/// run, the newest messages' first, none whose answer is younger than `maxAge`, and no more than `maxQueries` DNS
/// queries (two per name: A and AAAA). Answers replace the previous ones in `dns_hosts` and `dns_addresses` with
/// their time, so a report can say what a host resolved to and when.
public struct DNSEnricher {
    public struct Options: Sendable {
        public var resolver: DNSResolver.Options
        /// Only messages that arrived at or after this UTC time (`messages.received_utc`, ISO 8601).
        public var since: String?
        /// Only messages a given scan added (`scan --enrich dns`).
        public var scanID: Int64?
        public var resolveUniqueHosts: Bool
        /// DNS queries per run at most (two per name).
        public var maxQueries: Int
        /// An answer younger than this is kept, not asked again.
        public var maxAge: Duration
        /// The whole run ends by then; names not answered are marked `timeout`.
        public var deadline: Duration
        public var geo: GeoResolver

        public init(
            resolver: DNSResolver.Options = .init(), since: String? = nil, scanID: Int64? = nil,
            resolveUniqueHosts: Bool = false, maxQueries: Int = 20_000, maxAge: Duration = .seconds(7 * 86_400),
            deadline: Duration = .seconds(600), geo: GeoResolver = .embeddedOnly
        ) {
            self.resolver = resolver
            self.since = since
            self.scanID = scanID
            self.resolveUniqueHosts = resolveUniqueHosts
            self.maxQueries = maxQueries
            self.maxAge = maxAge
            self.deadline = deadline
            self.geo = geo
        }
    }

    public struct Counts: Sendable, Equatable {
        /// Names the selected messages link to that this run may resolve (before the cap and the fresh ones).
        public var candidates = 0
        /// Of those, names with an answer younger than `maxAge`, not asked.
        public var fresh = 0
        /// Names left for a later run by `maxQueries`.
        public var overCap = 0
        /// Names asked, by how the lookup ended.
        public var byStatus: [DNSStatus: Int] = [:]
        /// Addresses stored, and of those placed in a country.
        public var addresses = 0
        public var placed = 0
        public var asked: Int { byStatus.values.reduce(0, +) }
    }

    public let storePath: String
    public let options: Options

    public init(storePath: String, options: Options) {
        self.storePath = storePath
        self.options = options
    }

    /// Names DNS must never be asked about: special-use names (RFC 6761, 6762, 7686) that have no public answer.
    static func isPublicName(_ host: String) -> Bool {
        let h = host.lowercased()
        let last = h.split(separator: ".").last.map(String.init) ?? h
        return h.contains(".")
            && !["localhost", "local", "invalid", "onion", "arpa", "home", "lan", "internal"].contains(last)
    }

    public func run() throws -> Counts {
        let lock = try ScanLock(storePath: storePath)
        defer { withExtendedLifetime(lock) {} }
        let store = try MailStore.openForWriting(path: storePath)
        var counts = Counts()
        let names = try store.pool.read { db in try candidates(db) }
        counts.candidates = names.count
        let staleBefore = EnrichSelection.staleBefore(maxAge: options.maxAge)
        let fresh: Set<String> = try store.pool.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT host FROM dns_hosts WHERE resolved_at > ?", arguments: [staleBefore]))
        }
        var ask: [String] = []
        for n in names where !fresh.contains(n) {
            if (ask.count + 1) * 2 > options.maxQueries {
                counts.overCap += 1
            } else {
                ask.append(n)
            }
        }
        counts.fresh = names.count - ask.count - counts.overCap
        guard !ask.isEmpty else { return counts }
        let resolver = try DNSResolver(options: options.resolver)
        let geo = GeoCache(resolver: options.geo, limit: 1 << 18)
        let server = options.resolver.server ?? "system"
        var batch: [DNSAnswer] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            try store.pool.write { db in
                for a in batch {
                    try db.cachedStatement(
                        sql: """
                            INSERT OR REPLACE INTO dns_hosts (host, status, resolved_at, cnames, addresses, resolver)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        a.host, a.status.rawValue, ISO8601.format(epochSeconds: a.resolvedAt),
                        a.cnames.isEmpty ? nil : a.cnames.joined(separator: " "), a.addresses.count, server,
                    ])
                    try db.cachedStatement(sql: "DELETE FROM dns_addresses WHERE host = ?").execute(arguments: [a.host])
                    for address in a.addresses {
                        let c = geo.columns(address)
                        try db.cachedStatement(
                            sql: """
                                INSERT OR IGNORE INTO dns_addresses (host, address, country, asn, as_org)
                                VALUES (?, ?, ?, ?, ?)
                                """
                        ).execute(arguments: [a.host, address, c.country, c.asn, c.asOrg])
                        counts.addresses += 1
                        if c.country != nil { counts.placed += 1 }
                    }
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        var failure: (any Error)? = nil
        resolver.resolve(ask, deadline: ContinuousClock.now + options.deadline) { a in
            counts.byStatus[a.status, default: 0] += 1
            batch.append(a)
            if batch.count >= 2000, failure == nil {
                do { try flush() } catch { failure = error }
            }
        }
        if let failure { throw failure }
        try flush()
        return counts
    }

    /// The names to resolve, newest messages first: registrable domains, host names linked from more than one
    /// message, and (with `resolveUniqueHosts`) every other host name; IP links and special-use names left out.
    func candidates(_ db: Database) throws -> [String] {
        let (selected, args) = EnrichSelection.messages(since: options.since, scanID: options.scanID)
        let clause = selected + " AND l.is_ip = 0"
        let hostCondition =
            options.resolveUniqueHosts
            ? "1"
            : "(SELECT count(DISTINCT x.message_id) FROM links x WHERE x.host = l.host) > 1"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT name, max(arrived) AS newest FROM (
                    SELECT l.domain AS name, coalesce(m.received_utc, '') AS arrived
                    FROM messages m JOIN links l ON l.message_id = m.id WHERE \(clause)
                    UNION ALL
                    SELECT l.host AS name, coalesce(m.received_utc, '') AS arrived
                    FROM messages m JOIN links l ON l.message_id = m.id
                    WHERE \(clause) AND l.host != l.domain AND \(hostCondition)
                )
                GROUP BY name ORDER BY newest DESC, name
                """, arguments: StatementArguments(args + args))
        return rows.compactMap { row -> String? in
            let name: String = row["name"]
            let h = name.hasSuffix(".") ? String(name.dropLast()) : name
            return Self.isPublicName(h) && DNSResolver.isQueryable(h) ? h.lowercased() : nil
        }
    }
}
