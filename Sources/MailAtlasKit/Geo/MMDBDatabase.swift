import Foundation
public import MailCore
import Synchronization

/// A MaxMind DB (`.mmdb`) file queried directly: GeoLite2/GeoIP2 Country, City, ASN and ISP, DB-IP lite and IPinfo
/// lite. Our own reader of the format (https://maxmind.github.io/MaxMind-DB/), not libmaxminddb: it decodes only
/// the few fields a scan needs straight from the bytes, with no C dependency to install, and bounds every read,
/// pointer and loop so that a damaged or hostile file gives an error, never a trap or an endless walk.
///
/// Fields read, whichever the database uses: country `country.iso_code` or `country_code` (or a two-letter
/// `country` string); ASN `autonomous_system_number` or `asn` (`"AS15169"` or a number); AS name
/// `autonomous_system_organization` or `as_name`. `registered_country` is not used: the country is where the
/// address is, as in the embedded data.
public final class MMDBDatabase: GeoSource, @unchecked Sendable {
    public let info: GeoSourceInfo
    /// `database_type` from the metadata, e.g. `GeoLite2-Country`.
    public let databaseType: String
    public let nodeCount: Int
    public let recordSize: Int
    public let ipVersion: Int

    let storage: GeoBytes
    let path: String
    let treeSize: Int
    let dataStart: Int
    let dataEnd: Int
    let ipv4Start: Int
    let failures = Mutex<(count: Int, first: GeoError?)>((0, nil))

    static let metadataMarker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
    /// Nesting and work limits for one decode.
    static let maxDepth = 32
    static let maxSteps = 100_000

    public convenience init(path: String) throws(GeoError) {
        try self.init(storage: try GeoBytes(readingFile: path), path: path)
    }

    public convenience init(bytes: [UInt8], path: String) throws(GeoError) {
        try self.init(storage: GeoBytes(copying: bytes), path: path)
    }

