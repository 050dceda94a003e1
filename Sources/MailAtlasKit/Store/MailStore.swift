public import GRDB
import GRDBSQLite
import Glibc

/// Errors opening or using the store, each with the sentence a user needs.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case locked(String)
    case missing(String)
    case newerSchema(path: String, unknown: [String])
    case notAStore(String, String)
    case readOnlyViolation(String)
    case diskFull(String, String)
    case cannotOpen(String, String)

    public var description: String {
        switch self {
        case .locked(let path):
            "another mailatlas scan is already writing \(path); wait for it to finish (this scan did nothing)"
        case .missing(let path):
            "no store at \(path): run `mailatlas scan … --db \(path)` first"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer mailatlas (schema \(unknown.joined(separator: ", "))); "
                + "upgrade mailatlas to read it"
        case .notAStore(let path, let why):
            "\(path) is not a mailatlas store: \(why)"
        case .readOnlyViolation(let why):
            "refused: \(why) (the store is opened read-only)"
        case .cannotOpen(let path, let why):
            "cannot open the store \(path): \(why)"
        case .diskFull(let path, let detail):
            "no space left for the store \(path) (\(detail)); the scan stopped and everything it committed is kept: "
                + "free some space and run it again to continue"
        }
    }
}

extension StoreError {
    /// What a failure to open the store means: not a database, no room, or something else said as SQLite says it.
    static func opening(_ path: String, _ error: DatabaseError) -> StoreError {
        let message = error.message ?? "\(error)"
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notAStore(path, message)
        case .SQLITE_FULL: return .diskFull(path, message)
        default:
            // Creating a store's files on a full disk fails as an I/O error (the WAL index cannot be mapped).
            return volumeIsFull(path) ? .diskFull(path, message) : .cannotOpen(path, message)
        }
    }

    /// Whether the file system holding `path` has no block left for an ordinary user.
    static func volumeIsFull(_ path: String) -> Bool {
        var st = statvfs()
        let dir = SpoolWalker.parent(of: path)
        guard statvfs(dir, &st) == 0 else { return false }
        return st.f_bavail == 0
    }
}

/// The SQLite store: one `DatabasePool` (WAL, so readers work while a scan writes) and the migrator.
public struct MailStore: Sendable {
    public let pool: DatabasePool
    public let path: String
    /// The migrations this opening applied (empty when the store was up to date).
    public internal(set) var newlyApplied: [String] = []

