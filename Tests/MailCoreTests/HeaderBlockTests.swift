import MailCore
import Testing

@Suite struct HeaderBlockTests {
    private func parse(_ text: String) -> (HeaderBlock, [UInt8]) {
        let bytes = Array(text.utf8)
        return (HeaderBlock(parsing: bytes), bytes)
    }

    private func value(_ name: String, _ text: String) -> String? {
        let (block, bytes) = parse(text)
        return bytes.withUnsafeBufferPointer { b in
            block.first(name, in: b).map { String(lossyUTF8: $0.unfoldedValue(in: b)) }
        }
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func unfoldsWithEveryLineEnding(_ eol: String) {
        let text = "Subject: one\(eol)\ttwo\(eol)From: a@b\(eol)\(eol)body"
        #expect(value("subject", text) == "one\ttwo")
        #expect(value("from", text) == "a@b")
        let (block, bytes) = parse(text)
        #expect(block.hasSeparator)
        #expect(String(decoding: bytes[block.bodyStart...], as: UTF8.self) == "body")
    }

    @Test func skipsBOMAndEnvelopeLine() {
        let (block, _) = parse("\u{FEFF}From someone Mon Jan  1 00:00:00 2001\nTo: x@y\n\nhi")
        #expect(block.hadBOM)
        #expect(block.fields.count == 1)
    }

    @Test func nonHeaderLineStartsTheBody() {
        let (block, bytes) = parse("To: x@y\nthis is not a header\nmore")
        #expect(!block.hasSeparator)
        #expect(block.fields.count == 1)
        #expect(String(decoding: bytes[block.bodyStart...], as: UTF8.self) == "this is not a header\nmore")
    }

    @Test func toleratesBlanksBeforeColonAndEmptyValues() {
        #expect(value("subject", "Subject  : hello\nX-Empty:\n\n") == "hello")
        #expect(value("x-empty", "Subject  : hello\nX-Empty:\n\n") == "")
    }

    @Test func noBodyNoSeparator() {
        let (block, bytes) = parse("To: x@y\nCc: z@w")
        #expect(block.fields.count == 2)
        #expect(block.bodyStart == bytes.count)
        #expect(!block.hasSeparator)
    }

    @Test func fieldLimitIsCounted() {
        let text = (0..<20).map { "X-\($0): v\n" }.joined() + "\n"
        let block = HeaderBlock(parsing: Array(text.utf8), limits: .init(maxFields: 5))
        #expect(block.fields.count == 5)
        #expect(block.droppedFields == 15)
    }
}