    init(storage: GeoBytes, path: String) throws(GeoError) {
        self.path = path
        self.storage = storage
        let b = storage.buffer
        func corrupt(_ why: String) -> GeoError {
            GeoError("geo.mmdb-corrupt", "\(path): not a valid MaxMind DB (\(why))")
        }

        // The metadata follows the last marker in the final 128 KiB.
        let marker = MMDBDatabase.metadataMarker
        let searchFrom = Swift.max(0, b.count - 128 * 1024)
        var metaStart: Int? = nil
        var i = b.count - marker.count
        while i >= searchFrom {
            if b[i] == marker[0], marker.indices.allSatisfy({ b[i + $0] == marker[$0] }) {
                metaStart = i + marker.count
                break
            }
            i -= 1
        }
        guard let metaStart else { throw corrupt("no metadata marker") }
        let meta = MMDBDecoder(b: b, base: metaStart, end: b.count)
        var fields: [String: MMDBDecoder.Value] = [:]
        var description: String? = nil
        do {
            try meta.forEachEntry(ofMapAt: metaStart) { (key, valueAt) throws(MMDBDecoder.Failure) in
                let (v, _) = try meta.value(at: valueAt)
                let k = String(decoding: UnsafeRawBufferPointer(rebasing: b[key]), as: UTF8.self)
                fields[k] = v
                if k == "description", case .map = v {
                    try meta.forEachEntry(ofMap: v) { (lang, at) throws(MMDBDecoder.Failure) in
                        if description == nil || b[lang].elementsEqual("en".utf8),
                            case .string(let r) = try meta.value(at: at).0
                        {
                            description = String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
                        }
                    }
                }
            }
        } catch {
            throw corrupt("metadata: \(error.message)")
        }
        func uint(_ key: String) -> Int? {
            if case .uint(let v) = fields[key], v <= UInt128(Int32.max) { return Int(truncatingIfNeeded: v) }
            return nil
        }
        func string(_ key: String) -> String? {
            if case .string(let r) = fields[key] {
                return String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
            }
            return nil
        }
        guard uint("binary_format_major_version") == 2 else { throw corrupt("binary format major version is not 2") }
        guard let nodes = uint("node_count"), let size = uint("record_size"), let version = uint("ip_version") else {
            throw corrupt("metadata lacks node_count, record_size or ip_version")
        }
        guard size == 24 || size == 28 || size == 32 else { throw corrupt("record size \(size)") }
        guard version == 4 || version == 6 else { throw corrupt("ip version \(version)") }
        let tree = nodes * size / 4
        guard nodes > 0, tree + 16 <= metaStart - marker.count else {
            throw corrupt("node count \(nodes) does not fit in the file")
        }
        nodeCount = nodes
        recordSize = size
        ipVersion = version
        treeSize = tree
        dataStart = tree + 16
        dataEnd = metaStart - marker.count
        databaseType = string("database_type") ?? "MaxMind DB"

        var date: String? = nil
        if case .uint(let epoch) = fields["build_epoch"], epoch < (1 << 40) {
            let d = Date(timeIntervalSince1970: TimeInterval(Int64(truncatingIfNeeded: epoch)))
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = TimeZone(identifier: "UTC") ?? cal.timeZone
            let c = cal.dateComponents([.year, .month, .day], from: d)
            if let y = c.year, let m = c.month, let day = c.day {
                date = String(format: "%04d-%02d-%02d", y, m, day)
            }
        }

        // IPv4 addresses in an IPv6 tree live under ::/96: follow 96 zero bits once.
        var node = 0
        if version == 6 {
            var depth = 0
            while depth < 96, node < nodes {
                node = MMDBDatabase.readRecord(b, node: node, right: false, recordSize: size)
                depth += 1
            }
        }
        ipv4Start = node

        let lower = databaseType.lowercased()
        var provides: [String] = []
        if lower.contains("country") || lower.contains("city") || lower.contains("ipinfo") || lower.contains("lite")
            || lower.contains("enterprise")
        {
            provides.append("country")
        }
        if lower.contains("asn") || lower.contains("isp") || lower.contains("ipinfo") || lower.contains("lite")
            || lower.contains("enterprise")
        {
            provides += ["asn", "as_name"]
        }
        info = GeoSourceInfo(
            name: databaseType, kind: "mmdb", date: date, path: path, fields: provides,
            attribution: description)
    }

    // MARK: Lookups

    public func record(for address: IPAddress) -> GeoRecord? {
        do {
            return try lookup(address)
        } catch {
            failures.withLock {
                $0.count += 1
                if $0.first == nil { $0.first = error }
            }
            return nil
        }
    }

    /// Lookups that met damaged data since the file was opened, and the first such error.
    public var damage: (count: Int, first: GeoError?) { failures.withLock { $0 } }

    /// The record for an address; throws when the file's tree or data is damaged on the way.
    public func lookup(_ address: IPAddress) throws(GeoError) -> GeoRecord? {
        let b = storage.buffer
        var node: Int
        var bits: UInt128
        var depth: Int
        if let v4 = address.ipv4Value {
            node = ipv4Start
            bits = UInt128(v4) << 96
            depth = 32
        } else {
            guard ipVersion == 6 else { return nil }
            node = 0
            bits = address.bits
            depth = 128
        }
        var used = 0
        while used < depth, node < nodeCount {
            let right = bits >> 127 == 1
            node = MMDBDatabase.readRecord(b, node: node, right: right, recordSize: recordSize)
            bits <<= 1
            used += 1
        }
        if node == nodeCount { return nil }
        guard node > nodeCount else {
            throw GeoError(
                "geo.mmdb-corrupt",
                "\(path): damaged search tree (no data record after all \(depth) bits of \(address))")
        }
        let offset = node - nodeCount - 16
        guard offset >= 0, dataStart + offset < dataEnd else {
            throw GeoError(
                "geo.mmdb-corrupt", "\(path): damaged search tree (record \(node) points outside the data section)")
        }
        return try decodeRecord(at: dataStart + offset)
    }

