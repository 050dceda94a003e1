import Foundation
import GRDB
import GRDBSQLite

/// What a scan did, as counted by its writer.
public struct ScanCounts: Sendable, Equatable {
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    public var removed = 0
    public var pruned = 0
    /// Messages already stored under the roots whose verdict `--label` changed.
    public var relabelled = 0
    public var filesRead = 0
    public var filesNotMail = 0
    public var diagnostics = 0
    /// Bytes of spool files read so far (for the progress line).
    public var bytes: Int64 = 0
    /// How far each mbox of this scan has been read, to count its progress once.
    var offsets: [String: Int64] = [:]
    public init() {}
}

/// The scan's single writer: takes unit results in any order, applies them in producer order, and commits them in
/// batched transactions together with the per-file state, so a scan killed at any moment leaves a store from which
/// a rerun continues to exactly the state of an uninterrupted run.
///
/// A result is written as soon as every result before it has been, into a transaction left open on the writer
/// connection until `messagesPerTransaction` messages are in it: large transactions cost no memory for the results
/// they hold, and they write each page of the store's randomly ordered indexes (message identities, dates, linked
/// domains) once per transaction instead of once per few hundred messages.
final class ScanWriter {
    let store: MailStore
    let scanID: Int64
    private let messagesPerTransaction: Int
    private var pending: [Int: UnitResult] = [:]
    private var nextSeq = 0
    /// Messages and files written in the open transaction (none open when 0 and `inTransaction` is false).
    private var transactionMessages = 0
    private var inTransaction = false
    /// Files of the open transaction, path → id.
    private var fileIDs: [String: Int64] = [:]
    /// Counts including the open transaction's writes; `counts` is what has been committed.
    private var working = ScanCounts()
    private var workingIncomplete: Set<String> = []
    private(set) var counts = ScanCounts()
    /// Countries and ASes of origin and hop addresses, each distinct address resolved once per scan.
    let geo: GeoCache
    /// Maildir directories of this scan with a file that could not be read (never remembered as done).
    private var incompleteDirectories: Set<String> = []
    /// Called after each commit with the counts so far.
    var onCommit: ((ScanCounts) -> Void)?
    /// Whether this scan loads a store without the readers' indexes (`DeferredIndexes`), to be built by `finish`.
    var bulkLoad = false

    init(store: MailStore, scanID: Int64, messagesPerTransaction: Int, geo: GeoCache) {
        self.store = store
        self.scanID = scanID
        self.messagesPerTransaction = messagesPerTransaction
        self.geo = geo
    }

    /// The writer connection's page cache: a transaction of 5,000 messages dirties about 50 MB of the store's
    /// pages (most of them in the randomly ordered indexes), which stay in memory until the commit instead of
    /// spilling into the write-ahead log and being written again (Benchmarks/PROFILE.md).
    static let cacheKiB = 65_536

