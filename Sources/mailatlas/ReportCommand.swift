public import ArgumentParser
import Foundation
import MailAtlasKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the spam report of a period: by country, provider, origin IP, linked domain, attachment.",
        discussion: """
            The period is a calendar month (--month 2026-10), a run of days (--from 2026-10-01 --to 2026-10-15, both
            included) or the last days up to today (--last 30d, --last 4w); by default, the last complete month that
            holds mail. Messages count by their Date (UTC). Each figure is compared with the period of the same
            length just before.

            HTML is one self-contained file (no script, nothing loaded from anywhere); CSV is one file per table in
            the --out directory; JSON is one object. The templates are built in; --templates DIR replaces any of
            them by a file of the same name (templates/ in the source tree, documented in docs/report.md).
            The store is opened read-only and left unchanged.
            """.reflowed)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case html, csv, json
    }

    @OptionGroup var store: StoreOption

    @Option(help: ArgumentHelp("A calendar month.", valueName: "YYYY-MM"))
    var month: String?

    @Option(help: ArgumentHelp("First day of the period (with --to).", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("Last day of the period, included (with --from).", valueName: "YYYY-MM-DD"))
    var to: String?

    @Option(help: ArgumentHelp("The last N days or weeks, today included.", valueName: "Nd|Nw"))
    var last: String?

    @Option(help: ArgumentHelp("Which messages to count.", valueName: "spam|ham|unknown|all"))
    var verdict: String = "spam"

    @Option(
        name: .customLong("folder"),
        help: ArgumentHelp("Only messages in this folder, as stored (repeatable).", valueName: "name"))
    var folders: [String] = []

    @Option(help: "Rows in the top tables (providers, IPs, domains, attachments).")
    var top: Int = 20

    @Option(
        help: ArgumentHelp(
            "What puts a message in the period: its arrival (when the receiving side got it) or its Date header.",
            valueName: "arrival|date"))
    var by: ReportTimeBasis = .arrival

    @Option(
        help: ArgumentHelp(
            "Where days and months begin: a time zone name like Europe/Berlin (default: UTC).", valueName: "zone"))
    var tz: String?

    @Option(help: "html (the default), csv or json.")
    var format: OutputFormat = .html

    @Option(
        help: ArgumentHelp(
            "Where to write: a file for html and json (default: standard output), a directory for csv.",
            valueName: "path"))
    var out: String?

    @Option(help: ArgumentHelp("A directory of templates replacing the built-in ones.", valueName: "dir"))
    var templates: String?

    @Flag(name: .shortAndLong, help: "Say nothing when all went well (for cron); errors are still printed.")
    var quiet = false

    /// Fixes "now" (the default period, --last and the time printed in the report), for reproducible output.
    @Option(help: .hidden)
    var now: String?

    func validate() throws {
        let chosen = [month != nil, from != nil || to != nil, last != nil].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("give one period: --month, --from/--to or --last") }
        if let month, ReportPeriod.month(month) == nil {
            let parts = month.split(separator: "-")
            if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let m = Int(parts[1]), Int(parts[0]) != nil {
                throw ValidationError("--month \(month): month \(m) is out of range (01 to 12)")
            }
            throw ValidationError("--month: expected YYYY-MM, like 2026-10 (got \(month))")
        }
        if from != nil || to != nil {
            guard let from, let to else { throw ValidationError("--from and --to go together") }
            guard let a = Day(from) else { throw ValidationError("--from: expected YYYY-MM-DD (got \(from))") }
            guard let b = Day(to) else { throw ValidationError("--to: expected YYYY-MM-DD (got \(to))") }
            guard a <= b else { throw ValidationError("--from \(from) is after --to \(to)") }
        }
        if let last, ReportPeriod.last(last, today: Day(year: 2000, month: 1, day: 1)!) == nil {
            throw ValidationError("--last: expected a number of days or weeks, like 30d or 4w (got \(last))")
        }
        guard ["spam", "ham", "unknown", "all"].contains(verdict) else {
            throw ValidationError("--verdict: spam, ham, unknown or all (got \(verdict))")
        }
        guard (1...10_000).contains(top) else { throw ValidationError("--top must be between 1 and 10000") }
        if format == .csv && out == nil {
            throw ValidationError("--format csv writes one file per table: give a directory with --out")
        }
        if let tz, TimeZone(identifier: tz) == nil {
            throw ValidationError("--tz: not a time zone name (like UTC, Europe/Berlin or America/New_York): \(tz)")
        }
        if now != nil, clock == nil { throw ValidationError("--now: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") }
    }

    /// (today, the time printed in the report).
    var clock: (today: Day, stamp: String)? {
        guard let now else {
            let stamp = Day.nowStamp()
            return (Day(String(stamp.prefix(10)))!, stamp)
        }
        guard let day = Day(String(now.prefix(10))) else { return nil }
        return (day, now.count == 10 ? now + "T00:00:00Z" : now)
    }

    func run() throws {
        guard let clock else { throw ValidationError("--now: expected YYYY-MM-DD") }
        let queue = try MailStore.openReadOnly(path: store.path)
        let verdictFilter = verdict == "all" ? nil : verdict
        if !folders.isEmpty {
            // A folder name with a typo would give an empty report and exit 0: say so and list the real ones.
            let known = try ReportQueries.folders(queue)
            let missing = folders.filter { !known.contains($0) }
            if !missing.isEmpty {
                let list = known.prefix(50).map { Escape.terminal($0) }.joined(separator: ", ")
                Terminal.writeError(
                    "mailatlas: error: no message is in folder \(missing.map { "\"\(Escape.terminal($0))\"" }.joined(separator: ", ")).\n"
                        + "  The store's folders: \(list.isEmpty ? "(none)" : list)\(known.count > 50 ? ", …" : "").\n")
                throw ExitCode(64)
            }
        }
        let period: ReportPeriod
        if let month {
            period = ReportPeriod.month(month)!
        } else if let from, let to {
            period = ReportPeriod.days(from: Day(from)!, through: Day(to)!)
        } else if let last {
            period = ReportPeriod.last(last, today: clock.today)!
        } else {
            period = try ReportQueries.defaultPeriod(
                queue, verdict: verdictFilter, folders: folders, today: clock.today, basis: by)
        }
        let templates = try ReportTemplates.load(overrides: self.templates)
        let request = ReportRequest(
            verdict: verdictFilter, folders: folders, period: period, top: top, generatedAt: clock.stamp,
            storeName: URL(fileURLWithPath: store.path).lastPathComponent, basis: by,
            timeZone: tz.flatMap(TimeZone.init(identifier:)))
        let report = try ReportQueries.build(queue, request: request)
        let summary =
            "\(period.label): \(Format.count(report.totals.messages)) "
            + (verdictFilter.map { $0 + " messages" } ?? "messages")
        switch format {
        case .html, .json:
            let text = format == .html ? try templates.html(report) : ReportJSON.render(report)
            if let out {
                try ReportOutput.write(text, to: out)
                if !quiet { Terminal.writeError("wrote \(out) (\(summary))\n") }
            } else {
                Terminal.write(text)
            }
        case .csv:
            let paths = try ReportOutput.writeCSV(try templates.csv(report), into: out!)
            if !quiet { Terminal.writeError("wrote \(paths.count) CSV files to \(out!) (\(summary))\n") }
        }
    }
}

extension ReportTimeBasis: ExpressibleByArgument {}