    func decodeRecord(at start: Int) throws(GeoError) -> GeoRecord? {
        let b = storage.buffer
        let d = MMDBDecoder(b: b, base: dataStart, end: dataEnd)
        var r = GeoRecord()
        do {
            let (top, _) = try d.value(at: start)
            guard case .map = top else { return nil }
            try d.forEachEntry(ofMap: top) { (key, at) throws(MMDBDecoder.Failure) in
                let k = b[key]
                if k.elementsEqual("country".utf8) {
                    let (v, _) = try d.value(at: at)
                    if case .map = v {
                        try d.forEachEntry(ofMap: v) { (k2, at2) throws(MMDBDecoder.Failure) in
                            if b[k2].elementsEqual("iso_code".utf8), let s = try d.string(at: at2) {
                                r.country = r.country ?? GeoTableBuilder.normalizedCountry(s)
                            }
                        }
                    } else if case .string = v, let s = try d.string(at: at) {
                        r.country = r.country ?? GeoTableBuilder.normalizedCountry(s)
                    }
                } else if k.elementsEqual("country_code".utf8) {
                    if let s = try d.string(at: at) { r.country = GeoTableBuilder.normalizedCountry(s) }
                } else if k.elementsEqual("autonomous_system_number".utf8) || k.elementsEqual("asn".utf8) {
                    let (v, _) = try d.value(at: at)
                    switch v {
                    case .uint(let n) where n > 0 && n <= UInt128(UInt32.max):
                        r.asn = UInt32(truncatingIfNeeded: n)
                    case .string(let range):
                        if let n = GeoImporter.parseASN(Array(b[range])[...]), n != 0 { r.asn = n }
                    default: break
                    }
                } else if k.elementsEqual("autonomous_system_organization".utf8) || k.elementsEqual("as_name".utf8) {
                    if let s = try d.string(at: at), !s.isEmpty { r.asName = s }
                }
            }
        } catch {
            throw GeoError("geo.mmdb-corrupt", "\(path): damaged data section (\(error.message))")
        }
        if r.asn == nil { r.asName = nil }
        return r.isEmpty ? nil : r
    }

    /// Networks with data, counted by `verify()`.
    public struct Census: Sendable, Equatable {
        public var ipv4Networks = 0
        public var ipv6Networks = 0
        public var dataRecords = 0
    }

    /// Walks the whole search tree and decodes every data record it reaches, once each; throws the first damage
    /// found. Time and memory are linear in the file (each node and each record is visited once).
    public func verify() throws(GeoError) -> Census {
        let b = storage.buffer
        var census = Census()
        // A node can be reached by more than one path (MaxMind aliases ::ffff:0:0/96 and 2002::/16 to the IPv4
        // subtree), so each node keeps the fewest address bits left with which it was reached, and is walked
        // again only with fewer: at most 128 times, in practice once or twice.
        var fewestLeft = [UInt8](repeating: UInt8.max, count: nodeCount)
        var decoded = Set<Int>()
        let bits = ipVersion == 6 ? 128 : 32
        // (node, bits left, under ::/96). The IPv4 subtree goes last so it is walked first and its networks
        // count as IPv4.
        var stack: [(Int, Int, Bool)] = ipVersion == 6 ? [(0, bits, false)] : []
        stack.append((ipv4Start, 32, true))
        while let (node, left, v4) = stack.popLast() {
            guard node < nodeCount, left < Int(fewestLeft[node]) else { continue }
            let first = fewestLeft[node] == UInt8.max
            fewestLeft[node] = UInt8(truncatingIfNeeded: left)
            for right in [false, true] {
                let next = MMDBDatabase.readRecord(b, node: node, right: right, recordSize: recordSize)
                if next < nodeCount {
                    guard left > 1 else {
                        throw GeoError(
                            "geo.mmdb-corrupt",
                            "\(path): damaged search tree (node \(node) leads to node \(next) after all \(bits) address bits)"
                        )
                    }
                    stack.append((next, left - 1, v4))
                } else if next > nodeCount {
                    let offset = next - nodeCount - 16
                    guard offset >= 0, dataStart + offset < dataEnd else {
                        throw GeoError(
                            "geo.mmdb-corrupt",
                            "\(path): damaged search tree (node \(node) points to \(next), outside the data section)")
                    }
                    if first {
                        if v4 || ipVersion == 4 { census.ipv4Networks += 1 } else { census.ipv6Networks += 1 }
                    }
                    if decoded.insert(offset).inserted {
                        _ = try decodeRecord(at: dataStart + offset)
                        census.dataRecords += 1
                    }
                }
            }
        }
        return census
    }

