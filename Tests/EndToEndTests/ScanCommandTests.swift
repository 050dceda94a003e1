import Crypto
import Foundation
import Glibc
import TestSupport
import Testing

/// The built binary, run the way the README and cron run it.
@Suite(.serialized) struct ScanCommandTests {
    static let examples = Corpus.packageRoot.appendingPathComponent("examples/spool").path

    @Test func scansTheExamplesThenAddsNothing() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/ex.sqlite"
        let first = try Binary.run(["scan", Self.examples, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("messages: 185 added, 0 updated, 0 removed, 0 unchanged"), "\(first.stdout)")
        let second = try Binary.run(["scan", Self.examples, "--db", db])
        #expect(second.status == 0)
        #expect(second.stdout.hasPrefix("messages: 0 added, 0 updated, 0 removed, 185 unchanged"), "\(second.stdout)")
        let quiet = try Binary.run(["scan", Self.examples, "--db", db, "--quiet"])
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty && quiet.status == 0)
    }

    /// `scan --enrich dns` resolves, after the scan, the names the messages it added link to (here against a
    /// responder that says NXDOMAIN to everything), and a rescan that adds nothing asks nothing.
    @Test func scanWithEnrichDNS() throws {
        let responder = try MisbehavingDNSResponder(mode: .rcode(3))
        defer { responder.stop() }
        let t = TempDirectory("e2e")
        t.write("spool/a.eml", MailFixture.message(body: "https://shop-one.com/x and https://shop-two.net/y\n"))
        let db = t.path + "/s.sqlite"
        let args = ["scan", t.path + "/spool", "--db", db, "--enrich", "dns", "--resolver", responder.address]
        let first = try Binary.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("enrich: 2 names resolved (2 nxdomain)"), "\(first.stdout)")
        let again = try Binary.run(args)
        #expect(again.status == 0)
        #expect(!again.stdout.contains("enrich:"), "\(again.stdout)")
        #expect(responder.queries >= 2)
        let wrong = try Binary.run(["scan", t.path + "/spool", "--db", db, "--enrich", "rdap"])
        #expect(wrong.status == 64, "\(wrong.stderr)")
    }

    /// The summary says why files were not stored, by reason, for every file under the roots (also on a rescan).
    @Test func theSummaryCountsFilesThatAreNotMailByReason() throws {
        let t = TempDirectory("e2e")
        t.write("spool/a.eml", MailFixture.message())
        t.write("spool/LICENSE", "MIT License\n\nPermission is hereby granted...\n")
        t.write("spool/NOTES", "Meeting notes\nnothing here\n")
        t.write("spool/empty.eml", "")
        let db = t.path + "/s.sqlite"
        for _ in 0..<2 {
            let r = try Binary.run(["scan", t.path + "/spool", "--db", db])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains(" 3 not mail (2 text-not-mail, 1 empty); "), "\(r.stdout)")
        }
    }

    /// `--list-skipped` lists every file under the roots that is not stored as mail with its reason (names
    /// escaped for the terminal), then the ones that could not be read; with `--quiet`, only the list.
    @Test func listSkippedNamesEachFileAndWhy() throws {
        let t = TempDirectory("e2e")
        t.write("spool/a.eml", MailFixture.message())
        t.write("spool/LICENSE", "MIT License\n\nPermission is hereby granted...\n")
        t.write("spool/evil\u{1B}[2J.txt", "not mail at all\n")
        t.write("spool/empty.eml", "")
        t.write("spool/.DS_Store", [0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31])
        try FileManager.default.createSymbolicLink(atPath: t.path + "/spool/gone.eml", withDestinationPath: "nowhere")
        let db = t.path + "/s.sqlite"
        let r = try Binary.run(["scan", t.path + "/spool", "--db", db, "--list-skipped", "--follow-symlinks"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let root = t.path + "/spool/"
        #expect(
            Array(lines.dropFirst()) == [
                "metadata       \(root).DS_Store",
                "text-not-mail  \(root)LICENSE",
                "empty          \(root)empty.eml",
                "text-not-mail  \(root)evil\\x1b[2J.txt",
                "unreadable     \(root)gone.eml",
            ], "\(r.stdout)")
        let quiet = try Binary.run(["scan", t.path + "/spool", "--db", db, "--list-skipped", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout.hasPrefix("metadata       \(root).DS_Store\n"), "\(quiet.stdout)")
        #expect(quiet.stdout.contains("symlink        \(root)gone.eml"), "\(quiet.stdout)")
    }

    @Test func sqlIsReadOnlyAndTheFileStaysByteIdentical() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/ex.sqlite"
        #expect(try Binary.run(["scan", Self.examples, "--db", db, "--quiet"]).status == 0)
        let before = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: db)))
        let refused = try Binary.run(["sql", "--db", db, "DELETE FROM messages"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("refused"), "\(refused.stderr)")
        #expect(refused.status == 64 && !refused.stderr.contains("Usage:"), "\(refused.stderr)")
        let attach = try Binary.run(["sql", "--db", db, "ATTACH DATABASE '\(t.path)/x.sqlite' AS x"])
        #expect(attach.status != 0)
        #expect(!FileManager.default.fileExists(atPath: t.path + "/x.sqlite"))
        let count = try Binary.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM messages"])
        #expect(count.stdout == "n\r\n185\r\n")
        let json = try Binary.run([
            "sql", "--db", db, "--format", "json",
            "SELECT verdict, count(*) AS n FROM messages GROUP BY verdict ORDER BY verdict",
        ])
        #expect(json.stdout.contains("{\"verdict\": \"spam\", \"n\": "))
        #expect(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: db))) == before)
    }

    @Test func clearErrorsAndExitStatuses() throws {
        let t = TempDirectory("e2e")
        let missing = try Binary.run(["scan", t.path + "/nope", "--db", t.path + "/s.sqlite"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: t.path + "/s.sqlite"), "no root: no store made")
        let noStore = try Binary.run(["sql", "--db", t.path + "/absent.sqlite", "SELECT 1"])
        #expect(noStore.status == 1)
        #expect(noStore.stderr.contains("no store at"))
        let badJobs = try Binary.run(["scan", Self.examples, "--db", t.path + "/s.sqlite", "--jobs", "0"])
        #expect(badJobs.status == 64)
    }

    /// A root that holds no mail is reported as such, with the exit status of a root that cannot be read: 1 when
    /// no root yielded mail, 2 when some did and others did not (missing or empty of mail).
    @Test func rootsWithoutMailSetTheExitStatus() throws {
        let t = TempDirectory("e2e")
        let passwd = t.write(
            "etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
        t.mkdir("empty")
        let db = t.path + "/s.sqlite"
        let none = try Binary.run(["scan", passwd, "--db", db])
        #expect(none.status == 1, "\(none.stderr)")
        #expect(
            none.stderr.contains("\(passwd): no mail found (1 file not mail; --list-skipped says why)"),
            "\(none.stderr)")
        #expect(none.stdout.contains(" 1 not mail (1 text-not-mail); "), "\(none.stdout)")
        let empty = try Binary.run(["scan", t.path + "/empty", t.path + "/nope", "--db", db, "--quiet"])
        #expect(empty.status == 1, "\(empty.stderr)")
        #expect(empty.stderr.contains("/empty: no mail found (no file not mail"), "\(empty.stderr)")
        #expect(empty.stderr.contains("/nope: no such file or directory"), "\(empty.stderr)")
        let some = try Binary.run(["scan", Self.examples, passwd, "--db", db, "--quiet"])
        #expect(some.status == 2, "\(some.stderr)")
        #expect(some.stderr.contains("\(passwd): no mail found"), "\(some.stderr)")
        #expect(!some.stderr.contains("examples"), "\(some.stderr)")
        let missing = try Binary.run(["scan", Self.examples, t.path + "/nope", "--db", db, "--quiet"])
        #expect(missing.status == 2, "\(missing.stderr)")
        // A rescan of a root whose mail is all unchanged still yields mail.
        let again = try Binary.run(["scan", Self.examples, "--db", db, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test func aSecondConcurrentScanStopsAtOnce() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/s.sqlite"
        // Hold the scan lock the way a running scan does.
        let fd = open(db + ".lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let second = try Binary.run(["scan", Self.examples, "--db", db])
        #expect(second.status == 75)
        #expect(second.stderr.contains("another mailatlas scan is already writing"))
        close(fd)
    }

    @Test func readersWorkWhileAScanRuns() throws {
        let t = TempDirectory("e2e")
        var mbox = ""
        for i in 0..<3000 { mbox += MailFixture.mbox([MailFixture.message(subject: "r\(i)")]) }
        t.write("spool/big.mbox", mbox)
        let db = t.path + "/s.sqlite"
        // A first scan creates the store; the second one (of a bigger spool) runs while sql reads.
        #expect(try Binary.run(["scan", Self.examples, "--db", db, "--quiet"]).status == 0)
        let running = try Binary.start(["scan", t.path + "/spool", "--db", db, "--jobs", "1"])
        var reads = 0
        while running.process.isRunning && reads < 20 {
            let r = try Binary.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) FROM messages"])
            #expect(r.status == 0, "\(r.stderr)")
            reads += 1
        }
        running.process.waitUntilExit()
        #expect(running.process.terminationStatus == 0)
        #expect(reads > 0)
    }

    @Test func sigtermStopsCleanlyAndARerunCompletes() throws {
        let t = TempDirectory("e2e")
        let spool = t.path + "/spool"
        // Enough messages that the scan is still running when the signal arrives.
        var mbox = ""
        for i in 0..<4000 {
            mbox += MailFixture.mbox([
                MailFixture.message(subject: "m\(i)", body: String(repeating: "line of text\n", count: 40))
            ])
        }
        t.write("spool/big.mbox", mbox)
        let db = t.path + "/s.sqlite"
        let running = try Binary.start(["scan", spool, "--db", db, "--jobs", "1"])
        // The store exists once the scan is under way (its signal handlers are installed before it opens the store).
        var waited = 0
        while !FileManager.default.fileExists(atPath: db) && running.process.isRunning && waited < 600 {
            usleep(50_000)
            waited += 1
        }
        running.process.terminate()
        running.process.waitUntilExit()
        let err = String(decoding: running.stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if running.process.terminationStatus == 143 {
            #expect(err.contains("interrupted by SIGTERM"))
        } else {
            #expect(running.process.terminationStatus == 0, "finished before the signal: \(err)")
        }
        let rerun = try Binary.run(["scan", spool, "--db", db])
        #expect(rerun.status == 0)
        let count = try Binary.run([
            "sql", "--db", db, "--format", "csv", "SELECT count(*), count(DISTINCT sha256) FROM messages",
        ])
        #expect(count.stdout.hasSuffix("4000,4000\r\n"), "\(count.stdout)")
    }

    @Test func aLabelGivenLaterAppliesToTheMessagesAlreadyStored() throws {
        let t = TempDirectory("e2e")
        let db = t.path + "/ex.sqlite"
        #expect(try Binary.run(["scan", Self.examples, "--db", db, "--quiet"]).status == 0)
        let labelled = try Binary.run(["scan", Self.examples + "/", "--db", db, "--label", "spam"])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        #expect(labelled.stdout.contains("0 added"), "\(labelled.stdout)")
        #expect(labelled.stdout.contains("relabelled"), "\(labelled.stdout)")
        let count = try Binary.run([
            "sql", "--db", db, "--format", "csv",
            "SELECT count(*) AS n FROM messages WHERE verdict = 'spam' AND verdict_source = 'label'",
        ])
        #expect(count.stdout == "n\r\n185\r\n")
        let again = try Binary.run(["scan", Self.examples, "--db", db, "--label", "spam"])
        #expect(!again.stdout.contains("relabelled"), "\(again.stdout)")
        let unknown = try Binary.run(["scan", Self.examples, "--db", db, "--label", "unknown"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--label: spam or ham"), "\(unknown.stderr)")
    }

    /// The summary names suspected relays after a scan that stored mail; an unchanged rescan does not ask.
    @Test func theSummaryNamesSuspectedRelaysAfterNewMail() throws {
        let t = TempDirectory("e2e")
        t.maildir("spool/Maildir")
        for k in 1...24 {
            let text = [
                "Received: from relay.other.example (host-\(k).colo.example [23.95.222.152]) by inbox.rcpt.example (8.18.1/8.18.1) with ESMTPS id A\(k); Wed, 19 Nov 2025 19:01:00 GMT",
                "Received: from out.sender\(k).example (out.sender\(k).example [\(30 + k * 5).\(k).\(k).9]) by relay.other.example (8.16.1/8.16.1) with ESMTPS id B\(k); Wed, 19 Nov 2025 13:01:00 -0600",
                "Subject: offer \(k)", "Message-ID: <m\(k)@sender\(k).example>",
            ].joined(separator: "\r\n")
            t.write("spool/Maildir/cur/\(1000 + k).M\(k).host:2,S", text + "\r\n\r\nbody\r\n")
        }
        let db = t.path + "/s.sqlite"
        let first = try Binary.run(["scan", t.path + "/spool", "--db", db])
        #expect(
            first.stdout.contains("suspects: 1 origin IP(s) look like a relay of this site (23.95.222.152)"),
            "\(first.stdout)")
        let again = try Binary.run(["scan", t.path + "/spool", "--db", db])
        #expect(again.status == 0)
        #expect(!again.stdout.contains("suspects:"), "\(again.stdout)")
    }

    /// `--help` texts wrap cleanly: no line of a paragraph is cut short with its sentence going on below it.
    @Test(arguments: ["", "scan", "sql", "report", "trace", "relays", "geo"])
    func helpTextWrapsCleanly(_ command: String) throws {
        let r = try Binary.run((command.isEmpty ? [] : [command]) + ["--help"])
        #expect(r.status == 0)
        let text = r.stdout.isEmpty ? r.stderr : r.stdout
        let head = text.components(separatedBy: "USAGE:").first ?? text
        let lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (a, b) in zip(lines, lines.dropFirst()) where !a.isEmpty && !b.isEmpty && !a.hasPrefix(" ") {
            #expect(a.count >= 50 || b.first.map { !$0.isLowercase } ?? true, "ragged help after: \(a)")
        }
    }

    /// The label reaches stored messages under a root whose name is not ASCII (SQLite counts characters, not bytes).
    @Test func aLabelAppliesUnderANonASCIIRoot() throws {
        let t = TempDirectory("e2e")
        t.maildir("Boîte reçue/Maildir")
        t.write("Boîte reçue/Maildir/cur/1000.M1.host:2,S", "Subject: s\r\nMessage-ID: <a@x>\r\n\r\nbody\r\n")
        let db = t.path + "/s.sqlite"
        #expect(try Binary.run(["scan", t.path + "/Boîte reçue", "--db", db, "--quiet"]).status == 0)
        let labelled = try Binary.run(["scan", t.path + "/Boîte reçue", "--db", db, "--label", "spam"])
        #expect(labelled.stdout.contains("1 relabelled"), "\(labelled.stdout)")
    }
}
