public import Foundation

/// Which time puts a message in a period.
public enum ReportTimeBasis: String, Sendable, CaseIterable {
    /// When it crossed into the receiving side (`messages.received_utc`): what the site saw, as log-based reports
    /// count.
    case arrival
    /// The `Date` header, which the sender wrote (`messages.date_utc`).
    case date

    /// The column that holds the time.
    var column: String { self == .arrival ? "received_utc" : "date_utc" }
}

/// What a report covers and how much of each table it shows.
public struct ReportRequest: Sendable {
    /// `spam`, `ham`, `unknown`, or nil for every verdict (`--verdict all`).
    public var verdict: String?
    /// Only messages in these folders (exact names as stored in `messages.folder`); empty for every folder.
    public var folders: [String]
    public var period: ReportPeriod
    /// Rows in the top-N tables (providers, IPs, domains, attachment tables) and countries in the charts.
    public var top: Int
    /// When the report was made (ISO 8601 UTC), printed in it.
    public var generatedAt: String
    /// The store's file name, printed in the report.
    public var storeName: String
    /// Which time puts a message in the period (`--by`).
    public var basis: ReportTimeBasis
    /// Where days and months begin (`--tz`); nil for UTC.
    public var timeZone: TimeZone?
    /// The time zone's name (`UTC` when none).
    public var timeZoneName: String { timeZone?.identifier ?? "UTC" }

    public init(
        verdict: String?, folders: [String], period: ReportPeriod, top: Int, generatedAt: String, storeName: String,
        basis: ReportTimeBasis = .arrival, timeZone: TimeZone? = nil
    ) {
        self.basis = basis
        self.timeZone = timeZone.flatMap { $0.identifier == "UTC" || $0.identifier == "GMT" ? nil : $0 }
        self.verdict = verdict
        self.folders = folders
        self.period = period
        self.top = top
        self.generatedAt = generatedAt
        self.storeName = storeName
    }
}

/// A report, as read from the store: plain values that the JSON writer, the CSV templates and the HTML template
/// all render. Text that came from messages (AS names, domains, file names, HELO and rDNS names, subjects) is kept
/// as stored; each output escapes it.
public struct Report: Sendable {
    public var request: ReportRequest
    public var totals: Totals
    public var previousTotals: Totals
    public var byCountry: [CountryRow]
    public var byProvider: [ProviderRow]
    public var topIPs: [IPRow]
    public var topDomains: [DomainRow]
    public var countryTLD: CrossTable
    public var authentication: Authentication
    /// The period's origin IPs on each DNS blocklist checked (`enrich --dnsbl`), at check time.
    public var blocklists: [BlocklistRow] = []
    public var attachments: Attachments
    public var trend: Trend
    public var quality: DataQuality

    public var period: ReportPeriod { request.period }
    public var previousPeriod: ReportPeriod { request.period.previous }

    public struct Totals: Sendable, Equatable {
        /// Messages in the period that match the verdict and folder filters.
        public var messages = 0
        /// Messages in the period in the selected folders, whatever their verdict.
        public var allMessages = 0
        /// Of those, spam.
        public var spamMessages = 0
        public var originIPs = 0
        /// Distinct countries of origin: codes that `CountryNames.isCountry` accepts, so not EU, AP or the like.
        public var countries = 0
        public var providers = 0
        public var withoutOrigin = 0

        public var spamShare: Double? { allMessages == 0 ? nil : Double(spamMessages) / Double(allMessages) }
    }

    public struct ProviderShare: Sendable, Equatable {
        public var asn: Int?
        public var asName: String?
        public var messages: Int
    }

    public struct CountryRow: Sendable, Equatable {
        /// ISO 3166 alpha-2, nil for messages without an origin IP or whose country is unknown.
        public var country: String?
        public var messages: Int
        public var originIPs: Int
        public var previousMessages: Int
        public var topProviders: [ProviderShare]
    }

