import ArgumentParser
import MailAtlasKit

/// `mailatlas geo`: the IP databases behind "spam by country and provider".
struct GeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo",
        abstract: "Look up, inspect and build the databases of country and AS by IP address.",
        discussion: """
            The built-in database (IPFire Location Database, CC BY-SA 4.0, https://location.ipfire.org/) is always \
            there. Add MaxMind DB files (.mmdb) or files made by `geo import` with --geo-db, in order of preference, \
            or list them in a config file (see docs/geo.md).
            """.reflowed,
        subcommands: [GeoLookupCommand.self, GeoInfoCommand.self, GeoImportCommand.self, GeoRefreshCommand.self]
    )
}

/// The options every command that resolves addresses shares (`geo lookup`, `geo info`, `scan`, `geo refresh`).
struct GeoDatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("geo-db"),
        help: ArgumentHelp(
            "An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. "
                + "`embedded` places the built-in one (default: last).",
            valueName: "path"))
    var geoDatabases: [String] = []

    @Option(
        name: .customLong("geo-config"), help: ArgumentHelp("A geo config file (see docs/geo.md).", valueName: "path"))
    var geoConfig: String?

    @Flag(name: .customLong("no-embedded-geo"), help: "Do not use the built-in database.")
    var noEmbeddedGeo = false

    func resolver() throws -> GeoResolver {
        do {
            return try GeoDatabases.resolver(
                databases: geoDatabases, configPath: geoConfig, includeEmbedded: !noEmbeddedGeo)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

/// JSON values for line-at-a-time output (millions of lines): plain ASCII strings skip the escaper.
enum JSONText {
    static func string(_ s: String?) -> String {
        guard let s else { return "null" }
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return "\"" + s + "\"" }
        return Escape.jsonString(s)
    }

    static func number(_ n: UInt32?) -> String { n.map { String($0) } ?? "null" }
    static func number(_ n: Int?) -> String { n.map { String($0) } ?? "null" }
}
