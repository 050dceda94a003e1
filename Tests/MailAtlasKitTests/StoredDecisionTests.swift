import Foundation
import GRDB
import MailAtlasKit
import MailCore
import TestSupport
import Testing

/// `trace --db` decides a stored message again with what the scan that stored it decided with (its settings and the
/// relays it learned) and must arrive at the stored decision; a difference is a bug it reports.
@Suite struct StoredDecisionTests {
    /// Every message of the corpus, decided again from its file, equals its stored row.
    @Test(.enabled(if: Corpus.isAvailable)) func everyCorpusMessageIsDecidedAgainAsStored() async throws {
        let corpus = try #require(Corpus.root)
        let dir = TempDirectory("stored-decision")
        let store = dir.path + "/corpus.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [corpus.path])).run()
        let queue = try MailStore.openReadOnly(path: store)
        let ids = try await queue.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM messages ORDER BY id") }
        let labelled = Set(try Corpus.jsonLines("origin-expert.jsonl").compactMap { $0["src"] as? String })
        var agree = 0
        var labelledAgree = 0
        var misses: [String] = []
        for id in ids {
            let stored = try #require(try StoredDecision.read(queue, messageID: id))
            #expect(stored.config != nil)
            let bytes = try MessageFile.message(path: stored.sourcePath, index: stored.sourceIndex)
            let now = MessageAnalyzer(origin: stored.config ?? OriginConfig(), relayProfile: stored.profile)
                .originAnalysis(bytes).origin
            let differences = stored.differences(from: now)
            let src = String(stored.sourcePath.dropFirst(corpus.path.count + 1))
            let key = stored.sourceIndex > 0 || labelled.contains(src + "#0") ? "\(src)#\(stored.sourceIndex)" : src
            if differences.isEmpty {
                agree += 1
                if labelled.contains(key) { labelledAgree += 1 }
            } else if misses.count < 10 {
                misses.append("\(key): \(differences.joined(separator: "; "))")
            }
        }
        print("trace --db agrees with the store on \(agree)/\(ids.count) messages, \(labelledAgree) of them labelled")
        #expect(agree == ids.count, "\(misses.joined(separator: "\n"))")
        #expect(labelledAgree == labelled.count)
        #expect(ids.count >= 8_000)

        // Arrival: how many messages a report by Date puts in another month than a report by arrival, and a
        // month's report by arrival against SQL on `received_utc`.
        let (changed, sourced, busiest, inBusiest) = try await queue.read { db in
            let changed =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM messages WHERE date_utc IS NOT NULL AND received_utc IS NOT NULL
                            AND substr(date_utc, 1, 7) <> substr(received_utc, 1, 7)
                        """) ?? 0
            let sourced = try Row.fetchAll(
                db, sql: "SELECT coalesce(received_source, 'none'), count(*) FROM messages GROUP BY 1 ORDER BY 1"
            ).map { "\($0[0] as String) \($0[1] as Int)" }
            let busiest = try Row.fetchOne(
                db,
                sql: """
                    SELECT substr(received_utc, 1, 7), count(*) FROM messages WHERE received_utc IS NOT NULL
                    GROUP BY 1 ORDER BY 2 DESC LIMIT 1
                    """)!
            return (changed, sourced, busiest[0] as String, busiest[1] as Int)
        }
        print("arrival: \(changed) messages are in another month by Date than by arrival; sources: \(sourced)")
        let report = try ReportQueries.build(
            queue,
            request: ReportRequest(
                verdict: nil, folders: [], period: ReportPeriod.month(busiest)!, top: 20,
                generatedAt: "2026-12-01T00:00:00Z", storeName: "corpus.sqlite"))
        print(
            "arrival: \(busiest) holds \(inBusiest) messages by received_utc; the report counts \(report.totals.messages)"
        )
        #expect(report.totals.messages == inBusiest)
        try ArrivalTests.expectBackfillAgrees(store: store, atLeast: 8_000)
    }

    /// The relays learned by the scan are what makes the stored decision: without them the decision made now
    /// differs, and the comparison says where.
    @Test func corruptedRelayEvidenceShowsAsADifference() async throws {
        let dir = TempDirectory("stored-decision")
        ReceivingSideTests.spool(dir, relay: "23.95.222.152", chained: true)
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"])).run()
        let path = dir.path + "/spool/Maildir/cur/1007.M7.host:2,S"
        let bytes = try MessageFile.message(path: path, index: 0)
        func decideAgain() throws -> (StoredDecision, [String]) {
            let stored = try #require(
                try StoredDecision.read(MailStore.openReadOnly(path: store), sha256: MessageAnalyzer.sha256(bytes)))
            let now = MessageAnalyzer(origin: stored.config ?? OriginConfig(), relayProfile: stored.profile)
                .originAnalysis(bytes).origin
            return (stored, stored.differences(from: now))
        }
        let (stored, before) = try decideAgain()
        #expect(stored.profile.contains(site: "rcpt.example", ip: IPAddress("23.95.222.152")!))
        #expect(stored.origin?.rule == .ownRelays)
        #expect(stored.origin?.confidence == .medium)
        #expect(before.isEmpty)
        let writable = try DatabaseQueue(path: store)
        try await writable.write { db in try db.execute(sql: "DELETE FROM scan_relays") }
        let (_, after) = try decideAgain()
        #expect(after.contains("origin_confidence: stored medium, now low"))
    }
}
