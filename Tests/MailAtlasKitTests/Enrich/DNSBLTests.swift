import Foundation
import GRDB
import MailCore
import TestSupport
import Testing

@testable import MailAtlasKit

@Suite(.serialized) struct DNSBLTests {
    @Test func queryNames() {
        #expect(DNSBL.queryName(IPAddress("39.33.27.49")!, zone: "zen.spamhaus.org") == "49.27.33.39.zen.spamhaus.org")
        #expect(
            DNSBL.queryName(IPAddress("39.33.27.49")!, zone: "zen.dq.spamhaus.net", key: "abc123")
                == "49.27.33.39.abc123.zen.dq.spamhaus.net")
        // RFC 5782 §2.4: IPv6 by nibbles, least significant first.
        #expect(
            DNSBL.queryName(IPAddress("2001:db8:1:2:3:4:567:89ab")!, zone: "bl.example.")
                == "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example")
    }

    @Test func outcomesAndMeanings() {
        func answer(_ status: DNSStatus, _ addresses: [String]) -> DNSAnswer {
            DNSAnswer(host: "x", status: status, addresses: addresses, resolvedAt: 0)
        }
        #expect(DNSBL.outcome(answer(.answer, ["127.0.0.4"])).0 == .listed)
        #expect(DNSBL.outcome(answer(.nxdomain, [])).0 == .notListed)
        // Spamhaus's "query refused" codes are never a listing, nor is an address outside 127/8 (NXDOMAIN rewriting).
        #expect(DNSBL.outcome(answer(.answer, ["127.255.255.254"])).0 == .refused)
        #expect(DNSBL.outcome(answer(.answer, ["127.255.255.255"])).0 == .refused)
        #expect(DNSBL.outcome(answer(.answer, ["198.51.100.1"])).0 == .error)
        #expect(DNSBL.outcome(answer(.timeout, [])).0 == .timeout)
        #expect(DNSBL.meaning(zone: "zen.spamhaus.org", code: "127.0.0.4")?.hasPrefix("XBL") == true)
        #expect(DNSBL.meaning(zone: "zen.spamhaus.org", code: "127.0.0.11")?.hasPrefix("PBL") == true)
        #expect(DNSBL.meaning(zone: "b.barracudacentral.org", code: "127.0.0.2") != nil)
        #expect(DNSBL.meaning(zone: "bl.example", code: "127.0.0.2") == nil)
    }

    /// Origin IPs of a scanned spool checked against a blocklist zone nsd serves on loopback; the report's "Listed"
    /// table agrees with the stored results.
    @Test func originsCheckedAndReported() async throws {
        let zone = """
            $ORIGIN bl.atlas-test.org.
            $TTL 60
            @ IN SOA ns.bl.atlas-test.org. hostmaster.bl.atlas-test.org. 1 3600 600 86400 60
            @ IN NS ns.bl.atlas-test.org.
            ns IN A 127.0.0.1
            23.69.2.81 IN A 127.0.0.4
            24.69.2.81 IN A 127.255.255.254
            30.69.2.81 IN A 127.0.0.2

            """
        guard let server = try DNSTestServer.start(zones: ["bl.atlas-test.org": zone]) else { return }
        defer { server.stop() }
        let dir = TempDirectory("dnsbl")
        dir.maildir("spool/Maildir")
        for (k, ip) in ["81.2.69.23", "81.2.69.24", "81.2.69.25"].enumerated() {
            dir.write(
                "spool/Maildir/cur/\(k).M\(k).host:2,S",
                MailFixture.message(
                    subject: "m\(k)", date: "Tue, 14 Oct 2025 09:15:02 +0200",
                    received: [
                        "from sender.example (sender.example [\(ip)]) by mx.example.net with ESMTP; Tue, 14 Oct 2025 09:15:05 +0200"
                    ], body: k == 0 ? "Visit http://81.2.69.30/shop and http://10.1.2.3/\n" : "Hi\n"))
        }
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"], jobs: 1)).run()
        let options = DNSBLChecker.Options(
            resolver: .init(server: server.address, timeoutMilliseconds: 500), zones: ["bl.atlas-test.org"])
        let counts = try DNSBLChecker(storePath: store, options: options).run()
        #expect(counts.byOutcome == [.listed: 1, .refused: 1, .notListed: 1])
        let queue = try MailStore.openReadOnly(path: store)
        let rows = try queue.read {
            try Row.fetchAll($0, sql: "SELECT ip, status, codes FROM dnsbl_results ORDER BY ip")
        }
        #expect(rows.map { $0["status"] as String } == ["listed", "refused", "not-listed"])
        #expect(rows.first?["codes"] as String? == "127.0.0.4")
        // A rerun asks nothing; the report counts at check time.
        #expect(try DNSBLChecker(storePath: store, options: options).run().fresh == 3)
        let report = try ReportQueries.build(
            queue,
            request: ReportRequest(
                verdict: nil, folders: [], period: ReportPeriod.month("2025-10")!, top: 20,
                generatedAt: "2026-12-01T00:00:00Z", storeName: "s", basis: .date))
        #expect(report.blocklists == [.init(zone: "bl.atlas-test.org", checked: 2, listed: 1, unanswered: 1)])
        #expect(ReportJSON.render(report).contains("\"blocklists\""))
        // With linked addresses: the message that links to 81.2.69.30 gets that address checked too.
        let linked = try DNSBLChecker(
            storePath: store,
            options: .init(
                resolver: options.resolver, zones: options.zones, linkedAddresses: true, maxAge: .zero)
        ).run()
        #expect(linked.checked == 4)
        let linkedStatus: String? = try await queue.read {
            try String.fetchOne($0, sql: "SELECT status FROM dnsbl_results WHERE ip = '81.2.69.30'")
        }
        #expect(linkedStatus == "listed")
        let listing = Dictionary(uniqueKeysWithValues: try DNSTrace.listings(queue, ip: "81.2.69.23"))
        #expect(listing["bl.atlas-test.org"]?.hasPrefix("listed at ") == true)
    }
}
