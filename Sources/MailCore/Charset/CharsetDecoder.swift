/// Bytes in a charset → UTF-8, the way a careful mail client reads them.
public enum CharsetDecoder {
    /// How the bytes were read.
    public struct Outcome: Sendable, Equatable {
        /// The charset that decoded the bytes (after fallbacks), canonical name.
        public var used: String
        /// Bytes that were invalid in every charset tried and became U+FFFD.
        public var invalidBytes: Int = 0
        /// The label was not a charset anyone knows; the fallback decoded the bytes.
        public var unknownLabel: Bool = false
        /// The bytes did not fit the label and another charset read them (e.g. UTF-8 labeled as US-ASCII).
        public var mislabeled: Bool = false

        public init(used: String) { self.used = used }
    }

    /// Decodes `bytes` labeled `charset`, appending UTF-8 to `out`.
    ///
    /// ASCII input is copied as it is for every ASCII-compatible charset. Non-ASCII bytes that are valid UTF-8 are
    /// read as UTF-8 whatever an ASCII-compatible label says (a mislabel, reported). UTF-8 is validated (invalid
    /// sequences become U+FFFD). US-ASCII with 8-bit bytes and unknown labels fall back to UTF-8 when the bytes are
    /// valid UTF-8, else windows-1252. iconv charsets are tried in chain order; when none reads every byte, the
    /// last one known replaces what it cannot read.
    @discardableResult
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, charset: Charset, into out: inout [UInt8])
        -> Outcome
    {
        if charset.isASCIICompatible && isASCII(bytes)
            && !(charset.isStatefulASCII && bytes.contains(where: { $0 == 0x1B || $0 == 0x0E }))
        {
            out.append(contentsOf: bytes)
            return Outcome(used: charset.name)
        }
        switch charset.kind {
        case .utf8:
            var o = Outcome(used: "utf-8")
            o.invalidBytes = appendValidatingUTF8(bytes, into: &out)
            return o
        case .windows1252:
            if isValidUTF8(bytes) {
                // UTF-8 labeled ISO-8859-1 (see the iconv case below).
                out.append(contentsOf: bytes)
                var o = Outcome(used: "utf-8")
                o.mislabeled = true
                return o
            }
            appendWindows1252(bytes, into: &out)
            return Outcome(used: "windows-1252")
        case .ascii:
            var o = fallback(bytes, into: &out)
            o.mislabeled = true
            return o
        case .unknown:
            var o = fallback(bytes, into: &out)
            o.unknownLabel = true
            return o
        case .iconv(let names):
            let mark = out.count
            var lastKnown: String? = nil
            let chain = names.count == 1 ? [Self.unicodeByteOrder(names[0], bytes)] : names
            for (k, name) in chain.enumerated() {
                guard let invalid = Iconv.convert(bytes, from: name, into: &out, stopAtInvalid: true) else {
                    continue
                }
                if lastKnown == nil && charset.isASCIICompatible && !charset.isStatefulASCII && isValidUTF8(bytes) {
                    // Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever the label says: text in a legacy
                    // charset practically never forms valid multi-byte UTF-8 sequences throughout (Cyrillic or
                    // Latin letters would each need two continuation bytes after them), while UTF-8 mislabeled
                    // as windows-1251, ISO-8859-1 or GB2312 is common.
                    out.removeSubrange(mark...)
                    out.append(contentsOf: bytes)
                    var o = Outcome(used: "utf-8")
                    o.mislabeled = true
                    return o
                }
                lastKnown = name
                if invalid >= 0 {
                    var o = Outcome(used: charset.name)
                    o.mislabeled = k > 0
                    if name == "SHIFT_JIS" { fixShiftJISASCII(&out, from: mark) }
                    return o
                }
            }
            guard let name = lastKnown else {
                var o = fallback(bytes, into: &out)
                o.unknownLabel = true
                return o
            }
            // No charset of the chain reads every byte: UTF-8 when the bytes are UTF-8 (a mislabel), else the
            // widest charset of the chain with replacement characters.
            if isValidUTF8(bytes) {
                out.append(contentsOf: bytes)
                var o = Outcome(used: "utf-8")
                o.mislabeled = true
                return o
            }
            var o = Outcome(used: charset.name)
            o.invalidBytes = Iconv.convert(bytes, from: name, into: &out, stopAtInvalid: false) ?? 0
            if name == "SHIFT_JIS" { fixShiftJISASCII(&out, from: mark) }
            return o
        }
    }

    /// UTF-16 and UTF-32 without a byte-order mark: iconv assumes big-endian, but Windows writes little-endian
    /// (Python's codec assumes it too). The zero bytes of ASCII-range text tell which.
    static func unicodeByteOrder(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard name == "UTF-16" || name == "UTF-32", bytes.count >= 2 else { return name }
        let b0 = bytes[0]
        let b1 = bytes[1]
        if (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)
            || (b0 == 0 && b1 == 0 && bytes.count >= 4 && bytes[2] == 0xFE)
        {
            return name
        }
        let width = name == "UTF-16" ? 2 : 4
        var evenZeros = 0
        var oddZeros = 0
        var i = 0
        while i + width <= min(bytes.count, 512) {
            if bytes[i] == 0 { evenZeros += 1 }
            if bytes[i + width - 1] == 0 { oddZeros += 1 }
            i += width
        }
        return name + (oddZeros > evenZeros ? "LE" : "BE")
    }

    /// Decodes to a `String`.
    public static func string(_ bytes: some Collection<UInt8>, charset: Charset) -> (String, Outcome) {
        var out: [UInt8] = []
        let array = Array(bytes)
        let outcome = array.withUnsafeBufferPointer { decode($0, charset: charset, into: &out) }
        return (String(decoding: out, as: UTF8.self), outcome)
    }

    /// UTF-8 when the bytes are UTF-8 (valid, or valid but for a few bytes, which become U+FFFD), else
    /// windows-1252.
    public static func fallback(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Outcome {
        if isValidUTF8(bytes) {
            out.append(contentsOf: bytes)
            return Outcome(used: "utf-8")
        }
        if isMostlyUTF8(bytes) {
            var o = Outcome(used: "utf-8")
            o.invalidBytes = appendValidatingUTF8(bytes, into: &out)
            return o
        }
        appendWindows1252(bytes, into: &out)
        return Outcome(used: "windows-1252")
    }

    @inlinable
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return true }
        // Eight bytes at a time.
        while i + 8 <= n {
            if base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Well-formed UTF-8 (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), as the
    /// standard library's decoder reads it. ASCII is skipped eight bytes at a time.
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            if i + 8 <= n, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let c = bytes[i]
            if c < 0x80 {
                i += 1
                continue
            }
            if c < 0xC2 { return false }
            if c < 0xE0 {
                guard i + 1 < n, bytes[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
                continue
            }
            if c < 0xF0 {
                guard i + 2 < n else { return false }
                let c1 = bytes[i + 1]
                // E0: A0…BF (no overlong forms); ED: 80…9F (no surrogates); else 80…BF.
                let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = c == 0xED ? 0x9F : 0xBF
                guard c1 >= lo, c1 <= hi, bytes[i + 2] & 0xC0 == 0x80 else { return false }
                i += 3
                continue
            }
            if c < 0xF5 {
                guard i + 3 < n else { return false }
                let c1 = bytes[i + 1]
                // F0: 90…BF (no overlong forms); F4: 80…8F (nothing above U+10FFFF); else 80…BF.
                let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
                guard c1 >= lo, c1 <= hi, bytes[i + 2] & 0xC0 == 0x80, bytes[i + 3] & 0xC0 == 0x80 else {
                    return false
                }
                i += 4
                continue
            }
            return false
        }
        return true
    }

    /// UTF-8 damaged in a few places: valid multi-byte sequences outnumber the invalid bytes at least 3 to 1, and
    /// there are at least two of them. Text in a legacy charset (windows-1252, windows-1251, KOI8-R, GB2312…)
    /// practically never forms valid multi-byte sequences: almost every 8-bit byte of it is invalid UTF-8. A UTF-8
    /// subject cut in the middle of a character, or with one byte replaced on its way, is still UTF-8 (Python's
    /// `email` and GMime read it so, with U+FFFD for the bad bytes). Linear, no allocation.
    public static func isMostlyUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let (valid, invalid) = multiByteSequences(bytes)
        return valid >= 2 && valid >= 3 * invalid
    }

    /// Valid multi-byte UTF-8 sequences, and bytes that begin no valid sequence.
    static func multiByteSequences(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Int, invalid: Int) {
        let n = bytes.count
        var valid = 0
        var invalid = 0
        var i = 0
        while i < n {
            let c = bytes[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let length = sequenceLength(bytes, at: i)
            if length > 0 {
                valid += 1
                i += length
            } else {
                invalid += 1
                i += 1
            }
        }
        return (valid, invalid)
    }

    /// The length of the well-formed multi-byte sequence at `i` (Unicode table 3-7), or 0.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = bytes.count
        let c = bytes[i]
        if c < 0xC2 || c >= 0xF5 { return 0 }
        if c < 0xE0 { return i + 1 < n && bytes[i + 1] & 0xC0 == 0x80 ? 2 : 0 }
        if c < 0xF0 {
            guard i + 2 < n else { return 0 }
            let c1 = bytes[i + 1]
            let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = c == 0xED ? 0x9F : 0xBF
            return c1 >= lo && c1 <= hi && bytes[i + 2] & 0xC0 == 0x80 ? 3 : 0
        }
        guard i + 3 < n else { return 0 }
        let c1 = bytes[i + 1]
        let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80
        let hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
        return c1 >= lo && c1 <= hi && bytes[i + 2] & 0xC0 == 0x80 && bytes[i + 3] & 0xC0 == 0x80 ? 4 : 0
    }

    /// Appends valid UTF-8, replacing each maximal invalid subsequence with U+FFFD; returns how many were replaced.
    static func appendValidatingUTF8(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int {
        if isValidUTF8(bytes) {
            out.append(contentsOf: bytes)
            return 0
        }
        var invalid = 0
        var it = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): appendScalar(s, into: &out)
            case .emptyInput: break loop
            case .error:
                invalid += 1
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            }
        }
        return invalid
    }

    @inline(__always)
    static func appendScalar(_ s: Unicode.Scalar, into out: inout [UInt8]) {
        let v = s.value
        if v < 0x80 {
            out.append(UInt8(truncatingIfNeeded: v))
        } else if v < 0x800 {
            out.append(UInt8(truncatingIfNeeded: 0xC0 | v >> 6))
            out.append(UInt8(truncatingIfNeeded: 0x80 | v & 0x3F))
        } else if v < 0x10000 {
            out.append(UInt8(truncatingIfNeeded: 0xE0 | v >> 12))
            out.append(UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | v & 0x3F))
        } else {
            out.append(UInt8(truncatingIfNeeded: 0xF0 | v >> 18))
            out.append(UInt8(truncatingIfNeeded: 0x80 | v >> 12 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | v & 0x3F))
        }
    }

    /// windows-1252 for 0x80–0x9F (the five undefined bytes map to the C1 controls, as WHATWG does); Latin-1 above.
    static let cp1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func appendWindows1252(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count + bytes.count / 2)
        cp1252High.withUnsafeBufferPointer { table in
            for c in bytes {
                if c < 0x80 {
                    out.append(c)
                } else if c < 0xA0 {
                    let v = UInt32(table[Int(c) - 0x80])
                    if let s = Unicode.Scalar(v) { appendScalar(s, into: &out) }
                } else {
                    out.append(0xC0 | c >> 6)
                    out.append(0x80 | c & 0x3F)
                }
            }
        }
    }

    /// glibc's SHIFT_JIS maps the single bytes 0x5C and 0x7E to ¥ and ‾ (JIS X 0201); mail means ASCII there, as
    /// Python and Windows read it. Only those bytes produce U+00A5 and U+203E in SHIFT_JIS, so the fix is exact.
    static func fixShiftJISASCII(_ out: inout [UInt8], from start: Int) {
        // The UTF-8 of U+00A5 is C2 A5, of U+203E E2 80 BE.
        guard start < out.count else { return }
        var result: [UInt8] = Array(out[0..<start])
        var i = start
        var changed = false
        while i < out.count {
            if i + 1 < out.count, out[i] == 0xC2, out[i + 1] == 0xA5 {
                result.append(0x5C)
                i += 2
                changed = true
            } else if i + 2 < out.count, out[i] == 0xE2, out[i + 1] == 0x80, out[i + 2] == 0xBE {
                result.append(0x7E)
                i += 3
                changed = true
            } else {
                result.append(out[i])
                i += 1
            }
        }
        if changed { out = result }
    }
}

extension Charset {
    /// ISO-2022 charsets are 7-bit: pure ASCII input still needs decoding when it has escape sequences.
    var isStatefulASCII: Bool {
        if case .iconv(let names) = kind, let first = names.first {
            return first.hasPrefix("ISO-2022") || first == "HZ"
        }
        return false
    }
}
