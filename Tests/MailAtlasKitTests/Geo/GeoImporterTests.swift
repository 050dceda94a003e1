import Foundation
import MailCore
import Testing

@testable import MailAtlasKit

@Suite struct GeoImporterTests {
    func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    func imported(_ files: [(String, String)]) throws -> (GeoRangeDatabase, [GeoImporter.FileReport]) {
        var importer = GeoImporter()
        for (name, text) in files { try importer.importBytes(Array(text.utf8), path: name) }
        return (try GeoRangeDatabase(bytes: importer.builder.build().bytes, path: "t"), importer.reports)
    }

    @Test(arguments: [
        ("1.0.0.0,1.0.0.255,AU,13335\n", GeoImporter.Format.rangeCSV),
        ("start,end,country\n1.0.0.0,1.0.0.255,AU\n", .rangeCSV),
        ("16777216,16777471,AU\n", .rangeCSV),
        (
            "2|apnic|20260821|3|19830613|20260820|+1000\napnic|AU|ipv4|1.0.0.0|256|20110811|assigned|A91872ED\n",
            .rirDelegated
        ),
        ("1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n", .ip2asn),
        ("15169\tGoogle LLC\n", .asNames),
        ("AS15169\tGoogle LLC\n", .asNames),
        ("PK\tPakistan\n", .countryNames),
        ("{\"3166-1\": []}", .isoCodesJSON),
    ])
    func detectsTheFormatFromContent(text: String, format: GeoImporter.Format) {
        #expect(GeoImporter.detect(Array(text.utf8)) == format)
    }

    @Test func unknownContentIsRefusedWithTheFormatsItExpects() {
        #expect(GeoImporter.detect(Array("hello world\n".utf8)) == nil)
        var importer = GeoImporter()
        #expect {
            try importer.importBytes(Array("hello world\n".utf8), path: "notes.txt")
        } throws: { e in
            (e as? GeoError)?.message.contains("range CSV") == true
        }
    }

    @Test func rangeCSVWithHeaderIntegersQuotedNamesAndBadLines() throws {
        let csv = """
            # comment
            start,end,country,asn,name
            16777216,16777471,AU,13335,"Cloudflare, Inc."
            1.0.1.0,1.0.3.255,cn,,
            2001:db8:1::,2001:db8:1:ffff:ffff:ffff:ffff:ffff,DE,AS3320,Deutsche Telekom AG
            42540766411282592856903984951653826560,42540766411282592875350729025363378175,FR,,
            1.2.3.4,1.2.3.3,US,,
            1.3.0.0,1.3.0.255,,,
            not,an,address
            """
        let (db, reports) = try imported([("ranges.csv", csv)])
        let r = reports[0]
        #expect(r.format == .rangeCSV && r.ranges == 4 && r.ignored == 1 && r.rejected == 2)
        #expect(r.problems.count == 2 && r.problems[0].hasPrefix("line 7"))
        #expect(db.record(for: ip("1.0.0.1")) == GeoRecord(country: "AU", asn: 13335, asName: "Cloudflare, Inc."))
        #expect(db.record(for: ip("1.0.2.0")) == GeoRecord(country: "CN"))
        #expect(db.record(for: ip("2001:db8:1::5"))?.asn == 3320)
        // 42540766411282592856903984951653826560 = 2001:db8::
        #expect(db.record(for: ip("2001:db8::77"))?.country == "FR")
        #expect(db.record(for: ip("1.3.0.1")) == nil)
    }

    @Test func rirDelegatedTakesAllocatedAndAssignedBlocksOnly() throws {
        let text = """
            2|ripencc|20260821|6|19830705|20260820|+0100
            ripencc|*|ipv4|*|3|summary
            ripencc|*|ipv6|*|2|summary
            ripencc|FR|ipv4|2.0.0.0|1048576|20100712|allocated|aa
            ripencc|NL|ipv4|2.56.0.0|768|20190101|assigned|bb
            ripencc|ZZ|ipv4|2.57.0.0|256||available|
            ripencc|DE|ipv6|2001:608::|32|19990820|allocated|cc
            ripencc||ipv6|2001:609::|32||reserved|
            ripencc|DE|asn|3320|1|19940701|allocated|dd
            ripencc|FR|ipv4|2.16.0.0|nonsense|20100712|allocated|ee
            """
        let (db, reports) = try imported([("delegated-ripencc-extended-latest", text)])
        let r = reports[0]
        #expect(r.format == .rirDelegated && r.ranges == 3 && r.date == "2026-08-21" && r.rejected == 1)
        #expect(r.ignored == 3)
        #expect(db.record(for: ip("2.15.255.255"))?.country == "FR")
        #expect(db.record(for: ip("2.16.0.0")) == nil)
        // 768 addresses: not a power of two, still one range.
        #expect(db.record(for: ip("2.56.2.255"))?.country == "NL")
        #expect(db.record(for: ip("2.56.3.0")) == nil)
        #expect(db.record(for: ip("2.57.0.1")) == nil)
        #expect(db.record(for: ip("2001:608:ffff::1"))?.country == "DE")
        #expect(db.record(for: ip("2001:609::1")) == nil)
    }

    @Test func ip2asnSkipsUnroutedAndKeepsNames() throws {
        let text = """
            1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET
            1.0.1.0\t1.0.3.255\t0\tNone\tNot routed
            1.0.4.0\t1.0.7.255\t38803\tAU\tGTELECOM-AUSTRALIA Gtelecom Pty Ltd
            2001:200::\t2001:200:ffff:ffff:ffff:ffff:ffff:ffff\t2500\tJP\tWIDE-BB WIDE Project
            """
        let (db, reports) = try imported([("ip2asn-combined.tsv", text)])
        #expect(reports[0].ranges == 3 && reports[0].ignored == 1)
        #expect(db.record(for: ip("1.0.0.9")) == GeoRecord(country: "US", asn: 13335, asName: "CLOUDFLARENET"))
        #expect(db.record(for: ip("1.0.2.0")) == nil)
        #expect(db.record(for: ip("2001:200::1"))?.asName == "WIDE-BB WIDE Project")
    }

    @Test func namesFilesNameWhatTheRangesUse() throws {
        let (db, _) = try imported([
            ("ranges.csv", "39.32.0.0,39.63.255.255,PK,17557\n"),
            ("asnames.tsv", "# asn\tname\n17557\tPakistan Telecommuication company limited\n"),
            ("countries.tsv", "PK\tPakistan\n"),
        ])
        #expect(db.record(for: ip("39.33.27.49"))?.asName == "Pakistan Telecommuication company limited")
        #expect(db.countryName("PK") == "Pakistan")
    }

    @Test func gzipIsUndoneAndDamagedGzipIsAClearError() throws {
        let csv = Array("1.0.0.0,1.0.0.255,AU,13335\n".utf8)
        let path = try temporaryFile(StoredGzip.make(csv), name: "ranges.csv.gz")
        var importer = GeoImporter()
        let r = try importer.importFile(path)
        #expect(r.format == .rangeCSV && r.ranges == 1)
        // Two members, as `cat a.gz b.gz` makes.
        let two = StoredGzip.make(csv) + StoredGzip.make(Array("1.0.4.0,1.0.7.255,AU,38803\n".utf8))
        #expect(try GeoFiles.gunzip(two, limit: 1 << 20) == csv + Array("1.0.4.0,1.0.7.255,AU,38803\n".utf8))
        let truncated = Array(StoredGzip.make(csv).dropLast(12))
        #expect(throws: GeoError.self) { try GeoFiles.gunzip(truncated, limit: 1 << 20) }
        #expect(throws: GeoError.self) { try GeoFiles.gunzip(StoredGzip.make(csv), limit: 4) }
    }

    @Test func datesInFileNames() {
        #expect(GeoImporter.dateInName("/x/delegated-afrinic-extended-20260821.txt") == "2026-08-21")
        #expect(GeoImporter.dateInName("GeoLite2-Country.mmdb") == nil)
        #expect(GeoImporter.dateInName("v123456789.csv") == nil)
    }
}

