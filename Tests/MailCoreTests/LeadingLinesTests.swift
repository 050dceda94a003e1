import MailCore
import Testing

/// Lines before a message's header block: skipped only when a real header block follows them.
@Suite struct LeadingLinesTests {
    static let headers =
        "Return-Path: <bounce@example.org>\r\n"
        + "Received: from mx.example.org (mx.example.org [192.0.2.7])\r\n\tby mail.example.net; Tue, 14 Oct 2025 09:15:02 +0200\r\n"
        + "From: Alice <alice@example.org>\r\nSubject: leading lines\r\nDate: Tue, 14 Oct 2025 09:15:02 +0200\r\n\r\n"
        + "Hi Bob,\r\n"

    private func block(_ text: String) -> HeaderBlock { HeaderBlock(parsing: Array(text.utf8)) }

    private func subject(_ text: String) -> String? { MessageParser.parse(Array(text.utf8)).subject }

    @Test func aLogLineBeforeTheHeadersIsSkipped() {
        let log = "\u{2705} Loading modern TOML configuration: ../foff-milter.toml\n"
        let text = log + Self.headers
        let h = block(text)
        #expect(h.leadingSkip == 0..<log.utf8.count)
        #expect(h.leadingLines == 1)
        #expect(h.start == log.utf8.count)
        #expect(h.fields.count == 5)
        let parsed = MessageParser.parse(Array(text.utf8))
        #expect(parsed.subject == "leading lines")
        let d = parsed.diagnostics.first { $0.code == "header.leading-lines" }
        #expect(d?.severity == .info)
        #expect(d?.message.contains("1 line (") == true)
        #expect(d?.message.contains("Loading modern TOML configuration") == true)
    }

    @Test func blankAndWhitespaceOnlyLinesAreSkipped() {
        for lead in ["\n", "\r\n\r\n", "   \n", " \t \r\n\n"] {
            let h = block(lead + Self.headers)
            #expect(h.leadingSkip == 0..<lead.utf8.count, "\(Array(lead.utf8))")
            #expect(h.fields.count == 5)
            #expect(subject(lead + Self.headers) == "leading lines")
        }
    }

    @Test func aQuotedFromLineIsSkipped() {
        let text = ">From alice@example.org Tue Oct 14 09:15:02 2025\n" + Self.headers
        #expect(block(text).leadingLines == 1)
        #expect(subject(text) == "leading lines")
    }

    @Test func anMboxEnvelopeLineIsStillTheEnvelope() {
        let text = "From alice@example.org Tue Oct 14 09:15:02 2025\n" + Self.headers
        let h = block(text)
        #expect(h.leadingSkip.isEmpty)
        #expect(h.fields.count == 5)
    }

    @Test func aHeaderAtTheTopSkipsNothing() {
        let h = block(Self.headers)
        #expect(h.leadingSkip == 0..<0)
        #expect(h.leadingLines == 0)
        #expect(
            !MessageParser.parse(Array(Self.headers.utf8)).diagnostics.contains { $0.code == "header.leading-lines" })
    }

    @Test func proseIsNotSkipped() {
        let text = "Meeting notes\nWe talked about the budget.\nNext steps follow.\n"
        let h = block(text)
        #expect(h.leadingSkip.isEmpty)
        #expect(h.fields.isEmpty)
    }

    @Test func oneHeaderLookingLineAfterProseIsNotAHeaderBlock() {
        let text = "Meeting notes\n\nSubject: the budget\nWe talked about it at length.\n"
        let h = block(text)
        #expect(h.leadingSkip.isEmpty)
        #expect(h.fields.isEmpty)
    }

    @Test func twoFieldsWithoutACommonNameAreNotAHeaderBlock() {
        let text = "Build log\nStatus: ok\nDuration: 3s\n"
        #expect(block(text).leadingSkip.isEmpty)
    }

    @Test func atMostThreeLinesAreSkipped() {
        let three = "one\ntwo\n\nthree\n" + Self.headers
        #expect(block(three).leadingLines == 4)
        #expect(subject(three) == "leading lines")
        let four = "one\ntwo\nthree\nfour\n" + Self.headers
        #expect(block(four).leadingSkip.isEmpty)
        #expect(subject(four) == nil)
    }

    @Test func atMostOneKibibyteIsSkipped() {
        let long = String(repeating: "x", count: LeadingLines.maxBytes) + "\n" + Self.headers
        #expect(block(long).leadingSkip.isEmpty)
        #expect(subject(long) == nil)
        let fits = String(repeating: "x", count: LeadingLines.maxBytes - 1) + "\n" + Self.headers
        #expect(block(fits).leadingLines == 1)
    }

    @Test func aPartIsNeverSkippedInto() {
        let bytes = Array(("log line\n" + Self.headers).utf8)
        let h = bytes.withUnsafeBufferPointer { HeaderBlock(parsing: $0, from: 0, upTo: $0.count) }
        #expect(h.leadingSkip.isEmpty)
    }

    @Test func theFirstLineIsShownCutAndEscaped() {
        let line = "\u{1B}[32mok\u{202E}evil\\" + String(repeating: "y", count: 200)
        let bytes = Array(("\n" + line + "\n").utf8)
        let shown = bytes.withUnsafeBufferPointer { LeadingLines.describeLine($0, in: 0..<$0.count) }
        #expect(shown.hasPrefix("\\x1B[32mok\\u{202E}evil\\\\yyy"))
        #expect(shown.hasSuffix("…"))
        #expect(shown.unicodeScalars.count < 100)
    }
}
