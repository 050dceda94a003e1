public import MailCore

/// Collects ranges, country names and AS names, and writes the project's database format (`GeoTableFormat`).
///
/// Ranges may come in any order and may overlap: where they do, the range that starts later (the narrower one, for
/// nested networks) wins, and of two identical ranges the one added last wins. Addresses no range covers have no data.
public struct GeoTableBuilder: Sendable {
    struct Range: Sendable {
        var start: UInt128
        var end: UInt128
        var record: UInt32
        var sequence: Int
    }

    struct RecordKey: Hashable, Sendable {
        var country: UInt16
        var asn: UInt32
    }

    /// `name`, `date`, `source`, `attribution`… written into the META section in this order.
    public var metadata: [(key: String, value: String)] = []
    public private(set) var countryNames: [String: String] = [:]
    public private(set) var asNames: [UInt32: String] = [:]

    var countryCodes: [String] = [""]
    var countryIndex: [String: UInt16] = ["": 0]
    var records: [RecordKey] = [RecordKey(country: 0, asn: 0)]
    var recordIndex: [RecordKey: UInt32] = [RecordKey(country: 0, asn: 0): 0]
    var v4: [Range] = []
    var v6: [Range] = []

    public init() {}

    public var rangeCount: Int { v4.count + v6.count }

    /// Adds an inclusive range. Returns false (and adds nothing) when `end < start`, when the two ends are of
    /// different families, or when the country is not two ASCII letters. `asn` 0 means none.
    @discardableResult
    public mutating func addRange(start: IPAddress, end: IPAddress, country: String?, asn: UInt32?) -> Bool {
        guard start.isIPv4 == end.isIPv4, !(end < start) else { return false }
        var code = ""
        if let country, !country.isEmpty {
            guard let normalized = GeoTableBuilder.normalizedCountry(country) else { return false }
            code = normalized
        }
        guard let countryID = internCountry(code) else { return false }
        let key = RecordKey(country: countryID, asn: asn ?? 0)
        let record: UInt32
        if let known = recordIndex[key] {
            record = known
        } else {
            record = UInt32(truncatingIfNeeded: records.count)
            records.append(key)
            recordIndex[key] = record
        }
        let s = start.bits
        let e = end.bits
        if start.isIPv4 {
            let base = GeoTableFormat.mappedIPv4Base
            v4.append(Range(start: s - base, end: e - base, record: record, sequence: rangeCount))
        } else {
            v6.append(Range(start: s, end: e, record: record, sequence: rangeCount))
        }
        return true
    }

    /// Upper-cases a two-letter code; nil for anything else.
    static func normalizedCountry(_ text: String) -> String? {
        let u = Array(text.utf8)
        guard u.count == 2, ASCII.isAlpha(u[0]), ASCII.isAlpha(u[1]) else { return nil }
        return String(decoding: u.map { $0 & 0xDF }, as: UTF8.self)
    }

    mutating func internCountry(_ code: String) -> UInt16? {
        if let i = countryIndex[code] { return i }
        guard countryCodes.count < Int(UInt16.max) else { return nil }
        let i = UInt16(truncatingIfNeeded: countryCodes.count)
        countryCodes.append(code)
        countryIndex[code] = i
        return i
    }

    /// Sets the name of an AS; the first name given for a number is kept.
    public mutating func addASName(_ asn: UInt32, _ name: String) {
        guard asn != 0, !name.isEmpty, asNames[asn] == nil else { return }
        asNames[asn] = name
    }

    /// Sets a country's name; the first name given for a code is kept.
    public mutating func addCountryName(_ code: String, _ name: String) {
        guard let c = GeoTableBuilder.normalizedCountry(code), !name.isEmpty, countryNames[c] == nil else { return }
        countryNames[c] = name
    }

    /// What `build` made, for the importer's report.
    public struct Summary: Sendable, Equatable {
        public var ipv4Entries: Int
        public var ipv4Ranges: Int
        public var ipv6Entries: Int
        public var ipv6Ranges: Int
        public var records: Int
        public var asNames: Int
        public var countries: Int
        public var bytes: Int
    }

