import Glibc

/// Lenient quoted-printable (RFC 2045 section 6.7).
///
/// `=XX` with upper- or lower-case hex becomes the byte; `=` at the end of a line (CRLF, LF or a lone CR, with
/// blanks allowed between `=` and the line break) is a soft line break; any other `=` is left as it is, and so is
/// everything else, line breaks included.
public enum QuotedPrintable {
    public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], report: DecodeReport) {
        var report = DecodeReport()
        let bytes = [UInt8](unsafeUninitializedCapacity: input.count) { out, written in
            written = decode(input, into: out, header: false, report: &report)
        }
        return (bytes, report)
    }

    /// Decodes into `out` (at least `input.count` bytes); `header` makes `_` a space (RFC 2047 Q encoding, where
    /// line breaks do not occur). Returns the number of bytes written.
    static func decode(
        _ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, header: Bool,
        report: inout DecodeReport
    ) -> Int {
        let n = input.count
        var i = 0
        var o = 0
        while i < n {
            if !header, let base = input.baseAddress, let outBase = out.baseAddress {
                // Everything up to the next `=` is copied as it is.
                var eq = n
                if let hit = memchr(base + i, Int32(ASCII.equals), n - i) {
                    eq = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                }
                if eq > i {
                    (outBase + o).update(from: base + i, count: eq - i)
                    o += eq - i
                    i = eq
                }
                if i >= n { break }
            }
            let c = input[i]
            if c != ASCII.equals {
                out[o] = header && c == 0x5F ? ASCII.space : c
                o += 1
                i += 1
                continue
            }
            // An escape or a soft line break.
            if i + 2 < n, let hi = ASCII.hexValue(input[i + 1]), let lo = ASCII.hexValue(input[i + 2]) {
                out[o] = hi << 4 | lo
                o += 1
                i += 3
                continue
            }
            // Soft line break: "=" blanks* (CRLF | LF | CR | end of input); encoded words have no line breaks.
            var j = i + 1
            if header { j = -1 }
            while j >= 0 && j < n && ASCII.isSpaceOrTab(input[j]) { j += 1 }
            if j == n {
                i = n
                continue
            }
            if j >= 0 && input[j] == ASCII.lf {
                i = j + 1
                continue
            }
            if j >= 0 && input[j] == ASCII.cr {
                i = j + 1 < n && input[j + 1] == ASCII.lf ? j + 2 : j + 1
                continue
            }
            // A broken escape: keep the "=" and go on with the next byte.
            report.brokenEscapes += 1
            out[o] = ASCII.equals
            o += 1
            i += 1
        }
        return o
    }
}
