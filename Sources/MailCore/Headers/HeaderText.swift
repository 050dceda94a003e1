/// Unstructured header text (Subject, display names, filenames) decoded to UTF-8: encoded words (RFC 2047) and
/// raw 8-bit bytes.
///
/// The rules follow what mail clients and Python's `email` (policy `default`) do:
/// - line breaks of folded lines are removed, the blanks after them kept;
/// - an encoded word is `=?charset?B|Q?text?=`, recognised anywhere (also without blanks around it);
/// - blanks between two encoded words are dropped; adjacent encoded words in the same charset are joined before
///   charset decoding, so a character split across two words survives;
/// - a word without its closing `?=`, with bad base64 or an unknown charset is decoded as far as it goes and
///   reported;
/// - 7-bit text outside encoded words in ISO-2022 (recognised by its escape sequences) or UTF-7 (declared by the
///   message, or unmistakable) is decoded;
/// - 8-bit bytes outside encoded words are UTF-8 when they are valid UTF-8 or valid but for a few bytes (which
///   become U+FFFD), else the fallback charset (the message's charset, or a guess).
public enum HeaderText {
    /// What decoding had to repair.
    public struct Report: Sendable, Equatable {
        /// Encoded words that were malformed (no closing `?=`, bad base64, `?` inside the text).
        public var malformedWords: Int = 0
        /// Charset labels of encoded words nobody knows.
        public var unknownCharsets: [String] = []
        /// Bytes invalid in their charset, replaced by U+FFFD.
        public var invalidBytes: Int = 0
        /// The charset that read raw 8-bit text, when there was some.
        public var raw8BitCharset: String? = nil
        /// The charset that read raw 7-bit text that is not ASCII (ISO-2022 escape sequences, UTF-7), when there
        /// was some.
        public var raw7BitCharset: String? = nil
        /// Encoded words decoded.
        public var encodedWords: Int = 0

        public init() {}

        public var isClean: Bool { malformedWords == 0 && unknownCharsets.isEmpty && invalidBytes == 0 }
    }

    /// Decodes a raw header value (as `HeaderField.value` covers it: folded lines included).
    public static func decode(_ raw: UnsafeBufferPointer<UInt8>, fallback: Charset? = nil) -> (String, Report) {
        var report = Report()
        let bytes = decodeBytes(raw, fallback: fallback, report: &report)
        return (String(decoding: bytes, as: UTF8.self), report)
    }

    public static func decode(_ raw: [UInt8], fallback: Charset? = nil) -> (String, Report) {
        raw.withUnsafeBufferPointer { decode($0, fallback: fallback) }
    }

    /// The same, as UTF-8 bytes.
    public static func decodeBytes(_ raw: UnsafeBufferPointer<UInt8>, fallback: Charset?, report: inout Report)
        -> [UInt8]
    {
        // Unfold: drop CR and LF, keep everything else.
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(raw.count)
        var hasEW = false
        var has8Bit = false
        var hasESC = false
        var hasPlus = false
        var prev: UInt8 = 0
        for c in raw where c != ASCII.cr && c != ASCII.lf {
            unfolded.append(c)
            if c == ASCII.question && prev == ASCII.equals { hasEW = true }
            if c >= 0x80 { has8Bit = true }
            if c == 0x1B { hasESC = true }
            if c == 0x2B { hasPlus = true }
            prev = c
        }
        var sevenBit: Charset? = nil
        if !has8Bit && (hasESC || (hasPlus && !hasEW)) {
            sevenBit = unfolded.withUnsafeBufferPointer { charsetFor7Bit($0, fallback: fallback, utf7: !hasEW) }
        }
        if !hasEW && !has8Bit && sevenBit == nil { return unfolded }
        return unfolded.withUnsafeBufferPointer { u in
            var rawCharset: Charset = .utf8
            if has8Bit {
                rawCharset = charsetFor8Bit(u, fallback: fallback)
                report.raw8BitCharset = rawCharset.name
            } else if let cs = sevenBit {
                rawCharset = cs
                report.raw7BitCharset = cs.name
            }
            if !hasEW {
                var out: [UInt8] = []
                let o = CharsetDecoder.decode(u, charset: rawCharset, into: &out)
                report.invalidBytes += o.invalidBytes
                return out
            }
            return decodeWords(u, rawCharset: rawCharset, report: &report)
        }
    }

    /// The charset for 8-bit bytes outside encoded words: UTF-8 when valid or valid but for a few bytes (those
    /// become U+FFFD, not the whole value mojibake), else the fallback, else a guess.
    static func charsetFor8Bit(_ u: UnsafeBufferPointer<UInt8>, fallback: Charset?) -> Charset {
        if CharsetDecoder.isValidUTF8(u) || CharsetDecoder.isMostlyUTF8(u) { return .utf8 }
        if let f = fallback, f.kind != .utf8, f.kind != .ascii, f.kind != .unknown { return f }
        return CharsetGuess.legacy(u)
    }

