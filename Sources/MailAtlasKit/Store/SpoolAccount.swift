public import GRDB

/// What the store knows about the files under a scan's roots that are not stored as mail, and whether each root
/// holds any mail: the scan's summary, `scan --list-skipped` and the exit status read it. It is the state of the
/// spool as of the last scan (files skipped in earlier scans and unchanged since are still counted), not what one
/// scan happened to read.
public struct SpoolAccount: Sendable {
    public struct Skipped: Sendable, Equatable {
        /// The absolute path (`files.path`).
        public var path: String
        /// The path as reached from the root given on the command line (`files.source_path`).
        public var sourcePath: String
        public var reason: SkipReason
    }

    /// What one root given on the command line holds.
    public struct Root: Sendable, Equatable {
        public var root: String
        public var exists: Bool
        /// Whether a message is stored from a file under it.
        public var hasMail: Bool
        /// Files under it not stored as mail.
        public var skipped: Int
    }

    /// Files not stored as mail, sorted by path, each once however many roots contain it.
    public var skipped: [Skipped]
    /// The roots, in the order given.
    public var roots: [Root]
    /// The roots (as given) under which no message is stored, missing ones included.
    public var rootsWithoutMail: [String] { roots.filter { !$0.hasMail }.map(\.root) }
    /// Files the scan could not open or read (`spool.unreadable` diagnostics): not in `files`, since the next scan
    /// tries them again.
    public var unreadable: [String] = []

    /// Skipped files per reason, most frequent first.
    public var skippedByReason: [(reason: SkipReason, count: Int)] {
        var counts: [SkipReason: Int] = [:]
        for s in skipped { counts[s.reason, default: 0] += 1 }
        return counts.map { ($0.key, $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason
        }
    }

    /// Reads the account of `roots` (roots that do not exist are left out), with the files scan `scanID` could not
    /// read.
    public static func read(_ reader: some DatabaseReader, roots: [String], scanID: Int64? = nil) throws -> SpoolAccount
    {
        try reader.read { db in try read(db, roots: roots, scanID: scanID) }
    }

    static func read(_ db: Database, roots: [String], scanID: Int64?) throws -> SpoolAccount {
        var skipped: [Skipped] = []
        var seen: Set<String> = []
        var accounts: [Root] = []
        for root in roots {
            guard let range = SpoolAccount.keys(ofRoot: root) else {
                accounts.append(Root(root: root, exists: false, hasMail: false, skipped: 0))
                continue
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT path, source_path, skip_reason FROM files
                    WHERE path >= ? AND path < ? AND skip_reason IS NOT NULL AND removed_scan_id IS NULL
                    ORDER BY path
                    """, arguments: [range.from, range.to])
            for row in rows {
                let path: String = row[0]
                guard let reason = SkipReason(rawValue: row[2]), seen.insert(path).inserted else { continue }
                skipped.append(Skipped(path: path, sourcePath: row[1], reason: reason))
            }
            let hasMail =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM files WHERE path >= ? AND path < ? AND messages > 0
                            AND removed_scan_id IS NULL)
                        """, arguments: [range.from, range.to]) ?? false
            accounts.append(Root(root: root, exists: true, hasMail: hasMail, skipped: rows.count))
        }
        var unreadable: [String] = []
        if let scanID {
            unreadable = try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT source_path FROM diagnostics
                    WHERE scan_id = ? AND code = 'spool.unreadable' AND message_id IS NULL AND source_path IS NOT NULL
                    ORDER BY source_path
                    """, arguments: [scanID])
        }
        // In path order (SQLite's, byte by byte) within each root; several roots are merged in the same order.
        if roots.count > 1 { skipped.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) } }
        return SpoolAccount(skipped: skipped, roots: accounts, unreadable: unreadable)
    }

    /// The `files.path` keys of everything under a root, as a half-open range: the root's own key for a file (no
    /// key is that key followed by a NUL byte), and every path below it for a directory (`/` sorts just before
    /// `0`). Nil when the root does not exist.
    static func keys(ofRoot root: String) -> (from: String, to: String)? {
        guard let st = FileStat.of(root, followSymlinks: true) else { return nil }
        let abs = SpoolWalker.absolute(root)
        if !st.isDirectory {
            // The walker's key for a single file: its directory's absolute path and the name as given.
            let key = SpoolWalker.join(SpoolWalker.parent(of: abs), SpoolWalker.lastComponent(of: root))
            return (key, key + "\u{1}")
        }
        let prefix = abs.hasSuffix("/") ? abs : abs + "/"
        return (prefix, String(prefix.dropLast()) + "0")
    }
}