    /// Creates the `scans` row for a new scan.
    static func beginScan(
        store: MailStore, roots: [String], options: [String: String], geoDatabases: String? = nil,
        originConfig: OriginConfig? = nil
    ) throws -> Int64 {
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)") }
        return try store.pool.write { db in
            try insertScan(
                db, roots: roots, options: options, geoDatabases: geoDatabases, originConfig: originConfig)
        }
    }

    /// Inserts a `scans` row with status `running` in `db`'s transaction.
    static func insertScan(
        _ db: Database, roots: [String], options: [String: String], geoDatabases: String?,
        originConfig: OriginConfig?
    ) throws -> Int64 {
        let rootsJSON = String(decoding: try JSONEncoder().encode(roots), as: UTF8.self)
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO scans (started_at, status, roots, tool_version, options, geo_databases, origin_config)
                VALUES (?, 'running', ?, ?, ?, ?, ?)
                """,
            arguments: [
                Clock.nowISO8601(), rootsJSON, MailAtlasKitVersion.string, optionsJSON, geoDatabases,
                originConfig.map(OriginConfigFile.text),
            ])
        return db.lastInsertedRowID
    }

    /// Keeps the relays the scan learned, committed with the first messages decided with them (`scan_relays`).
    func recordRelays(_ profile: RelayProfile?) throws {
        guard let profile, !profile.relays.isEmpty else { return }
        let scanID = self.scanID
        try withTransaction { ctx in
            for (relay, e) in profile.relays {
                try ctx.db.execute(
                    sql: """
                        INSERT OR REPLACE INTO scan_relays (scan_id, site, network, messages, forwarded, sources)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [scanID, relay.site, relay.network.description, e.messages, e.forwarded, e.sources])
            }
        }
    }

    /// Hands a result over; it is written once every result before it has been, and committed with the
    /// transaction it falls into.
    func accept(_ result: UnitResult) throws {
        pending[result.seq] = result
        guard pending[nextSeq] != nil else { return }
        try withTransaction { ctx in
            while let next = pending.removeValue(forKey: nextSeq) {
                try ctx.apply(next)
                transactionMessages += next.messages.count + 1
                nextSeq += 1
            }
        }
        if transactionMessages >= messagesPerTransaction { try flush() }
    }

    /// Commits everything accepted so far.
    func flush() throws {
        guard inTransaction else { return }
        let working = self.working
        try write { db in
            try ScanWriter.saveCounts(db, scanID: scanID, counts: working, status: nil)
            try db.execute(sql: "COMMIT")
        }
        endTransaction(committed: true)
        onCommit?(counts)
    }

    /// Clears the open transaction's bookkeeping; after a commit its counts become the committed ones (after a
    /// rollback they are dropped: the next transaction starts again from `counts`).
    private func endTransaction(committed: Bool) {
        inTransaction = false
        transactionMessages = 0
        fileIDs.removeAll(keepingCapacity: true)
        if committed {
            counts = working
            incompleteDirectories = workingIncomplete
        }
    }

    /// Runs `body` in the open transaction, opening one first when none is.
    private func withTransaction(_ body: (inout WriteContext) throws -> Void) throws {
        try write { db in
            if !inTransaction {
                try db.execute(sql: "BEGIN IMMEDIATE")
                inTransaction = true
                working = counts
                workingIncomplete = incompleteDirectories
            }
            // The transaction's state moves into the context and back (swapped, not copied: a copy shared with
            // `working` would make the context's first change copy the whole dictionary of mbox offsets).
            var ctx = WriteContext(db: db, scanID: scanID, counts: ScanCounts(), geo: geo, incompleteDirectories: [])
            swap(&ctx.counts, &working)
            swap(&ctx.incompleteDirectories, &workingIncomplete)
            swap(&ctx.fileIDs, &fileIDs)
            defer {
                swap(&ctx.counts, &working)
                swap(&ctx.incompleteDirectories, &workingIncomplete)
                swap(&ctx.fileIDs, &fileIDs)
            }
            try body(&ctx)
        }
    }

    /// A write on the writer connection. A failure rolls the open transaction back: the store keeps what was
    /// committed, and the scan that follows starts from there.
    private func write(_ body: (Database) throws -> Void) throws {
        try store.pool.writeWithoutTransaction { db in
            do {
                try body(db)
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                endTransaction(committed: false)
                throw error
            }
        }
    }

    /// `--label`: the messages already stored from under these roots (read in an earlier scan, unchanged since, so
    /// not read again) take the label too, as the ones this scan stored did.
    func relabel(roots: [String], as label: Verdict) throws {
        try flush()
        var changed = 0
        try store.pool.write { db in
            for root in roots {
                var r = root
                while r.count > 1, r.hasSuffix("/") { r.removeLast() }
                let prefix = r == "/" ? "/" : r + "/"
                try db.execute(
                    sql: """
                        UPDATE messages SET verdict = ?, verdict_source = 'label'
                        WHERE removed_scan_id IS NULL AND (verdict IS NOT ? OR verdict_source IS NOT 'label')
                            AND (source_path = ? OR substr(source_path, 1, length(?)) = ?)
                        """, arguments: [label.rawValue, label.rawValue, r, prefix, prefix])
                changed += db.changesCount
            }
        }
        counts.relabelled += changed
    }

    /// Commits the rest, builds the indexes a bulk load left out, and closes the `scans` row.
    func finish(status: String, prune: Bool) throws {
        try flush()
        if bulkLoad {
            // Whatever the status: readers get their indexes back now, not at the next scan. Done before pruning,
            // whose cascades look rows up by `message_id`.
            try store.pool.write { db in try DeferredIndexes.build(db) }
            bulkLoad = false
        }
        var counts = self.counts
        try store.pool.write { db in
            counts.removed =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM messages WHERE removed_scan_id = ?", arguments: [scanID]) ?? 0
            if prune && status == "completed" {
                try db.execute(sql: "DELETE FROM messages WHERE removed_scan_id IS NOT NULL")
                counts.pruned = db.changesCount
                try db.execute(sql: "DELETE FROM files WHERE removed_scan_id IS NOT NULL")
            }
            try ScanWriter.saveCounts(db, scanID: scanID, counts: counts, status: status)
        }
        self.counts = counts
        if status == "completed" {
            // Leave a compact file with no write-ahead log behind for the readers that follow.
            _ = try? store.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        }
    }

    static func saveCounts(_ db: Database, scanID: Int64, counts: ScanCounts, status: String?) throws {
        try db.execute(
            sql: """
                UPDATE scans SET messages_added = ?, messages_updated = ?, messages_skipped = ?,
                    messages_removed = ?, files_read = ?, files_not_mail = ?, diagnostics = ?,
                    status = coalesce(?, status), finished_at = CASE WHEN ? IS NULL THEN finished_at ELSE ? END
                WHERE id = ?
                """,
            arguments: [
                counts.added, counts.updated, counts.unchanged, counts.removed, counts.filesRead, counts.filesNotMail,
                counts.diagnostics, status, status, Clock.nowISO8601(), scanID,
            ])
    }

    /// Records the unchanged files and messages the producer skipped without reading.
    func addUnchanged(messages: Int) {
        counts.unchanged += messages
        working.unchanged += messages
    }
}

