public import ArgumentParser
import Dispatch
import Foundation
import Glibc
public import MailAtlasKit

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan mail spools (Maildir, mbox, .eml trees, gzip) into the store; only what is new is read.",
        discussion: """
            Formats are recognised by content, not by name. Maildir folders (Maildir++ dot-folders and nested
            Maildirs) are recorded by name; messages in a Junk/Spam folder are spam. A rerun reads only files and
            Maildir directories that changed, and appended mbox messages from where the last scan stopped.
            The spool is never modified.
            """.reflowed)

    @Argument(help: ArgumentHelp("Spool roots: directories or files.", valueName: "root"))
    var roots: [String]

    @OptionGroup var store: StoreOption

    @Option(name: .shortAndLong, help: "Parallel parse tasks (default: the number of active cores).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Treat every message under these roots as spam or ham.", valueName: "spam|ham"))
    var label: Verdict?

    @Option(
        help: ArgumentHelp(
            "Messages larger than this are stored from their headers only, with a diagnostic.", valueName: "size"))
    var maxMessageSize: String = "50M"

    @Flag(help: "Follow symbolic links (loops are detected).")
    var followSymlinks = false

    @Flag(help: "Delete the rows of messages whose files have disappeared (otherwise they are kept and marked).")
    var prune = false

    @Option(
        help: ArgumentHelp(
            "After the scan, an opt-in network step for the messages it added: dns (resolve their linked hosts, as "
                + "mailatlas enrich --dns does with its defaults).", valueName: "dns"))
    var enrich: String?

    @Option(
        help: ArgumentHelp("With --enrich dns: the resolver to ask (default: the system's).", valueName: "host[:port]"))
    var resolver: String?

    @Flag(name: .shortAndLong, help: "No progress line and no summary; only errors.")
    var quiet = false

    @Flag(help: "List the files under the roots that are not stored as mail, each with the reason (also with --quiet).")
    var listSkipped = false

    @OptionGroup(title: "Origin") var origin: OriginOptions

    @OptionGroup(title: "Links") var links: LinkOptions

    @Option(
        help: ArgumentHelp(
            "Messages read first to learn the site's own public relays (backup MX, forwarders); 0 turns it off.",
            valueName: "n"))
    var learnRelays: Int = 20_000

    @Option(
        help: ArgumentHelp(
            "Messages written per transaction: what a kill loses and how often a reader sees progress.",
            valueName: "n"))
    var commitEvery: Int = 5000

    @OptionGroup(title: "IP databases") var geo: GeoDatabaseOptions

    func validate() throws {
        guard (1...256).contains(jobs ?? 1) else { throw ValidationError("--jobs must be between 1 and 256") }
        if let enrich, enrich != "dns" {
            throw ValidationError("--enrich: the one network step is dns (got \(enrich))")
        }
        if resolver != nil, enrich == nil { throw ValidationError("--resolver is for --enrich dns") }
        if let resolver, !DNSResolverAddress.isValid(resolver) {
            throw ValidationError("--resolver: not an address: \(resolver) (HOST[:PORT], an IPv6 address in brackets)")
        }
        guard commitEvery >= 1 && commitEvery <= 1_000_000 else {
            throw ValidationError("--commit-every must be between 1 and 1000000")
        }
        guard Format.parseSize(maxMessageSize) != nil else {
            throw ValidationError("--max-message-size: not a size: \(maxMessageSize) (examples: 50M, 1G, 65536)")
        }
        if label == .unknown {
            throw ValidationError(
                "--label: spam or ham (unknown is what a message is when nothing labels it)")
        }
        _ = try origin.config()
        _ = try links.extractorOptions()
    }

    func run() async throws {
        // No root to scan at all: said before a store is created or touched. A missing root among others is
        // scanned around, and reported with the roots that hold no mail.
        if !roots.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
            for root in roots {
                Terminal.writeError("mailatlas: error: \(Escape.terminal(root)): no such file or directory\n")
            }
            throw Exit.noMail
        }
        var options = ScanOptions(
            roots: roots, label: label, jobs: jobs ?? ScanOptions.defaultJobs,
            maxMessageSize: Format.parseSize(maxMessageSize) ?? 50 << 20,
            followSymlinks: followSymlinks, prune: prune, messagesPerTransaction: commitEvery)
        options.origin = try origin.config()
        options.links = try links.extractorOptions()
        options.learnRelays = max(0, learnRelays)
        options.geo = try geo.resolver()
        let stop = StopFlag()
        let signals = SignalTrap(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let showProgress = !quiet && Terminal.stderrIsTTY
        let line = ProgressLine(enabled: showProgress)
        var callback: (@Sendable (ScanProgress) -> Void)? = nil
        if showProgress { callback = { progress in line.update(progress) } }
        let summary: ScanSummary
        do {
            summary = try await SpoolScanner(storePath: store.path, options: options).run(
                stop: stop, estimate: showProgress, progress: callback)
        } catch let error as StoreError {
            line.clear()
            if case .locked = error {
                Terminal.writeError("mailatlas: error: \(error)\n")
                throw Exit.locked
            }
            throw error
        }
        line.clear()
        if !quiet {
            Terminal.write(SummaryLine.text(summary, store: store.path) + "\n")
            // The origin IPs that look like a relay of the site that was missed: said here, listed by `relays`.
            // Asked only when the scan changed the store: an unchanged nightly rescan stays a few milliseconds.
            let c = summary.counts
            if c.added + c.updated + c.removed + c.relabelled > 0,
                let suspects = try? ReceivingSide.readSuspects(MailStore.openReadOnly(path: store.path)),
                !suspects.isEmpty
            {
                let ips = suspects.map(\.ip).joined(separator: ", ")
                Terminal.write(
                    "suspects: \(suspects.count) origin IP(s) look like a relay of this site (\(ips)); see mailatlas relays --db \(Escape.terminal(store.path))\n"
                )
            }
        }
        if enrich != nil, summary.interruptedBy == nil, summary.counts.added > 0 {
            let options = DNSEnricher.Options(
                resolver: .init(server: resolver), scanID: summary.scanID, geo: try geo.resolver())
            do {
                let counts = try DNSEnricher(storePath: store.path, options: options).run()
                if !quiet { Terminal.write("enrich: " + EnrichCommand.summary(counts) + "\n") }
            } catch {
                Terminal.writeError("mailatlas: error: enrich --dns: \(error)\n")
                throw Exit.partial
            }
        }
        if listSkipped, let account = summary.account { Terminal.write(SkippedList.text(account)) }
        for error in summary.rootErrors { Terminal.writeError("mailatlas: error: \(Escape.terminal(error))\n") }
        if let signal = summary.interruptedBy {
            Terminal.writeError(
                "mailatlas: interrupted by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)")"
                    + "; everything committed is kept, rerun to continue\n")
            throw Exit.interrupted(signal: signal)
        }
        // A root that holds no mail is reported like one that could not be read: 1 when no root yielded mail, 2
        // when some did.
        let accounts = summary.account?.roots ?? []
        for root in accounts where root.exists && !root.hasMail {
            let files =
                root.skipped == 0 ? "no file" : root.skipped == 1 ? "1 file" : "\(Format.count(root.skipped)) files"
            Terminal.writeError(
                "mailatlas: \(Escape.terminal(root.root)): no mail found (\(files) not mail; --list-skipped says why)\n"
            )
        }
        if !accounts.isEmpty, !accounts.contains(where: \.hasMail) { throw Exit.noMail }
        if !summary.rootErrors.isEmpty || accounts.contains(where: { !$0.hasMail }) { throw Exit.partial }
    }
}