    /// The charset of raw 7-bit text that is not ASCII, or nil: ISO-2022 when its escape sequences are there;
    /// UTF-7 (only in a value without encoded words) when every `+` run is well-formed UTF-7 and either the
    /// message declares UTF-7 or a run is unmistakable (`SevenBitCharset.utf7Runs`). `+` is common in plain text
    /// (`C++`, `+1-555`, `save +50%`): one run that is not UTF-7 leaves the whole value as written.
    static func charsetFor7Bit(_ u: UnsafeBufferPointer<UInt8>, fallback: Charset?, utf7: Bool) -> Charset? {
        if let cs = SevenBitCharset.iso2022(in: u) { return cs }
        guard utf7 else { return nil }
        let runs = SevenBitCharset.utf7Runs(in: u)
        guard runs.wellFormed, runs.runs > 0 else { return nil }
        if runs.unmistakable || fallback?.name == SevenBitCharset.utf7.name { return SevenBitCharset.utf7 }
        return nil
    }

    /// Whether a raw value needs `decode` at all: encoded words, 8-bit bytes, ISO-2022 escapes or `+` (UTF-7).
    public static func needsDecoding(_ v: some Sequence<UInt8>) -> Bool {
        var prev: UInt8 = 0
        for c in v {
            if c >= 0x80 || c == 0x1B || c == 0x2B || (c == ASCII.question && prev == ASCII.equals) { return true }
            prev = c
        }
        return false
    }

    /// An encoded word found at some position.
    struct Word {
        var charset: Range<Int>
        var encoding: UInt8  // lower-case b or q
        var text: Range<Int>
        var end: Int
        var terminated: Bool
        var questionInText: Bool
    }

    /// Parses `=?charset?X?text?=` at `i` (where `=?` is). The text ends at the first `?=`; a word whose text would
    /// run into another `=?` or past `maxText` bytes has no terminator and ends at the next blank instead.
    static func word(at i: Int, in u: UnsafeBufferPointer<UInt8>) -> Word? {
        let n = u.count
        var j = i + 2
        let csStart = j
        while j < n && u[j] != ASCII.question && !ASCII.isSpaceOrTab(u[j]) && j - csStart <= 64 { j += 1 }
        guard j < n, u[j] == ASCII.question, j > csStart else { return nil }
        let csEnd = j
        guard j + 2 < n, u[j + 2] == ASCII.question else { return nil }
        let enc = ASCII.lower(u[j + 1])
        guard enc == 0x62 || enc == 0x71 else { return nil }
        let textStart = j + 3
        // The text: to the first "?=", within bounds, not swallowing another encoded word.
        var k = textStart
        var questionInText = false
        let limit = min(n, textStart + maxText)
        while k < limit {
            let c = u[k]
            if c == ASCII.question {
                if k + 1 < n && u[k + 1] == ASCII.equals {
                    return Word(
                        charset: csStart..<csEnd, encoding: enc, text: textStart..<k, end: k + 2, terminated: true,
                        questionInText: questionInText)
                }
                questionInText = true
            } else if c == ASCII.equals && k + 2 < n && u[k + 1] == ASCII.question && u[k + 2] != ASCII.equals {
                // Another word starts here ("=?" but not the "=" padding before "?=").
                break
            }
            k += 1
        }
        // No terminator: the word runs to the next blank.
        var e = textStart
        while e < n && !ASCII.isSpaceOrTab(u[e]) { e += 1 }
        var textEnd = e
        // A trailing "?" (the terminator cut to "?") is not text.
        if textEnd > textStart && u[textEnd - 1] == ASCII.question { textEnd -= 1 }
        return Word(
            charset: csStart..<csEnd, encoding: enc, text: textStart..<textEnd, end: e, terminated: false,
            questionInText: false)
    }

    /// ESC, SO and SI: the bytes that switch character sets in ISO-2022 text.
    static func isShift(_ c: UInt8) -> Bool { c == 0x1B || c == 0x0E || c == 0x0F }

    static let maxText = 2048
    static let maxAttempts = 512

    static func decodeWords(_ u: UnsafeBufferPointer<UInt8>, rawCharset: Charset, report: inout Report) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        let n = u.count
        // The run of adjacent encoded words being joined: its charset label and decoded bytes.
        var runCharset: Range<Int>? = nil
        var runBytes: [UInt8] = []
        var pendingBlank: Range<Int>? = nil
        var lastWasWord = false
        // Each attempt at an encoded word can look ahead `maxText` bytes: a bounded number keeps the work linear.
        var attempts = 0

