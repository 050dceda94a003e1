import ArgumentParser
import Foundation
import MailAtlasKit
import MailCore

/// `mailatlas geo lookup IP…`: country, AS and the database that answered, for each address.
struct GeoLookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Country and AS of IP addresses (from the arguments, or one per line on standard input).",
        discussion: """
            With --json, one JSON object per line and address: ip, scope, country, country_name, asn, as_name, \
            as_registry (the registry that gave out the AS number), \
            country_source, asn_source, source_date (and error for text that is not an address).
            """.reflowed
    )

    @Argument(help: "IPv4 or IPv6 addresses; none: read them from standard input, one per line.")
    var addresses: [String] = []

    @Flag(help: "One JSON object per line.")
    var json = false

    @OptionGroup var geo: GeoDatabaseOptions

    func run() throws {
        let resolver = try geo.resolver()
        var dates: [String: String] = [:]
        for d in resolver.databases { dates[d.name] = dates[d.name] ?? d.date }
        let cache = GeoCache(resolver: resolver, limit: 1 << 18)
        var out = OutputBuffer()
        var invalid = 0

        func handle(_ text: Substring) {
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return }
            guard let ip = IPAddress(t) else {
                invalid += 1
                if json {
                    out.write(
                        "{\"ip\":\(JSONText.string(t)),\"error\":\"not an IP address\",\"country\":null,"
                            + "\"asn\":null,\"as_name\":null}\n")
                } else {
                    out.write("\(Escape.terminal(t))\tnot an IP address\n")
                }
                return
            }
            let a = cache.answer(ip)
            let name = a.country.flatMap { resolver.countryName($0) }
            let source = a.countrySource ?? a.asnSource
            let date = source.flatMap { dates[$0] }
            if json {
                var line = "{\"ip\":\(JSONText.string(ip.description)),\"scope\":\"\(a.scope.rawValue)\""
                line += ",\"country\":\(JSONText.string(a.country)),\"country_name\":\(JSONText.string(name))"
                line += ",\"asn\":\(JSONText.number(a.asn)),\"as_name\":\(JSONText.string(a.asName))"
                line += ",\"as_registry\":\(JSONText.string(a.asn.flatMap { ASNRegistry.name(of: $0) }))"
                line += ",\"country_source\":\(JSONText.string(a.countrySource))"
                line += ",\"asn_source\":\(JSONText.string(a.asnSource)),\"source_date\":\(JSONText.string(date))}\n"
                out.write(line)
            } else {
                out.write(GeoLookupCommand.text(ip, a, countryName: name, dates: dates) + "\n")
            }
        }

        if addresses.isEmpty {
            while let line = readLine(strippingNewline: true) { handle(line[...]) }
        } else {
            for a in addresses { handle(a[...]) }
        }
        out.flush()
        for case let db as MMDBDatabase in resolver.sources {
            let damage = db.damage
            if damage.count > 0, let first = damage.first {
                FileHandle.standardError.write(
                    Data("warning: \(damage.count) lookup(s) met damaged data: \(first.message)\n".utf8))
            }
        }
        if invalid > 0 && !json { throw ExitCode(1) }
    }

    static func text(_ ip: IPAddress, _ a: GeoAnswer, countryName: String?, dates: [String: String]) -> String {
        guard a.scope == .public else {
            return "\(ip)\t\(a.scope.rawValue) address (special-purpose range, no country)"
        }
        var parts: [String] = [ip.description]
        if let c = a.country {
            parts.append(c + (countryName.map { " " + $0 } ?? ""))
        } else {
            parts.append("-- (no country)")
        }
        if let asn = a.asn {
            parts.append(ASNRegistry.label(asn: Int(asn), name: a.asName, country: a.country))
        } else {
            parts.append("no AS")
        }
        var names: [String] = []
        for s in [a.countrySource, a.asnSource].compactMap({ $0 }) where !names.contains(s) { names.append(s) }
        let sources = names.map { $0 + (dates[$0].map { " " + $0 } ?? "") }
        parts.append(sources.isEmpty ? "(no database has this address)" : "(" + sources.joined(separator: "; ") + ")")
        return parts.map(Escape.terminal).joined(separator: "\t")
    }
}

/// Buffered standard output for line-at-a-time tools that may print millions of lines.
struct OutputBuffer {
    var buffer: [UInt8] = []

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
