public import MailCore

/// Everything a scan is told on the command line.
public struct ScanOptions: Sendable {
    public var roots: [String]
    /// A verdict given for every message under these roots (`--label spam|ham`).
    public var label: Verdict?
    /// Parse tasks in flight at once (`--jobs`).
    public var jobs: Int
    /// Messages larger than this are stored from their headers only, with a diagnostic.
    public var maxMessageSize: Int
    public var followSymlinks: Bool
    /// Delete rows of messages whose files disappeared (instead of only marking them).
    public var prune: Bool
    /// Files per unit of work for single-message files; messages per unit for mbox files.
    public var filesPerUnit: Int
    public var messagesPerUnit: Int
    /// Messages per write transaction.
    public var messagesPerTransaction: Int
    /// The trust-boundary settings for the origin analysis (`--internal-networks`, `--trusted-networks`…).
    public var origin: OriginConfig = OriginConfig()
    /// The site's relays, when known beforehand; otherwise learned by a pre-pass (see `learnRelays`).
    public var relayProfile: RelayProfile? = nil
    /// Messages the relay-learning pre-pass reads (0: no pre-pass).
    public var learnRelays: Int = 20_000
    /// The IP databases for origin and hop countries and ASes (`--geo-db`).
    public var geo: GeoResolver = .embeddedOnly
    /// Link extraction: the Public Suffix List (`--public-suffix-list`), defanged forms (`--recover-defanged`).
    public var links: LinkExtractorOptions = LinkExtractorOptions()

    public init(
        roots: [String], label: Verdict? = nil, jobs: Int = ScanOptions.defaultJobs, maxMessageSize: Int = 50 << 20,
        followSymlinks: Bool = false, prune: Bool = false, filesPerUnit: Int = 64, messagesPerUnit: Int = 128,
        messagesPerTransaction: Int = 5000
    ) {
        self.roots = roots
        self.label = label
        self.jobs = max(1, jobs)
        self.maxMessageSize = max(64 * 1024, maxMessageSize)
        self.followSymlinks = followSymlinks
        self.prune = prune
        self.filesPerUnit = max(1, filesPerUnit)
        self.messagesPerUnit = max(1, messagesPerUnit)
        self.messagesPerTransaction = max(1, messagesPerTransaction)
    }

    /// The number of active processor cores.
    public static var defaultJobs: Int { max(1, SystemInfo.activeProcessorCount) }
}
