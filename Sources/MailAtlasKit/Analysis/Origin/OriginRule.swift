/// The rule that decided a message's origin. The raw value is the text stored in `messages.origin_rule`
/// (docs/schema.md, docs/origin.md).
public enum OriginRule: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// The first hop from outside, with nothing of the site's but its own hosts above it.
    case edge
    /// The host that handed the message to a mailing-list server the recipient reads through.
    case list
    /// The first hop from outside below the site's own public relays (learned, forwarders, configured, named).
    case ownRelays = "own-relays"
    /// Below a POP/IMAP retrieval: the first hop from outside the mailbox provider the message was fetched from.
    case fetch
    /// The first hop from outside a mailbox provider's own network (Exchange Online, Google).
    case providerInternal = "provider-internal"
    /// Every hop is on the receiving side: the message never crossed from outside.
    case noneInternal = "none-internal"
    /// The first hop from outside records no address, or the header that would have is missing.
    case noneUnclear = "none-unclear"
    /// The first hop from outside records an address that is not public (or not an address).
    case noneNonpublic = "none-nonpublic"

    public var description: String { rawValue }

    /// Whether the rule names an origin IP.
    public var hasOrigin: Bool {
        switch self {
        case .noneInternal, .noneUnclear, .noneNonpublic: return false
        default: return true
        }
    }
}

/// How far a user can take an origin decision at face value. The raw value is the text stored in
/// `messages.origin_confidence`. Ordered by strength: `low < medium < high`.
public enum OriginConfidence: String, Sendable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    /// Names only, or a missing header: a guess the spool could not confirm.
    case low
    /// A learned relay, a forwarder, a HELO next to the site's relays, a skipped header, a list server as origin.
    case medium
    /// Addresses and the site's own hosts decided.
    case high

    public var description: String { rawValue }

    private var strength: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        }
    }

    public static func < (a: OriginConfidence, b: OriginConfidence) -> Bool { a.strength < b.strength }
}
