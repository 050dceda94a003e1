import MailCore
import Testing

@Suite struct CharsetTests {
    func decode(_ bytes: [UInt8], _ label: String) -> (String, CharsetDecoder.Outcome) {
        CharsetDecoder.string(bytes, charset: Charset.resolve(label))
    }

    @Test(
        arguments: [
            // label, bytes, expected
            ("utf-8", [0x63, 0x61, 0x66, 0xC3, 0xA9], "café"),
            ("utf8", [0xC3, 0xA9], "é"),
            ("ISO-8859-1", [0x63, 0x61, 0x66, 0xE9], "café"),
            ("iso-8859-1", [0x93, 0x71, 0x94], "\u{201C}q\u{201D}"),  // read as windows-1252, as browsers do
            ("latin1", [0xE9], "é"),
            ("iso-8859-2", [0xB1], "ą"),
            ("ISO_8859-5", [0xB0], "А"),
            ("iso-8859-7", [0xE1], "α"),
            ("iso-8859-15", [0xA4], "€"),
            ("windows-1250", [0x9C], "ś"),
            ("cp1251", [0xCF, 0xF0, 0xE8], "При"),
            ("x-cp1251", [0xCF], "П"),
            ("Windows-1256", [0xC7], "ا"),
            ("koi8-r", [0xF0, 0xD2, 0xC9], "При"),
            ("koi8-u", [0xA4], "є"),
            ("shift_jis", [0x93, 0xFA, 0x96, 0x7B], "日本"),
            ("x-sjis", [0x93, 0xFA], "日"),
            ("shift_jis", [0x5C, 0x7E], "\\~"),  // ASCII, not ¥ and ‾
            ("cp932", [0x87, 0x40], "①"),
            ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC], "日本"),
            ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "日本"),
            ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
            ("gb2312", [0x81, 0x40], "丂"),  // a GBK character under a GB2312 label
            ("gbk", [0xD6, 0xD0], "中"),
            ("gb18030", [0x81, 0x30, 0x81, 0x30], "\u{80}"),
            ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
            ("euc-kr", [0xC7, 0xD1], "한"),
            ("ks_c_5601-1987", [0xC7, 0xD1], "한"),
            ("utf-7", Array("Hi +ZeVnLIqe-".utf8), "Hi 日本語"),
            ("unicode-1-1-utf-7", Array("+AKM-1".utf8), "£1"),
            ("utf-16le", [0x41, 0x00, 0x42, 0x00], "AB"),
            ("utf-16", [0xFE, 0xFF, 0x00, 0x41], "A"),
            ("utf-16be", [0x00, 0x41], "A"),
            ("utf-16", [0x44, 0x00, 0x65, 0x00], "De"),  // no byte-order mark, little-endian (Windows)
            ("utf-16", [0x00, 0x44, 0x00, 0x65], "De"),  // no byte-order mark, big-endian
            ("tis-620", [0xA1], "ก"),
        ] as [(String, [UInt8], String)])
    func decodesThroughIconv(_ label: String, _ bytes: [UInt8], _ expected: String) {
        let (s, outcome) = decode(bytes, label)
        #expect(s == expected, "\(label)")
        #expect(outcome.invalidBytes == 0)
        #expect(!outcome.unknownLabel)
    }

    /// glibc's UTF-8 reader (behind a label iconv tidies into `UTF8` by dropping the `>`) passes a code point above
    /// U+10FFFF through as it is, which the mime fuzzer found; UCS-4 above U+10FFFF is rejected by glibc today.
    /// Either way what the decoder returns is well-formed UTF-8 with the bad bytes replaced.
    @Test(
        arguments: [
            ("utf8>", [0x61, 0xF7, 0xBF, 0xAE, 0xBB]),
            ("ucs-4", [0, 0, 0, 0x61, 0x7F, 0xFF, 0xFF, 0xFF]),
        ] as [(String, [UInt8])])
    func iconvOutputIsAlwaysWellFormed(_ label: String, _ bytes: [UInt8]) {
        var out: [UInt8] = []
        let outcome = bytes.withUnsafeBufferPointer {
            CharsetDecoder.decode($0, charset: Charset.resolve(label), into: &out)
        }
        #expect(out.withUnsafeBufferPointer { CharsetDecoder.isValidUTF8($0) }, "\(label): \(out)")
        #expect(outcome.invalidBytes > 0 || out.contains(0xEF), "\(label): nothing was replaced")
    }

    @Test func mislabeledTextFallsBack() {
        // US-ASCII with UTF-8 bytes: UTF-8.
        let (s1, o1) = decode([0xC3, 0xA9], "us-ascii")
        #expect(s1 == "é")
        #expect(o1.mislabeled)
        // US-ASCII with other 8-bit bytes: windows-1252.
        #expect(decode([0xE9], "us-ascii").0 == "é")
        // An unknown label: UTF-8 when valid, else windows-1252.
        let (s2, o2) = decode([0xC3, 0xA9], "x-no-such-charset")
        #expect(s2 == "é")
        #expect(o2.unknownLabel)
        #expect(decode([0xE9], "unknown-8bit").0 == "é")
        // Bytes invalid in a multi-byte charset but valid UTF-8: UTF-8.
        #expect(decode(Array("日本".utf8), "shift_jis").0 == "日本")
    }

    @Test func invalidBytesBecomeReplacementCharacters() {
        let (s, o) = decode([0x61, 0xFF, 0x62], "utf-8")
        #expect(s == "a\u{FFFD}b")
        #expect(o.invalidBytes == 1)
        let (s2, o2) = decode([0x93, 0xFA, 0xFF, 0xFF], "euc-kr")
        #expect(s2.contains("\u{FFFD}"))
        #expect(o2.invalidBytes > 0)
    }

    @Test func asciiIsCopiedForEveryASCIICharset() {
        for label in ["windows-1251", "koi8-r", "gb2312", "big5", "shift_jis", "iso-2022-jp"] {
            #expect(decode(Array("plain text".utf8), label).0 == "plain text")
        }
    }

    @Test func guessesCyrillicForUnlabeled8BitText() {
        let bytes: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, 0x20, 0xEC, 0xE8, 0xF0]  // "Привет мир"
        let guess = bytes.withUnsafeBufferPointer { CharsetGuess.legacy($0) }
        #expect(guess.name == "windows-1251")
        let koi: [UInt8] = [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4, 0x20, 0xCD, 0xC9, 0xD2]  // "Привет мир" in KOI8-R
        #expect(koi.withUnsafeBufferPointer { CharsetGuess.legacy($0) }.name == "koi8-r")
        let latin: [UInt8] =
            Array("Caf".utf8) + [0xE9, 0x20] + Array("cr".utf8) + [0xE8, 0x6D, 0x65] + Array(" and more words".utf8)
        #expect(latin.withUnsafeBufferPointer { CharsetGuess.legacy($0) }.name == "windows-1252")
    }
}