    public struct ProviderRow: Sendable, Equatable {
        /// nil for messages whose origin has no known autonomous system (or no origin at all).
        public var asn: Int?
        public var asName: String?
        /// The country most of this provider's messages came from.
        public var country: String?
        public var messages: Int
        public var originIPs: Int
        public var previousMessages: Int
        public var firstSeen: String?
        public var lastSeen: String?
        public var exampleIPs: [String]
    }

    public struct SeenName: Sendable, Equatable {
        public var rdns: String?
        public var helo: String?
        public var messages: Int
    }

    public struct IPRow: Sendable, Equatable {
        public var ip: String
        public var messages: Int
        public var country: String?
        public var asn: Int?
        public var asName: String?
        public var firstSeen: String?
        public var lastSeen: String?
        /// The rDNS and HELO names recorded at the hop that decided the origin, most frequent first.
        public var names: [SeenName]
        public var exampleSubject: String?
    }

    public struct DomainRow: Sendable, Equatable {
        public var domain: String
        public var messages: Int
        /// Sum of `links.count`: occurrences in those messages.
        public var occurrences: Int
        public var countries: Int
        public var sources: [String]
        public var isIP: Bool
        /// Messages of the whole store with verdict `ham` that link to the domain: list footers, font and image
        /// services, the sender's own sites. 0: seen only outside ham (the signal).
        public var hamMessages: Int = 0
    }

    /// What the receiving side's own checks said about the period's messages (`messages.auth_*`, only results the
    /// receiving side wrote).
    public struct Authentication: Sendable, Equatable {
        /// Messages per result (`pass`, `fail`, …; nil: no result the receiving side wrote), most first.
        public var spf: [AuthCount] = []
        public var dkim: [AuthCount] = []
        public var dmarc: [AuthCount] = []
        /// DKIM signing domains that passed, most messages first: senders whose signature the period's messages
        /// carried (for spam: abused or compromised legitimate senders, or the spammer's own domains).
        public var passedDKIMDomains: [SigningDomainRow] = []
        /// False for a store from before migration `v8`.
        public var known = true
    }

    public struct HostingProviderRow: Sendable, Equatable {
        public var asn: Int?
        public var asName: String?
        /// A country of the provider's linked addresses (the largest code when they lie in several).
        public var country: String?
        public var messages: Int
        public var hosts: Int
    }

    public struct BlocklistRow: Sendable, Equatable {
        public var zone: String
        /// Distinct origin IPs of the period with an answer from the zone (listed or not).
        public var checked: Int
        public var listed: Int
        /// Origin IPs whose check the zone refused or did not answer (never counted as listed or not).
        public var unanswered: Int
    }

    public struct AuthCount: Sendable, Equatable {
        public var result: String?
        public var messages: Int
    }

    public struct SigningDomainRow: Sendable, Equatable {
        public var domain: String
        public var messages: Int
        /// Of those, messages whose DMARC result was `pass` (the signature aligned with the From domain).
        public var dmarcPass: Int
        /// Messages of the whole store with verdict `ham` signed by the domain and passing.
        public var hamMessages: Int
    }

    /// Sending country × linked TLD: messages (distinct) per cell, for the top countries and TLDs.
    public struct CrossTable: Sendable, Equatable {
        public var countries: [String?]
        public var tlds: [String]
        /// `cells[i][j]`: messages from `countries[i]` linking to a domain under `tlds[j]`.
        public var cells: [[Int]]
        /// Messages of the period with at least one link.
        public var messagesWithLinks: Int
        /// Links to IP addresses, the one kind of linked host placed without DNS: sending country × the country of
        /// the linked address, most messages first (`links.host_country`).
        public var ipHosts: [IPHostRow] = []
        /// False for a store from before migration `v4`, which does not record linked-host countries.
        public var ipHostsKnown = true
        /// Sent from here, hosted there: origin country × the country of the linked host, for links to IP
        /// addresses and for host names `enrich --dns` resolved (a host name by its own answer when it has addresses,
        /// else by its registrable domain's); a host whose addresses lie in several countries counts in each, a
        /// message once per pair. `addresses` counts distinct linked hosts (names and IP addresses).
        public var hostedThere: [IPHostRow] = []
        /// Whether the store has DNS answers (`enrich --dns` ran at least once, migration `v9`).
        public var resolvedHosts = false
        /// The networks (AS) hosting the linked sites placed as in `hostedThere`: messages and distinct hosts per AS,
        /// most messages first.
        public var hostingProviders: [HostingProviderRow] = []
    }

