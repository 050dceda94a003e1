import Crypto
import Foundation
import GRDB
import Glibc
import TestSupport
import Testing

@testable import MailAtlasKit

/// Faults around the scan: `kill -9` at random moments, SIGINT and SIGTERM, a full disk, stores from older and
/// newer versions, a database that is not a store. The store must come out intact and reusable every time.
@Suite(.serialized) struct FaultTests {
    /// A spool of every kind, large enough that a scan by the debug build lasts about a second.
    static func makeSpool(_ dir: TempDirectory) throws -> String {
        let root = dir.path + "/spool"
        dir.maildir("spool/Maildir")
        dir.maildir("spool/Maildir/.Junk")
        for i in 0..<500 { dir.write("spool/Maildir/cur/\(1000 + i).M\(i).mx:2,S", HostileMail.plain(i)) }
        for i in 0..<300 { dir.write("spool/Maildir/.Junk/new/\(2000 + i).M\(i).mx", HostileMail.plain(5_000 + i)) }
        var mbox: [UInt8] = []
        for i in 0..<1_200 {
            mbox +=
                HostileMail.bytes("From s\(i)@example.org Tue Oct 14 09:15:02 2025\n") + HostileMail.plain(10_000 + i)
            mbox += HostileMail.bytes("\n")
        }
        dir.write("spool/archive.mbox", mbox)
        var old: [UInt8] = []
        for i in 0..<400 {
            old +=
                HostileMail.bytes("From s\(i)@example.org Tue Oct 14 09:15:02 2025\n") + HostileMail.plain(20_000 + i)
            old += HostileMail.bytes("\n")
        }
        try gzip(old, to: root + "/old/2024.mbox.gz")
        for i in 0..<200 { dir.write("spool/eml/\(i).eml", HostileMail.plain(30_000 + i)) }
        return root
    }

    static func snapshot(_ store: String) throws -> [String] { try ChangingSpoolTests.snapshot(store) }

