/// Everything the scan learns about one message: one plain `Sendable` value, made by the analysis in a
/// worker task and stored by the single writer. The location of the message (file, index, offset, folder)
/// travels beside it in the pipeline, not inside it, so analysing a message needs no knowledge of the spool.
public struct MessageFacts: Sendable {
    /// Size of the message in bytes (after mbox un-escaping).
    public var size: Int
    /// SHA-256 of the message bytes, lower-case hex.
    public var sha256: String
    public var messageID: String?
    /// ISO 8601 in UTC (`2026-10-01T12:34:56Z`), nil when there is no usable Date header.
    public var dateUTC: String?
    /// The Subject as a reader sees it (encoded words decoded, unfolded).
    public var subject: String?
    /// The From address (`local@domain`), nil when none can be read.
    public var fromAddress: String?
    /// The From display name, decoded.
    public var fromName: String?
    /// A verdict read from filter headers (`X-Spam-Flag` …), nil when the headers say nothing.
    public var headerVerdict: VerdictEvidence?
    /// Received hops, position 0 = topmost (newest) header.
    public var hops: [HopFacts]
    /// SPF, DKIM and DMARC as the receiving side's `Authentication-Results` report them; nil when it wrote none.
    public var authentication: AuthenticationFacts?
    /// The origin decision; nil when the analysis has no origin to report.
    public var origin: OriginFacts?
    /// When the message crossed into the receiving side, and which time says so (`Arrival`).
    public var arrival: Arrival?
    /// One entry per distinct URL.
    public var links: [LinkFacts]
    public var attachments: [AttachmentFacts]
    /// Repairs and problems met while reading this message.
    public var diagnostics: [DiagnosticFacts]
    /// What the message says about the receiving site's relays (`OriginAnalyzer.observe`), made from the same
    /// parse as the origin; the store's relay profile adds it up across the spool.
    public var relayObservations: [RelayObservation] = []

    public init(
        size: Int, sha256: String, messageID: String? = nil, dateUTC: String? = nil, subject: String? = nil,
        fromAddress: String? = nil, fromName: String? = nil, headerVerdict: VerdictEvidence? = nil,
        hops: [HopFacts] = [], origin: OriginFacts? = nil, links: [LinkFacts] = [],
        attachments: [AttachmentFacts] = [], diagnostics: [DiagnosticFacts] = []
    ) {
        self.size = size
        self.sha256 = sha256
        self.messageID = messageID
        self.dateUTC = dateUTC
        self.subject = subject
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.headerVerdict = headerVerdict
        self.hops = hops
        self.origin = origin
        self.links = links
        self.attachments = attachments
        self.diagnostics = diagnostics
    }
}

/// `spam`, `ham` or `unknown`, as stored in `messages.verdict`.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    case spam, ham, unknown
}

/// A verdict and the evidence that decided it (stored in `messages.verdict_source`, e.g. `header:x-spam-flag`).
public struct VerdictEvidence: Sendable, Equatable {
    public var verdict: Verdict
    public var source: String
    public init(_ verdict: Verdict, source: String) {
        self.verdict = verdict
        self.source = source
    }
}

/// One Received header, parsed (a row of `received_hops`).
public struct HopFacts: Sendable, Equatable {
    public var position: Int
    public var fromHelo: String?
    public var fromRDNS: String?
    public var fromIP: String?
    /// An IP address claimed in the HELO/EHLO argument, kept apart from the connecting IP.
    public var heloIP: String?
    public var ident: String?
    public var byHost: String?
    public var via: String?
    public var protocolName: String?
    public var smtpID: String?
    public var forAddress: String?
    public var tls: String?
    public var auth: String?
    public var timestampUTC: String?
    /// Seconds between the previous (older) hop's timestamp and this one's; nil when either is unknown.
    public var delaySeconds: Int?
    /// Seconds between the message's Date header and this hop's timestamp (positive: the hop is later); large
    /// values show a skewed clock or a forged Date. Nil when either is unknown.
    public var dateOffsetSeconds: Int?
    /// Whether the hop's sending host is on the receiving side (the hop lies above the trust boundary).
    public var trusted: Bool
    public init(position: Int, trusted: Bool = false) {
        self.position = position
        self.trusted = trusted
    }
}

