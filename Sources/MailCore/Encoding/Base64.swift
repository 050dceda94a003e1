/// Lenient base64 (RFC 2045 section 6.8) as mail clients read it.
///
/// Characters outside the alphabet (line breaks, blanks, garbage) are skipped; decoding stops at the padding that
/// completes a quantum (what follows is ignored and counted); missing padding is supplied; a lone data character at
/// the end, which cannot make a byte, is dropped. This is what Python's `binascii.a2b_base64` does in its default
/// mode, except that Python gives up on a lone final character and returns the undecoded text.
public enum Base64 {
    static let invalid: UInt8 = 0xFF
    static let pad: UInt8 = 0xFE

    static let table: [UInt8] = {
        var t = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(ASCII.equals)] = pad
        return t
    }()

    public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], report: DecodeReport) {
        var report = DecodeReport()
        let capacity = input.count / 4 * 3 + 3
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { out, written in
            written = decode(input, into: out, report: &report)
        }
        return (bytes, report)
    }

    /// Decodes into `out`, which must hold `input.count / 4 * 3 + 3` bytes; returns the number written.
    static func decode(
        _ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, report: inout DecodeReport
    ) -> Int {
        table.withUnsafeBufferPointer { t in
            var acc: UInt32 = 0
            var quad = 0
            var pads = 0
            var o = 0
            var i = 0
            let n = input.count
            while i < n {
                // Whole quanta of alphabet characters at a quantum boundary (the common case: every line of a
                // base64 body) decode four characters at a time, exactly as the loop below would.
                if quad == 0 {
                    while i + 4 <= n {
                        let a = t[Int(input[i])]
                        let b = t[Int(input[i + 1])]
                        let c = t[Int(input[i + 2])]
                        let d = t[Int(input[i + 3])]
                        guard (a | b | c | d) < 64 else { break }
                        out[o] = a << 2 | b >> 4
                        out[o + 1] = b << 4 | c >> 2
                        out[o + 2] = c << 6 | d
                        o += 3
                        i += 4
                    }
                    if i >= n { break }
                }
                let c = input[i]
                let v = t[Int(c)]
                i += 1
                if v < 64 {
                    acc = acc << 6 | UInt32(v)
                    quad += 1
                    pads = 0
                    if quad == 4 {
                        out[o] = UInt8(truncatingIfNeeded: acc >> 16)
                        out[o + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                        out[o + 2] = UInt8(truncatingIfNeeded: acc)
                        o += 3
                        quad = 0
                        acc = 0
                    }
                } else if v == pad {
                    if quad >= 2 {
                        pads += 1
                        if quad + pads >= 4 {
                            // The quantum is complete: the data ends here.
                            var rest = 0
                            for k in i..<n where !ASCII.isWhitespace(input[k]) { rest += 1 }
                            report.trailingBytes = rest
                            return flush(acc: acc, quad: quad, out: out, at: o)
                        }
                    }
                } else if !ASCII.isWhitespace(c) {
                    report.invalidBytes += 1
                }
            }
            if quad == 1 {
                report.danglingCharacters = 1
                return o
            }
            if quad > 1 { report.missingPadding = true }
            return flush(acc: acc, quad: quad, out: out, at: o)
        }
    }

    @inline(__always)
    private static func flush(acc: UInt32, quad: Int, out: UnsafeMutableBufferPointer<UInt8>, at o: Int) -> Int {
        switch quad {
        case 2:
            out[o] = UInt8(truncatingIfNeeded: acc >> 4)
            return o + 1
        case 3:
            out[o] = UInt8(truncatingIfNeeded: acc >> 10)
            out[o + 1] = UInt8(truncatingIfNeeded: acc >> 2)
            return o + 2
        default:
            return o
        }
    }
}
