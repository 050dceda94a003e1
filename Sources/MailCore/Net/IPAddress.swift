/// An IPv4 or IPv6 address as a 128-bit value (IPv4 stored IPv4-mapped, `::ffff:a.b.c.d`).
///
/// Parsing is strict about the address itself and tolerant of what mail headers wrap around it: an `IPv6:` prefix,
/// a zone id (`%eth0`), surrounding brackets. Every function here is total.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// High and low 64 bits, network order.
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its 32-bit value.
    public init(ipv4 value: UInt32) {
        high = 0
        low = 0x0000_FFFF_0000_0000 | UInt64(value)
    }

    /// Whether this is an IPv4 address (stored IPv4-mapped).
    public var isIPv4: Bool { high == 0 && (low >> 32) == 0x0000_FFFF }

    /// The IPv4 value, when this is IPv4.
    public var ipv4Value: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    // MARK: Parsing

    /// Parses text such as `39.33.27.49`, `2001:db8::1`, `IPv6:2001:db8::1`, `[10.0.0.1]`, `fe80::1%eth0`,
    /// `::ffff:1.2.3.4`. Returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parsed =
            text.utf8.withContiguousStorageIfAvailable { IPAddress.parse($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { IPAddress.parse($0) }
        guard let v = parsed else { return nil }
        self = v
    }

    public init?(bytes: some Collection<UInt8>) {
        let parsed =
            bytes.withContiguousStorageIfAvailable { IPAddress.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { IPAddress.parse($0) }
        guard let v = parsed else { return nil }
        self = v
    }

    /// Parses `b[range]` (clamped to the buffer) without copying it.
    @inlinable
    public static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> IPAddress? {
        let lo = Swift.max(0, Swift.min(range.lowerBound, b.count))
        let hi = Swift.max(lo, Swift.min(range.upperBound, b.count))
        return parse(UnsafeBufferPointer(rebasing: b[lo..<hi]))
    }

    static func parse(_ input: ArraySlice<UInt8>) -> IPAddress? {
        input.withUnsafeBufferPointer { parse($0) }
    }

    /// The parser: blanks, brackets, `IPv6:` and a zone id around the address are tolerated.
    @usableFromInline
    static func parse(_ s: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        var lo = 0
        var hi = s.count
        while lo < hi, ASCII.isWhitespace(s[lo]) { lo += 1 }
        while hi > lo, ASCII.isWhitespace(s[hi - 1]) { hi -= 1 }
        if hi > lo, s[lo] == ASCII.openBracket, s[hi - 1] == ASCII.closeBracket {
            // `dropFirst().dropLast()`: a lone `[` that is also the last byte leaves nothing.
            lo += 1
            hi = Swift.max(lo, hi - 1)
        }
        if hi - lo > 5, ASCII.lower(s[lo]) == 0x69, ASCII.lower(s[lo + 1]) == 0x70, ASCII.lower(s[lo + 2]) == 0x76,
            s[lo + 3] == 0x36, s[lo + 4] == ASCII.colon
        {
            lo += 5
        }
        guard hi > lo, hi - lo <= 64 else { return nil }
        // Every address starts with a hexadecimal digit or a colon: most host names are turned away here.
        guard ASCII.isHexDigit(s[lo]) || s[lo] == ASCII.colon else { return nil }
        var colon = false
        var k = lo
        while k < hi {
            let c = s[k]
            if c == 0x25 {  // zone id
                hi = k
                break
            }
            if c == ASCII.colon { colon = true }
            k += 1
        }
        if colon { return parseIPv6(s, lo, hi) }
        return parseIPv4(s, lo, hi).map { IPAddress(ipv4: $0) }
    }

    /// Dotted-quad IPv4 with decimal octets only (no leading `0x`, no octal, at most three digits per octet).
    static func parseIPv4(_ s: ArraySlice<UInt8>) -> UInt32? {
        s.withUnsafeBufferPointer { parseIPv4($0, 0, $0.count) }
    }

    @usableFromInline
    static func parseIPv4(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var digits = 0
        var octet: UInt32 = 0
        var i = lo
        while i < hi {
            let c = s[i]
            i += 1
            if ASCII.isDigit(c) {
                digits += 1
                guard digits <= 3 else { return nil }
                octet = octet * 10 + UInt32(c &- 0x30)
            } else if c == ASCII.dot {
                guard digits > 0, octet <= 255, octets < 3 else { return nil }
                value = value << 8 | octet
                octets += 1
                digits = 0
                octet = 0
            } else {
                return nil
            }
        }
        guard digits > 0, octet <= 255, octets == 3 else { return nil }
        return value << 8 | octet
    }

    @usableFromInline
    static func parseIPv6(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> IPAddress? {
        // Up to eight groups, kept in two words as they are read; a `::` gap is opened at the end.
        var groups: (UInt64, UInt64) = (0, 0)
        var count = 0
        func append(_ g: UInt16) {
            if count < 4 {
                groups.0 |= UInt64(g) << UInt64(48 - 16 * count)
            } else {
                groups.1 |= UInt64(g) << UInt64(48 - 16 * (count - 4))
            }
            count += 1
        }
        var gapAt: Int? = nil
        var i = start
        if i < end, s[i] == ASCII.colon {
            guard i + 1 < end, s[i + 1] == ASCII.colon else { return nil }
            gapAt = 0
            i += 2
        }
        while i < end {
            // An embedded IPv4 tail.
            var j = i
            var sawDot = false
            while j < end, s[j] != ASCII.colon {
                if s[j] == ASCII.dot { sawDot = true }
                j += 1
            }
            if sawDot {
                guard j == end, count <= 6, let v4 = parseIPv4(s, i, j) else { return nil }
                append(UInt16(truncatingIfNeeded: v4 >> 16))
                append(UInt16(truncatingIfNeeded: v4))
                i = j
                break
            }
            guard j > i, j - i <= 4 else { return nil }
            var g: UInt16 = 0
            for k in i..<j {
                guard let h = ASCII.hexValue(s[k]) else { return nil }
                g = g << 4 | UInt16(h)
            }
            guard count < 8 else { return nil }
            append(g)
            i = j
            if i < end {
                // A colon; a second one marks the gap.
                i += 1
                if i < end, s[i] == ASCII.colon {
                    guard gapAt == nil else { return nil }
                    gapAt = count
                    i += 1
                } else if i == end {
                    return nil  // trailing single colon
                }
            }
        }
        var hi = groups.0
        var lo = groups.1
        if let gap = gapAt {
            guard count < 8 else { return nil }
            // Move the groups from `gap` on to the end: a 128-bit shift right of that tail by the missing groups.
            let missing = 8 - count
            let tailBits = (count - gap) * 16
            let all = (hi, lo)
            // The groups before the gap stay; the tail moves right by `missing` groups.
            let headMask = maskHigh(bits: gap * 16)
            let head = (all.0 & headMask.0, all.1 & headMask.1)
            var tail = (all.0 & ~headMask.0, all.1 & ~headMask.1)
            if tailBits > 0 { tail = shiftRight(tail, by: missing * 16) }
            hi = head.0 | tail.0
            lo = head.1 | tail.1
        }
        guard gapAt != nil || count == 8 else { return nil }
        return IPAddress(high: hi, low: lo)
    }

    /// A 128-bit mask of the top `bits` bits, as (high, low).
    static func maskHigh(bits: Int) -> (UInt64, UInt64) {
        if bits <= 0 { return (0, 0) }
        if bits >= 128 { return (~0, ~0) }
        if bits <= 64 { return (bits == 64 ? ~0 : ~(~0 >> UInt64(bits)), 0) }
        let b = bits - 64
        return (~0, b == 64 ? ~0 : ~(~0 >> UInt64(b)))
    }

    static func shiftRight(_ v: (UInt64, UInt64), by n: Int) -> (UInt64, UInt64) {
        if n <= 0 { return v }
        if n >= 128 { return (0, 0) }
        if n >= 64 { return (0, v.0 >> UInt64(n - 64)) }
        return (v.0 >> UInt64(n), (v.1 >> UInt64(n)) | (v.0 << UInt64(64 - n)))
    }

    // MARK: Formatting

    /// Dotted quad for IPv4, RFC 5952 text for IPv6 (lower case, longest zero run compressed).
    public var description: String {
        String(unsafeUninitializedCapacity: 48) { out in
            var n = 0
            func put(_ c: UInt8) {
                out[n] = c
                n += 1
            }
            func decimal(_ v: UInt32) {
                if v >= 100 { put(UInt8(truncatingIfNeeded: 0x30 + v / 100)) }
                if v >= 10 { put(UInt8(truncatingIfNeeded: 0x30 + v / 10 % 10)) }
                put(UInt8(truncatingIfNeeded: 0x30 + v % 10))
            }
            func hex(_ g: UInt16) {
                var started = false
                for shift in stride(from: 12, through: 0, by: -4) {
                    let d = UInt8(truncatingIfNeeded: g >> UInt16(shift)) & 0xF
                    if d != 0 || started || shift == 0 {
                        put(d < 10 ? 0x30 + d : 0x57 + d)
                        started = true
                    }
                }
            }
            if let v4 = ipv4Value {
                decimal(v4 >> 24)
                put(ASCII.dot)
                decimal((v4 >> 16) & 0xFF)
                put(ASCII.dot)
                decimal((v4 >> 8) & 0xFF)
                put(ASCII.dot)
                decimal(v4 & 0xFF)
                return n
            }
            func group(_ k: Int) -> UInt16 {
                UInt16(truncatingIfNeeded: (k < 4 ? high : low) >> UInt64(48 - 16 * (k & 3)))
            }
            var bestStart = -1
            var bestLen = 0
            var k = 0
            while k < 8 {
                if group(k) == 0 {
                    var e = k
                    while e < 8 && group(e) == 0 { e += 1 }
                    if e - k > bestLen && e - k >= 2 {
                        bestStart = k
                        bestLen = e - k
                    }
                    k = e
                } else {
                    k += 1
                }
            }
            if bestStart < 0 {
                for k in 0..<8 {
                    if k > 0 { put(ASCII.colon) }
                    hex(group(k))
                }
                return n
            }
            for k in 0..<bestStart {
                if k > 0 { put(ASCII.colon) }
                hex(group(k))
            }
            put(ASCII.colon)
            put(ASCII.colon)
            for k in (bestStart + bestLen)..<8 {
                if k > bestStart + bestLen { put(ASCII.colon) }
                hex(group(k))
            }
            return n
        }
    }

    // MARK: Classification

    /// What kind of address this is, for the trust boundary and for geo lookups.
    public var scope: Scope {
        if let v4 = ipv4Value { return IPAddress.scopeIPv4(v4) }
        return scopeIPv6
    }

    /// Whether the address is globally routable unicast (not private, loopback, documentation, reserved…).
    public var isPublic: Bool { scope == .public }

    public enum Scope: String, Sendable, CaseIterable {
        case `public`
        case unspecified  // 0.0.0.0/8, ::
        case loopback  // 127/8, ::1
        case `private`  // RFC 1918
        case sharedCGNAT = "cgnat"  // 100.64/10
        case linkLocal = "link-local"  // 169.254/16, fe80::/10
        case uniqueLocal = "ula"  // fc00::/7
        case documentation  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
        case benchmarking  // 198.18/15, 2001:2::/48
        case multicast  // 224/4, ff00::/8
        case broadcast  // 255.255.255.255
        case reserved  // 240/4, 192.0.0/24, other IETF special purpose blocks
    }

    static func scopeIPv4(_ a: UInt32) -> Scope {
        func inNet(_ net: UInt32, _ bits: UInt32) -> Bool {
            bits == 0 ? true : (a >> (32 - bits)) == (net >> (32 - bits))
        }
        if a == 0xFFFF_FFFF { return .broadcast }
        if inNet(0x0000_0000, 8) { return .unspecified }
        if inNet(0x7F00_0000, 8) { return .loopback }
        if inNet(0x0A00_0000, 8) || inNet(0xAC10_0000, 12) || inNet(0xC0A8_0000, 16) { return .private }
        if inNet(0x6440_0000, 10) { return .sharedCGNAT }
        if inNet(0xA9FE_0000, 16) { return .linkLocal }
        if inNet(0xC000_0200, 24) || inNet(0xC633_6400, 24) || inNet(0xCB00_7100, 24) { return .documentation }
        if inNet(0xC612_0000, 15) { return .benchmarking }
        if inNet(0xE000_0000, 4) { return .multicast }
        if inNet(0xF000_0000, 4) || inNet(0xC000_0000, 24) { return .reserved }
        return .public
    }

    var scopeIPv6: Scope {
        if high == 0 && low == 0 { return .unspecified }
        if high == 0 && low == 1 { return .loopback }
        let top16 = UInt16(truncatingIfNeeded: high >> 48)
        if top16 & 0xFFC0 == 0xFE80 { return .linkLocal }
        if top16 & 0xFE00 == 0xFC00 { return .uniqueLocal }
        if top16 & 0xFF00 == 0xFF00 { return .multicast }
        if high >> 32 == 0x2001_0DB8 || (high >> 44) == 0x3FFF0 { return .documentation }
        if high >> 16 == 0x2001_0002_0000 { return .benchmarking }
        // IPv4-compatible / NAT64 well-known prefixes and other IETF blocks are not globally routable unicast.
        if high == 0 { return .reserved }
        if high >> 32 == 0x0064_FF9B && high & 0xFFFF_FFFF == 0 { return .reserved }
        // Global unicast is 2000::/3.
        if top16 & 0xE000 != 0x2000 { return .reserved }
        return .public
    }
}
