import MailAtlasKit

/// `scan --list-skipped`: every file under the roots that is not stored as mail, one a line with its reason, then
/// the files this scan could not read. Paths are escaped for the terminal (a file name may hold any byte).
enum SkippedList {
    static func text(_ account: SpoolAccount) -> String {
        let lines =
            account.skipped.map { ($0.reason.rawValue, $0.sourcePath) } + account.unreadable.map { ("unreadable", $0) }
        let width = lines.map(\.0.count).max() ?? 0
        var out = ""
        for (reason, path) in lines {
            out += reason + String(repeating: " ", count: width - reason.count + 2) + Escape.terminal(path) + "\n"
        }
        return out
    }
}
