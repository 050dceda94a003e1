/// A URL host as a browser would resolve it: lower case, percent-decoded, IDN labels as `xn--` Punycode (the
/// Unicode form kept beside), Unicode dots and full-width letters folded, zero-width characters dropped, and the
/// numeric IPv4 spellings browsers accept (`0x7f000001`, `0177.0.0.1`, `2130706433`, `127.1`) read as addresses.
///
/// This is a pragmatic subset of UTS #46 / the WHATWG host parser: no NFC normalisation and no full IDNA mapping
/// table; what it does not understand it refuses (nil) rather than guess.
public struct HostName: Sendable, Equatable, CustomStringConvertible {
    /// Lower-case ASCII host (`xn--` labels for IDNs, dotted quad for IPv4, RFC 5952 text for IPv6), no trailing dot.
    public var ascii: String
    /// The host in Unicode when at least one label is an IDN, nil otherwise.
    public var unicode: String?
    /// The address when the host is an IP literal or a numeric IPv4 spelling.
    public var ip: IPAddress?
    /// How the written host differed from `ascii`: signs of obfuscation.
    public var tricks: Tricks

    public var isIP: Bool { ip != nil }
    public var description: String { ascii }

    public struct Tricks: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let percentEncoded = Tricks(rawValue: 1)
        /// An IPv4 address written as hex, octal, a dword or with fewer than four parts.
        public static let numericIP = Tricks(rawValue: 2)
        public static let unicodeDot = Tricks(rawValue: 4)
        public static let zeroWidth = Tricks(rawValue: 8)
        public static let fullWidth = Tricks(rawValue: 16)
        public static let upperCase = Tricks(rawValue: 32)
        public static let trailingDot = Tricks(rawValue: 64)
    }

    public static let maxInputBytes = 1024
    public static let maxLength = 253
    public static let maxLabelLength = 63

    public init(ascii: String, unicode: String? = nil, ip: IPAddress? = nil, tricks: Tricks = []) {
        self.ascii = ascii
        self.unicode = unicode
        self.ip = ip
        self.tricks = tricks
    }

    /// Normalises the host part of a URL as written (still percent-encoded, possibly bracketed IPv6). Nil when it is
    /// not a usable host.
    public static func normalize(_ raw: some Collection<UInt8>) -> HostName? {
        switch raw.withContiguousStorageIfAvailable({ normalizeASCII($0) }) {
        case .host(let h)?: return h
        case .refused?: return nil
        case .other?, nil: return normalizeAny(raw)
        }
    }

    /// What the ASCII fast path decided.
    enum FastResult {
        case host(HostName)
        /// Not a usable host, whichever way it is read.
        case refused
        /// Needs the full reading: percent escapes, non-ASCII bytes, IP literals or numbers, `xn--` labels.
        case other
    }

    /// The common case in one pass and one allocation at most: ASCII letters, digits, `-` and `_` in dot-separated
    /// labels, no percent escape, not an IP, no Punycode label. Lower-cases into the result directly; anything
    /// else is left to `normalizeAny`, which decides exactly as before.
    static func normalizeASCII(_ b: UnsafeBufferPointer<UInt8>) -> FastResult {
        let n = b.count
        guard n > 0, n <= maxInputBytes else { return .refused }
        if b[0] == ASCII.openBracket { return .other }
        var tricks: Tricks = []
        var end = n
        if b[n - 1] == ASCII.dot {
            end = n - 1
            tricks.insert(.trailingDot)
        }
        var labelStart = 0
        var forbidden = false
        var i = 0
        while i < end {
            let c = b[i]
            if c == ASCII.dot {
                if i == labelStart { return .refused }  // an empty label
                if i - labelStart > maxLabelLength { forbidden = true }
                labelStart = i + 1
            } else if c &- 0x41 < 26 {
                tricks.insert(.upperCase)
            } else if c == 0x25 || c >= 0x80 {
                return .other
            } else if !(c &- 0x61 < 26 || c &- 0x30 < 10 || c == ASCII.hyphen || c == 0x5F) {
                forbidden = true
            }
            i += 1
        }
        if end == labelStart { return .refused }  // empty last label (or nothing but a dot)
        if end - labelStart > maxLabelLength { forbidden = true }
        // A host that ends in a number is an IPv4 address or nothing: the full reading decides.
        if isNumberLabel(b, labelStart, end) { return .other }
        // Characters outside labels refuse the name; an IPv4 reading would refuse them too.
        if forbidden || end > maxLength { return .refused }
        // `xn--` labels have a Unicode form to decode.
        var k = 0
        while k + 4 <= end {
            if (k == 0 || b[k - 1] == ASCII.dot), b[k] | 0x20 == 0x78, b[k + 1] | 0x20 == 0x6E,
                b[k + 2] == ASCII.hyphen,
                b[k + 3] == ASCII.hyphen
            {
                return .other
            }
            k += 1
        }
        let ascii = String(unsafeUninitializedCapacity: end) { out in
            for j in 0..<end { out[j] = ASCII.lower(b[j]) }
            return end
        }
        return .host(HostName(ascii: ascii, tricks: tricks))
    }

    /// `endsInNumber` over ASCII bytes: all decimal digits, or `0x` and hex digits.
    static func isNumberLabel(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var allDigits = true
        for j in s..<e where !ASCII.isDigit(b[j]) {
            allDigits = false
            break
        }
        if allDigits { return true }
        guard e - s >= 2, b[s] == 0x30, b[s + 1] | 0x20 == 0x78 else { return false }
        for j in (s + 2)..<e where !ASCII.isHexDigit(b[j]) { return false }
        return true
    }

    /// The full reading: percent escapes, IP literals and numbers, Unicode folding, Punycode.
    static func normalizeAny(_ raw: some Collection<UInt8>) -> HostName? {
        guard !raw.isEmpty, raw.count <= maxInputBytes else { return nil }
        var tricks: Tricks = []
        // 1. Percent-decoding.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var it = Array(raw)[...]
        while let b = it.first {
            if b == 0x25, it.count >= 3, let h = ASCII.hexValue(it[it.startIndex + 1]),
                let l = ASCII.hexValue(it[it.startIndex + 2])
            {
                bytes.append(h << 4 | l)
                it = it.dropFirst(3)
                tricks.insert(.percentEncoded)
            } else {
                bytes.append(b)
                it = it.dropFirst()
            }
        }
        // 2. IPv6 literal.
        if bytes.first == ASCII.openBracket {
            guard bytes.last == ASCII.closeBracket, let ip = IPAddress(bytes: bytes), !ip.isIPv4 || bytes.contains(0x3A)
            else { return nil }
            return HostName(ascii: ip.description, ip: ip, tricks: tricks)
        }
        // 3. UTF-8 to scalars, folding what browsers fold.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: break decoding
            case .error: return nil
            }
        }
        var folded: [Unicode.Scalar] = []
        folded.reserveCapacity(scalars.count)
        for s in scalars {
            switch s.value {
            case 0x200B...0x200D, 0x2060, 0xFEFF, 0x00AD, 0x034F, 0x180E:
                tricks.insert(.zeroWidth)
            case 0x3002, 0xFF0E, 0xFF61:
                tricks.insert(.unicodeDot)
                folded.append(".")
            case 0xFF01...0xFF5E:
                tricks.insert(.fullWidth)
                if let a = Unicode.Scalar(s.value - 0xFEE0) { folded.append(a) }
            case 0x41...0x5A:
                tricks.insert(.upperCase)
                if let a = Unicode.Scalar(s.value | 0x20) { folded.append(a) }
            case 0...0x7F:
                folded.append(s)
            default:
                let lower = String(Character(s)).lowercased()
                folded.append(contentsOf: lower.unicodeScalars)
            }
        }
        // Full-width capitals were folded to ASCII capitals above: lower them now.
        for i in folded.indices where folded[i].value &- 0x41 < 26 {
            folded[i] = Unicode.Scalar(UInt8(truncatingIfNeeded: folded[i].value) | 0x20)
        }
        // 4. Labels.
        var labels = folded.split(separator: ".", omittingEmptySubsequences: false).map { Array($0) }
        if labels.count > 1, labels.last?.isEmpty == true {
            labels.removeLast()
            tricks.insert(.trailingDot)
        }
        guard !labels.isEmpty, !labels.contains(where: \.isEmpty) else { return nil }
        // 5. A host that ends in a number is an IPv4 address, or nothing.
        if let last = labels.last, endsInNumber(last) {
            guard let v4 = parseWHATWGIPv4(labels) else { return nil }
            let ip = IPAddress(ipv4: v4)
            let text = ip.description
            let written = labels.map { String(String.UnicodeScalarView($0)) }.joined(separator: ".")
            if written != text { tricks.insert(.numericIP) }
            return HostName(ascii: text, ip: ip, tricks: tricks)
        }
        // 6. Each label to ASCII.
        var asciiLabels: [String] = []
        var unicodeLabels: [String] = []
        var isIDN = false
        for label in labels {
            if label.allSatisfy(\.isASCII) {
                guard label.count <= maxLabelLength, label.allSatisfy(isHostLabelScalar) else { return nil }
                let text = String(String.UnicodeScalarView(label))
                asciiLabels.append(text)
                if text.hasPrefix("xn--"), let decoded = Punycode.decode(text.utf8.dropFirst(4)) {
                    isIDN = true
                    unicodeLabels.append(String(String.UnicodeScalarView(decoded)))
                } else {
                    unicodeLabels.append(text)
                }
            } else {
                guard label.allSatisfy(isIDNScalar), let encoded = Punycode.encode(label) else { return nil }
                let text = "xn--" + encoded
                guard text.utf8.count <= maxLabelLength else { return nil }
                isIDN = true
                asciiLabels.append(text)
                unicodeLabels.append(String(String.UnicodeScalarView(label)))
            }
        }
        let ascii = asciiLabels.joined(separator: ".")
        guard ascii.utf8.count <= maxLength else { return nil }
        return HostName(ascii: ascii, unicode: isIDN ? unicodeLabels.joined(separator: ".") : nil, tricks: tricks)
    }

    /// A PSL rule's label text in ASCII (rules may be written in Unicode), or nil.
    static func asciiRule(_ rule: Substring) -> String? {
        guard !rule.isEmpty else { return nil }
        if rule.utf8.allSatisfy({ $0 < 0x80 }) { return rule.lowercased() }
        var labels: [String] = []
        for label in rule.split(separator: ".", omittingEmptySubsequences: false) {
            let scalars = Array(label.lowercased().unicodeScalars)
            if scalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(scalars) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        return labels.joined(separator: ".")
    }

    /// Letters, digits, hyphen and underscore (seen in real host names, though not in the DNS hostname rules).
    static func isHostLabelScalar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (v &- 0x61 < 26) || (v &- 0x30 < 10) || v == 0x2D || v == 0x5F
    }

    /// Scalars allowed in an IDN label: ASCII label characters and non-ASCII letters, marks and digits (not
    /// symbols, spaces, controls or unassigned code points).
    static func isIDNScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return isHostLabelScalar(s) }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark,
            .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// WHATWG "ends in a number": the last label is all decimal digits or `0x` followed by hex digits.
    static func endsInNumber(_ label: [Unicode.Scalar]) -> Bool {
        if label.allSatisfy({ $0.value &- 0x30 < 10 }) { return true }
        if label.count >= 2, label[0] == "0", label[1] == "x" || label[1] == "X" {
            return label.dropFirst(2).allSatisfy { $0.isASCII && ASCII.isHexDigit(UInt8(truncatingIfNeeded: $0.value)) }
        }
        return false
    }

    /// The WHATWG IPv4 parser: 1–4 parts, each decimal, `0x` hex or `0`-prefixed octal; the last part fills the
    /// remaining bytes. Nil when any part fails or a value is out of range.
    static func parseWHATWGIPv4(_ labels: [[Unicode.Scalar]]) -> UInt32? {
        guard labels.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for part in labels {
            guard let n = parseIPv4Number(part) else { return nil }
            numbers.append(n)
        }
        for n in numbers.dropLast() where n > 255 { return nil }
        guard let last = numbers.last else { return nil }
        let shift = UInt64(8 * (5 - numbers.count))
        guard last < (1 << shift) else { return nil }
        var value = last
        for (i, n) in numbers.dropLast().enumerated() { value += n << UInt64(8 * (3 - i)) }
        return UInt32(truncatingIfNeeded: value)
    }

    static func parseIPv4Number(_ part: [Unicode.Scalar]) -> UInt64? {
        guard !part.isEmpty, part.count <= 40, part.allSatisfy(\.isASCII) else { return nil }
        var digits = part.map { UInt8(truncatingIfNeeded: $0.value) }[...]
        var radix: UInt64 = 10
        if digits.count >= 2, digits[digits.startIndex] == 0x30, digits[digits.startIndex + 1] | 0x20 == 0x78 {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.first == 0x30 {
            digits = digits.dropFirst()
            radix = 8
        }
        var value: UInt64 = 0
        for d in digits {
            guard let v = ASCII.hexValue(d), UInt64(v) < radix else { return nil }
            value = value * radix + UInt64(v)
            if value > UInt64(UInt32.max) { return nil }
        }
        return value
    }
}
