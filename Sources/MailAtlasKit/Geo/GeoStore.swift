import Foundation
import GRDB
import MailCore

/// The geo columns of the store: `messages.origin_country`, `origin_asn`, `origin_as_org`; the same three
/// (`country`, `asn`, `as_org`) for every untrusted hop in `received_hops`; `scans.geo_databases`.
extension GeoCache {
    /// The columns for an address as stored (text from the message facts); all nil for text that is not an
    /// address, for special-purpose addresses and for addresses no database knows.
    func columns(_ text: String?) -> (country: String?, asn: Int64?, asOrg: String?) {
        guard let text, let ip = IPAddress(text) else { return (nil, nil, nil) }
        let a = answer(ip)
        return (a.country, a.asn.map { Int64($0) }, a.asName)
    }
}

extension MailStore {
    /// Places the linked IP addresses of a store migrated to `v4` (`links.host_country`, `host_asn`), once, by the
    /// run that applies the migration, so that links stored before it are not reported as unplaced.
    func placeLinkedAddressesAfterV4(geo: GeoCache) throws {
        guard newlyApplied.contains("v4"), !newlyApplied.contains("v1") else { return }
        try pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT rowid, host FROM links WHERE is_ip = 1")
            for row in rows {
                let c = geo.columns(row["host"])
                guard c.country != nil || c.asn != nil else { continue }
                try db.cachedStatement(sql: "UPDATE links SET host_country = ?, host_asn = ? WHERE rowid = ?")
                    .execute(arguments: [c.country, c.asn, row["rowid"] as Int64])
            }
        }
    }
}

extension GeoResolver {
    /// `scans.geo_databases`: a JSON array of the databases in order, each `{name, kind, date, path}`.
    public var databasesJSON: String {
        let list = databases.map { d -> [String: String?] in
            ["name": d.name, "kind": d.kind, "date": d.date, "path": d.path]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(list)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}

/// `mailatlas geo refresh`: re-resolves the stored messages' origin, untrusted hops and linked IP addresses with the
/// current databases,
/// for users who want old mail under new data. Recorded as a `scans` row (options `{"command":"geo refresh"}`) with
/// the databases used, so each message's data can be traced to the newest such row or its own scan.
public struct GeoRefresher {
    public struct Counts: Sendable, Equatable {
        public var messages = 0
        public var messagesChanged = 0
        public var hops = 0
        public var hopsChanged = 0
        /// Links whose host is an IP address (`links.is_ip`).
        public var ipLinks = 0
        public var ipLinksChanged = 0
        public var distinctAddresses = 0
    }

    public let storePath: String
    public let resolver: GeoResolver
    public var batchSize = 1000

    public init(storePath: String, resolver: GeoResolver) {
        self.storePath = storePath
        self.resolver = resolver
    }

    public func run() throws -> Counts {
        let lock = try ScanLock(storePath: storePath)
        defer { withExtendedLifetime(lock) {} }
        let store = try MailStore.openForWriting(path: storePath)
        let cache = GeoCache(resolver: resolver, limit: 1 << 20)
        var counts = Counts()
        let scanID = try store.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO scans (started_at, status, roots, tool_version, options, geo_databases)
                    VALUES (?, 'running', '[]', ?, '{"command":"geo refresh"}', ?)
                    """,
                arguments: [Clock.nowISO8601(), MailAtlasKitVersion.string, resolver.databasesJSON])
            return db.lastInsertedRowID
        }
        do {
            var after: Int64 = 0
            while true {
                let rows = try store.pool.read { db in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT id, origin_ip, origin_country, origin_asn, origin_as_org FROM messages
                            WHERE id > ? ORDER BY id LIMIT ?
                            """, arguments: [after, batchSize])
                }
                guard let last = rows.last else { break }
                after = last["id"]
                try store.pool.write { db in
                    for row in rows {
                        let id: Int64 = row["id"]
                        counts.messages += 1
                        let c = cache.columns(row["origin_ip"])
                        if c.country != row["origin_country"] || c.asn != row["origin_asn"]
                            || c.asOrg != row["origin_as_org"]
                        {
                            counts.messagesChanged += 1
                            try db.cachedStatement(
                                sql:
                                    "UPDATE messages SET origin_country = ?, origin_asn = ?, origin_as_org = ? WHERE id = ?"
                            ).execute(arguments: [c.country, c.asn, c.asOrg, id])
                        }
                        let hops = try Row.fetchAll(
                            db.cachedStatement(
                                sql: """
                                    SELECT position, from_ip, country, asn, as_org FROM received_hops
                                    WHERE message_id = ? AND trusted = 0
                                    """), arguments: [id])
                        for h in hops {
                            counts.hops += 1
                            let hc = cache.columns(h["from_ip"])
                            if hc.country != h["country"] || hc.asn != h["asn"] || hc.asOrg != h["as_org"] {
                                counts.hopsChanged += 1
                                try db.cachedStatement(
                                    sql: """
                                        UPDATE received_hops SET country = ?, asn = ?, as_org = ?
                                        WHERE message_id = ? AND position = ?
                                        """
                                ).execute(arguments: [hc.country, hc.asn, hc.asOrg, id, h["position"] as Int64])
                            }
                        }
                        let links = try Row.fetchAll(
                            db.cachedStatement(
                                sql: """
                                    SELECT rowid, host, host_country, host_asn FROM links
                                    WHERE message_id = ? AND is_ip = 1
                                    """), arguments: [id])
                        for l in links {
                            counts.ipLinks += 1
                            let lc = cache.columns(l["host"])
                            if lc.country != l["host_country"] || lc.asn != l["host_asn"] {
                                counts.ipLinksChanged += 1
                                try db.cachedStatement(
                                    sql: "UPDATE links SET host_country = ?, host_asn = ? WHERE rowid = ?"
                                ).execute(arguments: [lc.country, lc.asn, l["rowid"] as Int64])
                            }
                        }
                    }
                }
            }
            counts.distinctAddresses = cache.distinctAddresses
            try store.pool.write { db in
                try db.execute(
                    sql: "UPDATE scans SET status = 'completed', finished_at = ?, messages_updated = ? WHERE id = ?",
                    arguments: [Clock.nowISO8601(), counts.messagesChanged, scanID])
            }
        } catch {
            try? store.pool.write { db in
                try db.execute(
                    sql: "UPDATE scans SET status = 'failed', finished_at = ? WHERE id = ?",
                    arguments: [Clock.nowISO8601(), scanID])
            }
            store.closeAtRest()
            throw error
        }
        // One file at rest, as after a scan: a reader (or a user who may only read) finds no WAL to need.
        store.closeAtRest()
        return counts
    }
}
