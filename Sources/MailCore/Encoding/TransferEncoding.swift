/// A Content-Transfer-Encoding (RFC 2045 section 6), read leniently.
public enum TransferEncoding: Sendable, Equatable {
    case sevenBit, eightBit, binary, base64, quotedPrintable, uuencode
    /// A label no mail client knows; the body is taken as it is.
    case unknown(String)

    /// Reads a header value: surrounding blanks, quotes and a trailing comment are ignored, case too.
    public init(label raw: some Collection<UInt8>) {
        var bytes = Array(raw.prefix(64))
        if let paren = bytes.firstIndex(of: ASCII.openParen) { bytes.removeSubrange(paren...) }
        var lo = 0
        var hi = bytes.count
        while lo < hi && (ASCII.isWhitespace(bytes[lo]) || bytes[lo] == ASCII.quote) { lo += 1 }
        while hi > lo
            && (ASCII.isWhitespace(bytes[hi - 1]) || bytes[hi - 1] == ASCII.quote || bytes[hi - 1] == ASCII.semicolon)
        { hi -= 1 }
        // Compared without blanks, "-" and "_": "7-bit", "8bits" and "quoted printable" are common misspellings.
        var v: [UInt8] = []
        for c in bytes[lo..<hi] where !ASCII.isWhitespace(c) && c != ASCII.hyphen && c != 0x5F {
            v.append(ASCII.lower(c))
        }
        switch String(decoding: v, as: UTF8.self) {
        case "", "7bit", "7bits": self = .sevenBit
        case "8bit", "8bits": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quotedprintable": self = .quotedPrintable
        case "xuuencode", "uuencode", "xuue", "uue": self = .uuencode
        default: self = .unknown(String(lossyUTF8: bytes[lo..<hi]).lowercased())
        }
    }

    /// The label as stored and shown.
    public var name: String {
        switch self {
        case .sevenBit: "7bit"
        case .eightBit: "8bit"
        case .binary: "binary"
        case .base64: "base64"
        case .quotedPrintable: "quoted-printable"
        case .uuencode: "x-uuencode"
        case .unknown(let s): s
        }
    }

    /// Whether the body bytes are the content, with nothing to decode.
    public var isIdentity: Bool {
        switch self {
        case .sevenBit, .eightBit, .binary, .unknown: true
        case .base64, .quotedPrintable, .uuencode: false
        }
    }
}

/// What a transfer decoder had to repair; every count is zero for well-formed input.
public struct DecodeReport: Sendable, Equatable {
    /// Bytes that are not part of the encoding and were skipped (base64 garbage, bad uuencode characters).
    public var invalidBytes: Int = 0
    /// Escapes left as they were (quoted-printable `=` not followed by two hex digits).
    public var brokenEscapes: Int = 0
    /// Base64: data characters that did not make a whole byte at the end (1 = a lone character, dropped).
    public var danglingCharacters: Int = 0
    /// Base64: the padding was missing at the end.
    public var missingPadding: Bool = false
    /// Base64: bytes after the final padding, ignored.
    public var trailingBytes: Int = 0
    /// Uuencode: the `end` line was missing or lines were short.
    public var truncated: Bool = false

    public init() {}

    public var isClean: Bool {
        invalidBytes == 0 && brokenEscapes == 0 && danglingCharacters == 0 && !missingPadding && trailingBytes == 0
            && !truncated
    }
}

/// Transfer decoding of a body: each decoder writes at most as many bytes as it reads, so the output is sized by
/// the input and memory stays bounded by the message.
public enum TransferDecoder {
    public static func decode(_ input: UnsafeBufferPointer<UInt8>, _ encoding: TransferEncoding) -> (
        bytes: [UInt8], report: DecodeReport
    ) {
        switch encoding {
        case .base64: return Base64.decode(input)
        case .quotedPrintable: return QuotedPrintable.decode(input)
        case .uuencode: return UUEncode.decodeBody(input)
        case .sevenBit, .eightBit, .binary, .unknown: return (Array(input), DecodeReport())
        }
    }
}
