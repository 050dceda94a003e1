import ArgumentParser
import Foundation
import MailAtlasKit
import MailCore

/// `mailatlas trace`: the whole analysis of one message, the way a postmaster would do it by hand.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show where one message came from: its Received hops, the trust boundary and why.",
        discussion: """
            Reads one message from FILE (for an mbox file, the first message or --index N; gzip, bzip2, xz, zstd
            and Dovecot LZ4 files are decompressed) or from standard input (-). Prints the hop table (newest first), the origin decision and the reason for each
            hop, the country and provider of the origin and of the other hops from outside, then the links (with
            their registrable domains) and the attachments (with the types read from
            their bytes and their archive members). The rule is described in docs/origin.md, links and attachments
            in docs/links-and-attachments.md. Text from the message is shown with control characters
            escaped. With --json the same analysis is printed as JSON.

            On its own, trace decides from the message alone: no relays learned from a spool, the settings given
            here. With --db STORE it decides as the scan that stored the message did (that scan's settings and the
            relays it learned from the spool), shows the stored decision next to it, and exits with status 1 if the
            two differ; FILE may then also be the message's id in the store.
            """.reflowed)

    @Argument(
        help: ArgumentHelp(
            "A message file, an mbox file, - for standard input, or with --db a message id.", valueName: "file"))
    var file: String

    @Option(
        help: ArgumentHelp(
            "A store made by `mailatlas scan`: decide as the scan that stored the message did, and compare.",
            valueName: "store"))
    var db: String? = nil

    @Option(help: "For an mbox file: which message (0 = the first).")
    var index: Int = 0

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var origin: OriginOptions

    @OptionGroup(title: "Links") var links: LinkOptions

    @OptionGroup(title: "IP databases") var geo: GeoDatabaseOptions

    @Option(help: ArgumentHelp("Colour: auto (on a terminal), always or never.", valueName: "when"))
    var color: TraceColor = .auto

    func validate() throws {
        guard index >= 0 else { throw ValidationError("--index must be 0 or more") }
        if db != nil, origin.isSet {
            throw ValidationError(
                "with --db the origin settings are those of the scan that stored the message; leave out --internal-networks, --trusted-networks, --no-trust-list-servers and --origin-config"
            )
        }
        _ = try origin.config()
        _ = try links.extractorOptions()
    }

    func run() throws {
        var bytes: [UInt8] = []
        var stored: StoredDecision? = nil
        do {
            if let db {
                (bytes, stored) = try TraceStore.message(store: db, argument: file, index: index)
            } else {
                bytes = try MessageFile.message(path: file, index: index)
            }
        } catch {
            Terminal.writeError("mailatlas: error: \(error)\n")
            throw ExitCode.failure
        }
        let config = try stored.map { $0.config ?? OriginConfig() } ?? origin.config()
        let analyzer = MessageAnalyzer(
            options: .init(links: try links.extractorOptions()), origin: config, relayProfile: stored?.profile)
        let analysis = analyzer.originAnalysis(bytes)
        var report = TraceReport(analysis: analysis, config: config)
        var differences: [String] = []
        if let stored, let db {
            differences = stored.differences(from: analysis.origin)
            report.sections.append(TraceStore.section(store: db, stored: stored, differences: differences))
        } else {
            report.sections.append(TraceStore.withoutStore)
        }
        let facts = analyzer.analyze(bytes)
        // Lines before the header block that were skipped (a log line the saving program wrote): say so first.
        if let note = facts.diagnostics.first(where: { $0.code == "header.leading-lines" }) {
            report.sections.append(
                .init(key: "leading_lines", title: "Before the header block", rows: [("skipped", note.message)]))
        }
        let geoRows = GeoTrace.rows(analysis: analysis, links: facts.links, resolver: try geo.resolver())
        if !geoRows.isEmpty {
            report.sections.append(.init(key: "geo", title: GeoTrace.title, rows: geoRows))
        }
        if let db, let ip = analysis.origin.ip,
            let rows = try? DNSTrace.listings(MailStore.openReadOnly(path: db), ip: ip), !rows.isEmpty
        {
            report.sections.append(.init(key: "blocklists", title: DNSTrace.listingsTitle, rows: rows))
        }
        if !facts.links.isEmpty {
            report.sections.append(.init(key: "links", title: LinksTrace.title, rows: LinksTrace.rows(facts.links)))
            if let db, let rows = try? DNSTrace.rows(MailStore.openReadOnly(path: db), links: facts.links),
                !rows.isEmpty
            {
                report.sections.append(.init(key: "resolved_hosts", title: DNSTrace.title, rows: rows))
            }
        }
        let (auth, authFields) = analyzer.authentication(bytes, analysis: analysis)
        report.sections.append(
            .init(
                key: "authentication", title: AuthenticationTrace.title,
                rows: AuthenticationTrace.rows(facts: auth, fields: authFields, verdict: facts.headerVerdict)))
        if !facts.attachments.isEmpty {
            report.sections.append(
                .init(
                    key: "attachments", title: AttachmentsTrace.title, rows: AttachmentsTrace.rows(facts.attachments)))
        }
        if json {
            Terminal.write(try report.json() + "\n")
        } else {
            let colour =
                color == .always
                || (color == .auto && Terminal.stdoutIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
            Terminal.write(report.text(colour: colour, width: Terminal.stdoutWidth))
        }
        if !differences.isEmpty {
            Terminal.writeError(
                "mailatlas: error: the decision made now differs from the one stored (\(differences.joined(separator: "; "))).\n"
                    + "  It was made with the same settings and learned relays: this is a bug, please report it with the message.\n"
            )
            throw ExitCode.failure
        }
    }
}

enum TraceColor: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

/// The options that change the trust boundary, shared by `scan` and `trace`.
struct OriginOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The site's own relays (CIDR list, comma-separated): hops from them are inside.", valueName: "cidrs"))
    var internalNetworks: [String] = []

    @Option(
        help: ArgumentHelp(
            "Relays trusted not to forge Received headers (CIDR list): the origin is looked for below them.",
            valueName: "cidrs"))
    var trustedNetworks: [String] = []

    @Flag(
        inversion: .prefixedNo,
        help: "Treat an identified mailing-list server as a trusted forwarder (default) or as the origin.")
    var trustListServers = true

    @Option(
        help: ArgumentHelp(
            "A file of origin settings (internal-networks, trusted-networks, trust-list-servers).",
            valueName: "file"))
    var originConfig: String? = nil

    /// Whether any origin setting was given.
    var isSet: Bool {
        !internalNetworks.isEmpty || !trustedNetworks.isEmpty || !trustListServers || originConfig != nil
    }

    func config() throws -> OriginConfig {
        var config = OriginConfig()
        if let path = originConfig {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--origin-config: cannot read \(path)")
            }
            do {
                config = try OriginConfigFile.parse(String(decoding: data, as: UTF8.self), base: config)
            } catch {
                throw ValidationError("--origin-config \(path): \(error)")
            }
        }
        for (list, isInternal) in [(internalNetworks, true), (trustedNetworks, false)] {
            let (nets, bad) = OriginConfig.networks(list.joined(separator: ","))
            guard bad.isEmpty else {
                throw ValidationError(
                    "--\(isInternal ? "internal" : "trusted")-networks: not a network: \(bad.joined(separator: ", "))")
            }
            if isInternal { config.internalNetworks += nets } else { config.trustedNetworks += nets }
        }
        if !trustListServers { config.trustListServers = false }
        return config
    }
}
