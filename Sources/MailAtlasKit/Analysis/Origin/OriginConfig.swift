public import MailCore

/// An IP network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, or one address).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    /// Prefix length in the 128-bit space (IPv4 networks are stored IPv4-mapped: `/8` is 104).
    public var prefix128: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let ip = IPAddress(first) else { return nil }
        var length = ip.isIPv4 ? 32 : 128
        if parts.count == 2 {
            guard parts[1].count <= 3, let n = Int(parts[1]), n >= 0, n <= length else { return nil }
            length = n
        }
        address = ip
        prefix128 = ip.isIPv4 ? 96 + length : length
    }

    public func contains(_ ip: IPAddress) -> Bool {
        let bits = max(0, min(128, prefix128))
        if bits == 0 { return true }
        if bits <= 64 {
            let mask: UInt64 = bits == 64 ? ~0 : ~(~0 >> UInt64(bits))
            return (ip.high & mask) == (address.high & mask)
        }
        let lowBits = bits - 64
        let mask: UInt64 = lowBits == 64 ? ~0 : ~(~0 >> UInt64(lowBits))
        return ip.high == address.high && (ip.low & mask) == (address.low & mask)
    }

    public var description: String {
        "\(address)/\(address.isIPv4 ? prefix128 - 96 : prefix128)"
    }
}

/// What the user tells the origin analysis about their site. Everything is optional: with nothing set the trust
/// boundary is inferred (see docs/origin.md).
public struct OriginConfig: Sendable, Equatable {
    /// The receiving site's own relays (MX hosts, filters, mailbox servers). A hop from one of them is inside.
    public var internalNetworks: [IPNetwork]
    /// Relays trusted not to forge their Received headers although they are not the site's own (a backup-MX
    /// service, a forwarder): the origin is looked for below them, and `handover_ip` records them.
    public var trustedNetworks: [IPNetwork]
    /// Treat an identified mailing-list server as a trusted forwarder (the default) or as the origin.
    public var trustListServers: Bool

    public init(internalNetworks: [IPNetwork] = [], trustedNetworks: [IPNetwork] = [], trustListServers: Bool = true) {
        self.internalNetworks = internalNetworks
        self.trustedNetworks = trustedNetworks
        self.trustListServers = trustListServers
    }

    /// Parses a comma- or blank-separated list of networks; returns the entries that are not networks separately.
    public static func networks(_ text: String) -> (networks: [IPNetwork], invalid: [String]) {
        var out: [IPNetwork] = []
        var bad: [String] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" }) {
            if let n = IPNetwork(String(item)) { out.append(n) } else { bad.append(String(item)) }
        }
        return (out, bad)
    }
}
