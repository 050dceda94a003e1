import Foundation
import GRDB
import MailCore
import TestSupport
import Testing

@testable import MailAtlasKit

/// When a message crossed into the receiving side (`received_utc`), and reports that count months by it.
@Suite struct ArrivalTests {
    static func facts(_ headers: [String]) -> MessageFacts {
        MessageAnalyzer().analyze(Array((headers.joined(separator: "\r\n") + "\r\n\r\nbody\r\n").utf8))
    }

    @Test func theHopThatRecordedTheOriginSaysWhenItArrived() {
        let f = Self.facts([
            "Received: from localhost (localhost [127.0.0.1]) by mail.rcpt.example with LMTP; Sat, 1 Nov 2025 00:10:00 +0000",
            "Received: from out.sender.example (out.sender.example [64.15.22.10]) by mx.rcpt.example with ESMTP id A1; Fri, 31 Oct 2025 23:59:00 +0000",
            "Date: Tue, 14 Oct 2025 09:00:00 +0000",
        ])
        #expect(f.arrival == Arrival(utc: "2025-10-31T23:59:00Z", source: .originHop))
    }

    @Test func fetchedMailArrivedAtTheMailboxProvidersIntakeNotAtTheFetch() {
        let f = Self.facts([
            "Received: from pop.isp.example [127.0.0.1] by localhost with POP3 (fetchmail-6.4) for <u@localhost> (single-drop); Mon, 3 Nov 2025 08:00:00 +0000",
            "Received: from out.sender.example (out.sender.example [64.15.22.10]) by mx.isp.example with ESMTP id B2; Fri, 31 Oct 2025 22:00:00 +0000",
        ])
        #expect(f.origin?.rule == .fetch)
        #expect(f.arrival == Arrival(utc: "2025-10-31T22:00:00Z", source: .originHop))
    }

    @Test func internalMailArrivedAtTheTopmostHopThatHasATime() {
        let f = Self.facts([
            "Received: from localhost (localhost [127.0.0.1]) by mail.rcpt.example with LMTP; Sun, 2 Nov 2025 10:00:00 +0000",
            "Received: from app.rcpt.example (app.rcpt.example [10.0.0.5]) by mail.rcpt.example with ESMTP; Sun, 2 Nov 2025 09:59:00 +0000",
            "Date: Sat, 1 Nov 2025 09:00:00 +0000",
        ])
        #expect(f.origin?.rule == .noneInternal)
        #expect(f.arrival == Arrival(utc: "2025-11-02T10:00:00Z", source: .receivingHop))
    }

    @Test func withNoTimeFromTheReceivingSideTheDateHeaderCountsAndSaysSo() {
        let f = Self.facts(["Subject: no Received at all", "Date: Sat, 1 Nov 2025 09:00:00 +0000"])
        #expect(f.arrival == Arrival(utc: "2025-11-01T09:00:00Z", source: .date))
        #expect(Self.facts(["Subject: nothing"]).arrival == nil)
    }

    /// A spool whose Date headers lie: 4 messages sent (by Date) in October arrived in November, 2 dated
    /// November arrived then.
    static func spool(_ dir: TempDirectory) {
        dir.maildir("spool/Maildir")
        for k in 1...6 {
            let dated = k <= 4 ? "Tue, 14 Oct 2025 09:00:0\(k) +0000" : "Wed, 5 Nov 2025 09:00:0\(k) +0000"
            let text = [
                "Received: from out\(k).sender.example (out\(k).sender.example [64.15.\(k).10]) by mx.rcpt.example with ESMTP id A\(k); Wed, 5 Nov 2025 10:00:0\(k) +0000",
                "From: a@sender.example", "Subject: s\(k)", "Date: \(dated)", "Message-ID: <a\(k)@sender.example>",
                "X-Spam-Flag: YES",
            ].joined(separator: "\r\n")
            dir.write("spool/Maildir/cur/\(1000 + k).M\(k).host:2,S", text + "\r\n\r\nbody\r\n")
        }
    }