/// Where the message came from, and why the analysis says so.
public struct OriginFacts: Sendable, Equatable {
    /// Connecting IP of the first untrusted hop; nil when the message never crossed from outside.
    public var ip: String?
    /// Position of the hop that decided (in `hops`).
    public var hop: Int?
    /// The rule that decided (its raw value is the stored `origin_rule`).
    public var rule: OriginRule
    /// How far the decision can be taken at face value (its raw value is the stored `origin_confidence`).
    public var confidence: OriginConfidence
    /// The IP that handed the message over when mailing-list servers are not trusted.
    public var handoverIP: String?
    /// The earliest public IP the chain claims (unverifiable).
    public var claimedFirstIP: String?
    /// A value of X-Originating-IP, X-Sender-IP or a similar header.
    public var originatingIPHeader: String?
    public init(
        ip: String?, hop: Int?, rule: OriginRule, confidence: OriginConfidence, handoverIP: String? = nil,
        claimedFirstIP: String? = nil, originatingIPHeader: String? = nil
    ) {
        self.ip = ip
        self.hop = hop
        self.rule = rule
        self.confidence = confidence
        self.handoverIP = handoverIP
        self.claimedFirstIP = claimedFirstIP
        self.originatingIPHeader = originatingIPHeader
    }
}

/// One distinct URL found in a message (a row of `links`).
public struct LinkFacts: Sendable, Equatable {
    public var url: String
    public var host: String
    /// Registrable domain (Public Suffix List), or the IP for IP hosts.
    public var domain: String
    public var tld: String?
    public var isIP: Bool
    /// `text`, `href`, `img`, `form`, `css`, `meta`, `attachment`.
    public var source: String
    public var count: Int
    /// The host shown in the anchor text when it differs from the target.
    public var displayHost: String?
    /// The host in Unicode when it was an IDN.
    public var unicodeHost: String?
    public var truncated: Bool
    public var defanged: Bool
    public init(
        url: String, host: String, domain: String, tld: String?, isIP: Bool, source: String, count: Int = 1,
        displayHost: String? = nil, unicodeHost: String? = nil, truncated: Bool = false, defanged: Bool = false
    ) {
        self.url = url
        self.host = host
        self.domain = domain
        self.tld = tld
        self.isIP = isIP
        self.source = source
        self.count = count
        self.displayHost = displayHost
        self.unicodeHost = unicodeHost
        self.truncated = truncated
        self.defanged = defanged
    }
}

/// One attachment-like part (a row of `attachments`, with its `archive_members`).
public struct AttachmentFacts: Sendable, Equatable {
    /// Position in the MIME tree, e.g. `1.2` (1-based, as IMAP numbers parts).
    public var partPath: String
    public var filename: String?
    public var declaredType: String?
    public var detectedType: String?
    public var extensionName: String?
    public var size: Int
    public var sha256: String
    public var isInline: Bool
    public var isArchive: Bool
    public var encrypted: Bool
    /// Comma-separated flags (`double-extension`, `type-mismatch`, `rtl-override`, …).
    public var flags: [String]
    public var members: [ArchiveMemberFacts]
    public init(
        partPath: String, filename: String?, declaredType: String?, detectedType: String?, extensionName: String?,
        size: Int, sha256: String, isInline: Bool = false, isArchive: Bool = false, encrypted: Bool = false,
        flags: [String] = [], members: [ArchiveMemberFacts] = []
    ) {
        self.partPath = partPath
        self.filename = filename
        self.declaredType = declaredType
        self.detectedType = detectedType
        self.extensionName = extensionName
        self.size = size
        self.sha256 = sha256
        self.isInline = isInline
        self.isArchive = isArchive
        self.encrypted = encrypted
        self.flags = flags
        self.members = members
    }
}

public struct ArchiveMemberFacts: Sendable, Equatable {
    public var name: String
    public var size: Int64
    public var compressedSize: Int64
    public var detectedType: String?
    public var encrypted: Bool
    /// 0 for members of the attachment itself, 1 for members of an archive inside it.
    public var depth: Int
    public init(
        name: String, size: Int64, compressedSize: Int64, detectedType: String?, encrypted: Bool, depth: Int = 0
    ) {
        self.name = name
        self.size = size
        self.compressedSize = compressedSize
        self.detectedType = detectedType
        self.encrypted = encrypted
        self.depth = depth
    }
}

/// A problem met while reading a message or a file; becomes a `diagnostics` row.
public struct DiagnosticFacts: Sendable, Equatable {
    public enum Severity: String, Sendable { case info, warning, error }
    public var severity: Severity
    /// A stable, documented code, e.g. `mime.depth-limit`, `header.encoded-word`.
    public var code: String
    public var message: String
    public init(_ severity: Severity, _ code: String, _ message: String) {
        self.severity = severity
        self.code = code
        self.message = message
    }
}
