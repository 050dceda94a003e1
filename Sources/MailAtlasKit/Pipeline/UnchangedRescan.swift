import GRDB

/// The nightly rescan of a spool in which nothing changed, without the machinery of a scan that writes: the store is
/// opened once, in the mode it rests in (a rollback journal, docs/schema.md), the spool is compared with it exactly
/// as a scan compares it (`SpoolProducer`), and when that finds no work the `scans` row is written, complete, in one
/// transaction. A full scan would also switch the store to WAL and back (each a transaction of its own, with its
/// syncs), checkpoint, and count the rows it removed; none of that changes anything when nothing is read or removed.
///
/// Anything else takes the full path (`run` returns nil), which does the same comparison again as it goes: a store
/// to migrate, or with readers' indexes to build (`DeferredIndexes`), or left in WAL mode; `--label` and `--prune`
/// (which write without reading the spool); any work or diagnostic the comparison turns up; any error (the full path
/// reports it as it always has). Nothing is written before the comparison has found nothing, so falling back leaves
/// the store as it was.
struct UnchangedRescan {
    let scanner: SpoolScanner

    func run() -> ScanSummary? {
        let options = scanner.options
        let path = scanner.storePath
        guard options.label == nil, !options.prune else { return nil }
        guard let st = FileStat.of(path, followSymlinks: true), st.isRegular, st.size > 0 else { return nil }
        let started = ContinuousClock.now
        var config = Configuration()
        // As long as the full path waits for a report reading the store at rest.
        config.busyMode = .timeout(60)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            return nil
        }
        defer { try? queue.close() }
        do {
            let ready = try queue.read { db -> Bool in
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() == "delete" else {
                    return false
                }
                guard try db.tableExists("grdb_migrations") else { return false }
                let applied = try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                return try applied == Set(Schema.migrator.migrations) && DeferredIndexes.missing(db).isEmpty
            }
            guard ready else { return nil }
            let producer = SpoolProducer(options: options, reader: queue)
            guard producer.next() == nil, producer.rootErrors.isEmpty else { return nil }
            var counts = ScanCounts()
            counts.unchanged = producer.messagesUnchanged
            let scanID = try queue.write { db in
                let id = try ScanWriter.insertScan(
                    db, roots: options.roots, options: scanner.recordedOptions,
                    geoDatabases: options.geo.databasesJSON, originConfig: options.origin)
                try ScanWriter.saveCounts(db, scanID: id, counts: counts, status: "completed")
                return id
            }
            let account = try? SpoolAccount.read(queue, roots: options.roots, scanID: scanID)
            return ScanSummary(
                scanID: scanID, status: "completed", counts: counts, filesUnchanged: producer.filesUnchanged,
                account: account, rootErrors: [], seconds: (ContinuousClock.now - started).seconds,
                interruptedBy: nil)
        } catch {
            return nil
        }
    }
}
