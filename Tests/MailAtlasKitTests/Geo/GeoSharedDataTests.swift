import Foundation
import MailCore
import Testing

@testable import MailAtlasKit

/// The done-when checks of issue 6 on the real data in ../shared/geo: 100,000 random addresses per database.
@Suite(.enabled(if: GeoShared.isAvailable, "needs ../shared/geo"), .serialized)
struct GeoSharedDataTests {
    static let sampleSize = 100_000

    /// The embedded database answers exactly what the IPFire CSV and the AS names file say.
    @Test func embeddedDatabaseMatchesTheIPFireExport() throws {
        let db = try #require(GeoRangeDatabase.embedded, "this build has no embedded database")
        let ref = try ReferenceRanges.csv(GeoShared.path(GeoShared.ipfireCSV))
        var names: [UInt32: String] = [:]
        let text = try String(contentsOfFile: GeoShared.path(GeoShared.ipfireNames), encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", maxSplits: 1)
            if f.count == 2, let a = UInt32(f[0]) { names[a] = String(f[1]) }
        }
        #expect(ref.rows.count == 1_034_451)
        var rng = SeededRandom(seed: 20_260_822)
        let sample =
            ref.sample(count: Self.sampleSize / 2, ipv6: false, rng: &rng)
            + ref.sample(count: Self.sampleSize / 2, ipv6: true, rng: &rng)
        var agree = 0
        var inside = 0
        var failures: [String] = []
        for ip in sample {
            let row = ref.find(ip)
            if row != nil { inside += 1 }
            let expected: GeoRecord? = row.flatMap { r in
                let g = GeoRecord(country: r.country, asn: r.asn, asName: r.asn.flatMap { names[$0] })
                return g.isEmpty ? nil : g
            }
            let got = db.record(for: ip)
            if got == expected {
                agree += 1
            } else if failures.count < 10 {
                failures.append("\(ip): expected \(String(describing: expected)), got \(String(describing: got))")
            }
        }
        #expect(agree == sample.count, "\(failures)")
        // The sample really covers both sides of the ranges.
        #expect(inside > sample.count / 3 && inside < sample.count)
        print("embedded vs IPFire: \(agree)/\(sample.count) agree (\(inside) inside ranges)")
    }

    @Test func spotChecksFromTheDataREADME() throws {
        let r = GeoResolver.embeddedOnly
        let pk = r.resolve(IPAddress("39.33.27.49")!)
        #expect(pk.country == "PK" && pk.asn == 17557 && pk.asName == "Pakistan Telecommuication company limited")
        #expect(r.countryName("PK") == "Pakistan")
        #expect(r.resolve(IPAddress("8.8.8.8")!).asName == "Google LLC")
        #expect(r.resolve(IPAddress("133.242.0.1")!).asn == 7684)
        let br = r.resolve(IPAddress("200.160.0.1")!)
        #expect(br.country == "BR" && br.asn == 22548 && br.asName == nil)
        #expect(r.resolve(IPAddress("2001:4860:4860::8888")!).asn == 15169)
    }

    /// `geo import` of the ipverse RIR CSV answers what it says.
    @Test func importOfTheIpverseCSVMatchesItsSource() throws {
        var importer = GeoImporter()
        let report = try importer.importFile(GeoShared.path(GeoShared.ipverseCSV))
        #expect(report.format == .rangeCSV && report.rejected == 0)
        let db = try GeoRangeDatabase(bytes: importer.builder.build().bytes, path: "ipverse")
        let ref = try ReferenceRanges.csv(GeoShared.path(GeoShared.ipverseCSV))
        try compare(db, ref, seed: 20_260_201, label: "ipverse")
    }

    /// `geo import` of the AFRINIC delegated statistics answers what the file says (allocated and assigned blocks).
    @Test func importOfTheAfrinicDelegatedFileMatchesItsSource() throws {
        var importer = GeoImporter()
        let path = GeoShared.path(GeoShared.afrinic)
        let report = try importer.importFile(path)
        #expect(report.format == .rirDelegated && report.rejected == 0 && report.date == "2026-08-21")
        let db = try GeoRangeDatabase(bytes: importer.builder.build().bytes, path: "afrinic")
        var ref = ReferenceRanges()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count >= 7, f[6] == "allocated" || f[6] == "assigned", let start = IPAddress(f[3]),
                let value = UInt64(f[4])
            else { continue }
            let end: UInt128
            if f[2] == "ipv4" {
                end = start.bits + UInt128(value) - 1
            } else if f[2] == "ipv6" {
                end = start.bits | ((UInt128(1) << (128 - UInt128(value))) - 1)
            } else {
                continue
            }
            ref.rows.append(.init(start: start, end: IPAddress(bits: end), country: String(f[1]), asn: nil))
        }
        ref.sort()
        #expect(ref.rows.count == report.ranges)
        try compare(db, ref, seed: 20_260_821, label: "afrinic")
    }

    func compare(_ db: GeoRangeDatabase, _ ref: ReferenceRanges, seed: UInt64, label: String) throws {
        var rng = SeededRandom(seed: seed)
        let sample =
            ref.sample(count: Self.sampleSize / 2, ipv6: false, rng: &rng)
            + ref.sample(count: Self.sampleSize / 2, ipv6: true, rng: &rng)
        var agree = 0
        var failures: [String] = []
        for ip in sample {
            let expected = ref.find(ip)?.country
            let got = db.record(for: ip)?.country
            if got == expected {
                agree += 1
            } else if failures.count < 10 {
                failures.append("\(ip): expected \(expected ?? "nil"), got \(got ?? "nil")")
            }
        }
        #expect(agree == sample.count, "\(failures)")
        print("\(label): \(agree)/\(sample.count) agree")
    }
}
