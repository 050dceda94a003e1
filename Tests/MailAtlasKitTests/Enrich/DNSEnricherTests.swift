import Foundation
import GRDB
import TestSupport
import Testing

@testable import MailAtlasKit

/// `enrich --dns` over a scanned spool, against nsd on loopback serving the zone its links point into.
@Suite(.serialized) struct DNSEnricherTests {
    static let zone = """
        $ORIGIN atlas-test.com.
        $TTL 300
        @        IN SOA ns.atlas-test.com. hostmaster.atlas-test.com. 1 3600 600 86400 300
        @        IN NS  ns.atlas-test.com.
        ns       IN A   127.0.0.1
        @        IN A   81.2.69.142
        www      IN CNAME cdn.atlas-test.com.
        cdn      IN A   81.2.69.160
        cdn      IN AAAA 2a02:ec0::160
        track-1  IN A   81.2.69.161

        """

    struct Spool {
        let dir = TempDirectory("enrich")
        var store: String { dir.path + "/store.sqlite" }

        init() {
            dir.maildir("spool/Maildir")
            dir.write(
                "spool/Maildir/cur/1.M1.host:2,S",
                MailFixture.message(
                    subject: "one", date: "Tue, 14 Oct 2025 09:15:02 +0200",
                    body: """
                        Buy at https://www.atlas-test.com/a and see https://track-1.atlas-test.com/u1
                        or https://nothere.atlas-test.com/x or http://192.0.2.5/ now.

                        """))
            dir.write(
                "spool/Maildir/cur/2.M2.host:2,S",
                MailFixture.message(
                    subject: "two", date: "Wed, 15 Oct 2025 09:15:02 +0200",
                    body:
                        "Also https://www.atlas-test.com/b, https://nothere.atlas-test.com/y and https://other-site.net/\n"
                ))
        }

        func scan() async throws -> ScanSummary {
            try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"], jobs: 1)).run()
        }

        func rows(_ sql: String) throws -> [Row] {
            try MailStore.openReadOnly(path: store).read { try Row.fetchAll($0, sql: sql) }
        }
    }

