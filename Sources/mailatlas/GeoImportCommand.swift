import ArgumentParser
import Foundation
import MailAtlasKit

/// `mailatlas geo import FILE… --out DB`: builds the project's database format from the data users bring.
struct GeoImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Build an IP database from range CSVs, RIR delegated files, ip2asn TSV and name lists.",
        discussion: """
            Formats are detected from content; gzip is accepted. Range CSV: start,end,country[,asn[,name]] with \
            addresses as text or integers (up to 4294967295: IPv4). RIR: delegated-*-extended (allocated and assigned \
            ipv4/ipv6). iptoasn: ip2asn-combined.tsv. Names: asn<TAB>name, CC<TAB>country name, iso_3166-1.json. \
            Where ranges overlap, the later-starting (narrower) one wins. Use the result with --geo-db.
            """.reflowed
    )

    @Argument(help: "Input files, in order.")
    var files: [String]

    @Option(help: "The database file to write.")
    var out: String

    @Option(help: "The database's name, shown in `geo lookup` and stored with scans (default: the first file's name).")
    var name: String?

    @Option(help: "The data's date, YYYY-MM-DD (default: the date the input carries).")
    var date: String?

    @Option(help: "Attribution text the data's licence asks for.")
    var attribution: String?

    @Flag(help: "Keep only the AS names of numbers that some range uses (a smaller file).")
    var onlyUsedAsNames = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one input file") }
        if let date, date.count != 10 || date.split(separator: "-").count != 3 {
            throw ValidationError("--date must be YYYY-MM-DD")
        }
    }

    func run() throws {
        var importer = GeoImporter()
        for f in files {
            do {
                let r = try importer.importFile(f)
                var line = "\(f): \(r.format.rawValue), \(r.lines) lines, \(r.ranges) ranges"
                if r.names > 0 { line += ", \(r.names) names" }
                if r.ignored > 0 { line += ", \(r.ignored) ignored" }
                if r.rejected > 0 { line += ", \(r.rejected) rejected" }
                if let d = r.date { line += ", dated \(d)" }
                print(Escape.terminal(line))
                for p in r.problems { print("  " + Escape.terminal(p)) }
            } catch {
                throw ValidationError(error.message)
            }
        }
        guard importer.builder.rangeCount > 0 else {
            throw ValidationError("the inputs hold no address ranges")
        }
        let first = (files[0] as NSString).lastPathComponent
        let dataDate = date ?? importer.reports.compactMap(\.date).first ?? ""
        var builder = importer.builder
        builder.metadata = [
            ("name", name ?? first),
            ("date", dataDate),
            ("source", files.map { ($0 as NSString).lastPathComponent }.joined(separator: " ")),
            ("attribution", attribution ?? ""),
            ("builder", "mailatlas \(MailAtlasKitVersion.string) geo import"),
        ].map { (key: $0.0, value: $0.1) }
        let (bytes, s) = builder.build(onlyReferencedASNames: onlyUsedAsNames)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw ValidationError("\(out): \(error.localizedDescription)")
        }
        print(
            "\(out): \(s.bytes) bytes; IPv4 \(s.ipv4Ranges) ranges (\(s.ipv4Entries) entries), "
                + "IPv6 \(s.ipv6Ranges) ranges (\(s.ipv6Entries) entries), \(s.records) distinct records, "
                + "\(s.countries) countries, \(s.asNames) AS names")
    }
}
