import Foundation
import GRDB
import MailCore
import Testing

@testable import MailAtlasKit

/// The writer stores countries and ASes of origins and untrusted hops; `geo refresh` re-resolves them.
@Suite struct GeoStoreTests {
    func resolver(name: String, country: String, asn: UInt32, asName: String) throws -> GeoResolver {
        var b = GeoTableBuilder()
        b.metadata = [(key: "name", value: name), (key: "date", value: "2026-05-01")]
        b.addRange(start: IPAddress("39.32.0.0")!, end: IPAddress("39.63.255.255")!, country: country, asn: asn)
        b.addRange(start: IPAddress("2a00::")!, end: IPAddress("2a00:ffff::")!, country: "DE", asn: 3320)
        b.addASName(asn, asName)
        return GeoResolver(sources: [try GeoRangeDatabase(bytes: b.build().bytes, path: name)])
    }

    func message(sha: String, origin: String?, hops: [(String?, Bool)]) -> AnalysedMessage {
        var facts = MessageFacts(size: 100, sha256: sha)
        facts.origin = OriginFacts(ip: origin, hop: 1, rule: .edge, confidence: .high)
        facts.hops = hops.enumerated().map { i, h in
            var hop = HopFacts(position: i, trusted: h.1)
            hop.fromIP = h.0
            return hop
        }
        // Links: to an address the databases place, to a private one, and to a name (never looked up).
        facts.links = [
            LinkFacts(
                url: "http://39.33.4.85/x", host: "39.33.4.85", domain: "39.33.4.85", tld: nil, isIP: true,
                source: "href"),
            LinkFacts(
                url: "http://10.1.2.3/", host: "10.1.2.3", domain: "10.1.2.3", tld: nil, isIP: true, source: "text"),
            LinkFacts(
                url: "http://39.33.4.85.example/", host: "39.33.4.85.example", domain: "39.33.4.85.example",
                tld: "example", isIP: false, source: "href"),
        ]
        return AnalysedMessage(
            location: MessageLocation(fileKey: "/spool/\(sha)", sourcePath: "spool/\(sha)", index: 0, offset: 0),
            locationVerdict: nil, facts: facts, truncated: false)
    }

    @Test func scansStoreOriginAndUntrustedHopsAndTheDatabasesUsed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailatlas-geo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("store.sqlite").path
        let first = try resolver(name: "first", country: "PK", asn: 17557, asName: "PTCL")

        let store = try MailStore.openForWriting(path: path)
        let scanID = try ScanWriter.beginScan(
            store: store, roots: ["spool"], options: [:], geoDatabases: first.databasesJSON)
        let writer = ScanWriter(
            store: store, scanID: scanID, messagesPerTransaction: 10, geo: GeoCache(resolver: first))
        var result = UnitResult(seq: 0)
        for (i, m) in [
            message(
                sha: "a", origin: "39.33.27.49",
                hops: [("10.0.0.1", true), ("39.33.27.49", false), ("192.168.1.2", false)]),
            message(sha: "b", origin: "2a00:1450::1", hops: [("2a00:1450::1", false)]),
            message(sha: "c", origin: nil, hops: [("bogus", false)]),
        ].enumerated() {
            result.states.append(
                FileState(
                    key: m.location.fileKey, sourcePath: m.location.sourcePath, dirKey: "/spool", kind: .message,
                    size: 100, mtimeNs: Int64(i), inode: UInt64(i), scannedOffset: 100, fingerprint: nil, messages: 1))
            result.messages.append(m)
        }
        try writer.accept(result)
        try writer.finish(status: "completed", prune: false)
        #expect(writer.geo.lookups == 11 && writer.geo.distinctAddresses == 5)

        let rows = try store.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT sha256, origin_country, origin_asn, origin_as_org FROM messages ORDER BY sha256")
        }
        #expect(rows.map { $0["origin_country"] as String? } == ["PK", "DE", nil])
        #expect(rows.map { $0["origin_asn"] as Int64? } == [17557, 3320, nil])
        #expect(rows.map { $0["origin_as_org"] as String? } == ["PTCL", nil, nil])
        let hops = try store.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT from_ip, trusted, country, asn FROM received_hops ORDER BY message_id, position")
        }
        // The trusted hop and the private address get nothing.
        #expect(hops.map { $0["country"] as String? } == [nil, "PK", nil, "DE", nil])
        let recorded = try store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT geo_databases FROM scans WHERE id = ?", arguments: [scanID])
        }
        #expect(recorded == #"[{"date":"2026-05-01","kind":"mailatlas","name":"first","path":"first"}]"#)
        // Linked IP addresses are placed like origins; names and private addresses are not.
        let links = try store.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT host, host_country, host_asn FROM links WHERE message_id = 1 ORDER BY host")
        }
        #expect(links.map { $0["host_country"] as String? } == [nil, "PK", nil])
        #expect(links.map { $0["host_asn"] as Int64? } == [nil, 17557, nil])

        // A refresh with other data changes the stored answers and is recorded, and leaves the store one file in
        // rollback-journal mode, as a scan does.
        try store.pool.close()
        let second = try resolver(name: "second", country: "GB", asn: 17557, asName: "PTCL")
        let counts = try GeoRefresher(storePath: path, resolver: second).run()
        #expect(
            counts
                == .init(
                    messages: 3, messagesChanged: 1, hops: 4, hopsChanged: 1, ipLinks: 6, ipLinksChanged: 3,
                    distinctAddresses: 5))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["store.sqlite"])
        let reader = try MailStore.openReadOnly(path: path)
        let mode = try reader.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete")
        let after = try reader.read { db in
            try String.fetchAll(db, sql: "SELECT coalesce(origin_country, '-') FROM messages ORDER BY sha256")
        }
        #expect(after == ["GB", "DE", "-"])
        let hostCountries = try reader.read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT coalesce(host_country, '-') FROM links WHERE is_ip = 1 ORDER BY 1")
        }
        #expect(hostCountries == ["-", "GB"])
        let refreshRow = try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT status, options, geo_databases FROM scans ORDER BY id DESC LIMIT 1")
        }
        #expect(refreshRow?["status"] == "completed")
        #expect((refreshRow?["geo_databases"] as String?)?.contains("\"second\"") == true)
        // Running it again changes nothing.
        try reader.close()
        #expect(try GeoRefresher(storePath: path, resolver: second).run().messagesChanged == 0)
    }
}