    @Test func resolvesWhatTheSpoolLinksToAndNothingTwice() async throws {
        guard let server = try DNSTestServer.start(zones: ["atlas-test.com": Self.zone]) else { return }
        defer { server.stop() }
        let s = Spool()
        _ = try await s.scan()
        var options = DNSEnricher.Options(resolver: .init(server: server.address, timeoutMilliseconds: 500))
        let first = try DNSEnricher(storePath: s.store, options: options).run()
        // Registrable domains and hosts linked from two messages; the tracking host of one message is not asked.
        let hosts = Dictionary(
            uniqueKeysWithValues: try s.rows("SELECT host, status, cnames FROM dns_hosts").map {
                ($0["host"] as String, ($0["status"] as String, $0["cnames"] as String?))
            })
        #expect(
            Set(hosts.keys) == ["atlas-test.com", "www.atlas-test.com", "nothere.atlas-test.com", "other-site.net"])
        #expect(hosts["atlas-test.com"]?.0 == "answer")
        #expect(hosts["www.atlas-test.com"]?.0 == "answer")
        #expect(hosts["www.atlas-test.com"]?.1 == "cdn.atlas-test.com")
        #expect(hosts["nothere.atlas-test.com"]?.0 == "nxdomain")
        // nsd refuses names outside its zones, as a resolver refusing a query would.
        #expect(hosts["other-site.net"]?.0 == "refused")
        #expect(first.asked == 4)
        #expect(first.byStatus[.answer] == 2)
        let addresses = try s.rows("SELECT host, address, country FROM dns_addresses ORDER BY host, address")
        #expect(addresses.map { $0["address"] as String } == ["81.2.69.142", "2a02:ec0::160", "81.2.69.160"])
        #expect(first.addresses == 3)
        #expect(first.placed == addresses.filter { ($0["country"] as String?) != nil }.count)
        // A second run asks nothing: every answer is fresh.
        let second = try DNSEnricher(storePath: s.store, options: options).run()
        #expect(second.asked == 0)
        #expect(second.fresh == 4)
        // Unique hosts on request; the cap leaves the rest for the next run.
        options.resolveUniqueHosts = true
        options.maxAge = .zero
        options.maxQueries = 6
        let third = try DNSEnricher(storePath: s.store, options: options).run()
        #expect(third.asked == 3)
        #expect(third.overCap == 2)
    }

    /// The report's "hosted there" table equals a count made here from the stored links and answers.
    @Test func hostedThereAgreesWithTheStore() async throws {
        guard let server = try DNSTestServer.start(zones: ["atlas-test.com": Self.zone]) else { return }
        defer { server.stop() }
        let s = Spool()
        _ = try await s.scan()
        let options = DNSEnricher.Options(
            resolver: .init(server: server.address, timeoutMilliseconds: 500), resolveUniqueHosts: true)
        _ = try DNSEnricher(storePath: s.store, options: options).run()
        let queue = try MailStore.openReadOnly(path: s.store)
        let request = ReportRequest(
            verdict: nil, folders: [], period: ReportPeriod.month("2025-10")!, top: 50,
            generatedAt: "2026-12-01T00:00:00Z", storeName: "store.sqlite", basis: .date)
        let report = try ReportQueries.build(queue, request: request)
        // Expected: per message, the countries of each linked site (a name by its own addresses when it has any,
        // else by its domain's; an IP link by its stored country), one count per (origin, host country) pair.
        var expected: [String: (messages: Set<Int64>, hosts: Set<String>)] = [:]
        for link in try s.rows(
            "SELECT m.id, m.origin_country, l.host, l.domain, l.is_ip, l.host_country FROM messages m JOIN links l ON l.message_id = m.id"
        ) {
            let host: String = link["host"]
            var countries: [String?] = []
            if (link["is_ip"] as Int) == 1 {
                countries = [link["host_country"]]
            } else {
                var name = host
                let own = try s.rows("SELECT country FROM dns_addresses WHERE host = '\(host)'")
                if own.isEmpty { name = link["domain"] }
                countries = try s.rows("SELECT country FROM dns_addresses WHERE host = '\(name)'").map { $0["country"] }
            }
            for c in countries {
                let key = "\((link["origin_country"] as String?) ?? "-")>\(c ?? "-")"
                expected[key, default: ([], [])].messages.insert(link["id"])
                expected[key, default: ([], [])].hosts.insert(host)
            }
        }
        let got = Dictionary(
            uniqueKeysWithValues: report.countryTLD.hostedThere.map {
                ("\($0.country ?? "-")>\($0.hostCountry ?? "-")", ($0.messages, $0.addresses))
            })
        #expect(!got.isEmpty)
        #expect(got.count == expected.count)
        for (key, value) in expected {
            #expect(got[key]?.0 == value.messages.count, "\(key)")
            #expect(got[key]?.1 == value.hosts.count, "\(key)")
        }
        #expect(report.countryTLD.resolvedHosts)
        // How long after arrival the names were resolved: the messages arrived (by their Date) in October 2025.
        let days = Int((Date().timeIntervalSince1970 - 1_760_425_000) / 86_400)
        let placedByName = report.countryTLD.hostedThere.filter {
            $0.hostCountry != nil && $0.maxDaysAfterArrival != nil
        }
        #expect(!placedByName.isEmpty)
        for row in placedByName {
            #expect(abs((row.maxDaysAfterArrival ?? 0) - days) <= 2, "\(row)")
        }
        // The hosting networks: every AS of the linked sites' addresses, each message counted once per AS.
        var byAS: [Int64: Set<Int64>] = [:]
        for link in try s.rows(
            "SELECT m.id, l.host, l.domain FROM messages m JOIN links l ON l.message_id = m.id WHERE l.is_ip = 0")
        {
            let host: String = link["host"]
            let own = try s.rows("SELECT asn FROM dns_addresses WHERE host = '\(host)'")
            let rows =
                own.isEmpty
                ? try s.rows("SELECT asn FROM dns_addresses WHERE host = '\(link["domain"] as String)'") : own
            for r in rows { if let asn = r["asn"] as Int64? { byAS[asn, default: []].insert(link["id"]) } }
        }
        #expect(!byAS.isEmpty)
        #expect(
            Dictionary(
                uniqueKeysWithValues: report.countryTLD.hostingProviders.map { (Int64($0.asn ?? -1), $0.messages) })
                == byAS.mapValues(\.count))
        // trace --db shows each link's resolution: the chain, the addresses and where they are.
        let links = [
            LinkFacts(
                url: "https://www.atlas-test.com/a", host: "www.atlas-test.com", domain: "atlas-test.com", tld: "com",
                isIP: false, source: "text")
        ]
        let rows = Dictionary(uniqueKeysWithValues: try DNSTrace.rows(queue, links: links))
        #expect(rows["www.atlas-test.com"]?.hasPrefix("answer at 20") == true)
        #expect(rows["www.atlas-test.com"]?.contains("via cdn.atlas-test.com: 2a02:ec0::160") == true)
        #expect(rows["atlas-test.com"]?.contains("81.2.69.142") == true)
        let json = ReportJSON.render(report)
        #expect(json.contains("\"hosted_there\""))
    }

    @Test func aDeadResolverEndsTheRunWithEveryNameMarked() async throws {
        let responder = try MisbehavingDNSResponder(mode: .silent)
        defer { responder.stop() }
        let s = Spool()
        _ = try await s.scan()
        let options = DNSEnricher.Options(
            resolver: .init(server: responder.address, timeoutMilliseconds: 5000, tries: 3),
            deadline: .milliseconds(400))
        let start = ContinuousClock.now
        let counts = try DNSEnricher(storePath: s.store, options: options).run()
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(counts.byStatus == [.timeout: 4])
        #expect(try s.rows("SELECT count(*) AS n FROM dns_hosts WHERE status = 'timeout'").first?["n"] == 4)
    }
}