    static func integrity(_ store: String) throws -> String {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: store, configuration: config)
        return try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" }
    }

    static func sha(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: kill -9

    /// The CI-sized kill trials (`scripts/kill-trials.sh` runs the full-sized ones): a scan killed with SIGKILL at a
    /// random moment, then run again, ends with the store of an uninterrupted scan. `MAILATLAS_KILL_TRIALS`
    /// sets the number of trials (default 5).
    @Test func killNineAtRandomMomentsThenRerun() throws {
        let trials = ProcessInfo.processInfo.environment["MAILATLAS_KILL_TRIALS"].flatMap { Int($0) } ?? 5
        let dir = TempDirectory("kill")
        let root = try Self.makeSpool(dir)
        let clean = try HostileScan.run([root], store: dir.path + "/clean.sqlite")
        #expect(clean.result.status == 0, "\(clean.result)")
        let expected = try Self.snapshot(dir.path + "/clean.sqlite")
        #expect(expected.count == 2_600)
        let schemaIndexes = try Self.migratedIndexes(dir)
        #expect(try Self.indexes(dir.path + "/clean.sqlite") == schemaIndexes)
        var rng = SplitMix64(seed: 42)
        var same = 0
        for trial in 0..<trials {
            let store = dir.path + "/trial\(trial).sqlite"
            let delay = 0.02 + Double(rng.next() % 1000) / 1000 * clean.result.wallSeconds
            let running = try Binary.start(["scan", root, "--db", store, "--quiet", "--commit-every", "300"])
            usleep(UInt32(delay * 1e6))
            kill(running.process.processIdentifier, SIGKILL)
            running.process.waitUntilExit()
            let killed = running.process.terminationReason == .uncaughtSignal
            var committed = 0
            if FileManager.default.fileExists(atPath: store) {
                #expect(try Self.integrity(store) == "ok")
                committed =
                    (try? HostileScan(result: clean.result, store: store, inputBytes: 0).int(
                        "SELECT count(*) FROM messages")) ?? 0
            }
            let rerun = try HostileScan.run([root], store: store)
            #expect(rerun.result.status == 0, "\(rerun.result)")
            let got = try Self.snapshot(store)
            if got == expected { same += 1 }
            #expect(got == expected, "trial \(trial): killed after \(delay)s with \(committed) messages committed")
            #expect(try Self.indexes(store) == schemaIndexes, "trial \(trial): the indexes of docs/schema.md")
            print(
                "kill trial \(trial): \(killed ? "killed" : "finished") after \(String(format: "%.3f", delay))s, "
                    + "\(committed) messages committed; after rerun: \(got == expected ? "same" : "DIFFERENT")")
        }
        print("\(same)/\(trials) kill -9 trials equal to the uninterrupted scan")
    }

    // MARK: The fresh-scan bulk load

    /// Every index of a store, with the statement that made it.
    static func indexes(_ store: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: store, configuration: config)
        return try queue.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name")
        }
    }

    /// The indexes of a store that only the migrations made, those docs/schema.md lists.
    static func migratedIndexes(_ dir: TempDirectory) throws -> [String] {
        let path = dir.path + "/migrated.sqlite"
        try MailStore.openForWriting(path: path).closeAtRest()
        return try indexes(path)
    }

    /// A fresh scan loads its rows without the readers' indexes: a reader works meanwhile (only more slowly), and a
    /// scan killed before it built them leaves a store that readers still use and the next scan completes, with the
    /// messages and the indexes of an uninterrupted scan.
    @Test func aFreshScanKilledBeforeItBuiltItsIndexesIsRepairedByTheNextScan() throws {
        let dir = TempDirectory("bulk")
        let root = try Self.makeSpool(dir)
        let clean = try HostileScan.run([root], store: dir.path + "/clean.sqlite")
        #expect(clean.result.status == 0, "\(clean.result)")
        let expected = try Self.snapshot(dir.path + "/clean.sqlite")
        let schemaIndexes = try Self.migratedIndexes(dir)
        #expect(try Self.indexes(dir.path + "/clean.sqlite") == schemaIndexes)

        let store = dir.path + "/cut.sqlite"
        let running = try Binary.start(["scan", root, "--db", store, "--quiet", "--jobs", "1", "--commit-every", "50"])
        var committed = 0
        let deadline = Date().addingTimeInterval(60)
        while committed < 100, running.process.isRunning, Date() < deadline {
            usleep(10_000)
            committed =
                (try? HostileScan(result: clean.result, store: store, inputBytes: 0).int(
                    "SELECT count(*) FROM messages")) ?? 0
        }
        #expect(running.process.isRunning, "the scan ended before it could be observed (\(committed) messages)")
        // A reader during the load: the readers' indexes are not there yet, and queries work without them.
        let during = try Binary.run(
            [
                "sql", "--db", store, "--format", "tsv",
                "SELECT count(*) FROM sqlite_master WHERE name IN ('messages_report', 'links_domain')",
            ])
        #expect(during.status == 0, "\(during.stderr)")
        #expect(during.stdout.split(whereSeparator: \.isNewline).last == "0", "\(during.stdout)")
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(running.process.terminationReason == .uncaughtSignal)

        // What the killed scan left: rows without the readers' indexes, which `sql` and `report` still read.
        #expect(try Self.integrity(store) == "ok")
        let left = try DatabaseQueue(path: store).read { db in try DeferredIndexes.missing(db) }
        #expect(left == DeferredIndexes.names)
        let count = try Binary.run(["sql", "--db", store, "SELECT count(*) FROM messages WHERE date_utc >= '2000'"])
        #expect(count.status == 0, "\(count.stderr)")
        let report = try Binary.run(["report", "--db", store, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")

        let rerun = try HostileScan.run([root], store: store)
        #expect(rerun.result.status == 0, "\(rerun.result)")
        #expect(try Self.snapshot(store) == expected)
        #expect(try Self.indexes(store) == schemaIndexes)
    }

    /// A rescan that finds nothing changed still builds the indexes a killed fresh scan left unbuilt (it does not
    /// take the unchanged path), and so does a writer other than a scan (`geo refresh`) when it opens the store; a
    /// rescan of a complete store keeps every index it has (no bulk load: the store holds messages).
    @Test func anyOtherWriterBuildsTheIndexesAKilledFreshScanLeft() async throws {
        let dir = TempDirectory("bulk")
        let root = try Self.makeSpool(dir)
        let store = dir.path + "/s.sqlite"
        #expect(try HostileScan.run([root], store: store).result.status == 0)
        let schemaIndexes = try Self.migratedIndexes(dir)
        func dropDeferred() async throws {
            try await DatabaseQueue(path: store).write { db in
                for name in DeferredIndexes.names.sorted() { try db.execute(sql: "DROP INDEX \(name)") }
            }
        }
        try await dropDeferred()
        let rescan = try HostileScan.run([root], store: store)
        #expect(rescan.result.status == 0, "\(rescan.result)")
        #expect(try rescan.int("SELECT messages_added + messages_updated FROM scans ORDER BY id DESC LIMIT 1") == 0)
        #expect(try Self.indexes(store) == schemaIndexes)
        try await dropDeferred()
        try MailStore.openForWriting(path: store).closeAtRest()
        #expect(try Self.indexes(store) == schemaIndexes)

        let writer = try MailStore.openForWriting(path: store, keepingBulkLoad: true)
        let bulk = try await writer.pool.write { db in try DeferredIndexes.beginBulkLoad(db) }
        writer.closeAtRest()
        #expect(!bulk)
        #expect(try Self.indexes(store) == schemaIndexes)
    }

    // MARK: Signals

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsTheScanCleanlyAndSaysSo(_ signal: Int32) throws {
        let dir = TempDirectory("signal")
        let root = try Self.makeSpool(dir)
        let store = dir.path + "/s.sqlite"
        let running = try Binary.start(["scan", root, "--db", store, "--jobs", "1", "--commit-every", "300"])
        // Once the store exists the scan is under way.
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: store) { usleep(5_000) }
        usleep(100_000)
        kill(running.process.processIdentifier, signal)
        running.process.waitUntilExit()
        let err = String(decoding: running.stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        if running.process.terminationStatus == 128 + signal {
            #expect(err.contains("interrupted by \(name)"), "\(err)")
            #expect(err.contains("rerun to continue"))
            let status = try HostileScan(result: .init(), store: store, inputBytes: 0).rows(
                "SELECT status, finished_at IS NOT NULL FROM scans")
            #expect(status.first?[0] == "interrupted")
            #expect(status.first?[1] == true)
        } else {
            #expect(running.process.terminationStatus == 0, "finished before the signal: \(err)")
        }
        #expect(try Self.integrity(store) == "ok")
        let rerun = try HostileScan.run([root], store: store)
        #expect(rerun.result.status == 0)
        let clean = try HostileScan.run([root], store: dir.path + "/clean.sqlite")
        #expect(clean.result.status == 0)
        #expect(try Self.snapshot(store) == Self.snapshot(dir.path + "/clean.sqlite"))
    }

    /// A second SIGINT ends the process at once (a user who means it); the store is left as after a kill.
    @Test func aSecondSignalEndsAtOnce() throws {
        let dir = TempDirectory("signal")
        let root = try Self.makeSpool(dir)
        let store = dir.path + "/s.sqlite"
        let running = try Binary.start(["scan", root, "--db", store, "--jobs", "1", "--commit-every", "300"])
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: store) { usleep(5_000) }
        usleep(100_000)
        kill(running.process.processIdentifier, SIGINT)
        usleep(2_000)
        kill(running.process.processIdentifier, SIGINT)
        running.process.waitUntilExit()
        #expect([0, 130].contains(running.process.terminationStatus))
        #expect(try Self.integrity(store) == "ok")
        #expect(try HostileScan.run([root], store: store).result.status == 0)
        #expect(try HostileScan.run([root], store: dir.path + "/clean.sqlite").result.status == 0)
        #expect(try Self.snapshot(store) == Self.snapshot(dir.path + "/clean.sqlite"))
    }

    // MARK: Full disk

    /// The store on a 2 MB tmpfs: the scan stops with a clear error, the store is intact and readable, and once
    /// there is room a rerun completes to the store of a clean scan. Needs root (mount); skipped elsewhere.
    @Test func aFullDiskGivesAClearErrorAndAReusableStore() throws {
        let dir = TempDirectory("full")
        let root = try Self.makeSpool(dir)
        let mnt = dir.path + "/mnt"
        dir.mkdir("mnt")
        let mount = try Child.run(["/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], timeout: 20)
        guard mount.status == 0 else {
            print("full disk: skipped (cannot mount a tmpfs here: \(mount.stderr))")
            return
        }
        defer { _ = try? Child.run(["/bin/umount", "-l", mnt], timeout: 20) }
        let store = mnt + "/s.sqlite"
        let full = try HostileScan.run([root], store: store, args: ["--commit-every", "300"])
        #expect(full.result.finishedCleanly, "\(full.result)")
        #expect(full.result.status == 1, "\(full.result)")
        #expect(full.result.stderr.contains("no space left for the store"), "\(full.result.stderr)")
        #expect(full.result.stderr.contains("run it again to continue"))
        #expect(try Self.integrity(store) == "ok")
        // Readable as it is: `sql` works on the store the full disk left.
        let sql = try Child.run([Binary.url.path, "sql", "--db", store, "SELECT count(*) FROM messages"])
        #expect(sql.status == 0, "\(sql)")
        let committed = try HostileScan(result: full.result, store: store, inputBytes: 0).int(
            "SELECT count(*) FROM messages")
        #expect(committed > 0 && committed < 2_600, "\(committed)")
        // Room again: the same store completes.
        let remount = try Child.run(["/bin/mount", "-o", "remount,size=256m", mnt], timeout: 20)
        #expect(remount.status == 0, "\(remount)")
        let rerun = try HostileScan.run([root], store: store)
        #expect(rerun.result.status == 0, "\(rerun.result)")
        #expect(try HostileScan.run([root], store: dir.path + "/clean.sqlite").result.status == 0)
        #expect(try Self.snapshot(store) == Self.snapshot(dir.path + "/clean.sqlite"))
        // A disk too small to create the store at all.
        let tinyMount = dir.path + "/tiny"
        dir.mkdir("tiny")
        #expect(
            try Child.run(["/bin/mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", tinyMount], timeout: 20).status == 0)
        defer { _ = try? Child.run(["/bin/umount", "-l", tinyMount], timeout: 20) }
        let tiny = try HostileScan.run([root], store: tinyMount + "/new.sqlite")
        #expect(tiny.result.finishedCleanly, "\(tiny.result)")
        #expect(tiny.result.status == 1, "\(tiny.result)")
        #expect(tiny.result.stderr.contains("no space left"), "\(tiny.result.stderr)")
    }

    // MARK: Schema versions

    /// A store left at v2 by an earlier mailatlas (v3's indexes dropped, v1's sha256 index back, `v3` not
    /// recorded) is migrated by the next scan, which then finds every message unchanged.
    @Test func aStoreFromAnOlderSchemaIsMigrated() throws {
        let dir = TempDirectory("older")
        let root = try Self.makeSpool(dir)
        let store = dir.path + "/s.sqlite"
        #expect(try HostileScan.run([root], store: store).result.status == 0)
        let before = try Self.snapshot(store)
        let queue = try DatabaseQueue(path: store)
        try queue.write { db in
            try db.execute(
                sql: """
                    DROP INDEX messages_identity;
                    DROP INDEX messages_removed;
                    CREATE INDEX messages_sha256 ON messages(sha256);
                    DELETE FROM grdb_migrations WHERE identifier = 'v3';
                    """)
        }
        try queue.close()
        let again = try HostileScan.run([root], store: store)
        #expect(again.result.status == 0, "\(again.result)")
        let check = HostileScan(result: again.result, store: store, inputBytes: 0)
        #expect(
            try check.rows("SELECT identifier FROM grdb_migrations ORDER BY identifier").map { $0[0] as String }
                == Schema.migrator.migrations)
        #expect(try check.int("SELECT count(*) FROM sqlite_master WHERE name = 'messages_identity'") == 1)
        #expect(try check.int("SELECT count(*) FROM sqlite_master WHERE name = 'messages_sha256'") == 0)
        #expect(try check.int("SELECT messages_added + messages_updated FROM scans ORDER BY id DESC LIMIT 1") == 0)
        #expect(try Self.snapshot(store) == before)
        // An empty store left at v1, the first schema, is brought up to date by a scan too.
        let first = dir.path + "/v1.sqlite"
        let v1 = try DatabaseQueue(path: first)
        try Schema.migrator.migrate(v1, upTo: "v1")
        try v1.close()
        #expect(try HostileScan.run([root], store: first).result.status == 0)
        #expect(try Self.snapshot(first) == before)
    }

    /// A store migrated by a newer mailatlas is refused, by `scan` and `sql`, with a clear message, and left
    /// byte-identical.
    @Test func aStoreFromANewerSchemaIsRefusedUntouched() throws {
        let dir = TempDirectory("newer")
        let root = try Self.makeSpool(dir)
        let store = dir.path + "/s.sqlite"
        #expect(try HostileScan.run([root], store: store).result.status == 0)
        let queue = try DatabaseQueue(path: store)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        try queue.close()
        let before = try Self.sha(store)
        let scan = try HostileScan.run([root], store: store)
        #expect(scan.result.status == 1, "\(scan.result)")
        #expect(scan.result.stderr.contains("written by a newer mailatlas (schema v99)"), "\(scan.result.stderr)")
        #expect(scan.result.stderr.contains("upgrade mailatlas"))
        let sql = try Child.run([Binary.url.path, "sql", "--db", store, "SELECT 1"])
        #expect(sql.status == 1)
        #expect(sql.stderr.contains("newer mailatlas"), "\(sql.stderr)")
        #expect(try Self.sha(store) == before)
    }

    /// Someone else's SQLite file, or not a database at all, given as `--db`: refused, not converted to WAL.
    @Test func aDatabaseThatIsNotAStoreIsRefusedUntouched() throws {
        let dir = TempDirectory("foreign")
        dir.write("spool/a.eml", HostileMail.plain(1))
        let foreign = dir.path + "/app.sqlite"
        let queue = try DatabaseQueue(path: foreign)
        try queue.write { db in
            try db.execute(
                sql: "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'x')")
        }
        try queue.close()
        let junk = dir.write("junk.sqlite", "this is not a database, but a user's notes\n")
        for path in [foreign, junk] {
            let before = try Self.sha(path)
            let scan = try HostileScan.run([dir.path + "/spool"], store: path)
            #expect(scan.result.status == 1, "\(scan.result)")
            #expect(scan.result.stderr.contains("is not a mailatlas store"), "\(scan.result.stderr)")
            #expect(try Self.sha(path) == before)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }
}

extension Child.Result {
    init() {
        self.init(
            status: 0, signal: nil, timedOut: false, stdout: "", stderr: "", wallSeconds: 0, cpuSeconds: 0, maxRSS: 0)
    }
}