        func flushRun() {
            guard let cs = runCharset else { return }
            let label = UnsafeBufferPointer(rebasing: u[cs])
            let charset = Charset.resolve(label)
            let o = runBytes.withUnsafeBufferPointer { CharsetDecoder.decode($0, charset: charset, into: &out) }
            report.invalidBytes += o.invalidBytes
            if o.unknownLabel { report.unknownCharsets.append(String(decoding: label, as: UTF8.self)) }
            runCharset = nil
            runBytes.removeAll(keepingCapacity: true)
        }

        func appendRaw(_ r: Range<Int>) {
            guard !r.isEmpty else { return }
            let slice = UnsafeBufferPointer(rebasing: u[r])
            if CharsetDecoder.isASCII(slice) && !(rawCharset.isStatefulASCII && slice.contains(where: isShift)) {
                out.append(contentsOf: slice)
            } else if rawCharset.kind == .utf8 {
                report.invalidBytes += CharsetDecoder.appendValidatingUTF8(slice, into: &out)
            } else {
                let o = CharsetDecoder.decode(slice, charset: rawCharset, into: &out)
                report.invalidBytes += o.invalidBytes
            }
        }

        var i = 0
        while i < n {
            let c = u[i]
            if ASCII.isSpaceOrTab(c) {
                var j = i
                while j < n && ASCII.isSpaceOrTab(u[j]) { j += 1 }
                if lastWasWord {
                    pendingBlank = i..<j
                } else {
                    appendRaw(i..<j)
                }
                i = j
                continue
            }
            if c == ASCII.equals, i + 1 < n, u[i + 1] == ASCII.question, attempts < maxAttempts,
                let w = {
                    attempts += 1; return word(at: i, in: u)
                }()
            {
                var decoded: [UInt8]
                let text = UnsafeBufferPointer(rebasing: u[w.text])
                if w.encoding == 0x62 {
                    let (bytes, r) = Base64.decode(text)
                    decoded = bytes
                    if r.invalidBytes > 0 || r.danglingCharacters > 0 || r.trailingBytes > 0 {
                        report.malformedWords += 1
                    }
                } else {
                    var r = DecodeReport()
                    decoded = [UInt8](unsafeUninitializedCapacity: text.count) { buf, written in
                        written = QuotedPrintable.decode(text, into: buf, header: true, report: &r)
                    }
                }
                if !w.terminated || w.questionInText { report.malformedWords += 1 }
                report.encodedWords += 1
                let sameCharset: Bool = {
                    guard let cs = runCharset, lastWasWord else { return false }
                    return u[cs].equalsLowercasedASCII(u[w.charset].map(ASCII.lower))
                }()
                if !sameCharset { flushRun() }
                if !lastWasWord, let b = pendingBlank { appendRaw(b) }
                pendingBlank = nil
                runCharset = w.charset
                runBytes.append(contentsOf: decoded)
                lastWasWord = true
                i = w.end
                continue
            }
            // Plain text: up to a blank or the start of an encoded word.
            flushRun()
            if let b = pendingBlank { appendRaw(b) }
            pendingBlank = nil
            lastWasWord = false
            var j = i + 1
            while j < n {
                let d = u[j]
                if ASCII.isSpaceOrTab(d) { break }
                if d == ASCII.equals, j + 1 < n, u[j + 1] == ASCII.question, attempts < maxAttempts {
                    attempts += 1
                    if word(at: j, in: u)?.terminated == true { break }
                }
                j += 1
            }
            appendRaw(i..<j)
            i = j
        }
        flushRun()
        if let b = pendingBlank { appendRaw(b) }
        return out
    }
}

/// Guesses the charset of 8-bit text that is not UTF-8 and carries no label.
public enum CharsetGuess {
    /// Cyrillic (windows-1251 or KOI8-R) when most 8-bit bytes are letters in those layouts, else windows-1252.
    public static func legacy(_ b: UnsafeBufferPointer<UInt8>) -> Charset {
        var high = 0
        var upperHalf = 0  // 0xE0–0xFF: lower-case letters in windows-1251, upper-case in KOI8-R
        var lowerHalf = 0  // 0xC0–0xDF
        var c1 = 0  // 0x80–0xBF
        for c in b where c >= 0x80 {
            high += 1
            if c >= 0xE0 {
                upperHalf += 1
            } else if c >= 0xC0 {
                lowerHalf += 1
            } else {
                c1 += 1
            }
        }
        guard high >= 4 else { return .windows1252 }
        // Cyrillic text is almost all letters (0xC0–0xFF) and far denser in 8-bit bytes than Western text.
        let letters = upperHalf + lowerHalf
        var ascii = 0
        for c in b where ASCII.isAlpha(c) { ascii += 1 }
        if letters * 10 >= high * 9 && high * 2 >= ascii {
            // Lower-case letters dominate running text: in windows-1251 they are 0xE0–0xFF, in KOI8-R 0xC0–0xDF.
            return upperHalf >= lowerHalf ? Charset.resolve("windows-1251") : Charset.resolve("koi8-r")
        }
        return .windows1252
    }
}
