import MailAtlasKit
import TestSupport
import Testing

@Suite struct ContentSnifferTests {
    private func sniff(_ text: String) -> SpoolContent {
        ContentSniffer.sniff(Array(text.utf8), fileSize: Int64(text.utf8.count))
    }

    @Test func recognisesMail() {
        #expect(sniff(MailFixture.message()) == .message)
        #expect(sniff("Return-Path: <x@y>\nX-Whatever: 1\n\nbody") == .message)
        #expect(sniff(MailFixture.mbox([MailFixture.message()])) == .mbox(preamble: 0))
        #expect(sniff("\u{FEFF}" + MailFixture.message()) == .message)
    }

    @Test func aStrayNULDoesNotMakeMailBinary() {
        var bytes = Array(MailFixture.message().utf8)
        bytes.append(contentsOf: [0, 0x41, 0x0A])
        #expect(ContentSniffer.sniff(bytes, fileSize: Int64(bytes.count)) == .message)
    }

    @Test func rejectsWhatIsNotMail() {
        #expect(sniff("") == .empty)
        #expect(
            !sniff("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n")
                .isMail)
        #expect(!sniff("// <!-- <mdb:mork:z v=\"1.4\"/> -->\n< <(a=c)> // (f=iso-8859-1)\n").isMail)
        #expect(!sniff("MIT License\n\nCopyright (c) 2020\n").isMail)
        #expect(!sniff("\n").isMail)
        let dovecotIndex: [UInt8] = [0x07, 0x03, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00] + Array(repeating: 0, count: 64)
        #expect(!ContentSniffer.sniff(dovecotIndex, fileSize: 72).isMail)
    }

    /// A head that is all one long first line with a colon, where the file goes on: a message behind a huge
    /// `X-Junk:` field is mail, a JSON-lines file (`{"src": …`) is not.
    @Test func aLongFirstLineIsMailOnlyWithAFieldName() {
        let junk = Array(("X-Junk: " + String(repeating: "a", count: 20_000)).utf8)
        #expect(ContentSniffer.sniff(junk, fileSize: 10_000_000) == .message)
        let json = Array(("{\"src\": \"spam/1.eml\", \"sha256\": \"" + String(repeating: "0", count: 20_000)).utf8)
        #expect(!ContentSniffer.sniff(json, fileSize: 10_000_000).isMail)
    }

    /// Blank lines or a log line before the headers: mail when a real header block follows, judged by what follows.
    @Test func leadingLinesBeforeARealHeaderBlock() {
        let message = MailFixture.message(received: ["from mx.example.org by mail.example.net"])
        #expect(sniff("\u{2705} Loading modern TOML configuration: ../foff-milter.toml\n" + message) == .message)
        #expect(sniff("\n\n" + message) == .message)
        #expect(sniff("   \r\n" + message) == .message)
        #expect(sniff(">From alice@example.org Tue Oct 14 09:15:02 2025\n" + message) == .message)
        #expect(sniff("one\ntwo\nthree\n" + message) == .message)
        // More than three lines, or more than 1 KiB, before it: not skipped, not mail.
        #expect(!sniff("one\ntwo\nthree\nfour\n" + message).isMail)
        #expect(!sniff(String(repeating: "x", count: 1100) + "\n" + message).isMail)
        // An mbox after a preamble is still an mbox.
        #expect(sniff("preamble\n" + MailFixture.mbox([message])) == .mbox(preamble: 9))
    }

    @Test func textWithAHeaderLookingLineIsNotMail() {
        #expect(!sniff("Dear all,\nthe meeting moved to Friday.\nRegards\n").isMail)
        #expect(!sniff("Release notes\n\nSubject: the parser\nIt reads more files now.\n").isMail)
        #expect(!sniff("Build log\nStatus: ok\nDuration: 3s\n").isMail)
    }

    /// In a Maildir's `cur/` or `new/`, a text file is a message whatever its first lines; empty and binary are not.
    @Test func maildirFilesAreMessagesUnlessEmptyOrBinary() {
        let prose = Array("Dear all,\nthe meeting moved to Friday.\n".utf8)
        #expect(ContentSniffer.sniff(prose, fileSize: Int64(prose.count), expectMail: true) == .message)
        #expect(!ContentSniffer.sniff(prose, fileSize: Int64(prose.count)).isMail)
        let zeros = [UInt8](repeating: 0, count: 64)
        #expect(!ContentSniffer.sniff(zeros, fileSize: 64, expectMail: true).isMail)
        #expect(ContentSniffer.sniff([], fileSize: 0, expectMail: true) == .empty)
    }

    /// Dovecot's dbox files by their framing; text that merely begins with "2 M" is not one.
    @Test func dboxByItsFraming() {
        let message = Array(MailFixture.message().utf8)
        let file = Array("2 M1e C65f1a2b3\n".utf8) + [0x01, 0x02] + Array("N 0000000000000123\n".utf8) + message
        #expect(ContentSniffer.sniff(file, fileSize: Int64(file.count)) == .notMail(.dbox))
        #expect(ContentSniffer.sniff(file, fileSize: Int64(file.count), expectMail: true) == .notMail(.dbox))
        let empty = Array("2 M1e C65f1a2b3\n".utf8)
        #expect(ContentSniffer.sniff(empty, fileSize: Int64(empty.count)) == .notMail(.dbox))
        #expect(sniff("2 Men went to mow\na meadow\n") == .notMail(.textNotMail))
        let logged = Array("2 M1e C65f1a2b3\n".utf8) + message
        #expect(ContentSniffer.sniff(logged, fileSize: Int64(logged.count)) == .message)
    }

    @Test func gzipByMagic() {
        #expect(ContentSniffer.sniff([0x1F, 0x8B, 0x08, 0x00], fileSize: 4) == .compressed(.gzip))
    }

    @Test func mboxAfterAShortPreamble() {
        let text = "HELO example.com\nMAIL FROM:<a@b>\nDATA\n" + MailFixture.mbox([MailFixture.message()])
        #expect(sniff(text) == .mbox(preamble: 38))
    }
}