/// The writes of one transaction.
private struct WriteContext {
    let db: Database
    let scanID: Int64
    var counts: ScanCounts
    let geo: GeoCache
    /// Files written in this transaction, path → id.
    var fileIDs: [String: Int64] = [:]
    var incompleteDirectories: Set<String>

    init(db: Database, scanID: Int64, counts: ScanCounts, geo: GeoCache, incompleteDirectories: Set<String>) {
        self.db = db
        self.scanID = scanID
        self.counts = counts
        self.geo = geo
        self.incompleteDirectories = incompleteDirectories
    }

    mutating func apply(_ r: UnitResult) throws {
        if let control = r.control {
            try apply(control)
            return
        }
        incompleteDirectories.formUnion(r.incompleteDirectories)
        for key in r.resetFiles { try resetFile(key) }
        for state in r.notMail {
            try markRemovedIfKnown(state.key)
            _ = try upsert(state)
        }
        counts.filesNotMail += r.notMail.count
        for state in r.states { fileIDs[state.key] = try upsert(state) }
        for state in r.states + r.notMail {
            // An mbox arrives in several units, each with its state: it is one file read.
            let mbox = state.kind == .mbox || state.kind == .gzipMbox || state.kind == .compressedMbox
            if !mbox || counts.offsets[state.key] == nil { counts.filesRead += 1 }
            counts.bytes += progressBytes(state)
        }
        for m in r.messages {
            guard let fileID = fileIDs[m.location.fileKey] else { continue }
            try store(m, fileID: fileID)
        }
        for d in r.diagnostics {
            try insertDiagnostic(d.diagnostic, messageID: nil, path: d.sourcePath, offset: d.offset)
        }
    }