    static func readRecord(_ b: UnsafeRawBufferPointer, node: Int, right: Bool, recordSize: Int) -> Int {
        // The caller has checked that the whole tree lies in the file.
        switch recordSize {
        case 24:
            let at = node * 6 + (right ? 3 : 0)
            return Int(b[at]) << 16 | Int(b[at + 1]) << 8 | Int(b[at + 2])
        case 28:
            let at = node * 7
            if right {
                return (Int(b[at + 3]) & 0x0F) << 24 | Int(b[at + 4]) << 16 | Int(b[at + 5]) << 8 | Int(b[at + 6])
            }
            return (Int(b[at + 3]) & 0xF0) << 20 | Int(b[at]) << 16 | Int(b[at + 1]) << 8 | Int(b[at + 2])
        default:
            let at = node * 8 + (right ? 4 : 0)
            return Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
        }
    }
}

/// The MaxMind DB data section decoder: values are read in place; strings stay byte ranges.
struct MMDBDecoder {
    let b: UnsafeRawBufferPointer
    /// Start of the section that pointers count from, and its end.
    let base: Int
    let end: Int

    enum Value {
        case string(Range<Int>)
        case uint(UInt128)
        case int(Int64)
        case double
        case bool(Bool)
        /// Entry count and the offset of the first key.
        case map(count: Int, at: Int)
        case array(count: Int, at: Int)
        case bytes
        case other
    }

    struct Failure: Error {
        var message: String
    }

    func byte(_ at: Int) throws(Failure) -> Int {
        guard at >= 0, at < end else { throw Failure(message: "read past the end of the section at \(at)") }
        return Int(b[at])
    }

    /// Type, size and payload offset of the item at `at`; pointers are not followed here.
    func header(at: Int) throws(Failure) -> (type: Int, size: Int, payload: Int) {
        let control = try byte(at)
        var type = control >> 5
        var p = at + 1
        if type == 0 {
            type = 7 + (try byte(p))
            p += 1
            guard type >= 8, type <= 15 else { throw Failure(message: "unknown extended type \(type) at \(at)") }
        }
        if type == 1 {
            let ss = (control >> 3) & 3
            let vvv = control & 7
            var target: Int
            switch ss {
            case 0:
                target = vvv << 8 | (try byte(p))
                p += 1
            case 1:
                target = (vvv << 16 | (try byte(p)) << 8 | (try byte(p + 1))) + 2048
                p += 2
            case 2:
                target = (vvv << 24 | (try byte(p)) << 16 | (try byte(p + 1)) << 8 | (try byte(p + 2))) + 526_336
                p += 3
            default:
                target = (try byte(p)) << 24 | (try byte(p + 1)) << 16 | (try byte(p + 2)) << 8 | (try byte(p + 3))
                p += 4
            }
            return (1, target, p)
        }
        var size = control & 0x1F
        switch size {
        case 29:
            size = 29 + (try byte(p))
            p += 1
        case 30:
            size = 285 + ((try byte(p)) << 8 | (try byte(p + 1)))
            p += 2
        case 31:
            size = 65_821 + ((try byte(p)) << 16 | (try byte(p + 1)) << 8 | (try byte(p + 2)))
            p += 3
        default: break
        }
        return (type, size, p)
    }

