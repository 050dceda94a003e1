import ArgumentParser
import Foundation

/// `--db PATH`, shared by every command that uses the store.
struct StoreOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).", valueName: "path"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["MAILATLAS_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "mailatlas.sqlite"
    }
}

/// Exit statuses documented in `mailatlas --help`.
enum Exit {
    /// No root given to `scan` yielded mail (missing, unreadable, or holding none).
    static let noMail = ExitCode(1)
    /// Some roots could not be read or held no mail; the others were scanned.
    static let partial = ExitCode(2)
    static let locked = ExitCode(75)
    static func interrupted(signal: Int32) -> ExitCode { ExitCode(128 + signal) }
}
