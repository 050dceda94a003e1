/// When a message crossed into the receiving side (`messages.received_utc`): the time the receiving side wrote, not
/// the `Date` the sender wrote. Reports count months by it, as log-based reports (pflogsumm, awstats) do.
public struct Arrival: Sendable, Equatable {
    /// Which time it is (`messages.received_source`).
    public enum Source: String, Sendable, CaseIterable {
        /// The hop that recorded the origin: the receiving side's intake (for fetched mail, the mailbox provider's
        /// intake, not the fetch).
        case originHop = "origin-hop"
        /// No origin hop with a time: the topmost hop the receiving side wrote that has one.
        case receivingHop = "receiving-hop"
        /// No hop of the receiving side has a readable time: the `Date` header, which the sender wrote.
        case date
    }

    /// ISO 8601 UTC.
    public var utc: String
    public var source: Source

    public init(utc: String, source: Source) {
        self.utc = utc
        self.source = source
    }

    /// The arrival of a message with these stored hops and origin. The receiving side wrote the hops above the first
    /// untrusted one and that one too. The store's migration `v7` computes the same from stored rows.
    public static func of(hops: [HopFacts], origin: OriginFacts?, dateUTC: String?) -> Arrival? {
        if let h = origin?.hop, h >= 0, h < hops.count, let t = hops[h].timestampUTC {
            return Arrival(utc: t, source: .originHop)
        }
        let boundary = hops.first(where: { !$0.trusted })?.position ?? Int.max
        if let t = hops.first(where: { $0.position <= boundary && $0.timestampUTC != nil })?.timestampUTC {
            return Arrival(utc: t, source: .receivingHop)
        }
        return dateUTC.map { Arrival(utc: $0, source: .date) }
    }
}