    /// The database file. With `onlyReferencedASNames`, AS names of numbers that no range uses are left out.
    public func build(onlyReferencedASNames: Bool = false) -> (bytes: [UInt8], summary: Summary) {
        let t4 = GeoTableBuilder.flatten(v4, max: UInt128(UInt32.max))
        let t6 = GeoTableBuilder.flatten(v6, max: UInt128.max)

        // Records ordered by use, so the common ones take one byte in the tables; record 0 stays "no data".
        var uses = [Int](repeating: 0, count: records.count)
        for e in t4 { uses[Int(e.record)] += 1 }
        for e in t6 { uses[Int(e.record)] += 1 }
        let used = (1..<records.count).filter { uses[$0] > 0 }.sorted {
            uses[$0] != uses[$1] ? uses[$0] > uses[$1] : $0 < $1
        }
        var remap = [UInt32](repeating: 0, count: records.count)
        for (newIndex, old) in used.enumerated() { remap[old] = UInt32(truncatingIfNeeded: newIndex + 1) }
        let orderedRecords = [records[0]] + used.map { records[$0] }

        var referencedASNs = Set<UInt32>()
        for r in orderedRecords where r.asn != 0 { referencedASNs.insert(r.asn) }

        var w = ByteWriter()
        var sections: [(UInt32, [UInt8])] = []

        // META
        var meta = ""
        for (k, v) in metadata {
            let clean = v.filter { $0 != "\n" && $0 != "\r" }
            meta += "\(k)=\(clean)\n"
        }
        sections.append((GeoTableFormat.Tag.meta, Array(meta.utf8)))

        // CTRY: codes used by records first (their indices are fixed), then codes that only have a name.
        var codes = countryCodes
        for code in countryNames.keys.sorted() where countryIndex[code] == nil { codes.append(code) }
        w = ByteWriter()
        w.u32(UInt32(truncatingIfNeeded: codes.count))
        for c in codes {
            let b = Array(c.utf8)
            w.u8(b.count == 2 ? b[0] : 0)
            w.u8(b.count == 2 ? b[1] : 0)
        }
        w.stringTable(codes.map { countryNames[$0] ?? "" })
        sections.append((GeoTableFormat.Tag.countries, w.bytes))

        // RECS
        w = ByteWriter()
        w.u32(UInt32(truncatingIfNeeded: orderedRecords.count))
        for r in orderedRecords {
            w.u16(r.country)
            w.u16(0)
            w.u32(r.asn)
        }
        sections.append((GeoTableFormat.Tag.records, w.bytes))

        // ASNM
        let names = asNames.filter { !onlyReferencedASNames || referencedASNs.contains($0.key) }
        let asns = names.keys.sorted()
        w = ByteWriter()
        w.u32(UInt32(truncatingIfNeeded: asns.count))
        for a in asns { w.u32(a) }
        w.stringTable(asns.map { names[$0] ?? "" })
        sections.append((GeoTableFormat.Tag.asNames, w.bytes))

        let tab4 = GeoTableBuilder.encodeTable(t4, remap: remap, keyWidth: 4)
        let tab6 = GeoTableBuilder.encodeTable(t6, remap: remap, keyWidth: 16)
        sections.append((GeoTableFormat.Tag.ipv4, tab4))
        sections.append((GeoTableFormat.Tag.ipv6, tab6))

        // Header and section directory, then the sections in order.
        var out = ByteWriter()
        out.bytes.append(contentsOf: GeoTableFormat.magic)
        out.u32(GeoTableFormat.version)
        out.u32(UInt32(truncatingIfNeeded: sections.count))
        var offset = GeoTableFormat.magic.count + 8 + sections.count * 16
        for (tag, body) in sections {
            out.u32(tag)
            out.u32(UInt32(truncatingIfNeeded: offset))
            out.u32(UInt32(truncatingIfNeeded: body.count))
            out.u32(0)
            offset += body.count
        }
        for (_, body) in sections { out.bytes.append(contentsOf: body) }

        let summary = Summary(
            ipv4Entries: t4.count, ipv4Ranges: t4.count { $0.record != 0 },
            ipv6Entries: t6.count, ipv6Ranges: t6.count { $0.record != 0 },
            records: orderedRecords.count - 1, asNames: asns.count,
            countries: codes.count - 1, bytes: out.bytes.count)
        return (out.bytes, summary)
    }

    struct Entry: Equatable {
        var start: UInt128
        var record: UInt32
    }

