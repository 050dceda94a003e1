import Foundation
import GRDB

/// What both network steps share: which stored messages a run is about, and which answers are fresh.
enum EnrichSelection {
    /// The messages still in the spool, arrived since `since` (UTC ISO 8601) and added by `scanID` when given, as a
    /// condition on `messages` under the alias `m`, with its arguments.
    static func messages(since: String?, scanID: Int64?) -> (String, [any DatabaseValueConvertible]) {
        var clause = "m.removed_scan_id IS NULL"
        var args: [any DatabaseValueConvertible] = []
        if let since {
            clause += " AND m.received_utc >= ?"
            args.append(since)
        }
        if let scanID {
            clause += " AND m.scan_id = ?"
            args.append(scanID)
        }
        return (clause, args)
    }

    /// Answers stored after this time (UTC ISO 8601) are younger than `maxAge` and are not asked again.
    static func staleBefore(maxAge: Duration) -> String {
        ISO8601.format(epochSeconds: Int(Date().timeIntervalSince1970) - Int(maxAge.components.seconds))
    }
}
