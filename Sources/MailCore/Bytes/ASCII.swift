/// Byte predicates and small byte helpers shared by every parser in MailCore.
///
/// Parsers work on bytes and keep values as ranges until a value is stored; these helpers
/// are the vocabulary they share. Everything here is total: no input can trap.
public enum ASCII {
    public static let tab: UInt8 = 0x09
    public static let lf: UInt8 = 0x0A
    public static let cr: UInt8 = 0x0D
    public static let space: UInt8 = 0x20
    public static let colon: UInt8 = 0x3A
    public static let semicolon: UInt8 = 0x3B
    public static let equals: UInt8 = 0x3D
    public static let quote: UInt8 = 0x22
    public static let backslash: UInt8 = 0x5C
    public static let openParen: UInt8 = 0x28
    public static let closeParen: UInt8 = 0x29
    public static let openAngle: UInt8 = 0x3C
    public static let closeAngle: UInt8 = 0x3E
    public static let openBracket: UInt8 = 0x5B
    public static let closeBracket: UInt8 = 0x5D
    public static let at: UInt8 = 0x40
    public static let dot: UInt8 = 0x2E
    public static let hyphen: UInt8 = 0x2D
    public static let question: UInt8 = 0x3F

    @inlinable public static func isSpaceOrTab(_ b: UInt8) -> Bool { b == space || b == tab }
    /// Space, tab, CR or LF.
    @inlinable public static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf }
    @inlinable public static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inlinable public static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inlinable public static func isAlphaNumeric(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    @inlinable public static func isHexDigit(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }
    @inlinable public static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    /// The value of a hexadecimal digit, or nil.
    @inlinable public static func hexValue(_ b: UInt8) -> UInt8? {
        if isDigit(b) { return b &- 0x30 }
        let l = b | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 &+ 10 }
        return nil
    }

    /// A header field name character (RFC 5322 ftext: printable ASCII except colon).
    @inlinable public static func isFieldNameByte(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F && b != colon }
}

extension Collection<UInt8> {
    /// Case-insensitive comparison with an ASCII literal given as a lower-case `StaticString`-like byte array.
    @inlinable public func equalsLowercasedASCII(_ lowered: some Collection<UInt8>) -> Bool {
        guard count == lowered.count else { return false }
        for (a, b) in zip(self, lowered) where ASCII.lower(a) != b { return false }
        return true
    }

    /// Whether the bytes start with the given lower-case ASCII prefix, ignoring case.
    @inlinable public func hasLowercasedASCIIPrefix(_ lowered: some Collection<UInt8>) -> Bool {
        guard count >= lowered.count else { return false }
        for (a, b) in zip(self, lowered) where ASCII.lower(a) != b { return false }
        return true
    }
}

extension Array where Element == UInt8 {
    /// Bytes of an ASCII string literal.
    @inlinable public init(ascii s: StaticString) {
        self = s.withUTF8Buffer { Array($0) }
    }
}

extension String {
    /// A string from bytes that should be UTF-8; invalid sequences become U+FFFD.
    @inlinable public init(lossyUTF8 bytes: some Collection<UInt8>) {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Case-insensitive tests of a range of a byte buffer against a lower-case ASCII literal, and the small range
/// helpers the header parsers share. Ranges are the caller's (already inside the buffer); nothing is copied.
extension UnsafeBufferPointer<UInt8> {
    /// Whether `self[r]` equals the lower-case ASCII literal, ignoring ASCII case.
    @inline(__always)
    func asciiEquals(_ r: Range<Int>, _ lowered: StaticString) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard r.count == n else { return false }
        let p = lowered.utf8Start
        for k in 0..<n where ASCII.lower(self[r.lowerBound + k]) != p[k] { return false }
        return true
    }

    /// Whether `self[r]` starts with the lower-case ASCII literal, ignoring ASCII case.
    @inline(__always)
    func asciiHasPrefix(_ r: Range<Int>, _ lowered: StaticString) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard r.count >= n else { return false }
        let p = lowered.utf8Start
        for k in 0..<n where ASCII.lower(self[r.lowerBound + k]) != p[k] { return false }
        return true
    }

    /// Whether the lower-case ASCII literal occurs at `i`, ignoring ASCII case, not reaching past `end`.
    @inline(__always)
    func asciiMatches(at i: Int, _ lowered: StaticString, end: Int) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard i + n <= end else { return false }
        let p = lowered.utf8Start
        for k in 0..<n where ASCII.lower(self[i + k]) != p[k] { return false }
        return true
    }

    /// Whether the lower-case ASCII literal occurs anywhere in `self[r]`, ignoring ASCII case.
    func asciiContains(_ r: Range<Int>, _ lowered: StaticString) -> Bool {
        let n = lowered.utf8CodeUnitCount
        guard n > 0, r.count >= n else { return false }
        let first = lowered.utf8Start[0]
        var i = r.lowerBound
        let last = r.upperBound - n
        while i <= last {
            if ASCII.lower(self[i]) == first, asciiMatches(at: i, lowered, end: r.upperBound) { return true }
            i += 1
        }
        return false
    }

    /// Whether `byte` occurs in `self[r]`.
    @inline(__always)
    func contains(byte: UInt8, in r: Range<Int>) -> Bool {
        for k in r where self[k] == byte { return true }
        return false
    }

    /// Whether every byte of `self[r]` is ASCII.
    @inline(__always)
    func isASCII(_ r: Range<Int>) -> Bool {
        for k in r where self[k] >= 0x80 { return false }
        return true
    }

    /// `r` without the bytes `drop` accepts at either end.
    @inline(__always)
    func trimming(_ r: Range<Int>, _ drop: (UInt8) -> Bool) -> Range<Int> {
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi, drop(self[lo]) { lo += 1 }
        while hi > lo, drop(self[hi - 1]) { hi -= 1 }
        return lo..<hi
    }
}
