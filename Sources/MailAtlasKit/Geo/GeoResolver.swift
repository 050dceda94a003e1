import CGeoData
public import MailCore

extension GeoRangeDatabase {
    /// The database compiled into the binary (IPFire Location Database, see `docs/geo.md`), loaded once; nil when
    /// this build has none.
    public static let embedded: GeoRangeDatabase? = {
        let size = mailatlas_geo_size()
        guard size > 0, let base = mailatlas_geo_data() else { return nil }
        let buffer = UnsafeRawBufferPointer(start: UnsafeRawPointer(base), count: size)
        return try? GeoRangeDatabase(storage: GeoBytes(static: buffer), path: "embedded", kind: "embedded")
    }()
}

/// Answers "which country and which network" for an address by asking databases in order.
///
/// Each field comes from the first database that has it: with a country database first and an ASN database
/// second, the country comes from the first and the ASN and AS name from the second. Special-purpose addresses
/// (private, loopback, CGNAT, documentation …) are answered as such without asking any database. Immutable and
/// thread-safe.
public struct GeoResolver: Sendable {
    public let sources: [any GeoSource]
    /// Country names come from the embedded database's table (ISO 3166 and the regional codes the data uses).
    let names: GeoRangeDatabase?

    /// The sources' names, read once (reading `info` through the protocol copies the whole struct).
    let sourceNames: [String]

    public init(sources: [any GeoSource]) {
        self.sources = sources
        sourceNames = sources.map(\.info.name)
        names = GeoRangeDatabase.embedded ?? sources.lazy.compactMap { $0 as? GeoRangeDatabase }.first
    }

    /// The built-in database alone.
    public static var embeddedOnly: GeoResolver {
        GeoResolver(sources: GeoRangeDatabase.embedded.map { [$0] } ?? [])
    }

    public func resolve(_ address: IPAddress) -> GeoAnswer {
        let scope = address.scope
        var answer = GeoAnswer(scope: scope)
        guard scope == .public else { return answer }
        for (i, source) in sources.enumerated() {
            guard let r = source.record(for: address) else { continue }
            if answer.country == nil, let c = r.country {
                answer.country = c
                answer.countrySource = sourceNames[i]
            }
            if answer.asn == nil, let a = r.asn {
                answer.asn = a
                answer.asName = r.asName
                answer.asnSource = sourceNames[i]
            }
            if answer.country != nil, answer.asn != nil { break }
        }
        if answer.asn != nil, answer.asName == nil, let asn = answer.asn {
            // A later database may name an AS that the answering one only numbers.
            for source in sources {
                if let db = source as? GeoRangeDatabase, let n = db.asName(asn) {
                    answer.asName = n
                    break
                }
            }
        }
        return answer
    }

    /// The English name of a country code, from the embedded table, or nil.
    public func countryName(_ code: String) -> String? {
        if let n = names?.countryName(code) { return n }
        for case let db as GeoRangeDatabase in sources {
            if let n = db.countryName(code) { return n }
        }
        return nil
    }

    /// The databases in order, for `scans.geo_databases` and `geo info`.
    public var databases: [GeoSourceInfo] { sources.map(\.info) }
}

/// One scan's memory of answers: every distinct address is resolved once.
///
/// Not thread-safe, by design: the scan's single writer owns it. It is a non-`Sendable` class, so the compiler keeps
/// it on the writer's side, and a transaction can use it without copying the table. At most `limit` answers are
/// kept; past that, addresses not seen before are resolved every time they appear (the answers stay right, only
/// the saving stops), which bounds memory on a spool with millions of distinct addresses.
public final class GeoCache {
    public let resolver: GeoResolver
    public let limit: Int
    var answers: [IPAddress: GeoAnswer] = [:]
    public private(set) var lookups = 0
    public private(set) var hits = 0

    /// The default keeps 65,536 answers (about 10 MB): a lookup costs well under a microsecond, so a larger table
    /// saves little and made a scan's peak memory grow with the spool (73 MB at 100,000 messages, 110 MB at 400,000).
    public init(resolver: GeoResolver, limit: Int = 1 << 16) {
        self.resolver = resolver
        self.limit = limit
    }

    public func answer(_ address: IPAddress) -> GeoAnswer {
        lookups += 1
        if let known = answers[address] {
            hits += 1
            return known
        }
        let a = resolver.resolve(address)
        if answers.count < limit { answers[address] = a }
        return a
    }

    /// Parses the text and answers; nil for text that is not an address.
    public func answer(_ text: String) -> GeoAnswer? {
        guard let ip = IPAddress(text) else { return nil }
        return answer(ip)
    }

    public var distinctAddresses: Int { answers.count }
}
