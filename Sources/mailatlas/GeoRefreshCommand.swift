import ArgumentParser
import MailAtlasKit

/// `mailatlas geo refresh`: stored messages re-resolved with the current databases.
struct GeoRefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Re-resolve the country and AS of every stored origin and untrusted hop with today's databases.",
        discussion: """
            A scan stores each message's country and AS as the databases said on the day it was scanned, and \
            `scans.geo_databases` records which databases those were, so a monthly report stays reproducible. \
            Run refresh to put all stored mail under the databases given now instead (recorded as a `scans` row \
            with options {"command":"geo refresh"}). Takes the store's scan lock.
            """.reflowed
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var geo: GeoDatabaseOptions

    func run() throws {
        let resolver = try geo.resolver()
        let counts: GeoRefresher.Counts
        do {
            counts = try GeoRefresher(storePath: store.path, resolver: resolver).run()
        } catch let error as StoreError {
            Terminal.writeError("mailatlas: error: \(error)\n")
            if case .locked = error { throw Exit.locked }
            throw ExitCode.failure
        }
        let names = resolver.databases.map { $0.name + ($0.date.map { " " + $0 } ?? "") }.joined(separator: ", ")
        Terminal.write(
            "refreshed \(Format.count(counts.messages)) messages (\(Format.count(counts.messagesChanged)) changed), "
                + "\(Format.count(counts.hops)) untrusted hops (\(Format.count(counts.hopsChanged)) changed) and "
                + "\(Format.count(counts.ipLinks)) links to IP addresses (\(Format.count(counts.ipLinksChanged)) changed); "
                + "\(Format.count(counts.distinctAddresses)) distinct addresses; databases: \(Escape.terminal(names))\n"
        )
    }
}
