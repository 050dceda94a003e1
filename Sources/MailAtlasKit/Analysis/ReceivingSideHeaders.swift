public import MailCore

/// Which header fields the receiving side wrote, so that what they claim (a spam filter's verdict, the results of
/// SPF, DKIM and DMARC checks) can be believed. A sender can write any header it likes, `X-Spam-Status: No` and an
/// `Authentication-Results` naming the recipient's server included; what it cannot do is put a field above the
/// Received header that the recipient's own server wrote when it took the message.
///
/// The receiving side's part of the header block (`zoneEnd`): every field above the Received header *below* the
/// hop that recorded the origin. That takes in the fields the boundary server's filters inserted under its own
/// Received line (milters insert at the top of the headers they see, which do not include the server's own Received
/// line) and leaves out everything the sender wrote, which sits under its own (or forged) Received lines or, in mail
/// sent straight to the recipient's server, under the boundary hop with no Received line of its own. In that last
/// shape the sender's first fields also sit in the zone: a field that names its writer (`Authentication-Results`'s
/// authserv-id) must then name a host of the receiving side. Filters that append at the bottom of the header block
/// write where the sender writes too; their fields are not believed (docs/origin.md, "Headers the receiving side
/// wrote").
public enum ReceivingSideHeaders {
    /// Index in `header.fields` of the first field that the receiving side did not write (the fields before it did):
    /// the Received field below the hop that recorded the origin, or, when no hop recorded an origin, below the
    /// lowest trusted hop. The whole block when that hop is the bottom one; 0 when there are no hops.
    public static func zoneEnd(
        header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>, hops: [HopFacts], origin: OriginFacts?
    ) -> Int {
        guard !hops.isEmpty else { return 0 }
        let boundary: Int
        if let o = origin?.hop {
            boundary = o
        } else if let firstUntrusted = hops.firstIndex(where: { !$0.trusted }) {
            boundary = firstUntrusted
        } else {
            boundary = hops.count - 1
        }
        var seen = 0
        for (k, field) in header.fields.enumerated() where OriginAnalyzer.isReceived(field.name, b) {
            if seen == boundary + 1 { return k }
            seen += 1
        }
        return header.fields.count
    }

    /// The names the receiving side's servers go by in this message: the `by` hosts of the hops it wrote (down to
    /// the boundary hop) and the names of the trusted senders above the boundary, lower-cased.
    public static func names(hops: [HopFacts], origin: OriginFacts?) -> Set<String> {
        let boundary = origin?.hop ?? (hops.firstIndex { !$0.trusted } ?? hops.count - 1)
        var out: Set<String> = []
        for h in hops where h.position <= boundary {
            if let by = h.byHost { out.insert(HostText.lowerWithoutTrailingDots(by)) }
            if h.position < boundary {
                for n in [h.fromRDNS, h.fromHelo].compactMap({ $0 }) {
                    out.insert(HostText.lowerWithoutTrailingDots(n))
                }
            }
        }
        return out
    }

    /// Whether `name` (an authserv-id, a filter's host name) is one of the receiving side's hosts or belongs to the
    /// same organisation (registrable domain) or site as one of them.
    public static func belongs(_ name: String, to names: Set<String>) -> Bool {
        let n = HostText.lowerWithoutTrailingDots(name)
        if names.contains(n) { return true }
        guard let site = OrgDomain.site(of: n) else { return false }
        return names.contains { OrgDomain.site(of: $0) == site }
    }
}
