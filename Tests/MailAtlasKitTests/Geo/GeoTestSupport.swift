import Foundation
import MailCore
import TestSupport

@testable import MailAtlasKit

/// `../shared/geo` (or `$MAILATLAS_GEO_SOURCES`): the public IP data the embedded database is built from, read by
/// the conformance tests, which skip when it is absent. Never copied into the repository.
enum GeoShared {
    static let root: URL? = {
        let env = ProcessInfo.processInfo.environment["MAILATLAS_GEO_SOURCES"]
        let url =
            env.map { URL(fileURLWithPath: $0) }
            ?? Corpus.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/geo")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("README.md").path) ? url : nil
    }()

    static var isAvailable: Bool { root != nil }

    static func path(_ name: String) -> String {
        (root ?? URL(fileURLWithPath: "/nonexistent")).appendingPathComponent(name).path
    }

    static let ipfireCSV = "asn-country-ipfire-CCBYSA4-20260822.csv"
    static let ipfireNames = "asnames-ipfire-CCBYSA4-20260822.tsv"
    static let ipverseCSV = "country-rir-ipverse-CC0-20260201.csv"
    static let afrinic = "delegated-afrinic-extended-20260821.txt"
}

/// A deterministic generator (SplitMix64), so a failing sample can be reproduced.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A reference answer table read straight from a source file: sorted, non-overlapping inclusive ranges, searched
/// by bisection. Deliberately independent of the importer.
struct ReferenceRanges {
    struct Row {
        var start: IPAddress
        var end: IPAddress
        var country: String?
        var asn: UInt32?
    }
    var rows: [Row] = []

    mutating func sort() { rows.sort { $0.start < $1.start } }

    func find(_ ip: IPAddress) -> Row? {
        var lo = 0
        var hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if rows[mid].start <= ip { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let r = rows[lo - 1]
        return ip <= r.end ? r : nil
    }

    /// Addresses to test: half inside ranges (random points, both ends, one past each end), half random over the
    /// whole space of the family (IPv6 mostly in 2000::/3 where the data is).
    func sample(count: Int, ipv6: Bool, rng: inout SeededRandom) -> [IPAddress] {
        let family = rows.filter { $0.start.isIPv4 != ipv6 }
        var out: [IPAddress] = []
        out.reserveCapacity(count)
        while out.count < count {
            let kind = rng.next() % 8
            if kind < 4, let r = family.randomElement(using: &rng) {
                let s = r.start.bits
                let e = r.end.bits
                let v: UInt128
                switch kind {
                case 0: v = s
                case 1: v = e
                case 2: v = s == 0 ? s : s - 1
                default:
                    let span = e - s
                    v = span == UInt128.max ? s : s + (UInt128(rng.next()) << 64 | UInt128(rng.next())) % (span + 1)
                }
                let ip = IPAddress(bits: v)
                if ip.isIPv4 != ipv6 { out.append(ip) }
            } else if ipv6 {
                let prefix: UInt64 =
                    kind == 7 ? rng.next() : (rng.next() & 0x1FFF_FFFF_FFFF_FFFF) | 0x2000_0000_0000_0000
                let ip = IPAddress(high: prefix, low: rng.next())
                if !ip.isIPv4 { out.append(ip) }
            } else {
                out.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())))
            }
        }
        return out
    }

    /// Reads `start,end,country[,asn]` lines (comments skipped).
    static func csv(_ path: String) throws -> ReferenceRanges {
        var ref = ReferenceRanges()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 3, let s = IPAddress(f[0]), let e = IPAddress(f[1]) else { continue }
            let asn = f.count >= 4 ? UInt32(f[3]) : nil
            ref.rows.append(Row(start: s, end: e, country: f[2].isEmpty ? nil : String(f[2]), asn: asn))
        }
        ref.sort()
        return ref
    }
}

/// A gzip member with stored (uncompressed) deflate blocks, written by hand so tests need no compressor.
enum StoredGzip {
    static func make(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        var i = 0
        repeat {
            let n = min(65_535, data.count - i)
            let final: UInt8 = i + n >= data.count ? 1 : 0
            out.append(final)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[i..<(i + n)]
            i += n
        } while i < data.count
        let crc = crc32(data)
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(8 * k))) }
        let size = UInt32(truncatingIfNeeded: data.count)
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: size >> UInt32(8 * k))) }
        return out
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }
}

/// Writes bytes to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailatlas-geo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}
