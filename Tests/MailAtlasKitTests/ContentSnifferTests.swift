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

    @Test func gzipByMagic() {
        #expect(ContentSniffer.sniff([0x1F, 0x8B, 0x08, 0x00], fileSize: 4) == .gzip)
    }

    @Test func mboxAfterAShortPreamble() {
        let text = "HELO example.com\nMAIL FROM:<a@b>\nDATA\n" + MailFixture.mbox([MailFixture.message()])
        #expect(sniff(text) == .mbox(preamble: 38))
    }
}
