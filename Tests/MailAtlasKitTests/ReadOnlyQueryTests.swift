import Crypto
import Foundation
import GRDB
import MailAtlasKit
import TestSupport
import Testing

@Suite struct ReadOnlyQueryTests {
    /// A store with a few messages, and its bytes' hash.
    private func store() async throws -> (TempDirectory, String) {
        let t = TempDirectory("sql")
        t.write("spool/a.eml", MailFixture.message(subject: "=HYPERLINK(\"http://x\")"))
        t.write("spool/b.eml", MailFixture.message(subject: "tab\tand \u{1B}[31mred"))
        _ = try await SpoolScanner(storePath: t.path + "/s.sqlite", options: ScanOptions(roots: [t.path + "/spool"]))
            .run()
        return (t, t.path + "/s.sqlite")
    }

    private func digest(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).description
    }

    @Test(arguments: [
        "DELETE FROM messages",
        "UPDATE messages SET subject = 'x'",
        "INSERT INTO scans (started_at, status, roots, tool_version) VALUES ('', 'running', '', '')",
        "DROP TABLE messages",
        "CREATE TABLE t (x)",
        "ATTACH DATABASE '/tmp/evil.sqlite' AS evil",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA query_only = 0",
        "PRAGMA writable_schema = 1",
        "SELECT load_extension('/tmp/x.so')",
        "SELECT 1; DELETE FROM messages",
        "  -- comment\n  delete from messages",
        "VACUUM",
        "REINDEX",
        "ANALYZE",
    ])
    func refusesWhatWouldChangeAnything(_ sql: String) async throws {
        let (t, path) = try await store()
        let before = try digest(path)
        let queue = try MailStore.openReadOnly(path: path)
        #expect(throws: (any Error).self) { try ReadOnlyQuery.run(sql, on: queue) }
        try queue.close()
        #expect(try digest(path) == before)
        #expect(
            try ReadOnlyQuery.run("SELECT count(*) FROM messages", on: MailStore.openReadOnly(path: path)).rows
                .first?.first == 2.databaseValue)
        withExtendedLifetime(t) {}
    }

    @Test func readsAndReadOnlyPragmasWork() async throws {
        let (t, path) = try await store()
        let queue = try MailStore.openReadOnly(path: path)
        let r = try ReadOnlyQuery.run("SELECT subject FROM messages ORDER BY subject", on: queue)
        #expect(r.columns == ["subject"])
        #expect(r.rows.count == 2)
        #expect(try ReadOnlyQuery.run("PRAGMA table_info(messages)", on: queue).rows.count > 10)
        #expect(try ReadOnlyQuery.run("SELECT * FROM pragma_table_info('links')", on: queue).rows.count > 5)
        withExtendedLifetime(t) {}
    }

    @Test func outputsEscapeWhatAttackersWrote() async throws {
        let (t, path) = try await store()
        let r = try ReadOnlyQuery.run(
            "SELECT subject FROM messages ORDER BY subject", on: MailStore.openReadOnly(path: path))
        let csv = TableOutput.render(r, format: .csv)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))
        let table = TableOutput.render(r, format: .table)
        #expect(!table.contains("\u{1B}"))
        #expect(table.contains("\\x1b[31mred"))
        let json = TableOutput.render(r, format: .json)
        #expect(json.contains("\\u001b"))
        #expect(json.contains("\\t"))
        withExtendedLifetime(t) {}
    }

    @Test func missingStoreIsAClearError() {
        #expect(throws: StoreError.self) { try MailStore.openReadOnly(path: "/nonexistent/s.sqlite") }
    }
}

@Suite struct EscapeTests {
    @Test func terminal() {
        #expect(Escape.terminal("plain") == "plain")
        #expect(Escape.terminal("a\u{1B}[2Jb") == "a\\x1b[2Jb")
        #expect(Escape.terminal("invoice\u{202E}fdp.exe") == "invoice\\u{202e}fdp.exe")
        #expect(Escape.terminal("line\nbreak") == "line\\nbreak")
        #expect(Escape.terminal("\u{9B}31m") == "\\x9b31m")
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
        ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("multi\nline", "\"multi\nline\""), ("ok", "ok"),
    ])
    func csv(_ input: String, _ expected: String) {
        #expect(Escape.csvCell(input) == expected)
    }

    @Test func json() {
        #expect(Escape.jsonString("a\"b\\c\n\u{0}\u{2028}") == "\"a\\\"b\\\\c\\n\\u0000\\u2028\"")
    }

    @Test func widths() {
        #expect(Escape.displayWidth("日本語") == 6)
        #expect(Escape.displayWidth("e\u{301}") == 1)
        #expect(Escape.truncate("abcdefgh", toWidth: 5) == "abcd…")
    }
}
