import MailCore
import Testing

@Suite struct HeaderTextTests {
    func decode(_ s: String, fallback: Charset? = nil) -> (String, HeaderText.Report) {
        HeaderText.decode(Array(s.utf8), fallback: fallback)
    }

    func decode(bytes: [UInt8], fallback: Charset? = nil) -> (String, HeaderText.Report) {
        HeaderText.decode(bytes, fallback: fallback)
    }

    @Test(arguments: [
        ("=?windows-1251?B?yuDqIPHy4PL8IO/u7/Pr//Dt++w/?=", "Как стать популярным?"),
        ("=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
        ("=?UTF-8?Q?caf=c3=a9?=", "café"),  // lower-case hex
        ("=?iso-8859-1?b?Y2Fm6Q==?=", "café"),
        ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
        ("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"),
        ("=?utf-8*en?q?hello?=", "hello"),  // RFC 2231 language suffix
        ("plain text, nothing encoded", "plain text, nothing encoded"),
        ("Re: =?utf-8?q?caf=C3=A9?= time", "Re: café time"),
    ])
    func decodesEncodedWords(_ raw: String, _ expected: String) {
        let (s, r) = decode(raw)
        #expect(s == expected)
        #expect(r.isClean)
    }

    @Test func blanksBetweenEncodedWordsAreDropped() {
        #expect(decode("=?utf-8?q?a?= =?utf-8?q?b?=").0 == "ab")
        #expect(decode("=?utf-8?q?a?=\r\n =?utf-8?q?b?=").0 == "ab")  // folded
        #expect(decode("=?utf-8?q?a?= =?iso-8859-1?q?b?=").0 == "ab")  // different charsets too
        #expect(decode("=?utf-8?q?a?= b =?utf-8?q?c?=").0 == "a b c")  // but not around plain words
        #expect(decode("=?utf-8?q?a_?= =?utf-8?q?b?=").0 == "a b")  // an encoded blank stays
    }

    @Test func foldingKeepsBlanks() {
        #expect(decode("one\r\n\ttwo  three ").0 == "one\ttwo  three ")
    }

    @Test func multibyteCharacterSplitAcrossWords() {
        // "é" (C3 A9) split between two words, in B and in Q.
        #expect(decode("=?utf-8?B?Y2Fmww==?= =?utf-8?B?qQ==?=").0 == "café")
        #expect(decode("=?UTF-8?Q?caf=C3?=\r\n =?UTF-8?Q?=A9?=").0 == "café")
        // Shift_JIS "日本" split after the lead byte of the second character.
        #expect(decode("=?shift_jis?B?k/qW?= =?shift_jis?B?ew==?=").0 == "日本")
    }

    @Test func encodedWordsWithoutBlanksAround() {
        #expect(decode("Price:=?utf-8?q?=E2=82=AC?=5").0 == "Price:€5")
        #expect(decode("=?utf-8?q?a?==?utf-8?q?b?=").0 == "ab")
        #expect(decode("spuit...=?UTF-8?B?8J+NkQ==?=").0 == "spuit...🍑")
    }

    @Test func malformedWordsAreDecodedBestEffort() {
        // Missing "?=": decoded to the next blank, reported.
        let (s1, r1) = decode("=?utf-8?B?SGVsbG8 world")
        #expect(s1 == "Hello world")
        #expect(r1.malformedWords == 1)
        // Bad base64: the good characters decode.
        let (s2, r2) = decode("=?utf-8?B?SGV*sbG8=?=")
        #expect(s2 == "Hello")
        #expect(r2.malformedWords == 1)
        // Unknown charset: UTF-8 when valid, else windows-1252; the label is reported.
        let (s3, r3) = decode("=?x-bogus?q?caf=E9?=")
        #expect(s3 == "café")
        #expect(r3.unknownCharsets == ["x-bogus"])
        // Blanks inside a word (spam does this): still one word.
        #expect(decode("=?utf-8?q?hello world?=").0 == "hello world")
        // Not an encoded word at all.
        #expect(decode("a =? b ?= c").0 == "a =? b ?= c")
    }

    @Test func raw8BitHeaders() {
        // UTF-8 first.
        #expect(decode(bytes: Array("Grüße".utf8)).0 == "Grüße")
        // Else the message's charset.
        let cp1251: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]
        let (s, r) = decode(bytes: cp1251, fallback: Charset.resolve("windows-1251"))
        #expect(s == "Привет")
        #expect(r.raw8BitCharset == "windows-1251")
        // Else a guess.
        #expect(decode(bytes: cp1251 + [0x20] + cp1251).0 == "Привет Привет")
        #expect(decode(bytes: [0x43, 0x61, 0x66, 0xE9]).0 == "Café")
        // Mixed with encoded words.
        #expect(decode(bytes: Array("Grüße =?utf-8?q?caf=C3=A9?=".utf8)).0 == "Grüße café")
    }

    @Test func adversarialInputStaysBounded() {
        // Many "=?" openers without terminators: each attempt is bounded, the result is the text.
        let raw = String(repeating: "=?utf-8?q?aaaaaaaa ", count: 5_000)
        let (s, _) = decode(raw)
        #expect(s.utf8.count >= 5_000 * 8)
    }
}