    /// Opens (creating if needed) the store for a scan and migrates it. The caller must hold a `ScanLock`. Unless
    /// `keepingBulkLoad` (a scan, which continues the load and builds them at its end), the readers' indexes that a
    /// fresh scan left unbuilt when it was killed are built now (`DeferredIndexes`).
    public static func openForWriting(path: String, keepingBulkLoad: Bool = false) throws -> MailStore {
        // Look before touching: opening a pool switches the file to WAL mode, which would modify a store from a
        // newer mailatlas, or someone else's database, before either could be refused.
        if let st = FileStat.of(path, followSymlinks: true), st.isRegular, st.size > 0 {
            var readOnly = Configuration()
            readOnly.readonly = true
            readOnly.busyMode = .timeout(10)
            do {
                let probe = try DatabaseQueue(path: path, configuration: readOnly)
                try checkSchema(probe, path: path)
                try probe.close()
            } catch let error as DatabaseError {
                throw StoreError.opening(path, error)
            }
        }
        var config = Configuration()
        // Long enough to wait out a report reading the store at rest (the switch to WAL needs it alone).
        config.busyMode = .timeout(60)
        // The scan's writer keeps its transaction open between results (ScanWriter).
        config.allowsUnsafeTransactions = true
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw StoreError.opening(path, error)
        }
        try checkSchema(pool, path: path)
        let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
        try Schema.migrator.migrate(pool)
        if !keepingBulkLoad {
            try pool.write { db in try DeferredIndexes.build(db) }
        }
        var store = MailStore(pool: pool, path: path)
        store.newlyApplied = Schema.migrator.migrations.filter { !applied.contains($0) }
        return store
    }

    /// Ends a scan's use of the store: closes the pool and, unless a reader has the file open, returns it from
    /// WAL to a rollback journal. At rest the store is then one file, which a reader opens read-only without
    /// creating `-wal`/`-shm` files beside it, and which a user who may read it but not write its directory can
    /// query (a read-only connection cannot create the WAL index a WAL database needs). The next scan switches
    /// back to WAL, so readers still work while it runs.
    ///
    /// Leaving WAL needs the file alone, and SQLite does not wait for that (no busy handler is called), so a
    /// report or `sql` that happens to be reading at the moment the scan ends would otherwise keep the store in WAL
    /// mode: the switch is retried for up to `patience` seconds. A reader that stays longer wins; the store then
    /// stays in WAL mode until a later scan ends with nobody reading.
    public func closeAtRest(patience: Duration = .seconds(10)) {
        do {
            try pool.close()
        } catch {
            return
        }
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        while true {
            if (try? switchToRollbackJournal()) == true { return }
            if clock.now >= deadline { return }
            usleep(50_000)
        }
    }

    /// One attempt to leave WAL mode; true once the store is in rollback-journal mode.
    private func switchToRollbackJournal() throws -> Bool {
        var config = Configuration()
        config.busyMode = .timeout(1)
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        let mode = try queue.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
        }
        return mode?.lowercased() == "delete"
    }

    /// Opens an existing store strictly read-only: the file is never written.
    public static func openReadOnly(path: String) throws -> DatabaseQueue {
        guard FileStat.of(path, followSymlinks: true)?.isRegular == true else { throw StoreError.missing(path) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA query_only = ON")
            // No ATTACH at all: a read-only connection could otherwise create or read other files.
            sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_ATTACHED, 0)
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try checkSchema(queue, path: path)
        } catch let error as DatabaseError {
            throw StoreError.opening(path, error)
        }
        return queue
    }

    /// Refuses a store that a newer mailatlas migrated, or a database that is not a store.
    static func checkSchema(_ db: some DatabaseReader, path: String) throws {
        try db.read { db in
            let hasMigrations = try db.tableExists("grdb_migrations")
            if !hasMigrations {
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                if tables > 0 { throw StoreError.notAStore(path, "it has tables but no mailatlas migrations") }
                return
            }
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let known = Set(Schema.migrator.migrations)
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
        }
    }
}

/// An exclusive lock held for the whole scan (`flock` on `<store>.lock`), so a second scan of the same store stops
/// at once instead of interleaving writes. The kernel releases it if the process dies, even by `kill -9`; a scan
/// that ends removes the file, so nothing but the store is left beside it (and nothing in a spool the store sits
/// in). A lock taken on a file another scan was just removing is taken again on the file now at the path, so two
/// scans never hold locks on different files. (The store file itself is not locked this way: closing a second
/// descriptor of an SQLite file would drop SQLite's own locks.)
public final class ScanLock {
    private let fd: Int32
    public let path: String

    public init(storePath: String) throws {
        path = storePath + ".lock"
        var attempts = 0
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            // Errors name the store: the lock file is an implementation detail.
            guard fd >= 0 else { throw FileError(path: storePath, operation: "lock", code: errno) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                close(fd)
                if code == EWOULDBLOCK { throw StoreError.locked(storePath) }
                throw FileError(path: storePath, operation: "lock", code: code)
            }
            // Still the file at the path (not one a finishing scan has just removed)?
            var held = stat()
            var named = stat()
            if fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev
            {
                self.fd = fd
                return
            }
            flock(fd, LOCK_UN)
            close(fd)
            attempts += 1
            if attempts >= 8 { throw StoreError.locked(storePath) }
        }
    }

    deinit {
        // Removed while still held: a scan that opened the file meanwhile finds its lock taken, or finds the file
        // gone from the path after locking and starts again.
        unlink(path)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
