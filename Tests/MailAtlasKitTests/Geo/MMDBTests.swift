import Foundation
import MailCore
import Testing

@testable import MailAtlasKit

/// The MaxMind test databases in ../shared/geo/mmdb-test against the JSON they were written from.
@Suite(.enabled(if: GeoShared.isAvailable, "needs ../shared/geo"))
struct MMDBTests {
    static func path(_ name: String) -> String { GeoShared.path("mmdb-test/" + name) }

    /// A network of the JSON source in the tree's own space (IPv4 under ::/96) and the record it lists.
    struct Network {
        var start: UInt128
        var length: Int
        var expected: GeoRecord?

        var last: UInt128 { length == 0 ? UInt128.max : start | ((UInt128(1) << (128 - UInt128(length))) - 1) }
        func contains(_ v: UInt128) -> Bool { v >= start && v <= last }
    }

    static func networks(_ json: String) throws -> [Network] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(json)))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var out: [Network] = []
        for item in list {
            for (cidr, value) in item {
                let parts = cidr.split(separator: "/")
                let ip = try #require(IPAddress(parts[0]))
                var length = try #require(Int(parts[1]))
                var start = ip.bits
                if let v4 = ip.ipv4Value {
                    start = UInt128(v4)
                    if !parts[0].contains(":") { length += 96 }
                }
                let d = value as? [String: Any] ?? [:]
                var r = GeoRecord()
                if let c = d["country"] as? [String: Any] { r.country = c["iso_code"] as? String }
                if let a = d["autonomous_system_number"] as? Int {
                    r.asn = UInt32(a)
                    r.asName = d["autonomous_system_organization"] as? String
                }
                out.append(Network(start: start, length: length, expected: r.isEmpty ? nil : r))
            }
        }
        return out
    }

    /// The address to ask for a 128-bit value of the tree's space.
    static func address(_ v: UInt128) -> IPAddress {
        v <= UInt128(UInt32.max) ? IPAddress(ipv4: UInt32(truncatingIfNeeded: v)) : IPAddress(bits: v)
    }

    @Test(arguments: [
        ("GeoLite2-Country-Test", "country"), ("GeoIP2-Country-Test", "country"),
        ("GeoLite2-ASN-Test", "asn"), ("GeoIP2-ISP-Test", "asn"),
    ])
    func answersWhatTheJSONSourceLists(name: String, field: String) throws {
        let db = try MMDBDatabase(path: Self.path(name + ".mmdb"))
        #expect(db.databaseType + "-Test" == name)
        #expect(db.info.fields.contains(field))
        let networks = try Self.networks(name + ".json")
        #expect(networks.count > 100)
        var checked = 0
        for n in networks {
            for v in [n.start, n.last, n.start + (n.last - n.start) / 2] {
                // The most specific network of the source that holds the address decides.
                let best = networks.filter { $0.contains(v) }.max { $0.length < $1.length }
                let got = try db.lookup(Self.address(v))
                #expect(got == best?.expected, "\(name) \(Self.address(v)) in \(n.start)/\(n.length)")
                checked += 1
            }
        }
        let census = try db.verify()
        #expect(census.ipv4Networks + census.ipv6Networks > 0)
        print("\(name): \(checked) addresses checked; \(census)")
    }

    @Test func ipv4AddressesAnswerTheSameAsTheirIPv4CompatibleAndMappedForms() throws {
        let db = try MMDBDatabase(path: Self.path("GeoLite2-ASN-Test.mmdb"))
        let direct = try db.lookup(IPAddress("1.128.0.1")!)
        #expect(direct?.asn == 1221 && direct?.asName == "Telstra Pty Ltd")
        #expect(try db.lookup(IPAddress("::1.128.0.1")!) == direct)
        #expect(try db.lookup(IPAddress("::ffff:1.128.0.1")!) == direct)
    }

    @Test(arguments: ["MaxMind-DB-test-decoder", "MaxMind-DB-test-mixed-24"])
    func filesWithEveryDataTypeDecode(name: String) throws {
        let db = try MMDBDatabase(path: Self.path(name + ".mmdb"))
        let census = try db.verify()
        #expect(census.dataRecords > 0)
        for text in ["1.1.1.1", "1.1.1.3", "::1:ffff:ffff", "::2:0:0", "1.1.1.32", "255.255.255.255"] {
            _ = try db.lookup(IPAddress(text)!)
        }
    }

    @Test func invalidNodeCountFailsToOpenWithAClearError() {
        #expect {
            _ = try MMDBDatabase(path: Self.path("GeoIP2-City-Test-Invalid-Node-Count.mmdb"))
        } throws: { e in
            let g = e as? GeoError
            return g?.code == "geo.mmdb-corrupt" && g?.message.contains("node count") == true
        }
    }

    @Test(arguments: [
        ("MaxMind-DB-test-broken-pointers-24", "data section"),
        ("MaxMind-DB-test-broken-search-tree-24", "search tree"),
    ])
    func brokenFilesFailWithAClearError(name: String, what: String) throws {
        let db = try MMDBDatabase(path: Self.path(name + ".mmdb"))
        #expect {
            _ = try db.verify()
        } throws: { e in
            (e as? GeoError)?.message.contains(what) == true
        }
        // Lookups over the file's networks fail cleanly where they meet the damage, and are counted.
        var failures: [GeoError] = []
        for address in (0...255).map({ 0x0101_0100 | UInt32($0) }) + [0x8080_8080] {
            do {
                _ = try db.lookup(IPAddress(ipv4: address))
            } catch {
                failures.append(error)
            }
            _ = db.record(for: IPAddress(ipv4: address))
        }
        #expect(!failures.isEmpty)
        #expect(failures.allSatisfy { $0.code == "geo.mmdb-corrupt" && $0.message.contains(what) })
        #expect(db.damage.count == failures.count)
    }

    /// Random damage to a real file: opening, verifying and looking up either work or throw, never trap or hang.
    @Test func randomlyDamagedFilesNeverTrap() throws {
        let good = try GeoFiles.read(Self.path("GeoIP2-ISP-Test.mmdb"))
        var rng = SeededRandom(seed: 7)
        for trial in 0..<200 {
            var bytes = good
            if trial % 4 == 0 {
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<(1 + Int(rng.next() % 16)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            guard let db = try? MMDBDatabase(bytes: bytes, path: "damaged") else { continue }
            _ = try? db.verify()
            for _ in 0..<100 {
                _ = db.record(for: IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())))
                _ = db.record(for: IPAddress(high: rng.next(), low: rng.next()))
            }
        }
    }
}
