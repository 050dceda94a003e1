import ArgumentParser
import Foundation
import MailAtlasKit

/// `mailatlas enrich --db FILE --dns`: what linked hosts resolve to, placed with the geo databases.
struct EnrichCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrich",
        abstract: "Look up what the store's linked hosts resolve to (opt-in network step).",
        discussion: """
            A scan never touches the network. enrich --dns asks a DNS resolver for the addresses (A and AAAA, \
            CNAME chains followed) of the hosts that stored messages link to, newest messages first, each name \
            once per run, and places every address with the geo databases; the answers are kept with their time \
            and status (answer, nodata, nxdomain, servfail, refused, timeout) in dns_hosts and dns_addresses \
            (docs/schema.md), and the report's "hosted there" table uses them. A host name unique to one message \
            (a per-recipient tracking name) tells the spammer's DNS server the message was read: by default only \
            registrable domains and host names seen in more than one message are asked, unique hosts only with \
            --resolve-unique-hosts. An answer younger than --max-age is not asked again. Nothing is sent anywhere \
            but the resolver given (or the system's, from /etc/resolv.conf). Takes the store's scan lock.
            """.reflowed
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var geo: GeoDatabaseOptions

    @Flag(help: "Resolve linked hosts and place their addresses.")
    var dns = false

    @Option(
        help: ArgumentHelp(
            "Check the stored origin IPs against this DNS blocklist zone (repeat for several: zen.spamhaus.org, "
                + "b.barracudacentral.org, bl.spamcop.net, …).", valueName: "zone"))
    var dnsbl: [String] = []

    @Option(help: ArgumentHelp("A Spamhaus Data Query Service key, for zones under dq.spamhaus.net.", valueName: "key"))
    var dnsblKey: String?

    @Flag(
        help:
            "With --dnsbl: also check the addresses the messages link to (IP links, and the addresses enrich --dns found for linked names)."
    )
    var dnsblLinked = false

    @Option(
        help: ArgumentHelp("The resolver to ask (default: the system's, /etc/resolv.conf).", valueName: "host[:port]"))
    var resolver: String?

    @Option(
        help: ArgumentHelp(
            "Only messages that arrived in the last N days or weeks, or since a day.", valueName: "Nd|Nw|YYYY-MM-DD"))
    var since: String?

    @Flag(help: "Also resolve host names that only one message links to (tells their DNS server it was read).")
    var resolveUniqueHosts = false

    @Option(help: "Lookups in flight at once.")
    var concurrency = 32

    @Option(help: ArgumentHelp("Each query's timeout, in milliseconds (two tries).", valueName: "ms"))
    var timeout = 2000

    @Option(help: "DNS queries per run at most (two per name); the rest wait for the next run.")
    var maxQueries = 20_000

    @Option(help: ArgumentHelp("Answers younger than this many days are not asked again.", valueName: "days"))
    var maxAge = 7

    @Option(
        help: ArgumentHelp(
            "The whole run ends after this many seconds; names not answered are timeouts.", valueName: "s"))
    var deadline = 600

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard dns || !dnsbl.isEmpty else { throw ValidationError("say what to look up: --dns, --dnsbl ZONE, or both") }
        for zone in dnsbl where !zone.contains(".") || !DNSResolverAddress.isZoneName(zone) {
            throw ValidationError("--dnsbl: not a zone name: \(zone)")
        }
        guard concurrency >= 1, concurrency <= 1024 else { throw ValidationError("--concurrency: 1 to 1024") }
        guard timeout >= 10 else { throw ValidationError("--timeout: at least 10 ms") }
        guard maxQueries >= 0 else { throw ValidationError("--max-queries: not negative") }
        guard maxAge >= 0, deadline >= 1 else { throw ValidationError("--max-age and --deadline: not negative") }
        if let resolver, DNSResolverAddress.isValid(resolver) == false {
            throw ValidationError("--resolver: not an address: \(resolver) (HOST[:PORT], an IPv6 address in brackets)")
        }
        if let since, Self.sinceBound(since, now: Date()) == nil {
            throw ValidationError("--since: expected 7d, 4w or a day YYYY-MM-DD (got \(since))")
        }
    }

    /// `7d`, `4w` or `YYYY-MM-DD` → the UTC time that bounds `messages.received_utc`.
    static func sinceBound(_ s: String, now: Date) -> String? {
        if let day = Day(s) { return day.description }
        guard let unit = s.last, "dw".contains(unit), let n = Int(s.dropLast()), n >= 0, n <= 36_500 else { return nil }
        let seconds = n * (unit == "w" ? 7 : 1) * 86_400
        return ISO8601.format(epochSeconds: Int(now.timeIntervalSince1970) - seconds)
    }

    func run() throws {
        let options = DNSEnricher.Options(
            resolver: .init(server: resolver, timeoutMilliseconds: timeout, tries: 2, concurrency: concurrency),
            since: since.flatMap { Self.sinceBound($0, now: Date()) }, resolveUniqueHosts: resolveUniqueHosts,
            maxQueries: maxQueries, maxAge: .seconds(maxAge * 86_400), deadline: .seconds(deadline),
            geo: try geo.resolver())
        do {
            if dns {
                let counts = try DNSEnricher(storePath: store.path, options: options).run()
                if !quiet { Terminal.write(Self.summary(counts) + "\n") }
            }
            if !dnsbl.isEmpty {
                let counts = try DNSBLChecker(
                    storePath: store.path,
                    options: .init(
                        resolver: options.resolver, zones: dnsbl, key: dnsblKey, since: options.since,
                        linkedAddresses: dnsblLinked,
                        maxQueries: maxQueries, maxAge: .seconds(min(maxAge, 1) * 86_400), deadline: .seconds(deadline))
                ).run()
                if !quiet { Terminal.write(Self.summary(counts) + "\n") }
            }
        } catch let error as StoreError {
            Terminal.writeError("mailatlas: error: \(error)\n")
            if case .locked = error { throw Exit.locked }
            throw ExitCode.failure
        } catch {
            Terminal.writeError("mailatlas: error: \(error)\n")
            throw ExitCode.failure
        }
    }

    static func summary(_ c: DNSBLChecker.Counts) -> String {
        let order: [DNSBL.Outcome] = [.listed, .notListed, .refused, .timeout, .error]
        var text = "\(Format.count(c.checked)) blocklist checks"
        let parts = order.compactMap { o in c.byOutcome[o].map { "\(Format.count($0)) \(o.rawValue)" } }
        if !parts.isEmpty { text += " (" + parts.joined(separator: ", ") + ")" }
        if c.fresh > 0 { text += "; \(Format.count(c.fresh)) checked recently, not asked again" }
        if c.overCap > 0 { text += "; \(Format.count(c.overCap)) left for the next run by --max-queries" }
        return text
    }

    static func summary(_ c: DNSEnricher.Counts) -> String {
        var parts = ["\(Format.count(c.asked)) names resolved"]
        let order: [DNSStatus] = [.answer, .nodata, .nxdomain, .servfail, .refused, .timeout, .error]
        let statuses = order.compactMap { s in c.byStatus[s].map { "\(Format.count($0)) \(s.rawValue)" } }
        if !statuses.isEmpty { parts[0] += " (" + statuses.joined(separator: ", ") + ")" }
        parts.append("\(Format.count(c.addresses)) addresses, \(Format.count(c.placed)) placed in a country")
        if c.fresh > 0 { parts.append("\(Format.count(c.fresh)) answered recently, not asked again") }
        if c.overCap > 0 { parts.append("\(Format.count(c.overCap)) left for the next run by --max-queries") }
        return parts.joined(separator: "; ")
    }
}