    public struct IPHostRow: Sendable, Equatable {
        /// The messages' origin country.
        public var country: String?
        /// The country of the linked IP address (nil: private, special-purpose or not in the geo databases).
        public var hostCountry: String?
        public var messages: Int
        /// Distinct linked addresses.
        public var addresses: Int
        /// For resolved host names (`hostedThere`): the fewest and most whole days between a message's arrival and
        /// the DNS answer that placed its link (spam sites die within days: a late answer may place a parked page).
        /// Nil for links to IP addresses, which need no answer.
        public var minDaysAfterArrival: Int? = nil
        public var maxDaysAfterArrival: Int? = nil
    }

    public struct CountRow: Sendable, Equatable {
        public var key: String?
        public var attachments: Int
        public var messages: Int
    }

    public struct MismatchRow: Sendable, Equatable {
        public var extensionName: String?
        public var detectedType: String?
        public var declaredType: String?
        public var flags: String
        public var exampleFilename: String?
        public var attachments: Int
        public var messages: Int
    }

    public struct ArchiveRow: Sendable, Equatable {
        public var member: String
        public var memberType: String?
        public var exampleArchive: String?
        public var encrypted: Bool
        public var messages: Int
    }

    public struct Attachments: Sendable, Equatable {
        public var attachments = 0
        public var messages = 0
        public var detectedTypes: [CountRow] = []
        public var extensions: [CountRow] = []
        public var flags: [CountRow] = []
        public var mismatches: [MismatchRow] = []
        /// Archives holding executables or scripts (any depth): attachments and messages.
        public var riskyArchives = 0
        public var riskyArchiveMessages = 0
        public var riskyMembers: [ArchiveRow] = []
    }

    public struct TrendSeries: Sendable, Equatable {
        public var country: String?
        public var messages: [Int]
    }

    public struct Trend: Sendable, Equatable {
        /// `YYYY-MM`, oldest first.
        public var months: [String]
        public var overall: [Int]
        /// The period's top countries (known countries only).
        public var countries: [TrendSeries]
    }

    public struct DiagnosticRow: Sendable, Equatable {
        public var code: String
        public var severity: String
        public var count: Int
        public var messages: Int
    }

    public struct GeoDatabase: Sendable, Equatable {
        public var name: String
        public var date: String?
        public var kind: String?
        public var firstScan: Int
        public var lastScan: Int
    }

    public struct DataQuality: Sendable, Equatable {
        /// Messages without an origin IP, by `origin_rule`.
        public var withoutOrigin: [CountRow] = []
        public var originWithoutCountry = 0
        public var originWithoutASN = 0
        public var removedFromSpool = 0
        public var truncated = 0
        /// Messages (matching the filters) with no time of the report's basis: in no period.
        public var undated = 0
        /// Messages that arrived in the period whose Date is more than a day from their arrival.
        public var dateFarFromArrival = 0
        /// Messages that arrived in the period by their Date header (no hop of the receiving side has a time).
        public var arrivalFromDate = 0
        public var diagnostics: [DiagnosticRow] = []
        public var fileDiagnostics: [DiagnosticRow] = []
        public var geoDatabases: [GeoDatabase] = []
        public var scans = 0
        public var lastScanAt: String?
        public var lastScanStatus: String?
        /// Origin IPs of the period that look like a relay of the site the origin walk missed (`mailatlas relays`).
        public var suspects: [ReceivingSide.Suspect] = []
    }
}

/// Detected types that are programs or scripts (the `links` analysis names, and the short names of older stores).
enum RiskyTypes {
    static let all: [String] = [
        "exe", "dll", "dos-exe", "elf", "macho", "java-class", "msi", "lnk", "javascript", "vbscript", "powershell",
        "batch", "shell", "wsf", "hta", "pe", "js", "vbs", "ps1", "bat", "cmd", "jar", "scr",
    ]
}
