/// Lines before a message's header block that are not part of it: blank or whitespace-only lines, or a line a
/// program wrote before the message it saved (`✅ Loading configuration: …`, a `>From ` line).
///
/// They are skipped only when what follows is a real header block (at least two well-formed fields, one of them a
/// field every mail carries such as `Received`, `From` or `Subject`), never because of the first line alone: a text
/// file that begins with a sentence and has one `Note: …` line later stays text. The work is bounded: at most
/// `maxLines` non-blank lines and `maxBytes` bytes are skipped, and at most `lookahead` bytes after them are read to
/// decide, so the cost does not grow with the message.
public enum LeadingLines {
    /// Non-blank lines skipped at most.
    public static let maxLines = 3
    /// Bytes skipped at most (lines and their terminators, blank lines included).
    public static let maxBytes = 1024
    /// Bytes read after the skipped lines to decide that a header block follows.
    public static let lookahead = 64 * 1024

    /// What to skip: where the header block starts and how many lines come before it.
    public struct Skip: Sendable, Equatable {
        public var headerStart: Int
        public var lines: Int
    }

    /// Field names that make a header block a message's: one of them must be among the fields after the skip.
    static let commonNames: [[UInt8]] = [
        "received", "return-path", "from", "to", "cc", "subject", "date", "message-id", "mime-version",
        "delivered-to", "content-type", "reply-to", "sender", "x-original-to", "envelope-to", "dkim-signature",
        "authentication-results", "received-spf", "arc-seal", "x-received",
    ].map { Array($0.utf8) }

    /// The skip for the bytes at `start`, or nil when the header block starts there or nothing safe can be skipped.
    /// An mbox `From ` line ends the search (a preamble before an mbox is the mbox reader's business).
    public static func skip(_ all: UnsafeBufferPointer<UInt8>, from start: Int) -> Skip? {
        // Nothing past this is looked at until a field line is found, however long the first line is.
        let w = UnsafeBufferPointer(rebasing: all[0..<min(all.count, start + maxBytes + 256)])
        let n = w.count
        guard start < n, !isFieldLine(w, at: start) else { return nil }
        var i = start
        var lines = 0
        var junk = 0
        while i < n {
            if isFieldLine(w, at: i) {
                guard lines > 0, isHeaderBlock(all, at: i) else { return nil }
                return Skip(headerStart: i, lines: lines)
            }
            let contentEnd = HeaderBlock.lineContentEnd(w, from: i)
            let next = HeaderBlock.skipTerminator(w, at: contentEnd)
            guard next - start <= maxBytes, next > i else { return nil }
            var blank = true
            for k in i..<contentEnd {
                let c = w[k]
                if c == 0 { return nil }
                if !ASCII.isSpaceOrTab(c) { blank = false }
            }
            if !blank {
                junk += 1
                if junk > maxLines || isEnvelope(w, at: i) { return nil }
            }
            lines += 1
            i = next
        }
        return nil
    }

    /// At least two fields at `p`, one of them common, before an empty line or a line that is not a field (read
    /// at most `lookahead` bytes). The mbox framer asks it too, of a `From ` line without an envelope date.
    public static func isHeaderBlock(_ b: UnsafeBufferPointer<UInt8>, at p: Int) -> Bool {
        let n = min(b.count, p + lookahead)
        var i = p
        var fields = 0
        var common = false
        while i < n {
            let c = b[i]
            if c == ASCII.cr || c == ASCII.lf { return false }
            if ASCII.isSpaceOrTab(c) {
                guard fields > 0 else { return false }
            } else {
                guard isFieldLine(b, at: i) else { return false }
                fields += 1
                if !common { common = isCommonName(b, at: i) }
                if fields >= 2 && common { return true }
            }
            i = HeaderBlock.nextLine(b, from: i)
        }
        return false
    }

    static func isCommonName(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        var j = i
        while j < b.count, ASCII.isFieldNameByte(b[j]) { j += 1 }
        let name = b[i..<j]
        return commonNames.contains { name.equalsLowercasedASCII($0) }
    }

    /// `name:` with a non-empty field name, blanks allowed before the colon (also the spool sniffer's and the mbox
    /// framer's test, `HeaderScan.isFieldLine`).
    public static func isFieldLine(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        var j = i
        let n = b.count
        while j < n, ASCII.isFieldNameByte(b[j]) { j += 1 }
        guard j > i else { return false }
        while j < n, ASCII.isSpaceOrTab(b[j]) { j += 1 }
        return j < n && b[j] == ASCII.colon
    }

    static func isEnvelope(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        i + 5 <= b.count && b[i] == 0x46 && b[i + 1] == 0x72 && b[i + 2] == 0x6F && b[i + 3] == 0x6D
            && b[i + 4] == ASCII.space
    }

    /// The first skipped line for a diagnostic: at most `maxCharacters` characters, control characters, bidi
    /// controls and invalid UTF-8 shown escaped (`\x1B`, `\u{202E}`), since whoever wrote the file chose them.
    public static func describeLine(
        _ b: UnsafeBufferPointer<UInt8>, in range: Range<Int>, maxCharacters: Int = 80
    ) -> String {
        var i = range.lowerBound
        // The first non-blank line, else the first line.
        var first = i..<min(range.upperBound, HeaderBlock.lineContentEnd(b, from: i))
        while i < range.upperBound {
            let end = min(range.upperBound, HeaderBlock.lineContentEnd(b, from: i))
            if b[i..<end].contains(where: { !ASCII.isSpaceOrTab($0) }) {
                first = i..<end
                break
            }
            i = HeaderBlock.skipTerminator(b, at: end)
        }
        var out = ""
        var count = 0
        var cut = false
        for scalar in String(decoding: b[first], as: UTF8.self).unicodeScalars {
            if count == maxCharacters {
                cut = true
                break
            }
            count += 1
            let v = scalar.value
            switch v {
            case 0..<0x20, 0x7F..<0xA0:
                let hex = String(v, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            case 0x5C:
                out += "\\\\"
            case 0xFFFD, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return cut ? out + "…" : out
    }
}
