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
            Reads one message from FILE (for an mbox file, the first message or --index N; gzip is read) or from
            standard input (-). Prints the hop table (newest first), the origin decision and the reason for each
            hop, the country and provider of the origin and of the other hops from outside, then the links (with
            their registrable domains) and the attachments (with the types read from
            their bytes and their archive members). The rule is described in docs/origin.md, links and attachments
            in docs/links-and-attachments.md. Text from the message is shown with control characters
            escaped. With --json the same analysis is printed as JSON.
            """)

    @Argument(help: ArgumentHelp("A message file, an mbox file, or - for standard input.", valueName: "file"))
    var file: String

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
        _ = try origin.config()
        _ = try links.extractorOptions()
    }

    func run() throws {
        let bytes: [UInt8]
        do {
            bytes = try TraceInput.message(path: file, index: index)
        } catch {
            Terminal.writeError("mailatlas: \(error)\n")
            throw ExitCode.failure
        }
        let config = try origin.config()
        let analysis = bytes.withUnsafeBufferPointer { b in
            OriginAnalyzer.analysis(header: HeaderBlock(parsing: b), bytes: b, config: config, profile: nil)
        }
        var report = TraceReport(analysis: analysis, config: config)
        let facts = MessageAnalyzer(options: .init(links: try links.extractorOptions()), origin: config).analyze(bytes)
        // Lines before the header block that were skipped (a log line the saving program wrote): say so first.
        if let note = facts.diagnostics.first(where: { $0.code == "header.leading-lines" }) {
            report.sections.append(
                .init(key: "leading_lines", title: "Before the header block", rows: [("skipped", note.message)]))
        }
        let geoRows = GeoTrace.rows(analysis: analysis, links: facts.links, resolver: try geo.resolver())
        if !geoRows.isEmpty {
            report.sections.append(.init(key: "geo", title: GeoTrace.title, rows: geoRows))
        }
        if !facts.links.isEmpty {
            report.sections.append(.init(key: "links", title: LinksTrace.title, rows: LinksTrace.rows(facts.links)))
        }
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
            Terminal.write(report.text(colour: colour))
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