    /// Resolves overlaps and fills the gaps: entries that cover [0, max], sorted, with no two neighbours alike.
    static func flatten(_ input: [Range], max: UInt128) -> [Entry] {
        let ranges = input.filter { $0.start <= max }.sorted {
            if $0.start != $1.start { return $0.start < $1.start }
            if $0.end != $1.end { return $0.end > $1.end }
            return $0.sequence < $1.sequence
        }
        var out: [Entry] = []
        func emit(_ start: UInt128, _ record: UInt32) {
            if let last = out.last, last.record == record { return }
            if let last = out.last, last.start == start {
                out[out.count - 1].record = record
                if out.count >= 2, out[out.count - 2].record == record { out.removeLast() }
                return
            }
            out.append(Entry(start: start, record: record))
        }
        // Sweep: the active ranges form a stack; the most recently started one that still covers `pos` wins.
        var stack: [(end: UInt128, record: UInt32)] = []
        var pos: UInt128 = 0
        var finished = false
        emit(0, 0)
        func drain(before limit: UInt128?) {
            while let top = stack.last {
                if top.end < pos {
                    stack.removeLast()
                    continue
                }
                if let limit, limit <= top.end {
                    if pos < limit { emit(pos, top.record) }
                    return
                }
                emit(pos, top.record)
                stack.removeLast()
                if top.end >= max {
                    finished = true
                    stack.removeAll()
                    return
                }
                pos = top.end + 1
                // Whatever is left on the stack continues from here; a gap starts here if nothing is.
                while let next = stack.last, next.end < pos { stack.removeLast() }
                if stack.isEmpty { emit(pos, 0) }
            }
        }
        for r in ranges {
            drain(before: r.start)
            if finished { break }
            pos = r.start
            stack.append((Swift.min(r.end, max), r.record))
        }
        drain(before: nil)
        return out
    }

    static func encodeTable(_ entries: [Entry], remap: [UInt32], keyWidth: Int) -> [UInt8] {
        let blockSize = GeoTableFormat.blockSize
        let blockCount = (entries.count + blockSize - 1) / blockSize
        var keys = ByteWriter()
        var offsets = ByteWriter()
        var data = ByteWriter()
        for b in 0..<blockCount {
            let first = b * blockSize
            let last = Swift.min(first + blockSize, entries.count)
            offsets.u32(UInt32(truncatingIfNeeded: data.bytes.count))
            let key = entries[first].start
            if keyWidth == 4 {
                keys.u32(UInt32(truncatingIfNeeded: key))
            } else {
                keys.u64(UInt64(truncatingIfNeeded: key))
                keys.u64(UInt64(truncatingIfNeeded: key >> 64))
            }
            for i in first..<last {
                if i > first {
                    let delta = entries[i].start - entries[i - 1].start
                    let t = delta.trailingZeroBitCount
                    data.u8(UInt8(truncatingIfNeeded: t))
                    data.leb128(delta >> UInt128(t))
                }
                data.leb128(UInt128(remap[Int(entries[i].record)]))
            }
        }
        offsets.u32(UInt32(truncatingIfNeeded: data.bytes.count))
        var w = ByteWriter()
        w.u32(UInt32(truncatingIfNeeded: entries.count))
        w.u32(UInt32(truncatingIfNeeded: entries.count { $0.record != 0 }))
        w.u32(UInt32(truncatingIfNeeded: blockSize))
        w.u32(UInt32(truncatingIfNeeded: blockCount))
        w.u32(UInt32(truncatingIfNeeded: keyWidth))
        w.bytes.append(contentsOf: keys.bytes)
        w.bytes.append(contentsOf: offsets.bytes)
        w.bytes.append(contentsOf: data.bytes)
        return w.bytes
    }
}

/// Little-endian output for the database writer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }
    mutating func u32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * i))) }
    }
    mutating func u64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
    }
    mutating func leb128(_ value: UInt128) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }
    /// (count + 1) offsets relative to the blob, then the blob.
    mutating func stringTable(_ strings: [String]) {
        var blob: [UInt8] = []
        for s in strings {
            u32(UInt32(truncatingIfNeeded: blob.count))
            blob.append(contentsOf: s.utf8)
        }
        u32(UInt32(truncatingIfNeeded: blob.count))
        bytes.append(contentsOf: blob)
    }
}
