import Crypto
import MailCore
import Testing

@Suite struct MessageParserTests {
    /// A message from lines joined by `eol`.
    func message(_ lines: [String], eol: String = "\r\n") -> [UInt8] {
        Array(lines.joined(separator: eol).utf8)
    }

    func sha(_ s: String) -> String {
        SHA256.hash(data: Array(s.utf8)).map { b in
            let h = String(b, radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined()
    }

    static let multipart = [
        "From: \"Shop\" <offers@shop.example>",
        "To: a@example.com, B <b@example.com>",
        "Subject: =?utf-8?q?Sp=C3=A9cial?= offer",
        "Date: Thu, 01 Oct 2026 14:34:56 +0200",
        "Message-ID: <abc.123@shop.example> (comment)",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"outer\"",
        "",
        "This is the preamble. It may mention --outer-not-a-delimiter.",
        "--outer",
        "Content-Type: multipart/alternative; boundary=\"outer-inner\"",
        "",
        "--outer-inner",
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Caf=E9 =3D good",
        "--outer-inner",
        "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        "PGEgaHJlZj0iaHR0cDovL2V4YW1wbGUuY29tLyI+Y2Fmw6k8L2E+",
        "--outer-inner--",
        "--outer",
        "Content-Type: application/pdf; name=\"doc.pdf\"",
        "Content-Disposition: attachment; filename*=utf-8''%D0%94%D0%BE%D0%BA.pdf",
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQK",
        "--outer",
        "Content-Type: image/png",
        "Content-ID: <logo>",
        "Content-Transfer-Encoding: base64",
        "",
        "iVBORw0KGgo=",
        "--outer--",
        "epilogue",
    ]

    @Test(arguments: ["\r\n", "\n", "\r"])
    func multipartTreeWithEveryLineEnding(_ eol: String) {
        let m = MessageParser.parse(message(Self.multipart, eol: eol))
        #expect(m.subject == "Spécial offer")
        #expect(m.from == MailAddress(address: "offers@shop.example", name: "Shop"))
        #expect(m.to.map(\.address) == ["a@example.com", "b@example.com"])
        #expect(m.dateUTC == "2026-10-01T12:34:56Z")
        #expect(m.messageID == "<abc.123@shop.example>")
        #expect(m.parts.map(\.path) == ["", "1", "1.1", "1.2", "2", "3"])
        #expect(m.parts.map(\.kind) == [.multipart, .multipart, .leaf, .leaf, .leaf, .leaf])
        #expect(m.textBodies.map(\.text) == ["Café = good", "<a href=\"http://example.com/\">café</a>"])
        #expect(m.textBodies.map(\.isHTML) == [false, true])
        #expect(m.textBodies.map(\.partPath) == ["1.1", "1.2"])
        #expect(m.attachments.count == 2)
        let pdf = m.attachments[0]
        #expect(pdf.partPath == "2")
        #expect(pdf.filename == "Док.pdf")
        #expect(pdf.declaredType == "application/pdf")
        #expect(pdf.disposition == "attachment")
        #expect(!pdf.isInline)
        #expect(pdf.payload == Array("%PDF-1.4\n".utf8))
        #expect(pdf.size == 9)
        #expect(pdf.sha256 == sha("%PDF-1.4\n"))
        let png = m.attachments[1]
        #expect(png.partPath == "3")
        #expect(png.filename == nil)
        #expect(png.isInline)
        #expect(png.payload == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(m.diagnostics.isEmpty, "\(m.diagnostics)")
    }

    @Test func messageIDs() {
        #expect(MessageParser.parse(message(["Message-ID: <a@b >", "", ""])).messageID == "<a@b>")
        #expect(MessageParser.parse(message(["Message-Id:\r\n <x.y@z> (added)", "", ""])).messageID == "<x.y@z>")
        #expect(MessageParser.parse(message(["Message-ID: no-brackets@host", "", ""])).messageID == "no-brackets@host")
        #expect(MessageParser.parse(message(["Message-ID:   ", "", ""])).messageID == nil)
    }

    @Test func singlePartMessage() {
        let m = MessageParser.parse(message(["Subject: hi", "", "body"]))
        #expect(m.parts.count == 1)
        #expect(m.parts[0].path == "1")
        #expect(m.textBodies.first?.text == "body")
        #expect(m.attachments.isEmpty)
    }

    @Test func noBodyNoBlankLineAndBOM() {
        let m = MessageParser.parse(Array("\u{FEFF}Subject: only headers".utf8))
        #expect(m.subject == "only headers")
        #expect(m.textBodies.first?.text == "")
        let m2 = MessageParser.parse(message(["Subject: x", "this line is body"]))
        #expect(m2.textBodies.first?.text == "this line is body")
        #expect(m2.diagnostics.map(\.code).contains("header.no-separator"))
    }

    @Test func duplicateAndEmptyFields() {
        let m = MessageParser.parse(message(["Subject:", "Subject: second", "From:", "Date:", "", "x"]))
        #expect(m.subject == "")
        #expect(m.from == nil)
        #expect(m.dateUTC == nil)
    }

    @Test func missingCloseBoundaryAndPrefixBoundaries() {
        let lines = [
            "Content-Type: multipart/mixed; boundary=b",
            "",
            "--b",
            "Content-Type: multipart/mixed; boundary=bb",
            "",
            "--bb",
            "",
            "inner",
            "--b",
            "Content-Type: text/plain",
            "Content-Disposition: attachment; filename=last.txt",
            "",
            "last line",
            "",
        ]
        let m = MessageParser.parse(message(lines))
        #expect(m.parts.map(\.path) == ["", "1", "1.1", "2"])
        #expect(m.textBodies.map(\.text) == ["inner", "last line"])
        // The last part runs to the end of the message, less its final line break.
        #expect(m.attachments.first?.payload == Array("last line".utf8))
        #expect(m.diagnostics.map(\.code).contains("mime.missing-close-boundary"))
    }

    @Test func embeddedMessages() {
        let lines = [
            "Content-Type: multipart/report; report-type=delivery-status; boundary=r",
            "",
            "--r",
            "Content-Type: text/plain",
            "",
            "Delivery failed.",
            "--r",
            "Content-Type: message/delivery-status",
            "",
            "Status: 5.0.0",
            "--r",
            "Content-Type: message/rfc822",
            "",
            "Subject: =?utf-8?q?the_original?=",
            "Content-Type: multipart/mixed; boundary=r2",
            "",
            "--r2",
            "Content-Type: text/plain",
            "",
            "spam text http://spam.example/",
            "--r2",
            "Content-Type: application/zip; name=invoice.zip",
            "Content-Transfer-Encoding: base64",
            "",
            "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
            "--r2--",
            "--r--",
        ]
        let m = MessageParser.parse(message(lines))
        #expect(m.parts.map(\.path) == ["", "1", "2", "3", "3", "3.1", "3.2"])
        #expect(m.parts[3].kind == .message)
        #expect(m.textBodies.map(\.partPath) == ["1", "3.1"])
        let zip = m.attachments.first { $0.filename == "invoice.zip" }
        #expect(zip?.partPath == "3.2")
        #expect(zip?.size == 22)
        let embedded = m.attachments.first { $0.source == .embeddedMessage }
        #expect(embedded?.partPath == "3")
        #expect(embedded?.declaredType == "message/rfc822")
        // The delivery-status part is report metadata, not an attachment.
        #expect(!m.attachments.contains { $0.declaredType == "message/delivery-status" })
    }

    @Test func digestDefaultsToMessages() {
        let lines = [
            "Content-Type: multipart/digest; boundary=d", "", "--d", "", "Subject: one", "", "first", "--d--",
        ]
        let m = MessageParser.parse(message(lines))
        #expect(m.parts[1].contentType.value == "message/rfc822")
        #expect(m.parts[1].kind == .message)
        #expect(m.textBodies.map(\.text) == ["first"])
    }

    @Test func uuencodedBlocksBecomeAttachments() {
        let lines = [
            "Subject: old style", "", "See attached.", "", "begin 644 cat.txt", "#0V%T", "`", "end", "", "Bye.",
        ]
        let m = MessageParser.parse(message(lines))
        let uu = m.attachments.first
        #expect(uu?.source == .uuencoded)
        #expect(uu?.filename == "cat.txt")
        #expect(uu?.payload == Array("Cat".utf8))
        #expect(uu?.partPath == "1")
        #expect(m.textBodies.first?.text.contains("#0V%T") == false)
        #expect(m.textBodies.first?.text.contains("Bye.") == true)
    }

    /// A `message/external-body` part carries only the header of a file kept elsewhere: no attachment (it used to
    /// be stored with the phantom header, or nothing, as its content), an info saying where the file is.
    @Test func externalBodyIsNotAnAttachment() {
        let lines = [
            "Subject: draft", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=x", "", "--x",
            "Content-Type: text/plain", "", "The draft is on the FTP site.", "--x",
            "Content-Type: message/external-body; access-type=anon-ftp; site=\"ftp.example.org\";",
            " directory=\"drafts\"; name=\"draft-00.txt\"",
            "Content-Disposition: attachment; filename=\"draft-00.txt\"", "",
            "Content-Type: text/plain", "Content-ID: <draft-00.txt@example.org>", "", "--x",
            "Content-Type: message/external-body; access-type=URL; URL=\"https://files.example/big.zip\"", "", "",
            "--x--",
        ]
        let m = MessageParser.parse(message(lines))
        #expect(m.attachments.isEmpty)
        #expect(m.textBodies.map(\.text) == ["The draft is on the FTP site."])
        let notes = m.diagnostics.filter { $0.code == "mime.external-body" }.map(\.message)
        #expect(notes.count == 2)
        #expect(notes.first?.contains("site=ftp.example.org") == true)
        #expect(notes.first?.contains("name=draft-00.txt") == true)
        #expect(notes.last?.contains("url=https://files.example/big.zip") == true)
    }

    /// An attached message without a name keeps no name (none is made up, such as `(null).eml`); the files inside
    /// it are listed with their own names, as Python's `email` lists them.
    @Test func attachedMessageWithoutNameGetsNone() {
        let lines = [
            "Subject: fwd", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=x", "", "--x",
            "Content-Type: text/plain", "", "See the attached message.", "--x", "Content-Type: message/rfc822",
            "Content-Disposition: attachment", "", "Subject: inner", "Content-Type: multipart/mixed; boundary=y", "",
            "--y", "Content-Type: text/plain", "", "hi", "--y", "Content-Type: application/pdf; name=\"a.pdf\"",
            "Content-Transfer-Encoding: base64", "", "JVBERi0xLjQK", "--y--", "--x--",
        ]
        let m = MessageParser.parse(message(lines))
        #expect(m.attachments.map(\.filename) == [nil, "a.pdf"])
        #expect(m.attachments.first?.source == .embeddedMessage)
        #expect(m.attachments.last?.payload == Array("%PDF-1.4\n".utf8))
    }

    @Test func htmlAttachmentsAreText() {
        let lines = [
            "Content-Type: multipart/mixed; boundary=x", "", "--x",
            "Content-Type: application/octet-stream; name=\"login.html\"",
            "Content-Disposition: attachment; filename=\"login.html\"", "",
            "<form action=\"http://phish.example/\">", "--x--",
        ]
        let m = MessageParser.parse(message(lines))
        #expect(m.textBodies.count == 1)
        #expect(m.textBodies.first?.isHTML == true)
        #expect(m.textBodies.first?.fromAttachment == true)
        #expect(m.attachments.first?.filename == "login.html")
    }

    @Test func htmlCharsetFromMeta() {
        let lines = [
            "Content-Type: text/html", "", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">",
        ]
        var bytes = message(lines)
        bytes += [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
        let m = MessageParser.parse(bytes)
        #expect(m.textBodies.first?.text.hasSuffix("Привет") == true)
    }

    @Test func depthLimit() {
        var lines = ["Content-Type: multipart/mixed; boundary=b0", ""]
        for k in 1...100 {
            lines += ["--b\(k - 1)", "Content-Type: multipart/mixed; boundary=b\(k)", ""]
        }
        lines += ["--b100", "", "deep"]
        let m = MessageParser.parse(message(lines), limits: .init(maxDepth: 64))
        #expect(m.parts.map(\.depth).max() == 64)
        #expect(m.diagnostics.map(\.code).contains("mime.depth-limit"))
    }

    @Test func partLimit() {
        var lines = ["Content-Type: multipart/mixed; boundary=p", ""]
        for _ in 0..<50 { lines += ["--p", "", "x"] }
        lines.append("--p--")
        let m = MessageParser.parse(message(lines), limits: .init(maxParts: 10))
        #expect(m.parts.count == 10)
        #expect(m.diagnostics.map(\.code).contains("mime.part-limit"))
    }

    @Test func decodedSizeLimits() {
        let payload = String(repeating: "QUFB", count: 1000)  // 3000 bytes of "A"
        let lines = [
            "Content-Type: multipart/mixed; boundary=s", "", "--s", "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: base64", "", payload, "--s", "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: base64", "", payload, "--s--",
        ]
        let m = MessageParser.parse(message(lines), limits: .init(maxPayloadBytes: 2000, maxDecodedBytes: 3000))
        #expect(m.attachments.map(\.size) == [3000, 3000])
        #expect(m.attachments.map(\.payload.count) == [2000, 0])
        #expect(m.attachments.allSatisfy { $0.payloadTruncated })
        #expect(m.attachments[1].sha256 == sha(String(repeating: "A", count: 3000)))
        let codes = m.diagnostics.map(\.code)
        #expect(codes.contains("mime.payload-size-limit"))
        #expect(codes.contains("mime.decoded-size-limit"))
    }

    @Test func brokenStructureIsReported() {
        let noBoundary = MessageParser.parse(message(["Content-Type: multipart/mixed", "", "text"]))
        #expect(noBoundary.diagnostics.map(\.code).contains("mime.no-boundary"))
        let notFound = MessageParser.parse(message(["Content-Type: multipart/mixed; boundary=zz", "", "text"]))
        #expect(notFound.diagnostics.map(\.code).contains("mime.boundary-not-found"))
        let badCTE = MessageParser.parse(message(["Content-Transfer-Encoding: x-weird", "", "text"]))
        #expect(badCTE.diagnostics.map(\.code).contains("mime.unknown-transfer-encoding"))
        let badType = MessageParser.parse(message(["Content-Type: garbage", "", "text"]))
        #expect(badType.parts[0].contentType.value == "text/plain")
        let badB64 = MessageParser.parse(
            message(["Content-Type: image/gif", "Content-Transfer-Encoding: base64", "", "R0lG*ODlh"]))
        #expect(badB64.diagnostics.map(\.code).contains("encoding.base64"))
        let badEW = MessageParser.parse(message(["Subject: =?utf-8?B?SGVsbG8", "", ""]))
        #expect(badEW.subject == "Hello")
        #expect(badEW.diagnostics.map(\.code).contains("header.encoded-word"))
        let badDate = MessageParser.parse(message(["Date: yesterday", "", ""]))
        #expect(badDate.diagnostics.map(\.code).contains("header.date"))
    }

    /// Every truncation of a rich message, and bytes flipped with a fixed seed, parse without a trap and give
    /// valid UTF-8 text.
    @Test func truncatedAndMutatedMessagesParse() {
        let full = message(Self.multipart + ["", "begin 644 x.bin", "#0V%T", "end"])
        for cut in 0...full.count {
            let m = MessageParser.parse(Array(full[0..<cut]))
            for t in m.textBodies { #expect(String(validating: t.utf8, as: UTF8.self) != nil) }
        }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        let alphabet: [UInt8] = Array("-=?\r\n\t \"();:<>@*'%".utf8) + [0x00, 0x80, 0xC3, 0xFF]
        for _ in 0..<2_000 {
            var bytes = full
            for _ in 0..<8 { bytes[next() % bytes.count] = alphabet[next() % alphabet.count] }
            let m = MessageParser.parse(bytes)
            #expect(!m.parts.isEmpty)
        }
    }

    @Test func adversarialBoundariesStayLinear() {
        // 20,000 lines that look almost like delimiters, inside 30 nested multiparts: parsed, and no part lost.
        var lines: [String] = ["Content-Type: multipart/mixed; boundary=a0", ""]
        for k in 1...30 { lines += ["--a\(k - 1)", "Content-Type: multipart/mixed; boundary=a\(k)", ""] }
        lines += ["--a30", ""]
        lines += Array(repeating: "--a3 not a delimiter", count: 20_000)
        let m = MessageParser.parse(message(lines))
        #expect(m.parts.count == 32)
        #expect(m.textBodies.count == 1)
    }
}
