import MailCore
import Testing

/// Messages shaped like the cases where other parsers' test suites (Python's `email`, GMime, mail-parser) showed
/// mailatlas decoding worse than they do (issue 14). Every message here is written by hand.
@Suite struct PeerDecodingTests {
    func parse(_ head: [UInt8], body: String = "body\n") -> ParsedMessage {
        MessageParser.parse(head + Array("\n".utf8) + Array(body.utf8))
    }

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// "Счёт оплачен" in UTF-8 with one byte that is not UTF-8 (0xFF) after the first word.
    static let damagedUTF8: [UInt8] =
        [0xD0, 0xA1, 0xD1, 0x87, 0xD1, 0x91, 0xD1, 0x82, 0xFF, 0x20]
        + Array("оплачен".utf8)
    static let damagedText = "Счёт\u{FFFD} оплачен"

    // MARK: 1. UTF-8 with one invalid byte stays UTF-8

    @Test func rawUTF8SubjectWithOneInvalidByteStaysUTF8() {
        let m = parse(bytes("From: a@x.test\nSubject: ") + Self.damagedUTF8 + bytes("\n"))
        #expect(m.subject == Self.damagedText)
        #expect(m.diagnostics.contains { $0.code == "header.invalid-bytes" })
        #expect(!m.diagnostics.contains { $0.code == "header.8bit" })
    }

    @Test func rawUTF8NextToAnEncodedWordStaysUTF8() {
        let m = parse(bytes("Subject: =?utf-8?q?Re:?= ") + Self.damagedUTF8 + bytes("\n"))
        #expect(m.subject == "Re: " + Self.damagedText)
    }

    @Test func encodedUTF8WordWithOneInvalidByteStaysUTF8() {
        // base64 of the damaged bytes, as a mail client that cut a character would write it.
        let m = parse(bytes("Subject: =?utf-8?B?0KHRh9GR0YL/INC+0L/Qu9Cw0YfQtdC9?=\n"))
        #expect(m.subject == Self.damagedText)
    }

    @Test func rawUTF8DisplayNameWithOneInvalidByteStaysUTF8() {
        let m = parse(bytes("From: ") + Self.damagedUTF8 + bytes(" <billing@x.test>\n"))
        #expect(m.from?.name == Self.damagedText)
        #expect(m.from?.address == "billing@x.test")
    }

    @Test func legacyCharsetsStillWinWhenTheBytesAreNotUTF8() {
        // "Привет, мир" in windows-1251 and "Café crème" in windows-1252: no valid UTF-8 sequence at all.
        let cp1251: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, 0x2C, 0x20, 0xEC, 0xE8, 0xF0]
        #expect(parse(bytes("Subject: ") + cp1251 + bytes("\n")).subject == "Привет, мир")
        let cp1252: [UInt8] = Array("Caf".utf8) + [0xE9, 0x20, 0x63, 0x72, 0xE8, 0x6D, 0x65]
        #expect(parse(bytes("Subject: ") + cp1252 + bytes("\n")).subject == "Café crème")
    }

    @Test func bodyDeclaredUTF8WithOneInvalidByteStaysUTF8() {
        let head = bytes("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
        let m = MessageParser.parse(head + Self.damagedUTF8 + bytes(" https://pay.example/счёт\n"))
        let text = m.textBodies.first?.text ?? ""
        #expect(text.hasPrefix(Self.damagedText))
        #expect(text.contains("https://pay.example/счёт"))
        #expect(m.diagnostics.contains { $0.code == "charset.invalid-bytes" })
    }

    @Test func bodyWithoutCharsetThatIsUTF8ButOneByteIsReadAsUTF8() {
        let m = MessageParser.parse(bytes("Subject: x\n\n") + Self.damagedUTF8 + bytes("\n"))
        #expect(m.textBodies.first?.text.hasPrefix(Self.damagedText) == true)
    }

    // MARK: 2. Unquoted display names keep the blank after a full stop

    @Test(
        arguments: [
            ("John Q. Smith <j@x.test>", "j@x.test", "John Q. Smith"),
            ("PayPal Inc. Support <service@paypal.test>", "service@paypal.test", "PayPal Inc. Support"),
            ("Dr. A. B. Jones <ab@x.test>", "ab@x.test", "Dr. A. B. Jones"),
            ("Mr . Smith <s@x.test>", "s@x.test", "Mr . Smith"),
            // An obsolete local part with blanks around its dots is still one address (RFC 5322 4.4).
            ("john . smith @ x.test", "john.smith@x.test", nil),
            ("Smith <john . smith@x.test>", "john.smith@x.test", "Smith"),
        ] as [(String, String, String?)])
    func displayNamesKeepTheBlankAfterAFullStop(_ raw: String, _ address: String, _ name: String?) {
        let m = parse(bytes("From: " + raw + "\n"))
        #expect(m.from?.address == address, "\(raw)")
        #expect(m.from?.name == name, "\(raw)")
    }

    // MARK: 3. Comments inside an address are not part of it

    @Test(
        arguments: [
            // RFC 5322 appendix A.5. The comment after the address names it, as GMime reads it (Python: no name);
            // the one inside the local part comments that part.
            ("pete(his account)@silly.test(his host)", "pete@silly.test", "his host"),
            ("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", "pete@silly.test", "Pete"),
            ("Chris Jones <c@(Chris's host.)public.example>", "c@public.example", "Chris Jones"),
            ("<user(nested (comment))@x.test>", "user@x.test", nil),
            ("a(x)@b.test (Name)", "a@b.test", "Name"),
        ] as [(String, String, String?)])
    func commentsAreRemovedFromAddresses(_ raw: String, _ address: String, _ name: String?) {
        let m = parse(bytes("From: " + raw + "\n"))
        #expect(m.from?.address == address, "\(raw)")
        #expect(m.from?.name == name, "\(raw)")
    }

    @Test func theGroupOfAppendixA5() {
        let raw = """
            To:A Group(Some people)
                 :Chris Jones <c@(Chris's host.)public.example>,
                     joe@example.org,
              John <jdoe@one.test> (my dear friend); (the end of the group)

            """
        let m = parse(bytes(raw))
        #expect(m.to.map(\.address) == ["c@public.example", "joe@example.org", "jdoe@one.test"])
        #expect(m.to.map(\.name) == ["Chris Jones", nil, "John"])
    }
}
