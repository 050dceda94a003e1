import Foundation
import GRDB
import TestSupport
import Testing

/// Runs the built `mailatlas trace` on hand-written fixtures and compares its output with golden files.
/// Re-record them with `MAILATLAS_RECORD=1 swift test --filter TraceGolden` and review the diff.
@Suite struct TraceGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/trace")

    /// The `mailatlas` binary next to the test bundle.
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("mailatlas").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("mailatlas")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.environment = ["NO_COLOR": "1"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(arguments: [
        ("qmail-forged-helo.eml", [String](), "qmail-forged-helo.txt"),
        ("qmail-forged-helo.eml", ["--json"], "qmail-forged-helo.json"),
        ("list.mbox", [], "list-0.txt"),
        ("list.mbox", ["--no-trust-list-servers"], "list-0-untrusted.txt"),
        ("list.mbox", ["--index", "1", "--json"], "list-1.json"),
        ("links-attachments.eml", [], "links-attachments.txt"),
        ("links-attachments.eml", ["--json"], "links-attachments.json"),
    ])
    func matchesGolden(_ input: String, _ options: [String], _ golden: String) throws {
        let (status, output) = try Self.run(["trace", Self.fixtures.appendingPathComponent(input).path] + options)
        #expect(status == 0)
        let goldenURL = Self.fixtures.appendingPathComponent(golden)
        if ProcessInfo.processInfo.environment["MAILATLAS_RECORD"] != nil {
            try output.write(to: goldenURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: goldenURL, encoding: .utf8)
        #expect(output == expected)
    }

    @Test func escapesControlCharacters() throws {
        let (_, output) = try Self.run(["trace", Self.fixtures.appendingPathComponent("qmail-forged-helo.eml").path])
        #expect(!output.contains("\u{1B}"))
        #expect(output.contains("evil\\x1b[31m.example"))
    }

    @Test func readsStandardInput() throws {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = ["trace", "-", "--json"]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(
            try Data(contentsOf: Self.fixtures.appendingPathComponent("qmail-forged-helo.eml")))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self).contains("\"ip\" : \"39.33.27.49\""))
    }

    /// A message saved behind a log line is traced from its real headers, and the trace says what was skipped.
    @Test func readsAMessageBehindALogLine() throws {
        let message = try Data(contentsOf: Self.fixtures.appendingPathComponent("qmail-forged-helo.eml"))
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailatlas-trace-\(ProcessInfo.processInfo.processIdentifier)-logged.eml")
        try (Data("\u{2705} Loading modern TOML configuration: ../milter.toml\n".utf8) + message).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let (status, output) = try Self.run(["trace", path.path])
        #expect(status == 0)
        #expect(output.contains("Origin  39.33.27.49"))
        #expect(output.contains("Before the header block"))
        #expect(output.contains("the first: \"\u{2705} Loading modern TOML configuration: ../milter.toml\""))
    }

    @Test func rejectsAMissingIndexAndABadNetwork() throws {
        let a = try Self.run(["trace", Self.fixtures.appendingPathComponent("list.mbox").path, "--index", "5"])
        #expect(a.status != 0)
        #expect(a.output.contains("holds 2 messages"))
        let b = try Self.run([
            "trace", Self.fixtures.appendingPathComponent("list.mbox").path, "--internal-networks", "10.0.0.0/40",
        ])
        #expect(b.status != 0)
        #expect(b.output.contains("not a network"))
    }

    /// `trace --db`: decided as the scan that stored the message did, with the stored decision beside it; by file
    /// or by id; a difference is reported and fails the command.
    @Test func withAStoreItTellsTheStoresStory() throws {
        let t = TempDirectory("trace-db")
        let db = t.path + "/ex.sqlite"
        let spool = Corpus.packageRoot.appendingPathComponent("examples/spool").path
        #expect(try Self.run(["scan", spool, "--db", db, "--quiet"]).status == 0)
        let file = spool + "/Maildir/cur/1781300624.M26P1026.mx1.example.net,S=1026:2,RS"
        let byFile = try Self.run(["trace", file, "--db", db])
        #expect(byFile.status == 0, "\(byFile.output)")
        #expect(byFile.output.contains("Stored decision"))
        #expect(byFile.output.contains("agreement: the decision made now is the stored one"))
        #expect(!byFile.output.contains("Decided from this message alone"))
        let byID = try Self.run(["trace", "1", "--db", db, "--json"])
        #expect(byID.status == 0, "\(byID.output)")
        #expect(byID.output.contains("the decision made now is the stored one"))
        // Alone, trace says what it decides without.
        let alone = try Self.run(["trace", file])
        #expect(alone.output.contains("Decided from this message alone"))
        #expect(alone.output.contains("mailatlas trace --db STORE FILE"))
        // The scan's settings as stored say every address is the site's: deciding again now differs.
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "UPDATE scans SET origin_config = 'internal-networks = 0.0.0.0/0, ::/0'")
        }
        let differs = try Self.run(["trace", file, "--db", db])
        #expect(differs.status == 1)
        #expect(differs.output.contains("DIFFERS: origin_rule: stored"), "\(differs.output)")
        #expect(differs.output.contains("this is a bug"))
        // Origin settings on the command line do not mix with the scan's.
        let mixed = try Self.run(["trace", file, "--db", db, "--internal-networks", "10.0.0.0/8"])
        #expect(mixed.status != 0)
        let unknown = try Self.run(["trace", "999999", "--db", db])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("has no message 999999"))
    }

    /// On a wide terminal the host names are shown whole; piped, they are cut at 28 characters as before.
    @Test func hostNamesUseTheTerminalsWidth() throws {
        let t = TempDirectory("trace-width")
        let name = "a-very-long-host-name-of-the-sender.example.org"
        t.write(
            "long.eml",
            "Received: from \(name) (\(name) [64.15.22.10]) by mx.rcpt.example with ESMTP id A1; Wed, 5 Nov 2025 10:00:00 +0000\r\nSubject: x\r\n\r\nbody\r\n"
        )
        let piped = try Self.run(["trace", t.path + "/long.eml"])
        func row(_ text: String) -> String {
            text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("  0  ") }.map(String.init) ?? ""
        }
        #expect(!row(piped.output).contains(name))
        #expect(row(piped.output).contains("a-very-long-host-name-of-th…"))
        // A pseudo-terminal 200 columns wide (util-linux `script`).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = [
            "-qec", "stty cols 200; '\(Self.binary.path)' trace --color never '\(t.path)/long.eml'", "/dev/null",
        ]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let wide = String(decoding: data, as: UTF8.self)
        #expect(row(wide).contains(name), "\(wide)")
    }
}
