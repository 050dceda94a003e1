import Foundation
import GRDB
import MailAtlasKit
import TestSupport
import Testing

/// Every file of a spool is accounted for: stored as mail, or recorded in `files` with the reason it is not
/// (`files.skip_reason`), counted by reason in the scan's summary.
@Suite struct SkippedFilesTests {
    typealias Spool = ScanTests.Spool

    func reasons(_ s: Spool) throws -> [String: String] {
        let rows = try s.rows(
            "SELECT source_path, skip_reason FROM files WHERE skip_reason IS NOT NULL AND removed_scan_id IS NULL")
        var out: [String: String] = [:]
        for row in rows {
            let path: String = row[0]
            out[String(path.dropFirst(s.root.count + 1))] = row[1]
        }
        return out
    }

    @Test func everyFileNotStoredAsMailHasAReason() async throws {
        let s = Spool()
        s.dir.write("spool/eml/zeros.bin", [UInt8](repeating: 0, count: 100))
        // A gzip header and then nothing that inflates.
        s.dir.write("spool/eml/cut.eml.gz", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF])
        s.dir.write("spool/Maildir/cur/1005.M6.host:2,S", [0x00, 0x01, 0x02] + [UInt8](repeating: 0, count: 61))
        let first = try await s.scan()
        #expect(first.counts.added == 8)
        #expect(
            try reasons(s) == [
                "LICENSE": "text-not-mail", "eml/empty": "empty", "eml/zeros.bin": "binary",
                "eml/cut.eml.gz": "damaged-compression", "Maildir/cur/1005.M6.host:2,S": "binary",
            ])
        #expect(try s.int("SELECT count(*) FROM files WHERE messages > 0 AND skip_reason IS NOT NULL") == 0)
        let byReason = try #require(first.account).skippedByReason.map { "\($0.count) \($0.reason.rawValue)" }
        #expect(byReason == ["2 binary", "1 damaged-compression", "1 empty", "1 text-not-mail"])
        // A rescan reads none of them again and still counts them: the account is the spool's, not the scan's.
        let again = try await s.scan()
        #expect(again.counts.filesRead == 0)
        #expect(try #require(again.account).skipped.count == 5)
        #expect(try #require(again.account).rootsWithoutMail.isEmpty)
    }

    /// Files a store recorded as not mail before `v5` have no reason: the scan that migrates the store reads them
    /// again (in Maildir directories too, which it would otherwise skip as unchanged) and records one.
    @Test func aStoreFromBeforeV5GetsReasonsFromTheScanThatMigratesIt() async throws {
        let s = Spool()
        s.dir.write("spool/Maildir/cur/1005.M6.host:2,S", [UInt8](repeating: 0, count: 64))
        try await s.scan()
        let queue = try DatabaseQueue(path: s.store)
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP INDEX files_skipped;
                    ALTER TABLE files DROP COLUMN skip_reason;
                    DELETE FROM grdb_migrations WHERE identifier = 'v5';
                    """)
        }
        try queue.close()
        let again = try await s.scan()
        #expect(again.counts.added == 0 && again.counts.updated == 0)
        #expect(again.counts.filesRead == 2)
        #expect(
            try reasons(s) == [
                "LICENSE": "text-not-mail", "eml/empty": "empty", "Maildir/cur/1005.M6.host:2,S": "binary",
            ])
        #expect(try s.int("SELECT count(*) FROM grdb_migrations WHERE identifier = 'v5'") == 1)
    }

    /// A hidden file is sniffed like any other (foff-milter saved a spam under its subject, which began with a dot),
    /// except the files mail programs keep beside the mail, which are never opened; a hidden directory that is not a
    /// Maildir++ folder is one row, not walked. Symlinks and special files have their rows too.
    @Test func hiddenFilesAreReadMetadataAndHiddenDirectoriesAreNot() async throws {
        let s = Spool()
        s.dir.write("spool/eml/.W_i_n_t_e_r_S_a_l_e_spam.eml", MailFixture.message(subject: "winter sale"))
        s.dir.write("spool/eml/.DS_Store", [0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31])
        s.dir.write("spool/eml/._plain.eml", [0, 5, 0x16, 7, 0, 2, 0, 0])
        s.dir.write("spool/eml/archive.mbox.lock", "")
        s.dir.write("spool/.git/objects/message.eml", MailFixture.message(subject: "in git"))
        s.dir.write("spool/Maildir/dovecot-uidlist", "3 V1 N4\n")
        s.dir.write("spool/Maildir/dovecot.index.cache", [0x07, 0x03, 0, 0])
        s.dir.write("spool/Maildir/new/.noindex", "")
        s.dir.write("spool/Maildir/cur/.saved-by-hand.eml", MailFixture.message(subject: "hidden in cur"))
        s.dir.write("spool/Maildir/cur/.notes", "Remember to sort these.\n")
        try FileManager.default.createSymbolicLink(
            atPath: s.root + "/eml/link.eml", withDestinationPath: s.root + "/eml/plain.eml")
        #expect(mkfifo(s.root + "/eml/fifo", 0o644) == 0)
        let first = try await s.scan()
        #expect(first.counts.added == 10)
        let stored = try s.rows(
            "SELECT subject, folder FROM messages WHERE subject IN ('winter sale', 'hidden in cur')")
        #expect(
            stored.map { "\($0[0] as String) \($0[1] as String)" }.sorted() == [
                "hidden in cur INBOX", "winter sale eml",
            ])
        let r = try reasons(s)
        #expect(r[".git/"] == "hidden-directory")
        #expect(r["eml/.DS_Store"] == "metadata" && r["eml/._plain.eml"] == "metadata")
        #expect(r["eml/archive.mbox.lock"] == "metadata")
        #expect(r["Maildir/dovecot-uidlist"] == "metadata" && r["Maildir/dovecot.index.cache"] == "metadata")
        #expect(r["Maildir/new/.noindex"] == "metadata")
        #expect(r["Maildir/cur/.notes"] == "text-not-mail")
        #expect(r["eml/link.eml"] == "symlink" && r["eml/fifo"] == "special-file")
        #expect(r.count == 12, "with the spool's LICENSE and empty file")
        // Read and found not mail: LICENSE, eml/empty and cur/.notes; the others were never opened.
        #expect(first.counts.filesNotMail == 3)
        // A hidden file in cur/ that is not mail is only not mail: no Maildir warning about it.
        #expect(try s.int("SELECT count(*) FROM diagnostics WHERE code = 'spool.not-mail'") == 0)
        // Unchanged skipped entries are not written again; one that disappears is marked removed.
        s.dir.remove("spool/eml/.DS_Store")
        let again = try await s.scan()
        #expect(again.counts.added == 0 && again.counts.filesNotMail == 0)
        #expect(try reasons(s).count == 11)
        #expect(try s.int("SELECT count(*) FROM files WHERE kind = 'skipped' AND last_scan_id = 2") == 0)
    }

    /// Messages kept beside `cur/` and `new/` (test corpora and hand-made trees have them) are read as the
    /// folder's, each with a `spool.beside-maildir` diagnostic; Dovecot's own files there are metadata, and other
    /// files that are not mail are skipped with their reason, without a diagnostic.
    @Test func messagesBesideCurAndNewAreReadAsTheFolders() async throws {
        let s = Spool()
        s.dir.write("spool/Maildir/test-message.eml", MailFixture.message(subject: "beside inbox"))
        s.dir.write("spool/Maildir/.Junk/sample-spam", MailFixture.message(subject: "beside junk"))
        s.dir.write(
            "spool/Maildir/.Junk/saved.mbox",
            MailFixture.mbox([
                MailFixture.message(subject: "mbox beside 1"), MailFixture.message(subject: "mbox beside 2"),
            ]))
        s.dir.write("spool/Maildir/dovecot-uidlist", "3 V1 N4\n")
        s.dir.write("spool/Maildir/dovecot-keywords", "0 $Junk\n")
        s.dir.write("spool/Maildir/maildirfolder", "")
        s.dir.write("spool/Maildir/courierimapuiddb", "1 1 1\n")
        s.dir.write("spool/Maildir/README", "Test messages for the filter.\n")
        let r = try await s.scan()
        #expect(r.counts.added == 12)
        let rows = try s.rows(
            "SELECT subject, folder, verdict FROM messages WHERE subject LIKE '%beside%' ORDER BY subject")
        #expect(
            rows.map { "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)" } == [
                "beside inbox|INBOX|unknown", "beside junk|Junk|spam", "mbox beside 1|Junk|spam",
                "mbox beside 2|Junk|spam",
            ])
        #expect(
            try s.int(
                "SELECT count(*) FROM diagnostics d JOIN messages m ON m.id = d.message_id "
                    + "WHERE d.code = 'spool.beside-maildir'") == 2)
        #expect(
            try s.int(
                "SELECT count(*) FROM diagnostics WHERE code = 'spool.beside-maildir' AND message_id IS NULL "
                    + "AND source_path LIKE '%saved.mbox'") == 1)
        let reasons = try reasons(s)
        for name in ["dovecot-uidlist", "dovecot-keywords", "maildirfolder", "courierimapuiddb"] {
            #expect(reasons["Maildir/" + name] == "metadata", "\(name)")
        }
        #expect(reasons["Maildir/README"] == "text-not-mail")
        #expect(try s.int("SELECT count(*) FROM diagnostics WHERE source_path LIKE '%Maildir/README'") == 0)
    }

    /// A Dovecot dbox file: the file header line, then each message with its dbox header (`\u{1}\u{2}N` and the
    /// size in hex) and its metadata block, as Dovecot writes `u.N` (sdbox, one message) and `m.N` (mdbox).
    static func dbox(_ messages: [String]) -> [UInt8] {
        var out = Array("2 M1e C65f1a2b3\n".utf8)
        for m in messages {
            let size = String(m.utf8.count, radix: 16)
            out += [0x01, 0x02] + Array("N \(String(repeating: "0", count: 16 - size.count) + size)\n".utf8)
            out += Array(m.utf8)
            out += Array("\n\u{1}\u{3}\nG5f2a0c1e8b7d4e3f9a6b\nR65f1a2b3\nZ\(size)\n\n".utf8)
        }
        return out
    }

    /// Dovecot's sdbox and mdbox files are recognised by content and skipped as `dbox`, with one warning per
    /// directory saying that mailatlas does not read that format: never stored as messages with dbox framing in
    /// them (the leading-lines rule would otherwise have found the header block behind the two framing lines).
    @Test func dboxStorageIsRecognisedAndNotRead() async throws {
        let s = Spool()
        let one = MailFixture.message(subject: "in sdbox")
        s.dir.write("spool/sdbox/mailboxes/INBOX/dbox-Mails/u.1", Self.dbox([one]))
        s.dir.write("spool/sdbox/mailboxes/INBOX/dbox-Mails/u.2", Self.dbox([MailFixture.message(subject: "two")]))
        s.dir.write("spool/sdbox/mailboxes/INBOX/dbox-Mails/dovecot.index.log", [0x01, 0x02, 0, 0])
        s.dir.write("spool/sdbox/mailboxes/Junk/dbox-Mails/u.1", Self.dbox([MailFixture.message(subject: "junk")]))
        s.dir.write(
            "spool/mdbox/storage/m.1",
            Self.dbox([MailFixture.message(subject: "m one"), MailFixture.message(subject: "m two")]))
        s.dir.write("spool/mdbox/storage/dovecot.map.index", [0x07, 0x03, 0, 0])
        s.dir.write("spool/Maildir/cur/1006.M7.host:2,S", Self.dbox([MailFixture.message(subject: "in cur")]))
        let r = try await s.scan()
        #expect(r.counts.added == 8, "only the spool's own messages")
        #expect(
            try s.int("SELECT count(*) FROM messages WHERE subject IN ('in sdbox', 'two', 'junk', 'm one', 'in cur')")
                == 0)
        let dbox = try reasons(s).filter { $0.value == "dbox" }.keys.sorted()
        #expect(
            dbox == [
                "Maildir/cur/1006.M7.host:2,S", "mdbox/storage/m.1", "sdbox/mailboxes/INBOX/dbox-Mails/u.1",
                "sdbox/mailboxes/INBOX/dbox-Mails/u.2", "sdbox/mailboxes/Junk/dbox-Mails/u.1",
            ])
        #expect(try s.int("SELECT count(*) FROM diagnostics WHERE code = 'spool.dbox'") == 3)
        #expect(
            try s.int(
                "SELECT count(*) FROM diagnostics WHERE code = 'spool.not-mail' AND message LIKE '%: dbox'") == 1)
        #expect(try reasons(s)["mdbox/storage/dovecot.map.index"] == "metadata")
    }

    /// A file in a Maildir's `tmp/` is a delivery in progress: never opened, but recorded (`maildir-tmp`), so it is
    /// accounted for; once delivered to `new/` it is read there and its `tmp/` row is gone.
    @Test func filesInTmpAreRecordedNotRead() async throws {
        let s = Spool()
        s.dir.write("spool/Maildir/tmp/1007.M8.host", MailFixture.message(subject: "in delivery"))
        let first = try await s.scan()
        #expect(first.counts.added == 8)
        #expect(try reasons(s)["Maildir/tmp/1007.M8.host"] == "maildir-tmp")
        s.dir.move("spool/Maildir/tmp/1007.M8.host", "spool/Maildir/new/1007.M8.host")
        let second = try await s.scan()
        #expect(second.counts.added == 1)
        #expect(try s.int("SELECT count(*) FROM messages WHERE subject = 'in delivery'") == 1)
        #expect(try reasons(s)["Maildir/tmp/1007.M8.host"] == nil)
        // An unchanged tmp/ is not listed again, like cur/ and new/.
        let third = try await s.scan()
        #expect(third.counts.filesRead == 0 && third.counts.added == 0)
    }
}
