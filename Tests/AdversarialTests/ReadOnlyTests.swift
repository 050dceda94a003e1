import Crypto
import Foundation
import Glibc
import TestSupport
import Testing

/// `mailatlas sql` and `report` never change anything: every statement that could write the store, another file or the
/// connection is refused by mailatlas itself (not left to SQLite's read-only mode, the second line of defence),
/// the store stays byte-identical, and no file appears beside it, for root and for a user who may only read.
@Suite(.serialized) struct ReadOnlyTests {
    static let refused: [String] = [
        "DELETE FROM messages",
        "WITH x AS (SELECT 1) DELETE FROM messages",
        "WITH RECURSIVE x(n) AS (SELECT 1) UPDATE messages SET subject = 'x'",
        "REPLACE INTO scans (id) VALUES (1)",
        "CREATE TEMP TABLE t (x)",
        "CREATE TEMP TRIGGER t AFTER INSERT ON messages BEGIN SELECT 1; END",
        "CREATE TEMP VIEW v AS SELECT 1",
        "VACUUM INTO '/tmp/mailatlas-ro-copy.sqlite'",
        "VACUUM",
        "ATTACH 'file:/tmp/mailatlas-ro-attach.sqlite?mode=rwc' AS a",
        "attach database ':memory:' as m",
        "DETACH main",
        "PRAGMA journal_mode(DELETE)",
        "PRAGMA journal_mode = WAL",
        "PRAGMA main.user_version = 3",
        "PRAGMA user_version(5)",
        "PRAGMA application_id(7)",
        "PRAGMA schema_version(1)",
        "pragma\tSCHEMA_VERSION\n(1)",
        "PRAGMA query_only(0)",
        "PRAGMA query_only = OFF",
        "PRAGMA writable_schema = ON",
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "PRAGMA temp_store_directory = '/tmp'",
        "PRAGMA locking_mode = EXCLUSIVE",
        "PRAGMA optimize",
        "SELECT load_extension('/tmp/x.so')",
        "SELECT LOAD_EXTENSION('/tmp/x.so', 'entry')",
        "BEGIN IMMEDIATE",
        "SAVEPOINT a",
        "COMMIT",
        "SELECT 1; DELETE FROM messages",
        "/* a comment */ DELETE FROM messages",
        "-- a comment\nDELETE FROM messages",
        "EXPLAIN DELETE FROM messages",
        "REINDEX",
        "ANALYZE",
    ]

    static let allowed: [String] = [
        "SELECT count(*) FROM messages",
        "WITH x AS (SELECT verdict FROM messages) SELECT verdict, count(*) FROM x GROUP BY 1",
        "PRAGMA table_info(messages)",
        "PRAGMA main.index_list('messages')",
        "PRAGMA integrity_check",
        "PRAGMA quick_check(10)",
        "PRAGMA journal_mode",
        "SELECT * FROM pragma_table_info('links')",
        "SELECT * FROM pragma_user_version",
    ]

    static func digest(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).description
    }

    static func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func writesAreRefusedByMailatlasAndNothingChanges() throws {
        let asRoot = geteuid() == 0
        let wrappers: [[String]] =
            asRoot && Child.which("setpriv") != nil
            ? [[], ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]] : [[]]
        let dir = TempDirectory("readonly")
        dir.write("spool/a.eml", HostileMail.plain(1))
        dir.write("spool/b.eml", HostileMail.plain(2, subject: "=HYPERLINK(\"http://evil.example\")"))
        dir.mkdir("store")
        let store = dir.path + "/store/s.sqlite"
        let scan = try HostileScan.run([dir.path + "/spool"], store: store)
        #expect(scan.result.status == 0, "\(scan.result)")
        let before = try Self.digest(store)
        let files = Self.listing(dir.path + "/store")
        for wrapper in wrappers {
            for sql in Self.refused {
                let r = try Child.run(wrapper + [Binary.url.path, "sql", "--db", store, "--", sql])
                #expect(r.status == 64, "\(wrapper.isEmpty ? "" : "as nobody: ")\(sql): \(r)")
                #expect(r.stderr.contains("refused"), "\(sql): \(r.stderr)")
            }
            for sql in Self.allowed {
                let r = try Child.run(wrapper + [Binary.url.path, "sql", "--db", store, "--", sql])
                #expect(r.status == 0, "\(wrapper.isEmpty ? "" : "as nobody: ")\(sql): \(r)")
            }
            // The report reads the same store the same way.
            for format in ["json", "html"] {
                let r = try Child.run(
                    wrapper + [Binary.url.path, "report", "--db", store, "--month", "2025-10", "--format", format])
                #expect(r.status == 0, "\(wrapper.isEmpty ? "" : "as nobody: ")report \(format): \(r)")
                #expect(!r.stdout.isEmpty)
            }
            #expect(try Self.digest(store) == before)
            #expect(Self.listing(dir.path + "/store") == files)
        }
        for path in ["/tmp/mailatlas-ro-copy.sqlite", "/tmp/mailatlas-ro-attach.sqlite"] {
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// While a scan writes, readers still work (the store is in WAL mode then); at rest it is one file again.
    @Test func readersWhileAScanRunsAndOneFileAtRest() throws {
        let dir = TempDirectory("readonly")
        let root = try FaultTests.makeSpool(dir)
        let store = dir.path + "/s.sqlite"
        let running = try Binary.start(["scan", root, "--db", store, "--jobs", "1"])
        var reads = 0
        var failures: [String] = []
        while running.process.isRunning {
            if FileManager.default.fileExists(atPath: store) {
                let r = try Child.run([Binary.url.path, "sql", "--db", store, "SELECT count(*) FROM messages"])
                if r.status == 0 { reads += 1 } else { failures.append(r.stderr) }
            }
            usleep(20_000)
        }
        running.process.waitUntilExit()
        #expect(running.process.terminationStatus == 0)
        #expect(reads > 0)
        print("reads while the scan ran: \(reads), failed: \(failures)")
        // A read racing the very creation of the store may find it empty; no other failure is acceptable.
        #expect(
            failures.allSatisfy { $0.contains("no store at") || $0.contains("not a mailatlas store") }, "\(failures)")
        #expect(Self.listing(dir.path).filter { $0.hasPrefix("s.sqlite") } == ["s.sqlite"])
    }
}
