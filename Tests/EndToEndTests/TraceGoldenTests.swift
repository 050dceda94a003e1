import Foundation
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
}
