import Foundation
import MailAtlasKit
import TestSupport
import Testing

/// `mailatlas relays`' view of the store: the relays the origin walk trusted, and the suspects, origin IPs that look
/// like a relay of the site that was missed.
@Suite struct ReceivingSideTests {
    /// A folder of `n` messages, each handed to the site's inbox by `relay` from a different network. When `chained`
    /// the relay presents the site's name and writes the hop below under it (it is learned); when not, it goes by a
    /// name of another organisation (under which it writes the hop below), nothing in the chain shows it is the
    /// site's, and it becomes every message's origin.
    static func spool(_ dir: TempDirectory, relay: String, chained: Bool, n: Int = 24) {
        dir.maildir("spool/Maildir")
        for k in 1...n {
            let helo = chained ? "gate.rcpt.example" : "relay.other.example"
            let below = chained ? "gate.rcpt.example" : "relay.other.example"
            let headers = [
                "Received: from \(helo) (host-\(k).colo.example [\(relay)])\r\n\tby inbox.rcpt.example (8.18.1/8.18.1) with ESMTPS id A\(k)\r\n\tfor <user@rcpt.example>; Wed, 19 Nov 2025 19:01:00 GMT",
                "Received: from out.sender\(k).example (out.sender\(k).example [\(30 + k * 5).\(k).\(k).9])\r\n\tby \(below) (8.16.1/8.16.1) with ESMTPS id B\(k)\r\n\tfor <user@rcpt.example>; Wed, 19 Nov 2025 13:01:00 -0600",
                "From: a\(k)@sender\(k).example", "To: user@rcpt.example", "Subject: offer \(k)",
                "Date: Wed, 19 Nov 2025 19:00:00 +0000", "Message-ID: <m\(k)@sender\(k).example>",
            ]
            dir.write(
                "spool/Maildir/cur/\(1000 + k).M\(k).host:2,S", headers.joined(separator: "\r\n") + "\r\n\r\nbody\r\n")
        }
    }

    static func scan(_ dir: TempDirectory) async throws -> ReceivingSide {
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"])).run()
        return try ReceivingSide.read(try MailStore.openReadOnly(path: store))
    }

    @Test func aLearnedRelayIsListedWithItsUpstreamNetworks() async throws {
        let dir = TempDirectory("relays")
        Self.spool(dir, relay: "23.95.222.152", chained: true)
        let side = try await Self.scan(dir)
        #expect(side.suspects.isEmpty)
        let relay = try #require(side.relays.first)
        #expect(relay.ip == "23.95.222.152")
        #expect(relay.messages == 24)
        #expect(relay.upstreamNetworks == 24)
        #expect(relay.names.contains("gate.rcpt.example"))
        #expect(relay.handedTo == ["inbox.rcpt.example"])
        #expect(relay.rules == ["own-relays"])
    }

    @Test func aMissedRelayIsASuspectWithTheLineThatSettlesIt() async throws {
        let dir = TempDirectory("relays")
        Self.spool(dir, relay: "23.95.222.152", chained: false)
        let side = try await Self.scan(dir)
        #expect(side.relays.isEmpty)
        let s = try #require(side.suspects.first)
        #expect(s.ip == "23.95.222.152")
        #expect(s.messages == 24)
        #expect(s.share == 1.0)
        #expect(s.upstreamNetworks == 24)
        #expect(side.suggestedInternalNetworks == "23.95.222.152/32")
    }

    @Test func theReportsDataQualitySectionListsTheSuspects() async throws {
        let dir = TempDirectory("relays")
        Self.spool(dir, relay: "23.95.222.152", chained: false)
        _ = try await Self.scan(dir)
        let queue = try MailStore.openReadOnly(path: dir.path + "/store.sqlite")
        let request = ReportRequest(
            verdict: nil, folders: [], period: ReportPeriod.month("2025-11")!, top: 20,
            generatedAt: "2025-12-01T00:00:00Z", storeName: "store.sqlite")
        let report = try ReportQueries.build(queue, request: request)
        #expect(report.quality.suspects.map(\.ip) == ["23.95.222.152"])
        let templates = try ReportTemplates.load()
        let html = try templates.html(report)
        let quality = try #require(html.range(of: "<section id=\"quality\"").map { String(html[$0.lowerBound...]) })
        #expect(quality.contains("Suspected relays"))
        #expect(quality.contains("<code>23.95.222.152</code>: 24 messages (100"))
        #expect(quality.contains("--internal-networks 23.95.222.152/32"))
        let csv = try #require(try templates.csv(report).first { $0.name.hasSuffix("data-quality.csv") })
        #expect(csv.text.contains("suspected_relay:23.95.222.152,24"))
        #expect(ReportJSON.render(report).contains("\"suspected_relays\""))
        // A month with none of this mail has no suspects.
        let other = try ReportQueries.build(
            queue,
            request: ReportRequest(
                verdict: nil, folders: [], period: ReportPeriod.month("2025-10")!, top: 20,
                generatedAt: "2025-12-01T00:00:00Z", storeName: "store.sqlite"))
        #expect(other.quality.suspects.isEmpty)
    }

    @Test func aSenderThatForgesHopsBelowItselfIsNoSuspect() async throws {
        // One sender holding every message, with invented hops below its own, from invented networks, written by
        // invented hosts: not a relay of the site.
        let dir = TempDirectory("relays")
        dir.maildir("spool/Maildir")
        for k in 1...24 {
            dir.write(
                "spool/Maildir/cur/\(1000 + k).M\(k).host:2,S",
                "Received: from 10.23.1.4 ([216.117.177.39]) by inbox.rcpt.example (Postfix) with SMTP id A\(k); Wed, 19 Nov 2025 19:01:00 +0000\r\nReceived: from mail\(k).bank\(k).example ([\(30 + k * 5).\(k).\(k).9]) by smtp\(k).forged\(k).example with SMTP id B\(k); Wed, 19 Nov 2025 19:00:00 +0000\r\nSubject: s\(k)\r\nMessage-ID: <f\(k)@bank.example>\r\n\r\nbody\r\n"
            )
        }
        let side = try await Self.scan(dir)
        #expect(side.suspects.isEmpty)
    }

    @Test func aHeavySenderThatForwardsNothingIsNoSuspect() async throws {
        // One sender holding every message, with nothing below its hop: the message starts there.
        let dir = TempDirectory("relays")
        dir.maildir("spool/Maildir")
        for k in 1...24 {
            dir.write(
                "spool/Maildir/cur/\(1000 + k).M\(k).host:2,S",
                "Received: from bulk.sender.example (bulk.sender.example [64.15.22.10])\r\n\tby inbox.rcpt.example (Postfix) with ESMTP id A\(k); Wed, 19 Nov 2025 19:01:00 +0000\r\nSubject: s\(k)\r\nMessage-ID: <b\(k)@sender.example>\r\n\r\nbody\r\n"
            )
        }
        let side = try await Self.scan(dir)
        #expect(side.suspects.isEmpty)
    }
}
