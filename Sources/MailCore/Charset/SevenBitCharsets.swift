/// Charsets whose text is 7-bit and so passes for ASCII: ISO-2022 (escape sequences switch character sets) and
/// UTF-7 (RFC 2152: `+` starts modified base64 of UTF-16). Old Japanese mailers write ISO-2022-JP into headers
/// without encoded words, and a few clients do the same with UTF-7; left alone, a reader sees `$B2q5D(B` or
/// `+ZeVnLIqe-`. Python's `email` and GMime leave both as written.
public enum SevenBitCharset {
    /// The ISO-2022 charset whose designation escape sequences the text carries, or nil: `ESC $ B`, `ESC $ @`,
    /// `ESC ( J`, `ESC $ ( D`… → ISO-2022-JP (read through -2 and -3), `ESC $ ) C` → ISO-2022-KR, `ESC $ ) A`,
    /// `ESC $ ) G`, `ESC $ * H` → ISO-2022-CN. A lone ESC names nothing.
    public static func iso2022(in b: UnsafeBufferPointer<UInt8>) -> Charset? {
        let n = b.count
        var i = 0
        while i + 2 < n {
            guard let e = ByteSearch.find(byte: 0x1B, in: b, from: i) else { return nil }
            i = e + 1
            guard e + 2 < n else { return nil }
            let c1 = b[e + 1]
            let c2 = b[e + 2]
            let c3: UInt8 = e + 3 < n ? b[e + 3] : 0
            switch (c1, c2) {
            case (0x24, 0x42), (0x24, 0x40), (0x24, 0x41), (0x28, 0x4A), (0x28, 0x49), (0x2E, 0x41), (0x2E, 0x46):
                // $B JIS X 0208-1983, $@ -1978, $A GB 2312 (JP-2), (J JIS-Roman, (I half-width katakana, .A .F (JP-2)
                return iso2022JP
            case (0x24, 0x28) where c3 == 0x44 || c3 == 0x43 || (c3 >= 0x4F && c3 <= 0x51):
                // $(D JIS X 0212, $(C KS C 5601 (JP-2), $(O $(P $(Q JIS X 0213 (JP-3)
                return iso2022JP
            case (0x24, 0x29) where c3 == 0x43:
                return iso2022KR
            case (0x24, 0x29) where c3 == 0x41 || c3 == 0x47 || c3 == 0x45,
                (0x24, 0x2A) where c3 == 0x48,
                (0x24, 0x2B) where c3 >= 0x49 && c3 <= 0x4D:
                return iso2022CN
            default:
                continue
            }
        }
        return nil
    }

    static let iso2022JP = Charset.resolve("iso-2022-jp")
    static let iso2022KR = Charset.resolve("iso-2022-kr")
    static let iso2022CN = Charset.resolve("iso-2022-cn")
    public static let utf7 = Charset.resolve("utf-7")

    /// What the `+` runs of a 7-bit text say about UTF-7.
    public struct UTF7Runs: Sendable, Equatable {
        /// Runs of base64 after a `+` (not counting `+-`, a plus sign).
        public var runs = 0
        /// Every run is well-formed UTF-7: whole UTF-16 code units, the bits left over zero and fewer than six,
        /// surrogates paired, no control characters, ended by `-`, a blank or the end of the text.
        public var wellFormed = true
        /// Some run holds at least two letters beyond Latin-1 (`+ZeVnLIqe-` is 日本語): no text that merely has
        /// plus signs in it decodes like that by chance.
        public var unmistakable = false
    }

    /// Reads every `+` run of the text. Linear; stops at the first run that is not UTF-7.
    public static func utf7Runs(in b: UnsafeBufferPointer<UInt8>) -> UTF7Runs {
        var result = UTF7Runs()
        let n = b.count
        var i = 0
        while i < n {
            guard b[i] == 0x2B else {
                i += 1
                continue
            }
            var j = i + 1
            if j < n && b[j] == ASCII.hyphen {
                i = j + 1  // "+-" is "+"
                continue
            }
            var bits: UInt32 = 0
            var pending = 0
            var units = 0
            var letters = 0
            var highSurrogate: UInt32? = nil
            var bad = false
            while j < n, let v = base64Value(b[j]) {
                bits = bits << 6 | v
                pending += 6
                if pending >= 16 {
                    pending -= 16
                    let unit = bits >> UInt32(pending)
                    bits &= (1 << UInt32(pending)) - 1
                    units += 1
                    if let high = highSurrogate {
                        highSurrogate = nil
                        guard unit >= 0xDC00 && unit <= 0xDFFF else {
                            bad = true
                            break
                        }
                        let scalar = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                        if isLetter(scalar) { letters += 1 }
                    } else if unit >= 0xD800 && unit <= 0xDBFF {
                        highSurrogate = unit
                    } else if unit >= 0xDC00 && unit <= 0xDFFF {
                        bad = true
                        break
                    } else if unit < 0x20 || (unit >= 0x7F && unit < 0xA0) {
                        bad = true
                        break
                    } else if unit >= 0x100 && isLetter(unit) {
                        letters += 1
                    }
                }
                j += 1
            }
            let ended = j == n || b[j] == ASCII.hyphen || ASCII.isSpaceOrTab(b[j])
            if bad || units == 0 || pending >= 6 || bits != 0 || highSurrogate != nil || !ended {
                result.wellFormed = false
                return result
            }
            result.runs += 1
            if letters >= 2 { result.unmistakable = true }
            i = j < n && b[j] == ASCII.hyphen ? j + 1 : j
        }
        return result
    }

    @inline(__always)
    static func base64Value(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x41...0x5A: return UInt32(c - 0x41)
        case 0x61...0x7A: return UInt32(c - 0x61 + 26)
        case 0x30...0x39: return UInt32(c - 0x30 + 52)
        case 0x2B: return 62
        case 0x2F: return 63
        default: return nil
        }
    }

    static func isLetter(_ v: UInt32) -> Bool {
        guard let s = Unicode.Scalar(v) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
}