    mutating func apply(_ control: ControlAction) throws {
        switch control {
        case .vanished(let keys):
            for key in keys {
                try db.cachedStatement(
                    sql: "UPDATE files SET removed_scan_id = ? WHERE path = ? AND removed_scan_id IS NULL"
                ).execute(arguments: [scanID, key])
                if let id = try fileID(key) { try markRemoved(fileID: id) }
            }
        case .directoryDone(let key, let mtime):
            // A directory with a file that could not be read is listed again next time, so the file is retried.
            if incompleteDirectories.contains(key) { return }
            try db.cachedStatement(
                sql: """
                    INSERT INTO dirs (path, mtime_ns, messages, last_scan_id) VALUES (?, ?,
                        (SELECT coalesce(sum(messages), 0) FROM files WHERE dir_path = ? AND removed_scan_id IS NULL), ?)
                    ON CONFLICT(path) DO UPDATE SET mtime_ns = excluded.mtime_ns, messages = excluded.messages,
                        last_scan_id = excluded.last_scan_id
                    """
            ).execute(arguments: [key, mtime, key, scanID])
        case .notMail(let states):
            for state in states {
                try markRemovedIfKnown(state.key)
                _ = try upsert(state)
            }
            // Entries skipped without being opened (metadata, symlinks…) are recorded, not counted as read.
            let read = states.count { $0.kind != .skipped }
            counts.filesNotMail += read
            counts.filesRead += read
            for state in states where state.kind != .skipped { counts.bytes += progressBytes(state) }
        case .diagnostics(let list):
            for d in list { try insertDiagnostic(d.diagnostic, messageID: nil, path: d.sourcePath, offset: d.offset) }
        }
    }

    /// Bytes of spool read for this state since the last one of the same file (an mbox arrives in chunks).
    mutating func progressBytes(_ s: FileState) -> Int64 {
        let readTo = s.kind == .mbox ? s.scannedOffset : s.size
        let before = counts.offsets[s.key] ?? 0
        counts.offsets[s.key] = s.kind == .mbox || s.kind == .gzipMbox || s.kind == .compressedMbox ? readTo : nil
        return max(0, readTo - before)
    }

    func fileID(_ key: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM files WHERE path = ?"), arguments: [key])
    }

    func markRemovedIfKnown(_ key: String) throws {
        if let id = try fileID(key) { try markRemoved(fileID: id) }
    }

    func resetFile(_ key: String) throws {
        if let id = try fileID(key) { try markRemoved(fileID: id) }
    }

    func markRemoved(fileID: Int64) throws {
        try db.cachedStatement(
            sql: "UPDATE messages SET removed_scan_id = ? WHERE file_id = ? AND removed_scan_id IS NULL"
        ).execute(arguments: [scanID, fileID])
    }

