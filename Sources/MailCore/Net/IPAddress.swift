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
        guard let v = IPAddress.parse(Array(text.utf8)[...]) else { return nil }
        self = v
    }

    public init?(bytes: some Collection<UInt8>) {
        guard let v = IPAddress.parse(Array(bytes)[...]) else { return nil }
        self = v
    }

    static func parse(_ input: ArraySlice<UInt8>) -> IPAddress? {
        var s = input
        while let f = s.first, ASCII.isWhitespace(f) { s = s.dropFirst() }
        while let l = s.last, ASCII.isWhitespace(l) { s = s.dropLast() }
        if s.first == ASCII.openBracket, s.last == ASCII.closeBracket { s = s.dropFirst().dropLast() }
        if s.count > 5, s.prefix(5).equalsLowercasedASCII("ipv6:".utf8) { s = s.dropFirst(5) }
        guard !s.isEmpty, s.count <= 64 else { return nil }
        if let pct = s.firstIndex(of: 0x25) { s = s[s.startIndex..<pct] }  // zone id
        if s.contains(ASCII.colon) { return parseIPv6(s) }
        return parseIPv4(s).map { IPAddress(ipv4: $0) }
    }

    /// Dotted-quad IPv4 with decimal octets only (no leading `0x`, no octal, at most three digits per octet).
    static func parseIPv4(_ s: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var digits = 0
        var octet: UInt32 = 0
        for c in s {
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

    static func parseIPv6(_ s: ArraySlice<UInt8>) -> IPAddress? {
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var gapAt: Int? = nil
        var i = s.startIndex
        let end = s.endIndex
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
                guard j == end, groups.count <= 6, let v4 = parseIPv4(s[i..<j]) else { return nil }
                groups.append(UInt16(truncatingIfNeeded: v4 >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4))
                i = j
                break
            }
            guard j > i, j - i <= 4 else { return nil }
            var g: UInt16 = 0
            for k in i..<j {
                guard let h = ASCII.hexValue(s[k]) else { return nil }
                g = g << 4 | UInt16(h)
            }
            groups.append(g)
            guard groups.count <= 8 else { return nil }
            i = j
            if i < end {
                // A colon; a second one marks the gap.
                i += 1
                if i < end, s[i] == ASCII.colon {
                    guard gapAt == nil else { return nil }
                    gapAt = groups.count
                    i += 1
                } else if i == end {
                    return nil  // trailing single colon
                }
            }
        }
        if let gap = gapAt {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(groups[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(groups[k]) }
        return IPAddress(high: hi, low: lo)
    }

    // MARK: Formatting

    /// Dotted quad for IPv4, RFC 5952 text for IPv6 (lower case, longest zero run compressed).
    public var description: String {
        if let v4 = ipv4Value {
            return "\(v4 >> 24).\((v4 >> 16) & 0xFF).\((v4 >> 8) & 0xFF).\(v4 & 0xFF)"
        }
        var groups: [UInt16] = []
        for k in 0..<4 { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * k))) }
        for k in 0..<4 { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * k))) }
        var bestStart = -1
        var bestLen = 0
        var k = 0
        while k < 8 {
            if groups[k] == 0 {
                var e = k
                while e < 8 && groups[e] == 0 { e += 1 }
                if e - k > bestLen && e - k >= 2 {
                    bestStart = k
                    bestLen = e - k
                }
                k = e
            } else {
                k += 1
            }
        }
        func hex(_ g: UInt16) -> String { String(g, radix: 16) }
        if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
        let head = groups[0..<bestStart].map(hex).joined(separator: ":")
        let tail = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
        return head + "::" + tail
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