extension Verdict: ExpressibleByArgument {}

/// SIGINT and SIGTERM stop the scan cleanly; a second one ends the process at once.
final class SignalTrap {
    private var sources: [any DispatchSourceSignal] = []

    init(stop: StopFlag) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if stop.isRequested { _exit(128 + sig) }
                stop.request(signal: sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
    }
}

/// The live progress line on stderr: files, messages, rate, ETA.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ p: ScanProgress) {
        guard enabled else { return }
        let rate = p.elapsed > 0 ? Double(p.messages) / p.elapsed : 0
        var text =
            "scanning: \(Format.count(p.filesDone)) files, \(Format.count(p.messages)) messages, "
            + "\(Format.count(Int(rate))) msg/s"
        if let total = p.bytesTotal, total > 0, p.bytesDone > 0, p.elapsed > 1 {
            let fraction = min(1, Double(p.bytesDone) / Double(total))
            let remaining = p.elapsed / fraction - p.elapsed
            text += String(format: ", %.0f%%, ETA %@", fraction * 100, Format.seconds(max(0, remaining)))
        }
        lock.lock()
        defer { lock.unlock() }
        Terminal.writeError("\r\u{1B}[K" + text)
        shown = true
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        if shown { Terminal.writeError("\r\u{1B}[K") }
        shown = false
    }
}

enum SummaryLine {
    static func text(_ s: ScanSummary, store: String) -> String {
        let c = s.counts
        var messages = [
            "\(Format.count(c.added)) added", "\(Format.count(c.updated)) updated",
            "\(Format.count(c.removed)) removed", "\(Format.count(c.unchanged)) unchanged",
        ]
        if c.pruned > 0 { messages.append("\(Format.count(c.pruned)) pruned") }
        if c.relabelled > 0 { messages.append("\(Format.count(c.relabelled)) relabelled") }
        let status = s.status == "completed" ? "" : " (\(s.status))"
        return "messages: " + messages.joined(separator: ", ")
            + "; files: \(Format.count(c.filesRead - c.filesNotMail)) read, \(Format.count(s.filesUnchanged)) unchanged, "
            + notMail(s) + "; "
            + "\(Format.count(c.diagnostics)) diagnostics; "
            + "\(Format.seconds(s.seconds)), \(Format.count(Int(s.messagesPerSecond))) msg/s\(status)"
            + " -> \(Escape.terminal(store))"
    }

    /// `31 not mail (19 text-not-mail, 5 binary, …)`: every file under the roots that is not stored as mail, as the
    /// store now knows them, by reason.
    static func notMail(_ s: ScanSummary) -> String {
        guard let account = s.account else { return "\(Format.count(s.counts.filesNotMail)) not mail" }
        let byReason = account.skippedByReason
        let text = "\(Format.count(account.skipped.count)) not mail"
        guard !byReason.isEmpty else { return text }
        return text + " (" + byReason.map { "\(Format.count($0.count)) \($0.reason.rawValue)" }.joined(separator: ", ")
            + ")"
    }
}
