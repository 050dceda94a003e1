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

    // MARK: 4. Raw ISO-2022-JP and UTF-7 without encoded words

    /// "会議のお知らせ" and "山田太郎" in ISO-2022-JP, as old Japanese mailers put them in headers unencoded.
    static let jisMeeting: [UInt8] = [0x1B, 0x24, 0x42] + Array("2q5D$N$*CN$i$;".utf8) + [0x1B, 0x28, 0x42]
    static let jisName: [UInt8] = [0x1B, 0x24, 0x42] + Array(";3EDB@O:".utf8) + [0x1B, 0x28, 0x42]

    @Test func rawISO2022JPSubjectIsDecoded() {
        let m = parse(bytes("Subject: Re: ") + Self.jisMeeting + bytes(" (2)\n"))
        #expect(m.subject == "Re: 会議のお知らせ (2)")
        #expect(m.diagnostics.contains { $0.code == "header.raw-charset" })
    }

    @Test func rawISO2022JPNextToAnEncodedWordIsDecoded() {
        let m = parse(bytes("Subject: =?utf-8?q?caf=C3=A9?= ") + Self.jisMeeting + bytes("\n"))
        #expect(m.subject == "café 会議のお知らせ")
    }

    @Test func rawISO2022JPDisplayNameAndFileNameAreDecoded() {
        let head =
            bytes("From: ") + Self.jisName
            + bytes(" <yamada@x.test>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n")
            + bytes("Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"") + Self.jisMeeting
            + bytes(".pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0K\n--b--\n")
        let m = MessageParser.parse(head)
        #expect(m.from?.name == "山田太郎")
        #expect(m.from?.address == "yamada@x.test")
        #expect(m.attachments.first?.filename == "会議のお知らせ.pdf")
    }

    @Test func rawISO2022KRSubjectIsDecoded() {
        let kr: [UInt8] = [0x1B, 0x24, 0x29, 0x43, 0x0E] + Array(">H3g".utf8) + [0x0F]
        #expect(parse(bytes("Subject: ") + kr + bytes("\n")).subject == "안녕")
        let m = parse(bytes("From: ") + kr + bytes(" <kim@x.test>\n"))
        #expect(m.from?.name == "안녕")
        #expect(m.from?.address == "kim@x.test")
    }

    @Test func utf7SubjectDeclaredByTheMessageIsDecoded() {
        let m = parse(bytes("Subject: Re: +ZeVnLIqe-\nContent-Type: text/plain; charset=utf-7\n"))
        #expect(m.subject == "Re: 日本語")
    }

    @Test(
        arguments: [
            ("Re: +ZeVnLIqe-", "Re: 日本語"),
            ("+TxqLcDBuMEp35TCJMFs-", "会議のお知らせ"),
            ("+BB8EQAQ4BDIENQRC +BDwEOARA-", "Привет мир"),  // Python's encoder leaves out "-" before a blank
        ])
    func unmistakableUTF7SubjectIsDecoded(_ raw: String, _ expected: String) {
        #expect(parse(bytes("Subject: " + raw + "\n")).subject == expected)
    }

    @Test(
        arguments: [
            "C++ tips: save +50% on +1-555-0100",
            "a+b-c and x+y",
            "Google+ is back",
            "Hi Mom -+Jjo--!",  // UTF-7 for one symbol: too little to tell from text, left as written
            "Win+Points-now",
            "+ZeVnLIqe- but C++ too",  // one run is not UTF-7: the value is not UTF-7
        ])
    func textWithPlusSignsIsNotTakenForUTF7(_ raw: String) {
        #expect(parse(bytes("Subject: " + raw + "\n")).subject == raw)
    }

    // MARK: 6. uuencode and BinHex

    @Test func aWellFormedUUEncodedBlockRaisesNoWarning() {
        let m = MessageParser.parse(
            bytes("Subject: old style\n\nSee attached.\n\nbegin 644 cat.txt\n#0V%T\n`\nend\n\nBye.\n"))
        #expect(m.attachments.first?.payload == Array("Cat".utf8))
        #expect(!m.diagnostics.contains { $0.code == "encoding.uuencode" })
    }

    @Test func aUUEncodedBlockWithoutItsEndLineIsReported() {
        let m = MessageParser.parse(bytes("Subject: cut\n\nbegin 644 cat.txt\n#0V%T\n"))
        #expect(m.attachments.first?.payload == Array("Cat".utf8))
        #expect(m.diagnostics.contains { $0.code == "encoding.uuencode" })
    }

    @Test func anXUUEncodeBodyWithItsEndLineAndStrippedTrailingBlanksIsNotCalledTruncated() {
        // "Cat" and a zero byte: "$0V%T" and four blanks, the blanks stripped as relays do.
        let m = MessageParser.parse(
            bytes("Content-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\n")
                + bytes("begin 644 cat.bin\n$0V%T\n`\nend\n"))
        #expect(m.attachments.first?.payload == Array("Cat".utf8) + [0])
        #expect(!m.diagnostics.contains { $0.message.contains("end line") })
    }

    /// A file as a classic Mac mailer sent it, encoded by hand for this test (BinHex 4.0, run-length encoded): name
    /// "Quarterly Report •.txt" in Mac Roman, type TEXT, creator ttxt, a data fork of 64 bytes with a run of 30 zero
    /// bytes and a literal 0x90, a 9-byte resource fork.
    static let binHex = """
        (This file must be converted with BinHex 4.0)

        :&P&eBA*dCA*XH5"5CA"[FR3JT5jdH(3!9%9B9(4dH(3!N!9!!!!!#CC)8f&XCA-
        JGA!J-6)P)'PZ)&%c,Jd!N"k3!#"YBA*VFb"K)(*eEJe"KA*cFQ-JCQpbDa,X:

        """
    static let binHexData: [UInt8] =
        Array("Sales up 12% in Q3.\r".utf8) + [UInt8](repeating: 0, count: 30) + [0x90] + Array(" marks a run\r".utf8)

    @Test func aMacBinHexPartIsItsDataForkUnderItsRealName() {
        let m = MessageParser.parse(
            bytes(
                """
                Subject: figures
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain

                See attached.
                --b
                Content-Type: application/mac-binhex40; name="Quarterly_Report.hqx"
                Content-Disposition: attachment; filename="Quarterly_Report.hqx"

                """ + Self.binHex + "--b--\n"))
        let a = m.attachments.first
        #expect(m.attachments.count == 1)
        #expect(a?.filename == "Quarterly Report •.txt")
        #expect(a?.payload == Self.binHexData)
        #expect(a?.size == 64)
        #expect(a?.declaredType == "application/mac-binhex40")
        #expect(!m.diagnostics.contains { $0.code == "encoding.binhex" })
    }

    @Test func aBinHexBlockInTheTextIsAnAttachment() {
        let m = MessageParser.parse(bytes("Subject: figures\n\nHere it is:\n\n" + Self.binHex + "\nBye.\n"))
        let a = m.attachments.first
        #expect(a?.source == .binhex)
        #expect(a?.filename == "Quarterly Report •.txt")
        #expect(a?.payload == Self.binHexData)
        #expect(m.textBodies.first?.text.contains("BinHex") == false)
        #expect(m.textBodies.first?.text.hasSuffix("Bye.\n") == true)
    }

    @Test func aDamagedBinHexFileIsReported() {
        // One character of the data fork changed: its CRC no longer matches.
        let damaged = Self.binHex.replacing("-6)P)", with: "-6)Q)")
        let m = MessageParser.parse(bytes("Content-Type: application/mac-binhex40\n\n" + damaged))
        #expect(m.attachments.first?.filename == "Quarterly Report •.txt")
        #expect(m.diagnostics.contains { $0.code == "encoding.binhex" && $0.message.contains("CRC") })
        // Cut inside the data fork.
        let cut = String(Self.binHex.prefix(120))
        let c = MessageParser.parse(bytes("Content-Type: application/mac-binhex40\n\n" + cut))
        #expect(c.diagnostics.contains { $0.code == "encoding.binhex" && $0.message.contains("ends inside") })
    }

    @Test func aBinHexDataForkStopsAtTheDecodedLimit() {
        var limits = MessageParser.Limits()
        limits.maxDecodedBytes = 16
        let m = MessageParser.parse(bytes("Content-Type: application/mac-binhex40\n\n" + Self.binHex), limits: limits)
        #expect(m.attachments.first?.size == 16)
        #expect(m.diagnostics.contains { $0.code == "encoding.binhex" && $0.message.contains("not decoded") })
    }

    @Test func textThatOnlyMentionsBinHexStaysText() {
        let body = "Old Macs said (This file must be converted with BinHex 4.0) first.\n:not binhex at all:\n"
        let m = MessageParser.parse(bytes("Subject: history\n\n" + body))
        #expect(m.attachments.isEmpty)
        #expect(m.textBodies.first?.text == body)
    }
}
