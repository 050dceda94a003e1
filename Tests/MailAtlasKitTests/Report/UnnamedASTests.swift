import Foundation
import TestSupport
import Testing

@testable import MailAtlasKit

/// An AS that the IP database numbers but does not name (AS22927, a large LACNIC network the IPFire data leaves
/// unnamed) is shown with the registry that gave out its number and its addresses' country, in every format.
@Suite struct UnnamedASTests {
    @Test func anUnnamedASShowsItsRegistryAndCountry() async throws {
        let dir = TempDirectory("unnamed-as")
        dir.maildir("spool/Maildir")
        // 168.226.0.9: AR, AS22927 without a name in the built-in database; 8.8.8.8: US, AS15169 "Google LLC".
        for (k, ip) in ["168.226.0.9", "168.226.0.9", "8.8.8.8"].enumerated() {
            let text = [
                "Received: from sender.example (sender.example [\(ip)]) by mx.rcpt.example with ESMTP id A\(k); 10 Nov 2025 10:00:00 +0000",
                "Subject: s\(k)", "Message-ID: <u\(k)@sender.example>", "X-Spam-Flag: YES",
            ].joined(separator: "\r\n")
            dir.write("spool/Maildir/cur/\(1000 + k).M\(k).host:2,S", text + "\r\n\r\nbody\r\n")
        }
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"])).run()
        let report = try ReportQueries.build(
            MailStore.openReadOnly(path: store),
            request: ReportRequest(
                verdict: nil, folders: [], period: ReportPeriod.month("2025-11")!, top: 10,
                generatedAt: "2025-12-01T00:00:00Z", storeName: "store.sqlite"))
        let unnamed = try #require(report.byProvider.first { $0.asn == 22927 })
        #expect(unnamed.asName == nil)
        #expect(unnamed.country == "AR")

        let templates = try ReportTemplates.load()
        let html = try templates.html(report)
        // The providers table, its chart, the top IPs and the countries' top providers all say it.
        #expect(html.components(separatedBy: "AS22927 (LACNIC, AR)").count - 1 >= 4)
        #expect(!html.contains("AS22927<"))
        #expect(html.contains("AS15169 Google LLC"))

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(ReportJSON.render(report).utf8)) as? [String: Any])
        let providers = try #require(json["by_provider"] as? [[String: Any]])
        let row = try #require(providers.first { ($0["asn"] as? Int) == 22927 })
        #expect(row["as_registry"] as? String == "LACNIC")
        #expect(row["as_name"] is NSNull)
        let ips = try #require(json["top_ips"] as? [[String: Any]])
        #expect(ips.first { ($0["ip"] as? String) == "168.226.0.9" }?["as_registry"] as? String == "LACNIC")
        let google = try #require(providers.first { ($0["asn"] as? Int) == 15169 })
        #expect(google["as_registry"] as? String == "ARIN")

        let csv = try templates.csv(report)
        let byProvider = try #require(csv.first { $0.name == "by-provider.csv" }).text
        let table = try CSV.parse(byProvider)
        let header = try #require(table.first)
        let registry = try #require(header.firstIndex(of: "as_registry"))
        let asn = try #require(header.firstIndex(of: "asn"))
        #expect(table.dropFirst().first { $0[asn] == "22927" }?[registry] == "LACNIC")
        let byCountry = try #require(csv.first { $0.name == "by-country.csv" }).text
        #expect(byCountry.contains("AS22927 (LACNIC, AR) (2)"))
    }

    @Test func registryRangeBoundaries() {
        // IANA's blocks: 1-1876 ARIN, 1877-1903 RIPE NCC (1902-1903 moved from ARIN); 27648-28671 LACNIC between ARIN and RIPE NCC blocks;
        // AS_TRANS 23456 and the documentation and private-use numbers are no registry's.
        let cases: [(UInt32, String?)] = [
            (0, nil), (1, "ARIN"), (1876, "ARIN"), (1877, "RIPE NCC"), (1903, "RIPE NCC"), (1904, "ARIN"),
            (23455, "ARIN"), (23456, nil), (23457, "ARIN"),
            (27647, "ARIN"), (27648, "LACNIC"), (28671, "LACNIC"), (28672, "RIPE NCC"),
            (36863, "ARIN"), (36864, "AFRINIC"), (37887, "AFRINIC"), (37888, "APNIC"),
            (64495, "RIPE NCC"), (64496, nil), (64511, nil), (64512, nil), (65535, nil), (65536, nil),
            (131072, "APNIC"), (196608, "RIPE NCC"), (262144, "LACNIC"), (327680, "AFRINIC"), (393216, "ARIN"),
            (4_200_000_000, nil), (UInt32.max, nil),
            // Numbers of ARIN's early blocks that were moved to other registries one by one.
            (22926, "ARIN"), (22927, "LACNIC"), (22928, "ARIN"), (6057, "LACNIC"), (26599, "LACNIC"),
            (28573, "LACNIC"), (4134, "APNIC"), (2561, "AFRINIC"),
        ]
        for (asn, registry) in cases {
            #expect(ASNRegistry.name(of: asn) == registry, "AS\(asn)")
        }
        #expect(ASNRegistry.name(ofAS: -1) == nil)
        #expect(ASNRegistry.name(ofAS: Int(UInt32.max) + 1) == nil)
        #expect(ASNRegistry.name(ofAS: nil) == nil)
    }

    @Test func theTableIsSortedAndHasNoOverlaps() {
        let (firsts, lasts) = (ASNRegistries.firsts, ASNRegistries.lasts)
        #expect(firsts.count == lasts.count && firsts.count == ASNRegistries.registries.count)
        for i in firsts.indices {
            #expect(firsts[i] <= lasts[i])
            if i > 0 { #expect(lasts[i - 1] < firsts[i]) }
        }
        #expect(ASNRegistries.registries.allSatisfy { Int($0) < ASNRegistries.names.count })
    }

    @Test func labels() {
        #expect(ASNRegistry.label(asn: 22927, name: nil, country: "AR") == "AS22927 (LACNIC, AR)")
        #expect(ASNRegistry.label(asn: 22927, name: "", country: nil) == "AS22927 (LACNIC)")
        #expect(ASNRegistry.label(asn: 64512, name: nil, country: "DE") == "AS64512 (DE)")
        #expect(ASNRegistry.label(asn: 64512, name: nil, country: nil) == "AS64512")
        #expect(
            ASNRegistry.label(asn: 3320, name: "Deutsche Telekom AG", country: "DE") == "AS3320 Deutsche Telekom AG")
    }
}
