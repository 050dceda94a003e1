public import MailCore

/// The receiving site's own public relays, learned from a sample of its mail: relays that keep handing mail to
/// the site and that themselves received each message, over SMTP, from many unrelated senders. Backup MX hosts,
/// forwarding services and a provider's relay into a home server look like this; a bulk sender or a webmail
/// provider does not (the message starts there), and mailing-list servers are left to the list rule.
///
/// A plain value: build it once per scan (`RelayProfileBuilder`), then pass it read-only to every message's
/// analysis.
public struct RelayProfile: Sendable, Equatable {
    public struct Relay: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The organisation of the receiving host (`slashnull.org`).
        public var site: String
        /// The relay's network: its /24 (IPv4) or /48 (IPv6).
        public var network: IPNetwork

        public static func < (a: Relay, b: Relay) -> Bool {
            a.site != b.site ? a.site < b.site : a.network.address < b.network.address
        }
        public var description: String { "\(network) -> \(site)" }
    }

    public struct Evidence: Sendable, Equatable {
        /// Messages in which the relay handed the message to the site.
        public var messages: Int
        /// Of those, messages in which the relay had itself received the message from a public SMTP sender.
        public var forwarded: Int
        /// Distinct /16 networks of those senders (counted up to 64).
        public var sources: Int
    }

    public private(set) var relays: [Relay: Evidence]
    /// The sites of `relays`, asked for every message with a relay named in the site.
    private let sites: Set<String>

    public init(relays: [Relay: Evidence] = [:]) {
        self.relays = relays
        sites = Set(relays.keys.map(\.site))
    }

    /// Whether any relay into the site whose organisation is `site` was learned.
    public func knowsSite(_ site: String) -> Bool { sites.contains(site) }

    /// Whether `ip` is a learned relay into the site whose organisation is `site`.
    public func contains(site: String, ip: IPAddress) -> Bool {
        relays[Relay(site: site, network: RelayProfile.network(of: ip))] != nil
    }

    private static let v4Network = IPNetwork("0.0.0.0/24")!
    private static let v6Network = IPNetwork("::/48")!

    static func network(of ip: IPAddress) -> IPNetwork {
        var n = ip.isIPv4 ? v4Network : v6Network
        n.address =
            ip.isIPv4 ? IPAddress(ipv4: (ip.ipv4Value ?? 0) & 0xFFFF_FF00) : IPAddress(high: ip.high & ~0xFFFF, low: 0)
        return n
    }
}

/// What one message says about the site's relays (see `OriginAnalyzer.observe`).
public struct RelayObservation: Sendable, Equatable {
    public var relay: RelayProfile.Relay
    /// The /16 of the public SMTP sender the relay received the message from, when it did.
    public var source: IPNetwork?
}

/// Accumulates observations into a `RelayProfile`. Feed it observations from any number of workers (merge the
/// builders), then `build()`. The counts themselves can be kept (the store's `relay_profile` table) and fed again
/// later: `counts` and `init(counts:)`.
public struct RelayProfileBuilder: Sendable {
    /// What the observations say about one relay so far.
    public struct Counts: Sendable, Equatable {
        /// Messages in which the relay handed the message to the site.
        public var messages: Int
        /// Of those, messages in which it had received the message from a public SMTP sender.
        public var forwarded: Int
        /// Distinct /16 networks of those senders, at most `maxSources` of them.
        public var sources: Set<IPNetwork>

        public init(messages: Int = 0, forwarded: Int = 0, sources: Set<IPNetwork> = []) {
            self.messages = messages
            self.forwarded = forwarded
            self.sources = sources
        }
    }

    /// Source networks kept per relay: the count is all that matters, and it only needs to reach the minimum.
    public static let maxSources = 64

    /// Messages in which a relay must have forwarded mail from a public sender.
    public var minimumForwarded: Int
    /// Distinct /16 source networks it must have forwarded from.
    public var minimumSources: Int

    public private(set) var counts: [RelayProfile.Relay: Counts] = [:]

    public init(minimumForwarded: Int = 3, minimumSources: Int = 5) {
        self.minimumForwarded = minimumForwarded
        self.minimumSources = minimumSources
    }

    public init(counts: [RelayProfile.Relay: Counts], minimumForwarded: Int = 3, minimumSources: Int = 5) {
        self.init(minimumForwarded: minimumForwarded, minimumSources: minimumSources)
        self.counts = counts
    }

    public mutating func add(_ observations: [RelayObservation]) {
        for o in observations { add(o) }
    }

    public mutating func add(_ o: RelayObservation) {
        var c = counts[o.relay] ?? Counts()
        c.messages += 1
        if let s = o.source {
            c.forwarded += 1
            if c.sources.count < RelayProfileBuilder.maxSources { c.sources.insert(s) }
        }
        counts[o.relay] = c
    }

    public mutating func merge(_ other: RelayProfileBuilder) {
        for (k, v) in other.counts {
            var c = counts[k] ?? Counts()
            c.messages += v.messages
            c.forwarded += v.forwarded
            for s in v.sources where c.sources.count < RelayProfileBuilder.maxSources { c.sources.insert(s) }
            counts[k] = c
        }
    }

    /// Whether a relay with these counts is learned: it forwarded mail from enough distinct senders, in at least
    /// half of the messages it handed over.
    public func isLearned(_ c: Counts) -> Bool {
        c.forwarded >= minimumForwarded && c.forwarded * 2 >= c.messages && c.sources.count >= minimumSources
    }

    /// The learned relays.
    public func build() -> RelayProfile {
        var out: [RelayProfile.Relay: RelayProfile.Evidence] = [:]
        for (k, c) in counts where isLearned(c) {
            out[k] = RelayProfile.Evidence(messages: c.messages, forwarded: c.forwarded, sources: c.sources.count)
        }
        return RelayProfile(relays: out)
    }
}
