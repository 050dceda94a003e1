import Foundation
import GRDB
import MailAtlasKit
import TestSupport
import Testing

/// Scans of hand-made spools through the whole pipeline: formats, incremental rescans, identity by content.
@Suite struct ScanTests {
    struct Spool {
        let dir = TempDirectory("scan")
        var store: String { dir.path + "/store.sqlite" }
        var root: String { dir.path + "/spool" }

        init() {
            dir.maildir("spool/Maildir")
            dir.write("spool/Maildir/cur/1000.M1.host,S=1:2,S", MailFixture.message(subject: "inbox one"))
            dir.write("spool/Maildir/new/1001.M2.host", MailFixture.message(subject: "inbox two"))
            dir.maildir("spool/Maildir/.Junk")
            dir.write(
                "spool/Maildir/.Junk/cur/1002.M3.host:2,S",
                MailFixture.message(subject: "junk one", date: "Mon, 1 Sep 2025 10:00:00 +0000"))
            dir.write(
                "spool/archive.mbox",
                MailFixture.mbox([
                    MailFixture.message(subject: "mbox a"), MailFixture.message(subject: "mbox b"),
                    MailFixture.message(subject: "mbox c"),
                ]))
            dir.write(
                "spool/eml/spam1.eml",
                MailFixture.message(
                    subject: "flagged",
                    received: [
                        "from out.example.org (out.example.org [198.51.100.4]) by mx.example.net with ESMTP; Tue, 14 Oct 2025 09:15:05 +0200"
                    ], extraHeaders: ["X-Spam-Flag: YES"]))
            dir.write("spool/eml/plain.eml", MailFixture.message(subject: "plain"))
            dir.write("spool/LICENSE", "MIT License\n\nPermission is hereby granted...\n")
            dir.write("spool/eml/empty", "")
        }

        @discardableResult
        func scan(label: Verdict? = nil, prune: Bool = false, maxMessageSize: Int = 50 << 20, roots: [String]? = nil)
            async throws -> ScanSummary
        {
            let options = ScanOptions(
                roots: roots ?? [root], label: label, jobs: 2, maxMessageSize: maxMessageSize, prune: prune,
                filesPerUnit: 2, messagesPerUnit: 2, messagesPerTransaction: 3)
            return try await SpoolScanner(storePath: store, options: options).run()
        }

        func rows(_ sql: String) throws -> [Row] {
            let queue = try MailStore.openReadOnly(path: store)
            return try queue.read { try Row.fetchAll($0, sql: sql) }
        }

        func int(_ sql: String) throws -> Int { try rows(sql).first?[0] ?? -1 }
    }

    @Test func firstScanThenNothingNew() async throws {
        let s = Spool()
        let first = try await s.scan()
        #expect(first.counts.added == 8)
        #expect(first.counts.filesNotMail >= 2)
        #expect(try s.int("SELECT count(*) FROM messages") == 8)
        let second = try await s.scan()
        #expect(second.counts.added == 0)
        #expect(second.counts.updated == 0)
        #expect(second.counts.unchanged == 8)
        #expect(try s.int("SELECT count(*) FROM messages") == 8)
        #expect(try s.int("SELECT count(*) FROM scans WHERE status = 'completed'") == 2)
    }