    @Test func reportsCountMonthsByArrivalUnlessAskedForTheDate() async throws {
        let dir = TempDirectory("arrival")
        Self.spool(dir)
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"])).run()
        let queue = try MailStore.openReadOnly(path: store)
        func report(_ month: String, _ basis: ReportTimeBasis, zone: String? = nil) throws -> Report {
            try ReportQueries.build(
                queue,
                request: ReportRequest(
                    verdict: nil, folders: [], period: ReportPeriod.month(month)!, top: 20,
                    generatedAt: "2025-12-01T00:00:00Z", storeName: "store.sqlite", basis: basis,
                    timeZone: zone.flatMap(TimeZone.init(identifier:))))
        }
        #expect(try report("2025-11", .arrival).totals.messages == 6)
        #expect(try report("2025-10", .arrival).totals.messages == 0)
        #expect(try report("2025-11", .date).totals.messages == 2)
        #expect(try report("2025-10", .date).totals.messages == 4)
        let november = try report("2025-11", .arrival)
        #expect(november.quality.dateFarFromArrival == 4)
        #expect(november.quality.arrivalFromDate == 0)
        // Days cut where the user lives: the mail arrived at 10:00 UTC on 5 November, which is 6 November at UTC+14.
        func fifth(_ zone: String?) throws -> Int {
            let day = Day(year: 2025, month: 11, day: 5)!
            return try ReportQueries.build(
                queue,
                request: ReportRequest(
                    verdict: nil, folders: [], period: ReportPeriod.days(from: day, through: day), top: 20,
                    generatedAt: "2025-12-01T00:00:00Z", storeName: "store.sqlite",
                    timeZone: zone.flatMap(TimeZone.init(identifier:)))
            ).totals.messages
        }
        #expect(try fifth(nil) == 6)
        #expect(try fifth("Pacific/Kiritimati") == 0)
        let html = try ReportTemplates.load().html(november)
        #expect(html.contains("by arrival: when the receiving side got them, days in UTC"))
        #expect(try ReportTemplates.load().html(report("2025-10", .date)).contains("by the messages’ Date header"))
    }

    @Test func monthsBeginAtLocalMidnight() {
        let day = Day(year: 2025, month: 11, day: 1)!
        var filter = ReportQueries.Filter(verdict: nil, folders: [])
        #expect(filter.bound(day) == "2025-11-01")
        filter.timeZone = TimeZone(identifier: "Europe/Berlin")
        #expect(filter.bound(day) == "2025-10-31T23:00:00Z")
        filter.timeZone = TimeZone(identifier: "America/New_York")
        #expect(filter.bound(day) == "2025-11-01T04:00:00Z")
    }

    /// Stores written before `v7` get their arrival from their stored hops, as a new scan computes it.
    @Test func theMigrationGivesStoredRowsTheArrivalAScanGivesNewOnes() async throws {
        let dir = TempDirectory("arrival")
        Self.spool(dir)
        dir.write(
            "spool/Maildir/cur/2000.M1.host:2,S",
            "Received: from localhost (localhost [127.0.0.1]) by mail.rcpt.example with LMTP; Sun, 2 Nov 2025 10:00:00 +0000\r\nDate: Sat, 1 Nov 2025 09:00:00 +0000\r\nSubject: internal\r\n\r\nx\r\n"
        )
        dir.write(
            "spool/Maildir/cur/2001.M1.host:2,S",
            "Subject: dated only\r\nDate: Sat, 1 Nov 2025 09:00:00 +0000\r\n\r\nx\r\n")
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"])).run()
        try Self.expectBackfillAgrees(store: store, atLeast: 8)
    }

    /// Clears every row's arrival, runs the migration's backfill and compares with what the scan stored.
    static func expectBackfillAgrees(store: String, atLeast minimum: Int) throws {
        let queue = try DatabaseQueue(path: store)
        let differing = try queue.write { db -> Int in
            try db.execute(
                sql: "CREATE TEMP TABLE kept AS SELECT id, received_utc, received_source FROM messages")
            try db.execute(sql: "UPDATE messages SET received_utc = NULL, received_source = NULL")
            try db.execute(sql: Schema.arrivalBackfill)
            return try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM messages m JOIN kept k ON k.id = m.id
                    WHERE m.received_utc IS NOT k.received_utc OR m.received_source IS NOT k.received_source
                    """) ?? -1
        }
        let total = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") ?? 0 }
        #expect(total >= minimum)
        #expect(differing == 0)
    }
}
