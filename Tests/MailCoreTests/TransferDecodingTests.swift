import MailCore
import Testing

@Suite struct TransferDecodingTests {
    func b64(_ s: String) -> ([UInt8], DecodeReport) {
        let a = Array(s.utf8)
        return a.withUnsafeBufferPointer { Base64.decode($0) }
    }

    func qp(_ s: String) -> ([UInt8], DecodeReport) {
        let a = Array(s.utf8)
        return a.withUnsafeBufferPointer { QuotedPrintable.decode($0) }
    }

    @Test(arguments: [
        ("SGVsbG8sIHdvcmxkIQ==", "Hello, world!"),
        ("SGVs\r\nbG8s\nIHdv cmxk\tIQ==\r\n", "Hello, world!"),  // line breaks and blanks
        ("SGVsbG8sIHdvcmxkIQ", "Hello, world!"),  // missing padding
        ("SGVsbG8=\r\n-- trailing garbage after the padding", "Hello"),
        ("SGV*sbG8", "Hello"),  // a character outside the alphabet is skipped
        ("", ""),
    ])
    func base64IsLenient(_ input: String, _ expected: String) {
        #expect(b64(input).0 == Array(expected.utf8))
    }

    @Test func base64ReportsRepairs() {
        #expect(b64("SGVsbG8=").1.isClean)
        #expect(b64("SGVsbG8").1.missingPadding)
        #expect(b64("SGV*sbG8=").1.invalidBytes == 1)
        #expect(b64("SGVsbG8=AAAA").1.trailingBytes == 4)
        // A lone final character cannot make a byte: dropped (Python would return the undecoded text).
        let (bytes, report) = b64("SGVsbG8hQ")
        #expect(bytes == Array("Hello!".utf8))
        #expect(report.danglingCharacters == 1)
    }

    @Test(arguments: [
        ("caf=C3=A9", "café"),
        ("caf=c3=a9", "café"),  // lower-case hex
        ("soft=\r\nbreak", "softbreak"),
        ("soft=\nbreak", "softbreak"),
        ("soft=\rbreak", "softbreak"),  // CR-only files
        ("soft= \t\r\nbreak", "softbreak"),  // blanks between "=" and the line break
        ("keep\r\nline\nbreaks", "keep\r\nline\nbreaks"),
        ("a=b =ZZ 100%=", "a=b =ZZ 100%"),  // broken escapes kept, "=" at the very end is a soft break
    ])
    func quotedPrintable(_ input: String, _ expected: String) {
        #expect(qp(input).0 == Array(expected.utf8))
    }

    @Test func quotedPrintableCountsBrokenEscapes() {
        #expect(qp("a=b =ZZ").1.brokenEscapes == 2)
        #expect(qp("caf=C3=A9").1.isClean)
    }

    @Test(arguments: [
        "7bit", " BASE64 ", "Quoted-Printable", "8bit", "binary", "x-uuencode", "\"base64\"", "x-token", "7-bit",
        "quoted printable", "8bits",
    ])
    func transferEncodingLabels(_ label: String) {
        let e = TransferEncoding(label: Array(label.utf8))
        switch label {
        case "7bit", "7-bit": #expect(e == .sevenBit)
        case " BASE64 ", "\"base64\"": #expect(e == .base64)
        case "Quoted-Printable", "quoted printable": #expect(e == .quotedPrintable)
        case "8bit", "8bits": #expect(e == .eightBit)
        case "binary": #expect(e == .binary)
        case "x-uuencode": #expect(e == .uuencode)
        default: #expect(e == .unknown("x-token"))
        }
    }

    // "Cat" uuencoded: length character "#" (3 bytes), then four characters.
    static let uuText = "begin 644 cat.txt\n#0V%T\n`\nend\n"

    @Test func uudecodeBody() {
        let a = Array(Self.uuText.utf8)
        let (bytes, report) = a.withUnsafeBufferPointer { UUEncode.decodeBody($0) }
        #expect(bytes == Array("Cat".utf8))
        #expect(!report.truncated)
    }

    @Test func uuencodedBlocksAreFoundInText() {
        let text = "Hello,\r\nsee the file:\r\n\r\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\n\r\nBye\r\n"
        let a = Array(text.utf8)
        let blocks = a.withUnsafeBufferPointer { UUEncode.findBlocks(in: $0) }
        #expect(blocks.count == 1)
        #expect(blocks.first?.name == Array("cat.txt".utf8))
        #expect(blocks.first?.terminated == true)
        // "begin" inside a sentence, or without an octal mode, is not a block.
        let prose = Array("we begin 644 tests here\nbegin now\n".utf8)
        #expect(prose.withUnsafeBufferPointer { UUEncode.findBlocks(in: $0) }.isEmpty)
    }
}
