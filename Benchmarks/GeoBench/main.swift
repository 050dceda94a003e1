// Times the geo lookups: `Benchmarks/geo.sh` builds this in release mode and runs it.
import Foundation
import MailAtlasKit
import MailCore

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

let t0 = now()
guard let db = GeoRangeDatabase.embedded else {
    print("no embedded database in this build")
    exit(1)
}
let loadNs = now() - t0
print(String(format: "load (open + check the embedded database): %.2f ms", Double(loadNs) / 1e6))
print("ranges: \(db.info.ipv4Ranges ?? 0) IPv4, \(db.info.ipv6Ranges ?? 0) IPv6")

struct SplitMix {
    var state: UInt64 = 0x1234_5678
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
var rng = SplitMix()
let n = 1_000_000
var v4: [IPAddress] = []
var v6: [IPAddress] = []
for _ in 0..<n {
    v4.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())))
    v6.append(IPAddress(high: (rng.next() & 0x1FFF_FFFF_FFFF_FFFF) | 0x2000_0000_0000_0000, low: rng.next()))
}

func measure(_ label: String, _ addresses: [IPAddress], _ body: (IPAddress) -> Int) {
    var best = UInt64.max
    var sink = 0
    for _ in 0..<5 {
        let s = now()
        for a in addresses { sink &+= body(a) }
        best = min(best, now() - s)
    }
    print(
        String(
            format: "%@: %.1f ns per lookup (best of 5 × %d; checksum %d)", label,
            Double(best) / Double(addresses.count), addresses.count, sink))
}

measure("hit(for:) IPv4, random", v4) { a in Int(db.hit(for: a)?.asn ?? 0) }
measure("hit(for:) IPv6, random in 2000::/3", v6) { a in Int(db.hit(for: a)?.asn ?? 0) }
measure("record(for:) IPv4 (with strings)", v4) { a in db.record(for: a)?.asName?.utf8.count ?? 0 }
let resolver = GeoResolver.embeddedOnly
measure("GeoResolver.resolve IPv4", v4) { a in resolver.resolve(a).asName?.utf8.count ?? 0 }
let cache = GeoCache(resolver: resolver)
let repeated = (0..<n).map { v4[$0 % 10_000] }
measure("GeoCache.answer, 10,000 distinct IPv4", repeated) { a in cache.answer(a).asName?.utf8.count ?? 0 }