    /// The value at `at` (following one pointer) and the offset just after the item at `at`.
    func value(at: Int) throws(Failure) -> (Value, Int) {
        var h = try header(at: at)
        var next: Int? = nil
        if h.type == 1 {
            let target = base + h.size
            guard target >= base, target < end else {
                throw Failure(message: "pointer at \(at) to \(h.size) lies outside the data section")
            }
            next = h.payload
            h = try header(at: target)
            guard h.type != 1 else { throw Failure(message: "pointer at \(at) points to another pointer") }
        }
        let p = h.payload
        func fits(_ n: Int) throws(Failure) {
            guard n >= 0, p <= end, n <= end - p else { throw Failure(message: "value at \(at) runs past the end") }
        }
        let v: Value
        var after = p
        switch h.type {
        case 2:
            try fits(h.size)
            v = .string(p..<(p + h.size))
            after = p + h.size
        case 3:
            guard h.size == 8 else { throw Failure(message: "double of size \(h.size) at \(at)") }
            try fits(8)
            v = .double
            after = p + 8
        case 4:
            try fits(h.size)
            v = .bytes
            after = p + h.size
        case 5, 6, 9, 10:
            let limit = h.type == 5 ? 2 : h.type == 6 ? 4 : h.type == 9 ? 8 : 16
            guard h.size <= limit else { throw Failure(message: "integer of size \(h.size) at \(at)") }
            try fits(h.size)
            var n: UInt128 = 0
            for k in 0..<h.size { n = n << 8 | UInt128(b[p + k]) }
            v = .uint(n)
            after = p + h.size
        case 8:
            guard h.size <= 4 else { throw Failure(message: "int32 of size \(h.size) at \(at)") }
            try fits(h.size)
            var n: UInt32 = 0
            for k in 0..<h.size { n = n << 8 | UInt32(b[p + k]) }
            v = .int(Int64(Int32(bitPattern: n)))
            after = p + h.size
        case 7:
            v = .map(count: h.size, at: p)
        case 11:
            v = .array(count: h.size, at: p)
        case 14:
            guard h.size <= 1 else { throw Failure(message: "boolean of size \(h.size) at \(at)") }
            v = .bool(h.size == 1)
        case 15:
            guard h.size == 4 else { throw Failure(message: "float of size \(h.size) at \(at)") }
            try fits(4)
            v = .double
            after = p + 4
        default:
            throw Failure(message: "type \(h.type) is not allowed in data at \(at)")
        }
        return (v, next ?? after)
    }

    /// A string value (following one pointer), nil when the value is not a string.
    func string(at: Int) throws(Failure) -> String? {
        guard case .string(let r) = try value(at: at).0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    /// The offset just after the item at `at`, walking maps and arrays within the depth and step limits.
    func skip(at: Int, depth: Int, steps: inout Int) throws(Failure) -> Int {
        steps += 1
        guard depth <= MMDBDatabase.maxDepth, steps <= MMDBDatabase.maxSteps else {
            throw Failure(message: "data nested or repeated beyond the limits")
        }
        let h = try header(at: at)
        if h.type == 1 { return h.payload }  // a pointer's target is not part of this item
        let (v, after) = try value(at: at)
        switch v {
        case .map(let count, var p):
            for _ in 0..<count {
                p = try skip(at: p, depth: depth + 1, steps: &steps)
                p = try skip(at: p, depth: depth + 1, steps: &steps)
            }
            return p
        case .array(let count, var p):
            for _ in 0..<count { p = try skip(at: p, depth: depth + 1, steps: &steps) }
            return p
        default:
            return after
        }
    }

    /// Calls `body(keyBytes, valueOffset)` for each entry of the map whose item is at `at`.
    func forEachEntry(
        ofMapAt at: Int, _ body: (Range<Int>, Int) throws(Failure) -> Void
    ) throws(Failure) {
        try forEachEntry(ofMap: try value(at: at).0, body)
    }

    func forEachEntry(
        ofMap map: Value, _ body: (Range<Int>, Int) throws(Failure) -> Void
    ) throws(Failure) {
        guard case .map(let count, var p) = map else { throw Failure(message: "expected a map") }
        var steps = 0
        for _ in 0..<count {
            guard case .string(let key) = try value(at: p).0 else {
                throw Failure(message: "map key at \(p) is not a string")
            }
            let valueAt = try skip(at: p, depth: 1, steps: &steps)
            try body(key, valueAt)
            p = try skip(at: valueAt, depth: 1, steps: &steps)
        }
    }
}