    func upsert(_ s: FileState) throws -> Int64 {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO files (path, source_path, dir_path, kind, size, mtime_ns, inode, scanned_offset,
                    fingerprint, messages, last_scan_id, removed_scan_id, skip_reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT(path) DO UPDATE SET source_path = excluded.source_path, dir_path = excluded.dir_path,
                    kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns, inode = excluded.inode,
                    scanned_offset = excluded.scanned_offset, fingerprint = excluded.fingerprint,
                    messages = excluded.messages, last_scan_id = excluded.last_scan_id, removed_scan_id = NULL,
                    skip_reason = excluded.skip_reason
                RETURNING id
                """)
        let id = try Int64.fetchOne(
            statement,
            arguments: [
                s.key, s.sourcePath, s.dirKey, s.kind.rawValue, s.size, s.mtimeNs, Int64(bitPattern: s.inode),
                s.scannedOffset, s.fingerprint, s.messages, scanID, s.skipReason?.rawValue,
            ])
        guard let id else { throw DatabaseError(message: "files upsert returned no id for \(s.key)") }
        return id
    }

    // MARK: Messages

    /// A row that already holds this message's content, found by the writer's identity rules.
    private struct Candidate {
        var id: Int64
        var fileID: Int64?
        var index: Int
    }

    /// The row to reuse for a message, in order of preference: the same location (live, then removed), a removed
    /// copy from the same file, any removed copy, a live copy whose file is gone (a Maildir flag change or a move
    /// whose old directory has not been walked yet). Each step is one index seek (`messages_identity`,
    /// `messages_removed`), so a message stored 100,000 times costs no more to look up than one stored once; the
    /// last step looks at no more than 16 live copies.
    private func reusableRow(sha: String, fileID: Int64, index: Int) throws -> Candidate? {
        func candidate(_ s: OpaquePointer) -> Candidate {
            Candidate(
                id: sqlite3_column_int64(s, 0),
                fileID: sqlite3_column_type(s, 1) == SQLITE_NULL ? nil : sqlite3_column_int64(s, 1),
                index: Int(sqlite3_column_int64(s, 2)))
        }
        var found: Candidate? = nil
        var any = false
        try db.forEachRow("SELECT 1 FROM messages WHERE sha256 = ? LIMIT 1", sha) { _ in any = true }
        guard any else { return nil }
        try db.forEachRow(
            """
            SELECT id, file_id, source_index FROM messages WHERE sha256 = ? AND file_id = ? AND source_index = ?
            ORDER BY removed_scan_id IS NOT NULL LIMIT 1
            """, sha, fileID, Int64(index)
        ) { found = candidate($0) }
        if let found { return found }
        try db.forEachRow(
            """
            SELECT id, file_id, source_index FROM messages INDEXED BY messages_removed
            WHERE sha256 = ? AND file_id = ? AND removed_scan_id IS NOT NULL LIMIT 1
            """, sha, fileID
        ) { found = candidate($0) }
        if let found { return found }
        try db.forEachRow(
            """
            SELECT id, file_id, source_index FROM messages INDEXED BY messages_removed
            WHERE sha256 = ? AND removed_scan_id IS NOT NULL LIMIT 1
            """, sha
        ) { found = candidate($0) }
        if let found { return found }
        // Live copies in other files (both sides of this file in the index, never walking this file's copies).
        var others: [(Candidate, String?)] = []
        try db.forEachRow(
            """
            SELECT m.id, m.file_id, m.source_index, f.path FROM messages m LEFT JOIN files f ON f.id = m.file_id
            WHERE m.id IN (
                SELECT id FROM messages WHERE sha256 = ? AND file_id IS NULL AND removed_scan_id IS NULL
                UNION ALL
                SELECT id FROM (SELECT id FROM messages WHERE sha256 = ? AND file_id < ?
                    AND removed_scan_id IS NULL LIMIT 16)
                UNION ALL
                SELECT id FROM (SELECT id FROM messages WHERE sha256 = ? AND file_id > ?
                    AND removed_scan_id IS NULL LIMIT 16)
                LIMIT 16)
            ORDER BY m.id
            """, sha, sha, fileID, sha, fileID
        ) { s in others.append((candidate(s), sqlite3_column_text(s, 3).map { String(cString: $0) })) }
        for (c, path) in others where path.map({ FileStat.of($0, followSymlinks: false) == nil }) ?? true {
            return c
        }
        return nil
    }

    mutating func store(_ m: AnalysedMessage, fileID: Int64) throws {
        let verdict = m.locationVerdict ?? m.facts.headerVerdict ?? VerdictEvidence(.unknown, source: "none")
        if let c = try reusableRow(sha: m.facts.sha256, fileID: fileID, index: m.location.index) {
            let sameLocation = c.fileID == fileID && c.index == m.location.index
            try db.cachedStatement(
                sql: """
                    UPDATE messages SET file_id = ?, source_path = ?, source_index = ?, source_offset = ?,
                        folder = ?, maildir_flags = ?, verdict = ?, verdict_source = ?, removed_scan_id = NULL,
                        updated_scan_id = CASE WHEN ? THEN updated_scan_id ELSE ? END
                    WHERE id = ?
                    """
            ).execute(
                arguments: [
                    fileID, m.location.sourcePath, m.location.index, m.location.offset, m.location.folder,
                    m.location.maildirFlags, verdict.verdict.rawValue, verdict.source, sameLocation, scanID, c.id,
                ])
            if sameLocation { counts.unchanged += 1 } else { counts.updated += 1 }
            return
        }
        try insert(m, fileID: fileID, verdict: verdict)
        counts.added += 1
    }

    mutating func insert(_ m: AnalysedMessage, fileID: Int64, verdict: VerdictEvidence) throws {
        let f = m.facts
        let o = f.origin
        let g = geo.columns(o?.ip)
        let arrivalUTC: String? = f.arrival?.utc
        let arrivalSource: String? = f.arrival?.source.rawValue
        let rule: String? = o?.rule.rawValue
        let confidence: String? = o?.confidence.rawValue
        let auth = f.authentication
        try db.run(
            """
            INSERT INTO messages (scan_id, file_id, source_path, source_index, source_offset, folder,
                maildir_flags, size, sha256, message_id, date_utc, subject, from_addr, from_name, verdict,
                verdict_source, origin_ip, origin_hop, origin_rule, origin_confidence, handover_ip,
                claimed_first_ip, originating_ip_header, origin_country, origin_asn, origin_as_org, truncated,
                received_utc, received_source, auth_serv_id, auth_spf, auth_spf_domain, auth_dkim, auth_dmarc,
                auth_dmarc_policy, auth_dmarc_domain)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                ?, ?)
            """,
            scanID, fileID, m.location.sourcePath, m.location.index, m.location.offset, m.location.folder,
            m.location.maildirFlags, f.size, f.sha256, f.messageID, f.dateUTC, f.subject, f.fromAddress, f.fromName,
            verdict.verdict.rawValue, verdict.source, o?.ip, o?.hop, rule, confidence, o?.handoverIP,
            o?.claimedFirstIP, o?.originatingIPHeader, g.country, g.asn, g.asOrg, m.truncated, arrivalUTC,
            arrivalSource, auth?.authservID, auth?.spf, auth?.spfDomain, auth?.dkimSummary, auth?.dmarc,
            auth?.dmarcPolicy, auth?.dmarcDomain)
        let messageID = db.lastInsertedRowID
        for (k, d) in (auth?.dkim ?? []).enumerated() {
            try db.run(
                "INSERT INTO auth_dkim (message_id, position, result, domain, selector) VALUES (?, ?, ?, ?, ?)",
                messageID, k, d.result, d.domain, d.selector)
        }
        for h in f.hops {
            // Trusted hops are the recipient's own servers: only untrusted ones get a country and an AS.
            let hg = h.trusted ? (country: nil, asn: nil, asOrg: nil) : geo.columns(h.fromIP)
            try db.run(
                """
                INSERT INTO received_hops (message_id, position, from_helo, from_rdns, from_ip, helo_ip, ident,
                    by_host, via, protocol, smtp_id, for_addr, tls, auth, timestamp_utc, delay_seconds,
                    date_offset_seconds, trusted, country, asn, as_org)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                messageID, h.position, h.fromHelo, h.fromRDNS, h.fromIP, h.heloIP, h.ident, h.byHost, h.via,
                h.protocolName, h.smtpID, h.forAddress, h.tls, h.auth, h.timestampUTC, h.delaySeconds,
                h.dateOffsetSeconds, h.trusted, hg.country, hg.asn, hg.asOrg)
        }
        for l in f.links {
            let lg = l.isIP ? geo.columns(l.host) : (country: nil, asn: nil, asOrg: nil)
            try db.run(
                """
                INSERT INTO links (message_id, url, host, domain, tld, is_ip, source, count, display_host,
                    unicode_host, truncated, defanged, host_country, host_asn)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                messageID, l.url, l.host, l.domain, l.tld, l.isIP, l.source, l.count, l.displayHost, l.unicodeHost,
                l.truncated, l.defanged, lg.country, lg.asn)
        }
        for a in f.attachments {
            try db.run(
                """
                INSERT INTO attachments (message_id, part_path, filename, declared_type, detected_type,
                    extension, size, sha256, is_inline, is_archive, encrypted, flags)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                messageID, a.partPath, a.filename, a.declaredType, a.detectedType, a.extensionName, a.size, a.sha256,
                a.isInline, a.isArchive, a.encrypted, a.flags.isEmpty ? nil : a.flags.joined(separator: ","))
            let attachmentID = db.lastInsertedRowID
            for member in a.members {
                try db.run(
                    """
                    INSERT INTO archive_members (attachment_id, name, size, compressed_size, detected_type,
                        encrypted, depth)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    attachmentID, member.name, member.size, member.compressedSize, member.detectedType,
                    member.encrypted, member.depth)
            }
        }
        for d in f.diagnostics {
            try insertDiagnostic(d, messageID: messageID, path: m.location.sourcePath, offset: m.location.offset)
        }
    }

    mutating func insertDiagnostic(_ d: DiagnosticFacts, messageID: Int64?, path: String?, offset: Int64?) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO diagnostics (scan_id, message_id, source_path, source_offset, severity, code, message)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [scanID, messageID, path, offset, d.severity.rawValue, d.code, d.message])
        counts.diagnostics += 1
    }
}

enum Clock {
    static func nowISO8601() -> String {
        ISO8601.format(epochSeconds: Int(Date().timeIntervalSince1970))
    }
}
