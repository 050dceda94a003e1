import ArgumentParser
import MailAtlasKit

@main
struct MailAtlas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailatlas",
        abstract: "Find where a mail spool's spam came from, what it links to and what it carries.",
        discussion: """
            Scan a spool into a SQLite store, then ask it questions:

              mailatlas scan /var/vmail --db mail.sqlite
              mailatlas sql --db mail.sqlite "SELECT verdict, count(*) FROM messages GROUP BY verdict"
              mailatlas report --db mail.sqlite --month 2026-10 --out report.html
              mailatlas trace message.eml

            Exit status: 0 success; 1 error, or no root of a scan yielded mail (missing, unreadable or holding
            none); 2 some roots could not be read or held no mail (the rest was scanned); 64 bad usage; 75 another scan holds the store (try again later);
            130/143 interrupted by SIGINT/SIGTERM (everything committed so far is kept; rerun to continue).
            """,
        version: MailAtlasKitVersion.string,
        subcommands: [
            ScanCommand.self, SQLCommand.self, ReportCommand.self, TraceCommand.self, RelaysCommand.self,
            GeoCommand.self,
        ]
    )
}
