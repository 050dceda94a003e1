import ArgumentParser
import MailAtlasKit

/// `mailatlas geo info`: the databases in use, in order, with dates and range counts.
struct GeoInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "The IP databases in use, in order of preference, with their dates and sizes."
    )

    @Flag(help: "One JSON object per database and line.")
    var json = false

    @OptionGroup var geo: GeoDatabaseOptions

    func run() throws {
        let resolver = try geo.resolver()
        if resolver.sources.isEmpty {
            print("no IP database in use")
            return
        }
        for (i, source) in resolver.sources.enumerated() {
            let d = source.info
            var asNames: Int? = nil
            var detail: String? = nil
            if let db = source as? GeoRangeDatabase { asNames = db.asNameTotal }
            if let db = source as? MMDBDatabase {
                detail = "search tree of \(db.nodeCount) nodes, \(db.recordSize)-bit records, IPv\(db.ipVersion)"
            }
            if json {
                var line = "{\"order\":\(i + 1),\"name\":\(JSONText.string(d.name)),\"kind\":\"\(d.kind)\""
                line += ",\"path\":\(JSONText.string(d.path)),\"date\":\(JSONText.string(d.date))"
                line +=
                    ",\"ipv4_ranges\":\(JSONText.number(d.ipv4Ranges)),\"ipv6_ranges\":\(JSONText.number(d.ipv6Ranges))"
                line += ",\"as_names\":\(JSONText.number(asNames))"
                line += ",\"fields\":[" + d.fields.map { JSONText.string($0) }.joined(separator: ",") + "]"
                line += ",\"attribution\":\(JSONText.string(d.attribution))}"
                print(line)
                continue
            }
            print("\(i + 1). \(Escape.terminal(d.name))")
            print("   kind:        \(d.kind)")
            print("   path:        \(Escape.terminal(d.path))")
            print("   date:        \(d.date ?? "unknown")")
            if let v4 = d.ipv4Ranges, let v6 = d.ipv6Ranges {
                print("   ranges:      \(v4) IPv4, \(v6) IPv6")
            }
            if let asNames { print("   AS names:    \(asNames)") }
            if let detail { print("   structure:   \(detail)") }
            print("   fields:      \(d.fields.joined(separator: ", "))")
            if let a = d.attribution { print("   attribution: \(Escape.terminal(a))") }
        }
    }
}
