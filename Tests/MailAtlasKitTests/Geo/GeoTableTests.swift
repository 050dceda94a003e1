import MailCore
import Testing

@testable import MailAtlasKit

@Suite struct GeoTableTests {
    func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    func database(_ build: (inout GeoTableBuilder) -> Void) throws -> GeoRangeDatabase {
        var b = GeoTableBuilder()
        b.metadata = [(key: "name", value: "test"), (key: "date", value: "2026-01-02")]
        build(&b)
        return try GeoRangeDatabase(bytes: b.build().bytes, path: "test")
    }

    @Test func answersInsideRangesAndNothingInGaps() throws {
        let db = try database { b in
            b.addRange(start: ip("1.0.0.0"), end: ip("1.0.0.255"), country: "AU", asn: 13335)
            b.addRange(start: ip("1.0.1.0"), end: ip("1.0.3.255"), country: "cn", asn: nil)
            b.addRange(start: ip("2001:db8::"), end: ip("2001:db8::ffff"), country: nil, asn: 64500)
            b.addASName(13335, "Cloudflare, Inc.")
            b.addCountryName("AU", "Australia")
        }
        #expect(db.record(for: ip("1.0.0.7")) == GeoRecord(country: "AU", asn: 13335, asName: "Cloudflare, Inc."))
        #expect(db.record(for: ip("1.0.3.255")) == GeoRecord(country: "CN"))
        #expect(db.record(for: ip("1.0.4.0")) == nil)
        #expect(db.record(for: ip("0.255.255.255")) == nil)
        #expect(db.record(for: ip("2001:db8::1")) == GeoRecord(asn: 64500))
        #expect(db.record(for: ip("2001:db8::1:0")) == nil)
        #expect(db.countryName("AU") == "Australia")
        #expect(db.info.ipv4Ranges == 2)
        #expect(db.info.ipv6Ranges == 1)
        #expect(db.info.date == "2026-01-02")
    }

    @Test func ipv4MappedIsLookedUpAsIPv4() throws {
        let db = try database { b in
            b.addRange(start: ip("39.32.0.0"), end: ip("39.63.255.255"), country: "PK", asn: 17557)
        }
        #expect(db.record(for: ip("::ffff:39.33.27.49"))?.country == "PK")
        #expect(db.record(for: ip("39.33.27.49"))?.asn == 17557)
    }

    @Test func extremeEndsOfBothSpaces() throws {
        let db = try database { b in
            b.addRange(start: ip("0.0.0.0"), end: ip("0.0.0.0"), country: "AA", asn: 1)
            b.addRange(start: ip("255.255.255.255"), end: ip("255.255.255.255"), country: "ZY", asn: 2)
            b.addRange(start: ip("::"), end: ip("::"), country: "AB", asn: 3)
            b.addRange(
                start: ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0"),
                end: ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), country: "AC", asn: 4)
        }
        #expect(db.record(for: ip("0.0.0.0"))?.asn == 1)
        #expect(db.record(for: ip("0.0.0.1")) == nil)
        #expect(db.record(for: ip("255.255.255.255"))?.asn == 2)
        #expect(db.record(for: ip("255.255.255.254")) == nil)
        #expect(db.record(for: ip("::"))?.asn == 3)
        #expect(db.record(for: ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))?.asn == 4)
        #expect(db.record(for: ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffef")) == nil)
    }

    @Test func rejectsMixedFamiliesReversedRangesAndBadCodes() {
        var b = GeoTableBuilder()
        let mixed = b.addRange(start: ip("1.2.3.4"), end: ip("2001:db8::"), country: "US", asn: nil)
        let reversed = b.addRange(start: ip("1.2.3.4"), end: ip("1.2.3.3"), country: "US", asn: nil)
        let badCode = b.addRange(start: ip("1.2.3.4"), end: ip("1.2.3.5"), country: "USA", asn: nil)
        #expect(!mixed && !reversed && !badCode)
        #expect(b.rangeCount == 0)
    }

    /// Overlaps: the range that starts later wins, identical ranges go to the one added last; compared with a
    /// brute-force reading of that rule on random small tables.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func overlapsFollowTheRuleAgainstBruteForce(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        struct R {
            var s: UInt32
            var e: UInt32
            var asn: UInt32
            var seq: Int
        }
        var ranges: [R] = []
        var b = GeoTableBuilder()
        for k in 0..<Int(rng.next() % 60 + 1) {
            // Starts and lengths from small sets, so that identical and nested ranges are common.
            let s = UInt32(rng.next() % 50) * 10
            let e = s + [0, 9, 19, 99, 120][Int(rng.next() % 5)]
            let asn = UInt32(rng.next() % 5)  // 0 = a range that says nothing
            ranges.append(R(s: s, e: e, asn: asn, seq: k))
            b.addRange(start: IPAddress(ipv4: s), end: IPAddress(ipv4: e), country: nil, asn: asn)
        }
        let db = try GeoRangeDatabase(bytes: b.build().bytes, path: "random")
        let order = ranges.sorted { ($0.s, UInt32.max - $0.e, $0.seq) < ($1.s, UInt32.max - $1.e, $1.seq) }
        for q in UInt32(0)...UInt32(640) {
            let winner = order.last { $0.s <= q && q <= $0.e }
            let expected = winner.flatMap { $0.asn == 0 ? nil : $0.asn }
            #expect(db.record(for: IPAddress(ipv4: q))?.asn == expected, "address \(q), seed \(seed)")
        }
    }

    /// A damaged file never traps: truncated or bit-flipped copies either fail to open or answer something.
    @Test func damagedFilesFailOrAnswerButNeverTrap() throws {
        var b = GeoTableBuilder()
        var rng = SeededRandom(seed: 42)
        for k in 0..<400 {
            let s = UInt32(k) << 20
            b.addRange(start: IPAddress(ipv4: s), end: IPAddress(ipv4: s + 0xFFF), country: "DE", asn: UInt32(k + 1))
            b.addRange(
                start: IPAddress(high: 0x2001_0000_0000_0000 | UInt64(k) << 20, low: 0),
                end: IPAddress(high: 0x2001_0000_0000_0000 | UInt64(k) << 20, low: UInt64.max), country: "FR",
                asn: UInt32(k + 1))
            b.addASName(UInt32(k + 1), "AS \(k)")
        }
        let good = b.build().bytes
        var opened = 0
        for trial in 0..<300 {
            var bytes = good
            if trial % 3 == 0 {
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<(1 + Int(rng.next() % 8)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            guard let db = try? GeoRangeDatabase(bytes: bytes, path: "damaged") else { continue }
            opened += 1
            for _ in 0..<200 {
                _ = db.record(for: IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())))
                _ = db.record(for: IPAddress(high: rng.next(), low: rng.next()))
            }
        }
        #expect(opened > 0)
        #expect(throws: GeoError.self) { try GeoRangeDatabase(bytes: Array("not a database".utf8), path: "x") }
    }
}
