import MailAtlasKit
import MailCore

/// The country and provider of the addresses `trace` names: the origin first, then the handover IP and the other
/// connecting IPs of hops from outside the receiving side (what the scan stores for `received_hops`), then the IP
/// addresses the message links to (`links.host_country`, `host_asn`).
enum GeoTrace {
    static let title = "Country and provider"

    static func rows(analysis: OriginAnalysis, links: [LinkFacts], resolver: GeoResolver) -> [(String, String)] {
        var seen: Set<String> = []
        var rows: [(String, String)] = []
        func add(_ label: String, _ text: String?) {
            guard let text, let ip = IPAddress(text), seen.insert(ip.description).inserted else { return }
            rows.append(("\(label) \(ip)", describe(resolver.resolve(ip), resolver: resolver)))
        }
        add("origin", analysis.origin.ip)
        add("handover", analysis.origin.handoverIP)
        for hop in analysis.hops where !hop.trusted { add("hop \(hop.position)", hop.fromIP) }
        var linked: Set<String> = []
        for link in links where link.isIP && linked.insert(link.host).inserted {
            guard let ip = IPAddress(link.host) else { continue }
            rows.append(("link \(ip)", describe(resolver.resolve(ip), resolver: resolver)))
        }
        return rows
    }

    /// `PK Pakistan, AS17557 Pakistan Telecommunication… (IPFire Location Database)`.
    static func describe(_ a: GeoAnswer, resolver: GeoResolver) -> String {
        guard a.scope == .public else { return "\(a.scope.rawValue) address (no country)" }
        var parts: [String] = []
        if let c = a.country {
            parts.append([c, resolver.countryName(c)].compactMap { $0 }.joined(separator: " "))
        } else {
            parts.append("country unknown")
        }
        if let asn = a.asn {
            parts.append(ASNRegistry.label(asn: Int(asn), name: a.asName.map(Escape.terminal), country: a.country))
        } else {
            parts.append("AS unknown")
        }
        let sources = Set([a.countrySource, a.asnSource].compactMap { $0 }).sorted()
        return parts.joined(separator: ", ") + (sources.isEmpty ? "" : " (" + sources.joined(separator: ", ") + ")")
    }
}
