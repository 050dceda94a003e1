import GRDB

/// The fresh-scan bulk path: a scan into a store that holds no message loads its rows without the indexes that only
/// readers use, and builds them once at the end, as the migrations that define them would (docs/schema.md,
/// "Indexes"). Building an index over rows already stored sorts them once; keeping it while rows arrive in hash or
/// date order writes a random page of it for almost every row.
///
/// The writer's own lookups keep their indexes during the load: `messages_identity` and `messages_removed` (a
/// message's identity), `messages_file` (the rows of a file read again), `files_dir` (a directory's message count),
/// and the primary keys and `UNIQUE` constraints.
///
/// Nothing records that the indexes are pending but their absence: a store that lacks any of them was left by a
/// fresh scan that did not reach its end (killed, or the machine stopped). The next scan continues the bulk load and
/// builds them at its end; any other writer (`geo refresh`) builds them when it opens the store. Readers work in
/// between, only more slowly: no query names these indexes.
enum DeferredIndexes {
    /// The indexes a fresh scan leaves out until its end: those of reports and of users' queries.
    static let names: Set<String> = [
        "messages_date", "messages_report", "messages_arrival", "links_domain", "links_report", "links_ip_host",
        "attachments_message", "archive_members_attachment", "diagnostics_scan", "diagnostics_message",
        "auth_dkim_domain", "links_host",
    ]

    /// Each deferred index's `CREATE INDEX` statement exactly as the migrations leave it in `sqlite_master`, read
    /// from a store migrated in memory, so an index built at the end of a scan is the one a migration builds.
    static let definitions: [(name: String, sql: String)] = {
        do {
            let queue = try DatabaseQueue()
            try Schema.migrator.migrate(queue)
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
                    .compactMap { row -> (name: String, sql: String)? in
                        let name: String = row[0]
                        return names.contains(name) ? (name, row[1]) : nil
                    }
            }
        } catch {
            fatalError("the schema's migrations fail on an empty in-memory database: \(error)")
        }
    }()

    /// The deferred indexes the store lacks.
    static func missing(_ db: Database) throws -> Set<String> {
        let present = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        return names.subtracting(present)
    }

    /// Starts a bulk load when the store holds no message (dropping the deferred indexes in `db`'s transaction), or
    /// continues one a scan left unfinished. True when the caller must `build` at its end.
    static func beginBulkLoad(_ db: Database) throws -> Bool {
        if try !missing(db).isEmpty { return true }
        let hasMessages = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM messages)") ?? false
        guard !hasMessages else { return false }
        for name in names.sorted() { try db.execute(sql: "DROP INDEX \(name)") }
        return true
    }

    /// `beginBulkLoad` in a transaction of its own.
    static func beginBulkLoad(_ store: MailStore) throws -> Bool {
        try store.pool.write { db in try beginBulkLoad(db) }
    }

    /// Builds the deferred indexes the store lacks, in one transaction.
    static func build(_ db: Database) throws {
        let missing = try missing(db)
        for (name, sql) in definitions where missing.contains(name) { try db.execute(sql: sql) }
    }
}