@Suite struct GeoResolverTests {
    func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    func db(_ name: String, _ rows: [(String, String, String?, UInt32?)], names: [UInt32: String] = [:]) throws
        -> GeoRangeDatabase
    {
        var b = GeoTableBuilder()
        b.metadata = [(key: "name", value: name), (key: "date", value: "2026-01-01")]
        for (s, e, c, a) in rows { b.addRange(start: ip(s), end: ip(e), country: c, asn: a) }
        for (a, n) in names { b.addASName(a, n) }
        return try GeoRangeDatabase(bytes: b.build().bytes, path: name)
    }

    @Test(arguments: [
        ("10.1.2.3", IPAddress.Scope.private), ("127.0.0.1", .loopback), ("100.64.0.1", .sharedCGNAT),
        ("169.254.1.1", .linkLocal), ("192.0.2.1", .documentation), ("fe80::1", .linkLocal), ("fd00::1", .uniqueLocal),
        ("2001:db8::1", .documentation), ("224.0.0.1", .multicast), ("::ffff:192.168.1.1", .private),
    ])
    func specialPurposeAddressesAreAnsweredAsSuch(text: String, scope: IPAddress.Scope) throws {
        // Even a database that (wrongly) covers everything is not asked.
        let all = try db(
            "all",
            [("0.0.0.0", "255.255.255.255", "US", 1), ("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "US", 1)])
        let a = GeoResolver(sources: [all]).resolve(ip(text))
        #expect(a == GeoAnswer(scope: scope))
    }

    @Test func eachFieldComesFromTheFirstDatabaseThatHasIt() throws {
        let country = try db("countries", [("1.0.0.0", "1.0.0.255", "AU", nil), ("2.0.0.0", "2.0.0.255", "FR", nil)])
        let asn = try db(
            "asns", [("1.0.0.0", "1.0.0.255", "US", 13335), ("3.0.0.0", "3.0.0.255", "US", 16509)],
            names: [13335: "Cloudflare, Inc."])
        let r = GeoResolver(sources: [country, asn])
        #expect(
            r.resolve(ip("1.0.0.1"))
                == GeoAnswer(
                    scope: .public, country: "AU", asn: 13335, asName: "Cloudflare, Inc.", countrySource: "countries",
                    asnSource: "asns"))
        #expect(r.resolve(ip("2.0.0.1")) == GeoAnswer(scope: .public, country: "FR", countrySource: "countries"))
        #expect(r.resolve(ip("3.0.0.1")).countrySource == "asns")
        #expect(r.resolve(ip("4.0.0.1")) == GeoAnswer(scope: .public))
        #expect(r.databases.map(\.name) == ["countries", "asns"])
    }

    @Test func theCacheResolvesEachDistinctAddressOnce() throws {
        let d = try db("d", [("1.0.0.0", "1.0.0.255", "AU", 13335)])
        let cache = GeoCache(resolver: GeoResolver(sources: [d]), limit: 2)
        for text in ["1.0.0.1", "1.0.0.1", "::ffff:1.0.0.1", "1.0.0.2", "1.0.0.3", "1.0.0.3"] {
            #expect(cache.answer(text)?.country == "AU")
        }
        #expect(cache.lookups == 6)
        // 1.0.0.1 three times (the mapped form is the same address), 1.0.0.2 once; 1.0.0.3 is past the limit.
        #expect(cache.hits == 2)
        #expect(cache.distinctAddresses == 2)
        #expect(cache.answer("not an address") == nil)
    }

    @Test func configFilesListDatabasesInOrder() throws {
        let c = try GeoDatabases.parseConfig(
            """
            # geo
            database GeoLite2-Country.mmdb
            database /var/lib/GeoIP/GeoLite2-ASN.mmdb   # ASN
            embedded
            """, path: "/etc/mailatlas/geo.conf")
        #expect(
            c.entries == [
                .file("/etc/mailatlas/GeoLite2-Country.mmdb"), .file("/var/lib/GeoIP/GeoLite2-ASN.mmdb"), .embedded,
            ])
        #expect(c.includeEmbedded)
        #expect(try GeoDatabases.parseConfig("no-embedded\n", path: "g.conf").includeEmbedded == false)
        #expect(throws: GeoError.self) { try GeoDatabases.parseConfig("databse x\n", path: "g.conf") }
    }

    @Test func openTellsFormatsApartAndRefusesOthers() throws {
        var b = GeoTableBuilder()
        b.addRange(start: ip("1.0.0.0"), end: ip("1.0.0.255"), country: "AU", asn: nil)
        let mine = try temporaryFile(b.build().bytes, name: "mine.mageo")
        #expect(try GeoDatabases.open(mine) is GeoRangeDatabase)
        let junk = try temporaryFile(Array(repeating: 0x41, count: 100), name: "junk.bin")
        #expect(throws: GeoError.self) { try GeoDatabases.open(junk) }
        #expect(throws: GeoError.self) { try GeoDatabases.open("/nonexistent/geo.mmdb") }
        let r = try GeoDatabases.resolver(databases: [mine], configPath: nil, environment: [:])
        #expect(r.sources.count == (GeoRangeDatabase.embedded == nil ? 1 : 2))
        #expect(r.sources.first is GeoRangeDatabase && r.sources.first?.info.path == mine)
        let none = try GeoDatabases.resolver(
            databases: [mine], configPath: nil, includeEmbedded: false, environment: [:])
        #expect(none.sources.count == 1)
    }
}

/// Hostile or damaged import files: every input either imports or is refused, never traps.
@Suite struct GeoImporterRobustnessTests {
    @Test(arguments: [GeoImporter.Format.rangeCSV, .rirDelegated, .ip2asn, .asNames])
    func mangledLinesAreCountedNotFatal(format: GeoImporter.Format) throws {
        let seeds: [GeoImporter.Format: String] = [
            .rangeCSV: "1.0.0.0,1.0.0.255,AU,13335,\"Cloudflare, Inc.\"\n2001:db8::,2001:db8::ff,DE,3320\n",
            .rirDelegated:
                "2|x|20260101|1|1|1|0\nx|AU|ipv4|1.0.0.0|256|20110811|assigned|A\nx|DE|ipv6|2001::|32|1|allocated\n",
            .ip2asn: "1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n",
            .asNames: "13335\tCloudflare, Inc.\n",
        ]
        var rng = SeededRandom(seed: 99)
        let alphabet = Array("0123456789abcdef.:,|\t\"ASZ-\n".utf8) + [0, 0xFF, 0xC3]
        // Each import builds a whole database (a /16 index and block tables): 60 mutants per format keep this under
        // a few seconds in a debug build.
        for _ in 0..<60 {
            var bytes = Array(try #require(seeds[format]).utf8)
            for _ in 0..<Int(rng.next() % 12) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                default: bytes.remove(at: at)
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            var importer = GeoImporter()
            if (try? importer.importBytes(bytes, path: "mangled")) != nil {
                let db = try GeoRangeDatabase(bytes: importer.builder.build().bytes, path: "mangled")
                _ = db.record(for: IPAddress("1.0.0.1")!)
            }
        }
    }
}
