/// A token of a `Received:` value: a word, a parenthesised comment (nesting kept inside), an address literal
/// `[…]` (with an optional `:port` after it), an angle-bracketed address `<…>`, or a semicolon.
struct ReceivedToken: Sendable, Equatable {
    enum Kind: UInt8, Sendable { case word, comment, literal, angle, semicolon }
    var kind: Kind
    /// The word, or the inside of a comment, literal or angle address (delimiters excluded), as 32-bit offsets:
    /// values are at most `ReceivedParser.Limits.maxBytes` long.
    var lo: Int32
    var hi: Int32
    /// Digits of a `:port` right after a literal's `]`; -1 when there are none.
    var portValue: Int32

    @inline(__always)
    init(kind: Kind, range: Range<Int>, port: Int? = nil) {
        self.kind = kind
        lo = Int32(truncatingIfNeeded: range.lowerBound)
        hi = Int32(truncatingIfNeeded: range.upperBound)
        portValue = port.map { Int32(truncatingIfNeeded: $0) } ?? -1
    }

    var range: Range<Int> {
        @inline(__always) get { Int(lo)..<Int(hi) }
    }
    var port: Int? {
        @inline(__always) get { portValue < 0 ? nil : Int(portValue) }
    }
    var count: Int {
        @inline(__always) get { Int(hi - lo) }
    }
}

/// Splits a `Received:` value (or a comment's inside) into tokens in one pass. Every loop advances; unterminated
/// comments, literals and angle addresses end where the input ends (or, for literals, are read as words).
enum ReceivedLexer {
    /// Appends the tokens of `b[range]` to `out`, at most `limit` of them.
    static func tokens(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, limit: Int, into out: inout [ReceivedToken]
    ) {
        var produced = 0
        var i = max(0, range.lowerBound)
        let end = min(b.count, range.upperBound)
        while i < end, produced < limit {
            let c = b[i]
            if ASCII.isWhitespace(c) || c == ASCII.closeParen {
                i += 1
                continue
            }
            produced += 1
            if c == ASCII.semicolon {
                out.append(ReceivedToken(kind: .semicolon, range: i..<i + 1))
                i += 1
                continue
            }
            if c == ASCII.openParen {
                var j = i + 1
                var depth = 1
                while j < end {
                    let d = b[j]
                    if d == ASCII.backslash {
                        j = min(end, j + 2)
                        continue
                    }
                    if d == ASCII.openParen {
                        depth += 1
                    } else if d == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    j += 1
                }
                out.append(ReceivedToken(kind: .comment, range: (i + 1)..<max(i + 1, j)))
                i = min(end, j + 1)
                continue
            }
            if c == ASCII.openBracket {
                var j = i + 1
                let stop = min(end, i + 100)
                while j < stop {
                    let d = b[j]
                    if d == ASCII.closeBracket || d == ASCII.openParen || d == ASCII.closeParen || d == ASCII.semicolon
                        || d == ASCII.openBracket
                    {
                        break
                    }
                    j += 1
                }
                if j < stop, b[j] == ASCII.closeBracket {
                    let lo = i + 1
                    let hi = j
                    var port: Int? = nil
                    i = j + 1
                    if i + 1 < end, b[i] == ASCII.colon, ASCII.isDigit(b[i + 1]) {
                        var p = 0
                        var k = i + 1
                        while k < end, ASCII.isDigit(b[k]) {
                            if p < 100_000 { p = p * 10 + Int(b[k] &- 0x30) }
                            k += 1
                        }
                        port = p <= 65_535 ? p : nil
                        i = k
                    }
                    out.append(ReceivedToken(kind: .literal, range: lo..<hi, port: port))
                    continue
                }
            }
            if c == ASCII.openAngle {
                var j = i + 1
                let stop = min(end, i + 1000)
                while j < stop, b[j] != ASCII.closeAngle { j += 1 }
                if j < stop {
                    out.append(ReceivedToken(kind: .angle, range: (i + 1)..<j))
                    i = j + 1
                    continue
                }
            }
            // A word: up to blank, parenthesis or semicolon.
            var j = i + 1
            while j < end {
                let d = b[j]
                if ASCII.isWhitespace(d) || d == ASCII.openParen || d == ASCII.closeParen || d == ASCII.semicolon {
                    break
                }
                j += 1
            }
            out.append(ReceivedToken(kind: .word, range: i..<j))
            i = j
        }
    }
}
