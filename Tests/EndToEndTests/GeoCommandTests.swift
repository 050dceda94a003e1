import Foundation
import Testing

/// The `mailatlas` executable built beside the test bundle.
enum BuiltBinary {
    static let mailatlas: URL? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let url = dir.appendingPathComponent("mailatlas")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }()
}

/// `mailatlas geo …` run as a user runs it: the built binary, started from an unrelated directory, so the embedded
/// database is proved to travel inside the executable.
@Suite(.enabled(if: BuiltBinary.mailatlas != nil, "needs the built mailatlas binary"))
struct GeoCommandTests {
    static var binary: URL? { BuiltBinary.mailatlas }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Output {
        let executable: URL = try #require(binary)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.currentDirectoryURL = FileManager.default.temporaryDirectory
        var environment = ProcessInfo.processInfo.environment
        // No user config file: only what the arguments say.
        environment.removeValue(forKey: "MAILATLAS_GEO_CONFIG")
        environment.removeValue(forKey: "XDG_CONFIG_HOME")
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        p.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func lookupSaysPakistanAndTheAS() throws {
        let r = try Self.run(["geo", "lookup", "39.33.27.49"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("PK Pakistan"))
        #expect(r.stdout.contains("AS17557 Pakistan Telecommuication company limited"))
        #expect(r.stdout.contains("IPFire Location Database 2026-08-22"))
    }

    @Test func jsonLinesFromStandardInput() throws {
        let r = try Self.run(["geo", "lookup", "--json"], stdin: "39.33.27.49\n10.0.0.1\nnot-an-ip\n\n200.160.0.1\n")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        let objects = try lines.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects[0]["country"] as? String == "PK" && objects[0]["asn"] as? Int == 17557)
        #expect(objects[0]["as_name"] as? String == "Pakistan Telecommuication company limited")
        #expect(objects[1]["scope"] as? String == "private" && objects[1]["country"] is NSNull)
        #expect(objects[2]["error"] as? String == "not an IP address" && objects[2]["asn"] is NSNull)
        #expect(objects[3]["asn"] as? Int == 22548 && objects[3]["as_name"] is NSNull)
    }

    @Test func infoListsTheEmbeddedDatabase() throws {
        let r = try Self.run(["geo", "info", "--json"])
        #expect(r.status == 0)
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["name"] as? String == "IPFire Location Database" && o["date"] as? String == "2026-08-22")
        #expect(o["ipv4_ranges"] as? Int == 675_971 && o["ipv6_ranges"] as? Int == 358_480)
    }

    @Test func importThenUseTheResultFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailatlas-geo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = dir.appendingPathComponent("ranges.csv")
        try Data("start,end,country\n39.32.0.0,39.63.255.255,GB\n".utf8).write(to: csv)
        let db = dir.appendingPathComponent("mine.mageo").path
        let imported = try Self.run(["geo", "import", csv.path, "--out", db, "--name", "Mine", "--date", "2026-03-04"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let r = try Self.run(["geo", "lookup", "--json", "--geo-db", db, "39.33.27.49"])
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        // The country from the imported database, the AS from the embedded one behind it.
        #expect(o["country"] as? String == "GB" && o["country_source"] as? String == "Mine")
        #expect(o["asn"] as? Int == 17557 && o["asn_source"] as? String == "IPFire Location Database")
        let bad = try Self.run(["geo", "lookup", "--geo-db", csv.path, "1.1.1.1"])
        #expect(bad.status != 0 && bad.stderr.contains("ranges.csv"))
    }
}
