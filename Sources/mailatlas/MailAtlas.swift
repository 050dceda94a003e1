import ArgumentParser
import Foundation
import MailAtlasKit

@main
struct MailAtlas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailatlas",
        abstract: "Find where a mail spool's spam came from, what it links to and what it carries.",
        discussion: """
            Scan a spool into a SQLite store, then ask it questions:

              mailatlas scan /var/vmail --db mail.sqlite
              mailatlas sql --db mail.sqlite "SELECT verdict, count(*) FROM messages GROUP BY 1"
              mailatlas report --db mail.sqlite --month 2026-10 --out report.html
              mailatlas trace message.eml

            Exit status: 0 success; 1 error, or no root of a scan yielded mail (missing, unreadable or holding
            none); 2 some roots could not be read or held no mail (the rest was scanned); 64 bad usage; 75 another scan holds the store (try again later);
            130/143 interrupted by SIGINT/SIGTERM (everything committed so far is kept; rerun to continue).
            """.reflowed,
        version: MailAtlasKitVersion.string,
        subcommands: [
            ScanCommand.self, SQLCommand.self, ReportCommand.self, TraceCommand.self, RelaysCommand.self,
            GeoCommand.self, EnrichCommand.self,
        ]
    )

    /// Runs the command; every error is said in one voice, `mailatlas: error: …` with a hint, and the exit status
    /// says what kind it was (64 for a mistake in the command line, 1 for anything else; see the discussion above).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            // Help, version, and exits whose message the command has already printed.
            if error is ExitCode || code == .success {
                exit(withError: error)
            }
            var text = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("Error: ") { text.removeFirst(7) }
            var out = "mailatlas: error: " + Escape.terminal(text)
            if code == .validationFailure {
                let sub = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }
                let known = configuration.subcommands.map { $0._commandName }
                out += "\n  See 'mailatlas\(sub.map { known.contains($0) ? " " + $0 : "" } ?? "") --help'."
            }
            Terminal.writeError(out + "\n")
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
