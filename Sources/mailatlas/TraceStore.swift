import Foundation
import MailAtlasKit

/// `trace --db`: the stored message a trace is about, read back from the spool, and how its stored decision compares
/// with the one made now.
enum TraceStore {
    /// The message's bytes and its stored decision. `argument` is a message file (found in the store by its
    /// SHA-256) or, when no such file exists and it is a number, a message id (read from the path the scan stored).
    static func message(store: String, argument: String, index: Int) throws -> ([UInt8], StoredDecision) {
        guard FileManager.default.fileExists(atPath: store) else {
            throw MessageFile.Failure(description: "\(store): no such store")
        }
        let queue = try MailStore.openReadOnly(path: store)
        if !FileManager.default.fileExists(atPath: argument), argument != "-", let id = Int64(argument), id > 0 {
            guard let stored = try StoredDecision.read(queue, messageID: id) else {
                throw MessageFile.Failure(description: "\(store) has no message \(id)")
            }
            do {
                return (try MessageFile.message(path: stored.sourcePath, index: stored.sourceIndex), stored)
            } catch {
                throw MessageFile.Failure(
                    description:
                        "message \(id) was stored from \(Escape.terminal(stored.sourcePath)) (index \(stored.sourceIndex)), which cannot be read from here: \(error). Paths are kept as the scan was given them: run trace from the directory the scan ran in, or give the file."
                )
            }
        }
        let bytes = try MessageFile.message(path: argument, index: index)
        guard let stored = try StoredDecision.read(queue, sha256: MessageAnalyzer.sha256(bytes)) else {
            throw MessageFile.Failure(
                description:
                    "\(Escape.terminal(argument)): no message of \(store) has these bytes (was the spool scanned into it, or the message changed since?)"
            )
        }
        return (bytes, stored)
    }

    /// The section that says what the decision was made with and how it compares with the stored one.
    static func section(store: String, stored: StoredDecision, differences: [String]) -> TraceReport.Section {
        var rows: [(String, String)] = [
            ("store", store),
            ("message", "id \(stored.messageID), stored by scan \(stored.scanID) from \(stored.sourcePath)"),
        ]
        if stored.config == nil {
            rows.append(
                (
                    "decided with",
                    "default settings and no learned relays: scan \(stored.scanID) ran before the store kept what it decided with"
                ))
        } else {
            let n = stored.profile.relays.count
            rows.append(
                (
                    "decided with",
                    "the settings of scan \(stored.scanID) and the \(n) relay\(n == 1 ? "" : "s") it learned from the spool (mailatlas relays)"
                ))
        }
        if let o = stored.origin {
            rows.append(("stored", "\(o.ip ?? "none") (rule \(o.rule), confidence \(o.confidence))"))
        }
        if differences.isEmpty {
            rows.append(("agreement", "the decision made now is the stored one"))
        } else {
            for d in differences { rows.append(("DIFFERS", d)) }
        }
        return TraceReport.Section(key: "store", title: "Stored decision", rows: rows)
    }

    /// What a trace without a store decides with, and how to get the scan's decision.
    static let withoutStore = TraceReport.Section(
        key: "context", title: "Decided from this message alone",
        rows: [
            (
                "note",
                "no relays learned from a spool, only the settings given here: a scan, which learns the site's relays from the whole spool, may decide differently"
            ),
            ("the scan's decision", "mailatlas trace --db STORE FILE (or a message id)"),
        ])
}