    /// A rescan that finds nothing changed writes only its `scans` row, the same row as a scan that went the whole
    /// way (here one made to by a store left in WAL mode, which that scan returns to one file), and leaves the store
    /// one file in rollback-journal mode.
    @Test func anUnchangedRescanRecordsWhatAFullScanRecords() async throws {
        let s = Spool()
        try await s.scan()
        let tables = """
            SELECT (SELECT group_concat(id || sha256 || coalesce(removed_scan_id, '-')) FROM messages)
                || (SELECT group_concat(path || mtime_ns || last_scan_id) FROM files)
                || (SELECT group_concat(path || mtime_ns || last_scan_id) FROM dirs)
                || (SELECT count(*) FROM links) || (SELECT count(*) FROM diagnostics)
            """
        let before: String = try s.rows(tables)[0][0]
        let quick = try await s.scan()
        #expect(
            quick.counts
                == {
                    var c = ScanCounts(); c.unchanged = 8; return c
                }())
        #expect(try s.rows(tables)[0][0] as String == before)
        let queue = try DatabaseQueue(path: s.store)
        #expect(try await queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "delete")
        _ = try await queue.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = WAL") }
        try queue.close()
        let full = try await s.scan()
        #expect(full.counts == quick.counts)
        #expect(full.filesUnchanged == quick.filesUnchanged)
        #expect(full.account?.skipped.map(\.path) == quick.account?.skipped.map(\.path))
        #expect(try s.rows(tables)[0][0] as String == before)
        let scans = try s.rows(
            """
            SELECT status, roots, messages_added, messages_updated, messages_skipped, messages_removed, files_read,
                files_not_mail, diagnostics, tool_version, geo_databases, origin_config, finished_at IS NOT NULL,
                options
            FROM scans WHERE id IN (?, ?) ORDER BY id
            """.replacingOccurrences(of: "?, ?", with: "\(quick.scanID), \(full.scanID)"))
        #expect(scans.count == 2)
        func fields(_ row: Row) throws -> [String] {
            let options = try JSONSerialization.jsonObject(with: Data((row[13] as String).utf8)) as? [String: String]
            return (0..<13).map { "\(row[$0] as DatabaseValue)" } + [
                options.map { "\($0.sorted { $0.key < $1.key })" } ?? "-"
            ]
        }
        #expect(try fields(scans[0]) == fields(scans[1]))
        #expect(scans[0][0] == "completed")
        let mode = try await DatabaseQueue(path: s.store).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete")
        #expect(!FileManager.default.fileExists(atPath: s.store + "-wal"))
    }

    @Test func foldersFlagsAndVerdicts() async throws {
        let s = Spool()
        try await s.scan()
        let rows = try s.rows("SELECT subject, folder, maildir_flags, verdict, verdict_source FROM messages")
        let bySubject = Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0) })
        #expect(bySubject["inbox one"]?[1] == "INBOX")
        #expect(bySubject["inbox one"]?[2] == "S")
        #expect(bySubject["junk one"]?[1] == "Junk")
        #expect(bySubject["junk one"]?[3] == "spam")
        #expect(bySubject["junk one"]?[4] == "folder")
        #expect(bySubject["flagged"]?[3] == "spam")
        #expect(bySubject["flagged"]?[4] == "header:x-spam-flag")
        #expect(bySubject["plain"]?[3] == "unknown")
        #expect(bySubject["mbox b"]?[1] == "archive")
        let mbox = try s.rows(
            "SELECT source_index, source_offset FROM messages WHERE folder = 'archive' ORDER BY source_index")
        #expect(mbox.map { $0[0] as Int } == [0, 1, 2])
        #expect(mbox[0][1] as Int == 0)
        #expect(try s.int("SELECT count(*) FROM messages WHERE date_utc = '2025-09-01T10:00:00Z'") == 1)
    }

    @Test func labelForARoot() async throws {
        let s = Spool()
        try await s.scan(label: .ham)
        #expect(try s.int("SELECT count(*) FROM messages WHERE verdict = 'ham' AND verdict_source = 'label'") == 8)
    }

    @Test func flagChangeRenameUpdatesTheRow() async throws {
        let s = Spool()
        try await s.scan()
        let id = try s.int("SELECT id FROM messages WHERE subject = 'inbox one'")
        s.dir.move("spool/Maildir/cur/1000.M1.host,S=1:2,S", "spool/Maildir/cur/1000.M1.host,S=1:2,RS")
        let r = try await s.scan()
        #expect(r.counts.added == 0)
        #expect(r.counts.updated == 1)
        #expect(r.counts.removed == 0)
        #expect(try s.int("SELECT count(*) FROM messages") == 8)
        let row = try s.rows("SELECT id, maildir_flags, removed_scan_id FROM messages WHERE subject = 'inbox one'")
        #expect(row.count == 1)
        #expect(row[0][0] as Int == id)
        #expect(row[0][1] as String? == "RS")
        #expect(row[0][2] as Int? == nil)
    }

    @Test func moveToJunkUpdatesFolderAndVerdict() async throws {
        let s = Spool()
        try await s.scan()
        s.dir.move("spool/Maildir/new/1001.M2.host", "spool/Maildir/.Junk/cur/1001.M2.host:2,S")
        let r = try await s.scan()
        #expect(r.counts.added == 0)
        #expect(r.counts.updated == 1)
        let row = try s.rows("SELECT folder, verdict, removed_scan_id FROM messages WHERE subject = 'inbox two'")
        #expect(row.count == 1)
        #expect(row[0][0] as String == "Junk")
        #expect(row[0][1] as String == "spam")
        #expect(row[0][2] as Int? == nil)
    }

    @Test func appendedMboxMessagesAreReadFromTheOffset() async throws {
        let s = Spool()
        try await s.scan()
        s.dir.append(
            "spool/archive.mbox",
            MailFixture.mbox([MailFixture.message(subject: "mbox d"), MailFixture.message(subject: "mbox e")]))
        let r = try await s.scan()
        #expect(r.counts.added == 2)
        #expect(r.counts.unchanged == 8)
        let idx = try s.rows("SELECT source_index FROM messages WHERE folder = 'archive' ORDER BY source_index")
        #expect(idx.map { $0[0] as Int } == [0, 1, 2, 3, 4])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: s.root + "/archive.mbox")))
        for row in try s.rows("SELECT source_offset FROM messages WHERE folder = 'archive'") {
            let off: Int = row[0]
            #expect(Array(bytes[off..<off + 5]) == Array("From ".utf8))
        }
    }

    @Test func rewrittenMboxIsRescannedWithoutDuplicates() async throws {
        let s = Spool()
        try await s.scan()
        // A client expunged "mbox b".
        s.dir.write(
            "spool/archive.mbox",
            MailFixture.mbox([MailFixture.message(subject: "mbox a"), MailFixture.message(subject: "mbox c")]))
        let r = try await s.scan()
        #expect(r.counts.added == 0)
        #expect(r.counts.removed == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE removed_scan_id IS NULL") == 7)
        #expect(try s.int("SELECT count(*) FROM messages") == 8)
        let c = try s.rows("SELECT source_index FROM messages WHERE subject = 'mbox c'")
        #expect(c.map { $0[0] as Int } == [1])
        let pruned = try await s.scan(prune: true)
        #expect(pruned.counts.pruned == 1)
        #expect(try s.int("SELECT count(*) FROM messages") == 7)
    }

    @Test func deletedFilesAreMarkedThenPruned() async throws {
        let s = Spool()
        try await s.scan()
        s.dir.remove("spool/eml/plain.eml")
        let r = try await s.scan()
        #expect(r.counts.removed == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject = 'plain' AND removed_scan_id IS NOT NULL") == 1)
        try await s.scan(prune: true)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject = 'plain'") == 0)
    }

    @Test func gzipMboxAndGzipMessage() async throws {
        let s = Spool()
        let mbox = s.dir.write(
            "spool/old/2019.mbox",
            MailFixture.mbox([MailFixture.message(subject: "gz a"), MailFixture.message(subject: "gz b")]))
        let eml = s.dir.write("spool/old/single.eml", MailFixture.message(subject: "gz single"))
        for path in [mbox, eml] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = [path]
            try p.run()
            p.waitUntilExit()
        }
        let r = try await s.scan()
        #expect(r.counts.added == 11)
        #expect(try s.int("SELECT count(*) FROM files WHERE kind = 'gzip-mbox'") == 1)
        #expect(try s.int("SELECT count(*) FROM files WHERE kind = 'gzip-message'") == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject LIKE 'gz %'") == 3)
        #expect(try await s.scan().counts.added == 0)
    }

    /// Files a program saved with a log line or blank lines before the headers are stored, with a diagnostic
    /// naming what was skipped; a text file with prose first is still not mail outside a Maildir, and inside one
    /// it is stored, with a diagnostic.
    @Test func leadingLinesAreSkippedAndReported() async throws {
        let s = Spool()
        let saved = MailFixture.message(
            subject: "after a log line", received: ["from mx.example.org ([192.0.2.7]) by mail.example.net"],
            eol: "\r\n")
        let log = "\u{2705} Loading configuration: \u{1B}[1m../milter.toml\n"
        s.dir.write("spool/eml/logged.eml", log + saved)
        s.dir.write("spool/eml/blank.eml", "\n  \n" + MailFixture.message(subject: "after blank lines"))
        s.dir.write("spool/eml/notes.txt", "Meeting notes\n\nSubject: budget\nWe talked at length.\n")
        s.dir.write(
            "spool/Maildir/cur/1003.M4.host:2,S", "log line\n" + MailFixture.message(subject: "maildir after a log"))
        s.dir.write("spool/Maildir/cur/1004.M5.host:2,S", "Just a note someone put here.\n")
        let r = try await s.scan()
        #expect(r.counts.added == 12)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject = 'after a log line'") == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject = 'after blank lines'") == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject = 'maildir after a log'") == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE source_path LIKE '%notes.txt'") == 0)
        #expect(try s.int("SELECT count(*) FROM files WHERE path LIKE '%notes.txt' AND kind = 'not-mail'") == 1)
        let notes = try s.rows(
            """
            SELECT m.subject, d.severity, d.message FROM diagnostics d JOIN messages m ON m.id = d.message_id
            WHERE d.code = 'header.leading-lines' ORDER BY m.subject
            """)
        #expect(notes.count == 3)
        let logged = try #require(notes.first { ($0[0] as String?) == "after a log line" })
        #expect(logged[1] as String == "info")
        #expect(
            logged[2] as String
                == "1 line (\(log.utf8.count) bytes) before the header block were skipped, the first: "
                + "\"\u{2705} Loading configuration: \\x1B[1m../milter.toml\"")
        // The origin analysis read the Received field behind the log line.
        #expect(
            try s.int(
                "SELECT count(*) FROM received_hops h JOIN messages m ON m.id = h.message_id "
                    + "WHERE m.subject = 'after a log line'") == 1)
        // The Maildir note is stored because of where it is, and says so.
        #expect(
            try s.int(
                "SELECT count(*) FROM diagnostics d JOIN messages m ON m.id = d.message_id "
                    + "WHERE d.code = 'spool.odd-head' AND m.source_path LIKE '%1004.M5%'") == 1)
    }

    @Test func oversizedMessagesAreStoredFromTheirHeaders() async throws {
        let s = Spool()
        let body = String(repeating: "x", count: 120) + "\n"
        s.dir.write(
            "spool/eml/huge.eml", MailFixture.message(subject: "huge", body: String(repeating: body, count: 2000)))
        try await s.scan(maxMessageSize: 64 * 1024)
        let row = try s.rows("SELECT size, truncated, subject FROM messages WHERE subject = 'huge'")
        #expect(row.count == 1)
        #expect(row[0][0] as Int > 200_000)
        #expect(row[0][1] as Int == 1)
        #expect(try s.int("SELECT count(*) FROM diagnostics WHERE code = 'message.too-large'") == 1)
    }

    @Test func aSecondScanOfTheSameStoreStopsAtOnce() async throws {
        let s = Spool()
        try await s.scan()
        let lock = try ScanLock(storePath: s.store)
        await #expect(throws: StoreError.self) { try await s.scan() }
        withExtendedLifetime(lock) {}
    }

    /// Nothing but the store is left beside it once a scan ends; a lock file removed under a waiting scan is taken
    /// again at the path, and errors name the store, not the lock.
    @Test func aScanLeavesNothingButTheStore() async throws {
        let s = Spool()
        try await s.scan()
        let beside = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.hasPrefix("store") }
        #expect(beside == ["store.sqlite"])
        var first: ScanLock? = try ScanLock(storePath: s.store)
        #expect(FileManager.default.fileExists(atPath: s.store + ".lock"))
        #expect(throws: StoreError.self) { _ = try ScanLock(storePath: s.store) }
        first = nil
        #expect(!FileManager.default.fileExists(atPath: s.store + ".lock"))
        let again = try ScanLock(storePath: s.store)
        withExtendedLifetime((first, again)) {}
        do {
            _ = try ScanLock(storePath: "/nonexistent-dir/store.sqlite")
            Issue.record("a lock was taken in a missing directory")
        } catch {
            #expect("\(error)".contains("/nonexistent-dir/store.sqlite"))
            #expect(!"\(error)".contains(".lock"))
        }
    }

    /// An mbox split into several units of work is one file read.
    @Test func anMboxInManyUnitsIsOneFileRead() async throws {
        let dir = TempDirectory("scan")
        var text = ""
        for k in 1...10 {
            text += "From sender@example.org Wed Nov  5 10:00:0\(k % 10) 2025\n"
            text += "Subject: m\(k)\nMessage-ID: <m\(k)@x>\n\nbody \(k)\n\n"
        }
        dir.write("spool/archive.mbox", text)
        var options = ScanOptions(roots: [dir.path + "/spool"], messagesPerUnit: 3)
        options.learnRelays = 0
        let summary = try await SpoolScanner(storePath: dir.path + "/store.sqlite", options: options).run()
        #expect(summary.counts.added == 10)
        #expect(summary.counts.filesRead == 1)
    }

    @Test func readersWorkWhileTheStoreIsOpenForWriting() async throws {
        let s = Spool()
        try await s.scan()
        let lock = try ScanLock(storePath: s.store)
        let writer = try MailStore.openForWriting(path: s.store)
        try await writer.pool.write { db in try db.execute(sql: "UPDATE scans SET status = status") }
        #expect(try s.int("SELECT count(*) FROM messages") == 8)
        withExtendedLifetime(lock) {}
    }

    /// Links to IP addresses carry the address's country and AS (`links.host_country`, `host_asn`, migration v4),
    /// and a store from before v4 gets them for the links it already holds from the scan that migrates it.
    @Test func linkedAddressesArePlacedAlsoInAStoreFromBeforeV4() async throws {
        let s = Spool()
        s.dir.write(
            "spool/eml/ip-link.eml",
            MailFixture.message(
                subject: "verify", body: "Log in at http://39.33.27.49/login or http://10.9.8.7/ today\n"))
        try await s.scan()
        let placed = "SELECT host || ' ' || coalesce(host_country, '-') FROM links WHERE is_ip = 1 ORDER BY host"
        #expect(try s.rows(placed).map { $0[0] as String } == ["10.9.8.7 -", "39.33.27.49 PK"])
        #expect(try s.int("SELECT count(*) FROM links WHERE is_ip = 0 AND host_country IS NOT NULL") == 0)
        // Take the store back to v3, as an earlier mailatlas left it.
        let queue = try DatabaseQueue(path: s.store)
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP INDEX links_ip_host;
                    ALTER TABLE links DROP COLUMN host_asn;
                    ALTER TABLE links DROP COLUMN host_country;
                    DELETE FROM grdb_migrations WHERE identifier = 'v4';
                    """)
        }
        try queue.close()
        let again = try await s.scan()
        #expect(again.counts.added == 0 && again.counts.updated == 0)
        #expect(try s.rows(placed).map { $0[0] as String } == ["10.9.8.7 -", "39.33.27.49 PK"])
        #expect(try s.int("SELECT count(*) FROM grdb_migrations WHERE identifier = 'v4'") == 1)
    }

    /// A reader that has the store open at the moment a scan ends (a report from cron, `sql` in a shell) does not
    /// leave it in WAL mode: SQLite refuses to leave WAL at once while anyone has the file open, so the scan waits
    /// for the reader to go.
    @Test func aReaderOpenWhenTheScanEndsStillLeavesOneFile() async throws {
        let s = Spool()
        try await s.scan()
        let lock = try ScanLock(storePath: s.store)
        let writer = try MailStore.openForWriting(path: s.store)
        try await writer.pool.write { db in try db.execute(sql: "UPDATE scans SET status = status") }
        let reader = try MailStore.openReadOnly(path: s.store)
        #expect(try await reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") } == 8)
        // The reader goes away on a thread of its own: `closeAtRest` blocks the caller's thread, and the tests'
        // task pool may have no other thread free.
        let readerGone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(400_000)
            try? reader.close()
            readerGone.signal()
        }
        writer.closeAtRest()
        readerGone.wait()
        let files = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter {
            $0.hasPrefix("store.sqlite")
        }
        #expect(files.sorted() == ["store.sqlite", "store.sqlite.lock"])
        let mode = try await DatabaseQueue(path: s.store).read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        #expect(mode == "delete")
        withExtendedLifetime(lock) {}
    }
}
