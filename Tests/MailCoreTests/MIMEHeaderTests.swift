import MailCore
import Testing

@Suite struct MIMEHeaderTests {
    func parse(_ s: String, fallback: Charset? = nil) -> MIMEHeader {
        MIMEHeader.parse(Array(s.utf8), fallback: fallback)
    }

    @Test func typeAndQuotedParameters() {
        let h = parse("Text/HTML; charset=\"UTF-8\"; name=\"a \\\"quoted\\\" name.html\"")
        #expect(h.value == "text/html")
        #expect(h.mainType == "text")
        #expect(h.subType == "html")
        #expect(h.parameter("charset") == "UTF-8")
        #expect(h.parameter("name") == "a \"quoted\" name.html")
    }

    @Test func commentsAndFolding() {
        let h = parse(
            "multipart/mixed (a comment);\r\n\tboundary=\"----=_Part_1\" (another);\r\n charset=us-ascii (Plain)")
        #expect(h.value == "multipart/mixed")
        #expect(h.parameter("boundary") == "----=_Part_1")
        #expect(h.parameter("charset") == "us-ascii")
    }

    @Test func rfc2231ContinuationsAndCharset() {
        let h = parse(
            "attachment;\r\n filename*0*=UTF-8''%D0%9F%D1%80%D0%B8;\r\n filename*1*=%D0%B2%D0%B5%D1%82;\r\n filename*2=\".pdf\""
        )
        #expect(h.value == "attachment")
        #expect(h.parameter("filename") == "Привет.pdf")
        let single = parse("attachment; filename*=iso-8859-1'fr'caf%E9.txt")
        #expect(single.parameter("filename") == "café.txt")
        // Plain continuations, out of order.
        let plain = parse("attachment; filename*1=\"world.txt\"; filename*0=\"hello \"")
        #expect(plain.parameter("filename") == "hello world.txt")
        // The RFC 2231 form wins over the plain one.
        let both = parse("attachment; filename=\"fallback.txt\"; filename*=utf-8''real%20name.txt")
        #expect(both.parameter("filename") == "real name.txt")
    }

    @Test func encodedWordsAndRawBytesInValues() {
        let h = parse("application/pdf; name=\"=?utf-8?B?0J/RgNC40LLQtdGCLnBkZg==?=\"")
        #expect(h.parameter("name") == "Привет.pdf")
        let unquoted = parse("application/pdf; name==?utf-8?B?VGhpcyBpcyBhIHRlc3QucGRm?=")
        #expect(unquoted.parameter("name") == "This is a test.pdf")
        let raw = MIMEHeader.parse([0x61, 0x3B, 0x20, 0x6E, 0x3D, 0x22, 0xE9, 0x22], fallback: nil)
        #expect(raw.parameter("n") == "é")
    }

    @Test func lenientForms() {
        // Unquoted names with blanks run to the next ";".
        #expect(parse("text/plain; name=This is a test.txt; x=y").parameter("name") == "This is a test.txt")
        // A missing closing quote ends at the end of the header.
        let h = parse("application/zip; name=\"broken.zip")
        #expect(h.parameter("name") == "broken.zip")
        #expect(!h.problems.isEmpty)
        // Blanks around "=" and empty parameters.
        #expect(parse("text/plain ;charset = utf-8 ;; ;").parameter("charset") == "utf-8")
        // No parameters, no type.
        #expect(parse("").value == "")
    }
}
