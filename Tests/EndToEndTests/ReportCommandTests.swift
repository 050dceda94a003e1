import Crypto
import Foundation
import ReportFixtures
import TestSupport
import Testing

/// `mailatlas report` as a user runs it: golden files for the HTML, CSV and JSON of a generated store, the store left
/// byte-identical, usage errors, and the example spool's report opened in headless Chromium.
/// Re-record the golden files with `MAILATLAS_RECORD=1 swift test --filter ReportCommandTests` and review the diff.
@Suite struct ReportCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/report")
    static var recording: Bool { ProcessInfo.processInfo.environment["MAILATLAS_RECORD"] != nil }

    /// A hostile fixture store named `fixture.sqlite` (the name is printed in the report).
    static func store() throws -> (TempDirectory, String) {
        let dir = TempDirectory("report-e2e")
        let path = dir.path + "/fixture.sqlite"
        try ReportFixture.make(path: path, hostile: true)
        return (dir, path)
    }

    static func compare(_ actual: String, golden relative: String) throws {
        let url = fixtures.appendingPathComponent(relative)
        if recording {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
        }
        let expected = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(actual == expected, "\(relative) differs from its golden file (MAILATLAS_RECORD=1 re-records it)")
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    static let fixed = ["--month", "2026-10", "--now", "2026-11-29T00:00:00Z"]

    @Test func htmlMatchesGolden() throws {
        let (dir, db) = try Self.store()
        let out = dir.path + "/report.html"
        let r = try Binary.run(["report", "--db", db, "--out", out] + Self.fixed)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote \(out) (October 2026: "))
        try Self.compare(try String(contentsOfFile: out, encoding: .utf8), golden: "report.html")
    }

    @Test func jsonMatchesGolden() throws {
        let (dir, db) = try Self.store()
        defer { withExtendedLifetime(dir) {} }
        let r = try Binary.run(["report", "--db", db, "--format", "json"] + Self.fixed)
        #expect(r.status == 0, "\(r.stderr)")
        try Self.compare(r.stdout, golden: "report.json")
    }

    @Test func csvMatchesGolden() throws {
        let (dir, db) = try Self.store()
        let out = dir.path + "/csv"
        let r = try Binary.run(["report", "--db", db, "--format", "csv", "--out", out] + Self.fixed)
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names.count >= 13)
        #expect(r.stderr.contains("wrote \(names.count) CSV files to \(out)"))
        if !Self.recording {
            let golden = try FileManager.default.contentsOfDirectory(
                atPath: Self.fixtures.appendingPathComponent("csv").path)
            #expect(names == golden.sorted())
        }
        for name in names {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)), as: UTF8.self)
            try Self.compare(text, golden: "csv/" + name)
        }
    }

    @Test func theStoreIsLeftByteIdentical() throws {
        let (dir, db) = try Self.store()
        // The store and any -wal/-shm beside it: the same files with the same bytes afterwards.
        func snapshot() throws -> [String: String] {
            var files: [String: String] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path)
            where name.hasPrefix("fixture.sqlite") && !name.hasSuffix(".lock") {
                files[name] = try Self.sha256(dir.path + "/" + name)
            }
            return files
        }
        let before = try snapshot()
        #expect(before["fixture.sqlite"] != nil)
        for format in ["html", "json", "csv"] {
            let r = try Binary.run(
                ["report", "--db", db, "--format", format, "--out", dir.path + "/out-" + format] + Self.fixed)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let after = try snapshot()
        #expect(after["fixture.sqlite"] == before["fixture.sqlite"])
        // SQLite's read-only WAL readers may leave an empty -wal and a -shm index beside it; nothing is written.
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(after["fixture.sqlite-wal"].map { $0 == empty } ?? true, "the report wrote to the write-ahead log")
    }

    @Test func theDefaultPeriodIsTheLastCompleteMonthWithMail() throws {
        let (dir, db) = try Self.store()
        defer { withExtendedLifetime(dir) {} }
        let r = try Binary.run(["report", "--db", db, "--format", "json", "--now", "2026-12-05"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(#""from": "2026-10-01""#))
        let last = try Binary.run(["report", "--db", db, "--format", "json", "--now", "2026-10-15", "--last", "14d"])
        #expect(last.stdout.contains(#""from": "2026-10-02""#) && last.stdout.contains(#""to": "2026-10-15""#))
        let range = try Binary.run(
            ["report", "--db", db, "--format", "json", "--from", "2026-10-01", "--to", "2026-10-10", "--top", "2"])
        #expect(range.stdout.contains(#""days": 10"#) && range.stdout.contains(#""top": 2"#))
    }

    @Test(arguments: [
        (["--month", "2026-13"], "month 13 is out of range"),
        (["--month", "Oct"], "--month: expected YYYY-MM"),
        (["--month", "2026-10", "--last", "30d"], "give one period"),
        (["--from", "2026-10-01"], "--from and --to go together"),
        (["--from", "2026-10-09", "--to", "2026-10-01"], "is after --to"),
        (["--last", "3m"], "--last: expected a number of days or weeks"),
        (["--verdict", "maybe"], "--verdict: spam, ham, unknown or all"),
        (["--format", "csv"], "give a directory with --out"),
        (["--top", "0"], "--top must be between"),
        (["--tz", "Mars/Olympus"], "--tz: not a time zone name"),
        (["--by", "sender"], "--by"),
    ])
    func usageErrors(_ args: [String], _ message: String) throws {
        let r = try Binary.run(["report", "--db", "/nonexistent.sqlite"] + args)
        #expect(r.status == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func aMissingStoreIsAnError() throws {
        let r = try Binary.run(["report", "--db", "/nonexistent/none.sqlite"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no store at /nonexistent/none.sqlite"))
    }

    @Test func templatesFromAFolderReplaceTheBuiltInOnes() throws {
        let (dir, db) = try Self.store()
        dir.write("t/report.html.mustache", "<p>{{title}} {{totals.messages}}</p>\n")
        let r = try Binary.run(["report", "--db", db, "--templates", dir.path + "/t"] + Self.fixed)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("<p>Spam report — October 2026 "))
        dir.write("bad/report.html.mustache", "{{#x}}\n")
        let bad = try Binary.run(["report", "--db", db, "--templates", dir.path + "/bad"] + Self.fixed)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("template report.html"))
    }
}

/// The example spool's report in a real browser: it loads, requests nothing, and a screenshot is saved in
/// `.build/report-screenshots/` to look at.
@Suite struct ReportBrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Load {
        var status: Int32
        var stderr: String
        /// URLs the page asked for (requests with an origin as initiator; Chromium's own background requests have
        /// none).
        var pageRequests: [String]
    }

    /// Opens `html` headless with every host name unresolvable (nothing leaves the machine whatever the page
    /// does), saves a screenshot, and reads the network log.
    static func load(_ html: String, screenshot: String, width: Int, height: Int) throws -> Load {
        let work = TempDirectory("chromium")
        let netlog = work.path + "/net.json"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium!)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + work.path + "/profile", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--log-net-log=" + netlog, "--enable-logging=stderr", "--v=0", "--window-size=\(width),\(height)",
            "--screenshot=" + screenshot, "file://" + html,
        ]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var requests: [String] = []
        if let data = FileManager.default.contents(atPath: netlog),
            let log = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let constants = log["constants"] as? [String: Any],
            let types = constants["logEventTypes"] as? [String: Int], let start = types["URL_REQUEST_START_JOB"],
            let events = log["events"] as? [[String: Any]]
        {
            for event in events where event["type"] as? Int == start {
                guard let params = event["params"] as? [String: Any], let url = params["url"] as? String else {
                    continue
                }
                if (params["initiator"] as? String) != "not an origin" { requests.append(url) }
            }
        }
        return Load(status: p.terminationStatus, stderr: stderr, pageRequests: requests)
    }

    static func isPNG(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count > 10_000 else { return false }
        return data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test(.enabled(if: chromium != nil, "Debian's chromium is not installed (.ci/run installs it)"))
    func theExampleReportLoadsInChromium() throws {
        let dir = TempDirectory("report-browser")
        let db = dir.path + "/examples.sqlite"
        let spool = Corpus.packageRoot.appendingPathComponent("examples/spool").path
        let scan = try Binary.run(["scan", spool, "--db", db, "--quiet"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let html = dir.path + "/report.html"
        let report = try Binary.run(["report", "--db", db, "--month", "2026-10", "--out", html])
        #expect(report.status == 0, "\(report.stderr)")
        let shots = Corpus.packageRoot.appendingPathComponent(".build/report-screenshots").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        for (name, width, height) in [("examples-desktop.png", 1280, 4200), ("examples-phone.png", 390, 2400)] {
            let png = shots + "/" + name
            try? FileManager.default.removeItem(atPath: png)
            let load = try Self.load(html, screenshot: png, width: width, height: height)
            #expect(load.status == 0, "\(load.stderr)")
            #expect(Self.isPNG(png), "no screenshot at \(png)")
            #expect(load.pageRequests.isEmpty, "the report asked for \(load.pageRequests)")
            // Console errors, CSP violations and script errors are logged as CONSOLE lines.
            let problems = load.stderr.split(separator: "\n").filter {
                $0.contains("CONSOLE") || $0.contains("Refused to") || $0.contains("Uncaught")
            }
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    /// The request check above can fail: a page that loads an image is caught.
    @Test(.enabled(if: chromium != nil, "Debian's chromium is not installed (.ci/run installs it)"))
    func aPageThatLoadsSomethingIsCaught() throws {
        let dir = TempDirectory("report-browser")
        let html = dir.write("leak.html", "<!DOCTYPE html><p>x</p><img src=\"http://report-test.invalid/pixel.png\">")
        let load = try Self.load(html, screenshot: dir.path + "/leak.png", width: 400, height: 300)
        #expect(load.pageRequests.contains { $0.hasPrefix("http://report-test.invalid/") })
    }

    @Test func aFolderThatHoldsNoMessageIsAnErrorThatListsTheFolders() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/ex.sqlite"
        #expect(try Binary.run(["scan", ScanCommandTests.examples, "--db", db, "--quiet"]).status == 0)
        let r = try Binary.run(["report", "--db", db, "--folder", "Jnuk", "--out", t.path + "/r.html"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("no message is in folder \"Jnuk\""), "\(r.stderr)")
        #expect(r.stderr.contains("Junk"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.path + "/r.html"))
    }

    @Test func quietSaysNothingWhenAllWentWell() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/ex.sqlite"
        #expect(try Binary.run(["scan", ScanCommandTests.examples, "--db", db, "--quiet"]).status == 0)
        let loud = try Binary.run(["report", "--db", db, "--out", t.path + "/a.html"])
        #expect(loud.stderr.hasPrefix("wrote "), "\(loud.stderr)")
        let quiet = try Binary.run(["report", "--db", db, "--out", t.path + "/b.html", "--quiet"])
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(FileManager.default.fileExists(atPath: t.path + "/b.html"))
    }

    /// Errors in one voice: `mailatlas: error: …` and a hint, 64 for a mistake in the command line.
    @Test func errorsSpeakInOneVoice() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/ex.sqlite"
        #expect(try Binary.run(["scan", ScanCommandTests.examples, "--db", db, "--quiet"]).status == 0)
        let out = try Binary.run(["report", "--db", db, "--out", t.path + "/missing/r.html"])
        #expect(out.status == 1)
        #expect(out.stderr.hasPrefix("mailatlas: error: cannot write"), "\(out.stderr)")
        #expect(out.stderr.contains("the folder \(t.path)/missing does not exist"), "\(out.stderr)")
        let sql = try Binary.run(["sql", "--db", db, "SELEC 1"])
        #expect(sql.status == 64)
        #expect(sql.stderr.hasPrefix("mailatlas: error: "), "\(sql.stderr)")
        let usage = try Binary.run(["report", "--db", db, "--month", "2026-13"])
        #expect(usage.status == 64)
        #expect(
            usage.stderr
                == "mailatlas: error: --month 2026-13: month 13 is out of range (01 to 12)\n  See 'mailatlas report --help'.\n"
        )
    }
}
