public import MailCore

/// What one database knows about one address: any of the fields may be missing (a country database has no ASN,
/// an ASN database no country).
public struct GeoRecord: Sendable, Equatable {
    /// ISO 3166-1 alpha-2 code as the database wrote it (upper case), or a regional code such as `EU`.
    public var country: String?
    public var asn: UInt32?
    public var asName: String?

    public init(country: String? = nil, asn: UInt32? = nil, asName: String? = nil) {
        self.country = country
        self.asn = asn
        self.asName = asName
    }

    public var isEmpty: Bool { country == nil && asn == nil && asName == nil }
}

/// A database the resolver can ask: the project's own range tables (embedded or imported) or a MaxMind DB file.
public protocol GeoSource: AnyObject, Sendable {
    var info: GeoSourceInfo { get }
    /// The record for an address, or nil when the database has nothing for it. Never traps, whatever the file held.
    func record(for address: IPAddress) -> GeoRecord?
}

/// How a database describes itself in `geo info`, in `geo lookup` and in `scans.geo_databases`.
public struct GeoSourceInfo: Sendable, Equatable, Codable {
    /// A short name: `IPFire Location Database`, `GeoLite2-Country`, …
    public var name: String
    /// `embedded`, `mailatlas` (a file made by `geo import`) or `mmdb`.
    public var kind: String
    /// The data's date, `YYYY-MM-DD`, when known.
    public var date: String?
    /// Where it was read from (`embedded` for the built-in database).
    public var path: String
    /// Number of ranges (or MaxMind search-tree networks) with data, when the format tells.
    public var ipv4Ranges: Int?
    public var ipv6Ranges: Int?
    /// What the database holds: any of `country`, `asn`, `as_name`.
    public var fields: [String]
    /// Attribution the data's licence asks for, when the database carries one.
    public var attribution: String?

    public init(
        name: String, kind: String, date: String?, path: String, ipv4Ranges: Int? = nil, ipv6Ranges: Int? = nil,
        fields: [String], attribution: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.date = date
        self.path = path
        self.ipv4Ranges = ipv4Ranges
        self.ipv6Ranges = ipv6Ranges
        self.fields = fields
        self.attribution = attribution
    }
}

/// The resolver's answer for one address.
public struct GeoAnswer: Sendable, Equatable {
    /// `public` for a globally routable address; otherwise the special-purpose range the address is in
    /// (private, loopback, CGNAT, …), and then the other fields are nil: such an address has no country.
    public var scope: IPAddress.Scope
    public var country: String?
    public var asn: UInt32?
    public var asName: String?
    /// Name of the database that gave the country, and of the one that gave the ASN (often the same).
    public var countrySource: String?
    public var asnSource: String?

    public init(
        scope: IPAddress.Scope, country: String? = nil, asn: UInt32? = nil, asName: String? = nil,
        countrySource: String? = nil, asnSource: String? = nil
    ) {
        self.scope = scope
        self.country = country
        self.asn = asn
        self.asName = asName
        self.countrySource = countrySource
        self.asnSource = asnSource
    }
}

/// A database that cannot be read: the message says which file and what is wrong with it.
public struct GeoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code: `geo.io`, `geo.format`, `geo.mmdb-corrupt`, `geo.import`, `geo.config`.
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