/// glibc's "UTF-16" and "UTF-32" converters read the byte-order mark only on a descriptor's first use and keep the
/// byte order they found, even across a reset: a pooled descriptor decoded a later text by an earlier one's mark.
/// Seen as a corpus digest that changed only when other tests decoded UTF-16 at the same time.
@Suite struct ByteOrderMarkTests {
    @Test func everyTextIsReadByItsOwnByteOrderMark() {
        let little: [UInt8] = [0xFF, 0xFE, 0x3D, 0xD8, 0x49, 0xDC, 0x41, 0x00]  // 👉A
        let big: [UInt8] = [0xFE, 0xFF, 0xD8, 0x3D, 0xDC, 0x49, 0x00, 0x41]
        for _ in 0..<3 {
            for (bytes, label) in [(little, "utf-16"), (big, "utf-16"), (little, "UTF-16"), (big, "unicode")] {
                #expect(CharsetDecoder.string(bytes, charset: Charset.resolve(label)).0 == "👉A", "\(label) \(bytes)")
            }
        }
        let little32: [UInt8] = [0xFF, 0xFE, 0x00, 0x00, 0x49, 0xF4, 0x01, 0x00]
        let big32: [UInt8] = [0x00, 0x00, 0xFE, 0xFF, 0x00, 0x01, 0xF4, 0x49]
        for _ in 0..<3 {
            for bytes in [little32, big32] {
                #expect(CharsetDecoder.string(bytes, charset: Charset.resolve("utf-32")).0 == "👉")
            }
        }
    }
}

/// `CharsetDecoder.isValidUTF8` (a hand-written check) against the standard library's UTF-8 decoder.
@Suite struct UTF8ValidationTests {
    static func stdlibValid(_ bytes: [UInt8]) -> Bool {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    static func check(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { CharsetDecoder.isValidUTF8($0) } == stdlibValid(bytes)
    }

    @Test func everySequenceOfUpToThreeBytes() {
        var disagreements = 0
        for a in 0..<256 {
            if !Self.check([UInt8(a)]) { disagreements += 1 }
            for b in 0..<256 {
                if !Self.check([UInt8(a), UInt8(b)]) { disagreements += 1 }
                guard a >= 0xC0 else { continue }
                for c in [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE0, 0xFF] {
                    if !Self.check([UInt8(a), UInt8(b), UInt8(c)]) { disagreements += 1 }
                    if a >= 0xF0 {
                        for d in [0x41, 0x80, 0xBF, 0xC0] where !Self.check([UInt8(a), UInt8(b), UInt8(c), UInt8(d)]) {
                            disagreements += 1
                        }
                    }
                }
            }
        }
        #expect(disagreements == 0)
    }

    @Test func randomTextsWithASCIIRuns() {
        var state: UInt64 = 0x1234_5678
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let pieces: [[UInt8]] =
            ["abcdefghij", "é", "€", "😀", "\u{10FFFF}", "\u{FFFD}"].map { Array($0.utf8) }
            + [[0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xF0, 0x9F]]
        var disagreements = 0
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(next() % 12) {
                bytes += pieces[Int(next() % UInt64(pieces.count))]
                if next() % 5 == 0 { bytes += [UInt8](repeating: 0x61, count: Int(next() % 20)) }
            }
            if !Self.check(bytes) { disagreements += 1 }
        }
        #expect(disagreements == 0)
    }
}
