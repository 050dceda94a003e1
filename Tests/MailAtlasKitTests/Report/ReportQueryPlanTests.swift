import Foundation
import GRDB
import ReportFixtures
import Synchronization
import TestSupport
import Testing

@testable import MailAtlasKit

/// How the report reads the store: a month of a large store must come from index ranges (the covering indexes
/// `messages_report` and `links_report`), never from the table rows of every message in the period or from a scan
/// of a whole table. Cached, a wrong plan costs little; read from disk, the top-IPs query that filtered the
/// period's table rows read most of a 1,000,000-message store (5 s of 11.6 s, `Benchmarks/PROFILE.md`).
@Suite struct ReportQueryPlanTests {
    /// Every statement the report runs, with its arguments in place, and SQLite's plan for it.
    static func plans(by basis: ReportTimeBasis) throws -> [(sql: String, plan: [String])] {
        let dir = TempDirectory("plan")
        let path = dir.path + "/fixture.sqlite"
        _ = try ReportFixture.make(path: path, hostile: false)
        let statements = Mutex<[String]>([])
        var config = Configuration()
        config.readonly = true
        config.prepareDatabase { db in
            db.trace { event in
                let sql = event.expandedDescription
                statements.withLock { $0.append(sql) }
            }
        }
        let queue = try DatabaseQueue(path: path, configuration: config)
        let request = ReportRequest(
            verdict: "spam", folders: ["Junk"], period: ReportPeriod.month("2026-10")!, top: 20,
            generatedAt: "2026-11-29T00:00:00Z", storeName: "fixture.sqlite", basis: basis)
        _ = try ReportQueries.build(queue, request: request)
        try queue.close()
        let reader = try MailStore.openReadOnly(path: path)
        var seen = Set<String>()
        var result: [(String, [String])] = []
        for sql in statements.withLock({ $0 }) where sql.hasPrefix("SELECT") && seen.insert(sql).inserted {
            let plan = try reader.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
            }
            result.append((sql, plan))
        }
        return result
    }

    /// By arrival (the default) through `messages_arrival`, by Date through `messages_report`.
    @Test(arguments: [
        (ReportTimeBasis.arrival, "received_utc", "messages_arrival"),
        (ReportTimeBasis.date, "date_utc", "messages_report"),
    ])
    func aPeriodIsReadFromIndexRangesOnly(_ basis: ReportTimeBasis, _ column: String, _ index: String) throws {
        let plans = try Self.plans(by: basis)
        #expect(plans.count >= 20)
        let bigTables = ["messages", "received_hops", "links", "attachments", "archive_members"]
        for (sql, plan) in plans {
            let context = "\(sql)\n\(plan.joined(separator: "\n"))"
            for step in plan {
                // A whole big table (SQLite names the alias: "SCAN m", "SCAN l" …, or the table).
                for table in bigTables {
                    #expect(!step.hasPrefix("SCAN \(table)"), "\(context)")
                }
                #expect(!["SCAN m", "SCAN h", "SCAN l", "SCAN a", "SCAN am"].contains(step), "\(context)")
                // The table rows of every message in the period: only a covering index may serve a date range.
                if step.contains("\(column)>?") { #expect(step.contains("COVERING INDEX"), "\(context)") }
            }
        }
        // The top-IPs detail reads table rows only for the messages of the top addresses.
        let detail = try #require(plans.first { $0.sql.contains("h.from_rdns") })
        #expect(
            detail.plan.contains { $0.contains("COVERING INDEX \(index) (\(column)>? AND \(column)<?)") },
            "\(detail.plan)")
        #expect(detail.plan.contains { $0.contains("USING INTEGER PRIMARY KEY (rowid=?)") })
        // The links to IP addresses come from the partial index of v4 alone.
        let ipHosts = try #require(plans.first { $0.sql.contains("l.host_country") })
        #expect(ipHosts.plan.contains { $0.contains("COVERING INDEX links_ip_host") }, "\(ipHosts.plan)")
    }
}
