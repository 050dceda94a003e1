public import MailCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Read-only bytes that outlive every lookup: the embedded database (static storage) or a file's copy.
final class GeoBytes: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    private let owned: Bool

    /// Bytes with static lifetime, not copied and never freed.
    init(static buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        owned = false
    }

    /// A private copy.
    init(copying bytes: [UInt8]) {
        let m = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { src in m.copyMemory(from: src) }
        buffer = UnsafeRawBufferPointer(rebasing: m[0..<bytes.count])
        owned = true
    }

    /// A file's bytes, read straight into private memory (one copy, no intermediate array). Not mapped: a file
    /// truncated under a mapping would end the process with SIGBUS.
    init(readingFile path: String) throws(GeoError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw GeoError("geo.io", "\(path): cannot be opened (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw GeoError("geo.io", "\(path): not a regular file")
        }
        let size = Int(st.st_size)
        guard size <= GeoFiles.maxFileBytes else {
            throw GeoError("geo.io", "\(path): larger than \(GeoFiles.maxFileBytes >> 20) MiB")
        }
        let m = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        var done = 0
        while done < size, let base = m.baseAddress {
            let n = read(fd, base + done, size - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        buffer = UnsafeRawBufferPointer(rebasing: m[0..<done])
        owned = true
    }

    deinit {
        if owned { UnsafeMutableRawPointer(mutating: buffer.baseAddress)?.deallocate() }
    }
}

/// The project's own database (`GeoTableFormat`): the embedded default or a file made by `mailatlas geo import`.
///
/// Immutable after loading and safe to share between threads. Loading checks the structure (sections, counts,
/// offsets) in time proportional to the number of blocks; a lookup binary-searches the block keys and decodes one
/// block of at most 32 entries, checking every read, so a damaged file gives missing answers, never a trap.
public final class GeoRangeDatabase: GeoSource, @unchecked Sendable {
    struct Table {
        var entries = 0
        var ranges = 0
        var blockSize = 1
        var blocks = 0
        var keyWidth = 4
        var keysAt = 0
        var offsetsAt = 0
        var dataAt = 0
        var dataEnd = 0
        /// IPv4 only: `firstBlock[p]` = number of blocks whose key is below `p << 16`, for p in 0...65536, so a
        /// lookup binary-searches only the few blocks of its /16 (built at load, 256 KiB, about 0.2 ms).
        var firstBlock: [UInt32] = []
    }

    let storage: GeoBytes
    let metadata: [String: String]
    public let info: GeoSourceInfo
    let countryCount: Int
    let countryCodesAt: Int
    let countryNames: [String: String]
    let recordCount: Int
    let recordsAt: Int
    let asNameCount: Int
    let asNumbersAt: Int
    let asNameOffsetsAt: Int
    let asNameBlobAt: Int
    let asNameBlobEnd: Int
    let v4: Table
    let v6: Table

    /// Opens a database from its bytes. `path` is what `info` shows (`embedded` for the built-in one).
    public convenience init(bytes: [UInt8], path: String, kind: String = "mailatlas") throws(GeoError) {
        try self.init(storage: GeoBytes(copying: bytes), path: path, kind: kind)
    }

    init(storage: GeoBytes, path: String, kind: String) throws(GeoError) {
        self.storage = storage
        let b = storage.buffer
        func bad(_ what: String) -> GeoError {
            GeoError("geo.format", "\(path): not a mailatlas geo database (\(what))")
        }
        guard b.count >= 16, GeoTableFormat.magic.elementsEqual(b.prefix(8)) else { throw bad("no MAGEODB1 header") }
        guard GeoRangeDatabase.u32(b, 8) == GeoTableFormat.version else {
            throw bad("format version \(GeoRangeDatabase.u32(b, 8)), this build reads 1")
        }
        let sectionCount = Int(GeoRangeDatabase.u32(b, 12))
        guard sectionCount <= GeoTableFormat.maxSections, 16 + sectionCount * 16 <= b.count else {
            throw bad("section directory")
        }
        var sections: [UInt32: Range<Int>] = [:]
        for i in 0..<sectionCount {
            let at = 16 + i * 16
            let tag = GeoRangeDatabase.u32(b, at)
            let offset = Int(GeoRangeDatabase.u32(b, at + 4))
            let length = Int(GeoRangeDatabase.u32(b, at + 8))
            guard offset <= b.count, length <= b.count - offset else { throw bad("section outside the file") }
            sections[tag] = offset..<(offset + length)
        }
        func section(_ tag: UInt32, _ name: String) throws(GeoError) -> Range<Int> {
            guard let r = sections[tag] else { throw bad("no \(name) section") }
            return r
        }

        // META
        var meta: [String: String] = [:]
        if let r = sections[GeoTableFormat.Tag.meta] {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
            for line in text.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                meta[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
        }
        metadata = meta

        // CTRY
        let ctry = try section(GeoTableFormat.Tag.countries, "CTRY")
        guard ctry.count >= 4 else { throw bad("CTRY") }
        countryCount = Int(GeoRangeDatabase.u32(b, ctry.lowerBound))
        countryCodesAt = ctry.lowerBound + 4
        let countryOffsetsAt = countryCodesAt + 2 * countryCount
        let countryBlobAt = countryOffsetsAt + 4 * (countryCount + 1)
        guard countryCount <= 65_536, countryBlobAt <= ctry.upperBound else { throw bad("CTRY counts") }
        var names: [String: String] = [:]
        for i in 0..<countryCount {
            let lo = countryBlobAt + Int(GeoRangeDatabase.u32(b, countryOffsetsAt + 4 * i))
            let hi = countryBlobAt + Int(GeoRangeDatabase.u32(b, countryOffsetsAt + 4 * i + 4))
            guard lo <= hi, hi <= ctry.upperBound else { throw bad("CTRY names") }
            let code = GeoRangeDatabase.countryCode(b, countryCodesAt + 2 * i)
            if let code, hi > lo {
                names[code] = String(decoding: UnsafeRawBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
            }
        }
        countryNames = names

        // RECS
        let recs = try section(GeoTableFormat.Tag.records, "RECS")
        guard recs.count >= 4 else { throw bad("RECS") }
        recordCount = Int(GeoRangeDatabase.u32(b, recs.lowerBound))
        recordsAt = recs.lowerBound + 4
        guard recordCount <= (recs.count - 4) / 8 else { throw bad("RECS count") }

        // ASNM
        let asnm = try section(GeoTableFormat.Tag.asNames, "ASNM")
        guard asnm.count >= 4 else { throw bad("ASNM") }
        asNameCount = Int(GeoRangeDatabase.u32(b, asnm.lowerBound))
        asNumbersAt = asnm.lowerBound + 4
        asNameOffsetsAt = asNumbersAt + 4 * asNameCount
        asNameBlobAt = asNameOffsetsAt + 4 * (asNameCount + 1)
        asNameBlobEnd = asnm.upperBound
        guard asNameCount <= asnm.count / 8, asNameBlobAt <= asnm.upperBound else { throw bad("ASNM counts") }

        v4 = try GeoRangeDatabase.table(b, try section(GeoTableFormat.Tag.ipv4, "TAB4"), keyWidth: 4, bad)
        v6 = try GeoRangeDatabase.table(b, try section(GeoTableFormat.Tag.ipv6, "TAB6"), keyWidth: 16, bad)

        var fields: [String] = []
        if countryCount > 1 { fields.append("country") }
        if asNameCount > 0 || recordCount > 1 { fields.append("asn") }
        if asNameCount > 0 { fields.append("as_name") }
        info = GeoSourceInfo(
            name: meta["name"] ?? "unnamed", kind: kind, date: meta["date"].flatMap { $0.isEmpty ? nil : $0 },
            path: path, ipv4Ranges: v4.ranges, ipv6Ranges: v6.ranges, fields: fields,
            attribution: meta["attribution"])
    }

    static func table(
        _ b: UnsafeRawBufferPointer, _ r: Range<Int>, keyWidth: Int, _ bad: (String) -> GeoError
    ) throws(GeoError) -> Table {
        guard r.count >= 20 else { throw bad("table header") }
        var t = Table()
        t.entries = Int(u32(b, r.lowerBound))
        t.ranges = Int(u32(b, r.lowerBound + 4))
        t.blockSize = Int(u32(b, r.lowerBound + 8))
        t.blocks = Int(u32(b, r.lowerBound + 12))
        t.keyWidth = Int(u32(b, r.lowerBound + 16))
        guard t.keyWidth == keyWidth, t.blockSize >= 1, t.blockSize <= 4096 else { throw bad("table layout") }
        guard t.blocks <= (r.count - 20) / (keyWidth + 4) else { throw bad("table block count") }
        guard t.entries <= t.blocks * t.blockSize, t.entries > (t.blocks - 1) * t.blockSize || t.blocks == 0 else {
            throw bad("table entry count")
        }
        t.keysAt = r.lowerBound + 20
        t.offsetsAt = t.keysAt + keyWidth * t.blocks
        t.dataAt = t.offsetsAt + 4 * (t.blocks + 1)
        t.dataEnd = r.upperBound
        guard t.dataAt <= r.upperBound else { throw bad("table size") }
        var previousOffset = 0
        var previousKey: UInt128? = nil
        for i in 0...t.blocks {
            let o = Int(u32(b, t.offsetsAt + 4 * i))
            guard o >= previousOffset, t.dataAt + o <= t.dataEnd else { throw bad("block offsets") }
            previousOffset = o
            if i < t.blocks {
                let k = blockKey(b, t, i)
                if let previousKey, k <= previousKey { throw bad("block keys out of order") }
                previousKey = k
            }
        }
        if keyWidth == 4 {
            var index = [UInt32](repeating: 0, count: 65_537)
            var block = 0
            for p in 0...65_536 {
                let start = UInt128(p) << 16
                while block < t.blocks, blockKey(b, t, block) < start { block += 1 }
                index[p] = UInt32(truncatingIfNeeded: block)
            }
            t.firstBlock = index
        }
        return t
    }

    // MARK: Lookups

    /// A lookup's result without any allocation: the country index and ASN of the matching record.
    public struct Hit: Sendable, Equatable {
        /// 0 = no country.
        public var countryIndex: UInt16
        /// 0 = no ASN.
        public var asn: UInt32
        public var isEmpty: Bool { countryIndex == 0 && asn == 0 }
    }

    /// The hot path: the record for an address, nil when the database has no data for it.
    @inline(__always)
    public func hit(for address: IPAddress) -> Hit? {
        let record: Int
        if let v4value = address.ipv4Value {
            record = lookup(v4, UInt128(v4value))
        } else {
            record = lookup(v6, address.bits)
        }
        guard record > 0, record < recordCount else { return nil }
        let b = storage.buffer
        let at = recordsAt + 8 * record
        let hit = Hit(countryIndex: GeoRangeDatabase.u16(b, at), asn: GeoRangeDatabase.u32(b, at + 4))
        return hit.isEmpty ? nil : hit
    }

    public func record(for address: IPAddress) -> GeoRecord? {
        guard let h = hit(for: address) else { return nil }
        let asn = h.asn == 0 ? nil : h.asn
        return GeoRecord(country: countryCode(index: h.countryIndex), asn: asn, asName: asn.flatMap(asName))
    }

    /// The two-letter code at a country index.
    public func countryCode(index: UInt16) -> String? {
        guard index > 0, Int(index) < countryCount else { return nil }
        return GeoRangeDatabase.countryCode(storage.buffer, countryCodesAt + 2 * Int(index))
    }

    /// The English name of an ISO 3166 code (or of a regional code such as `EU`) the database carries.
    public func countryName(_ code: String) -> String? { countryNames[code] }

    /// The name of an AS, when the database has one.
    public func asName(_ asn: UInt32) -> String? {
        let b = storage.buffer
        var lo = 0
        var hi = asNameCount
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            let v = GeoRangeDatabase.u32(b, asNumbersAt + 4 * mid)
            if v == asn {
                let s = asNameBlobAt + Int(GeoRangeDatabase.u32(b, asNameOffsetsAt + 4 * mid))
                let e = asNameBlobAt + Int(GeoRangeDatabase.u32(b, asNameOffsetsAt + 4 * mid + 4))
                guard s <= e, e <= asNameBlobEnd, e > s else { return nil }
                return String(decoding: UnsafeRawBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
            }
            if v < asn { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Number of AS names the database carries.
    public var asNameTotal: Int { asNameCount }

    /// The metadata lines (`name`, `date`, `source`, `attribution`, …).
    public var metadataFields: [String: String] { metadata }

    /// The record index for a key, 0 when there is none or the data is damaged.
    @inline(__always)
    func lookup(_ t: Table, _ key: UInt128) -> Int {
        let b = storage.buffer
        var lo = 0
        var hi = t.blocks
        if t.firstBlock.count == 65_537, key <= UInt128(UInt32.max) {
            // The last block starting at or before the key is the one before the first block of the key's /16,
            // or one of the blocks that start inside the /16.
            let p = Int(truncatingIfNeeded: key >> 16)
            lo = max(0, Int(t.firstBlock[p]) - 1)
            hi = Int(t.firstBlock[p + 1])
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if GeoRangeDatabase.blockKey(b, t, mid) <= key { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return 0 }
        let block = lo - 1
        var at = t.dataAt + Int(GeoRangeDatabase.u32(b, t.offsetsAt + 4 * block))
        let end = t.dataAt + Int(GeoRangeDatabase.u32(b, t.offsetsAt + 4 * block + 4))
        guard end <= t.dataEnd else { return 0 }
        let count = Swift.min(t.blockSize, t.entries - block * t.blockSize)
        var start = GeoRangeDatabase.blockKey(b, t, block)
        guard count > 0, let first = GeoRangeDatabase.leb128(b, &at, end) else { return 0 }
        var record = first
        var i = 1
        while i < count {
            guard at < end else { return 0 }
            let shift = Int(b[at])
            at += 1
            guard shift < 128, let v = GeoRangeDatabase.leb128(b, &at, end), v != 0,
                v.leadingZeroBitCount >= shift
            else { return 0 }
            let (next, overflow) = start.addingReportingOverflow(v << UInt128(shift))
            guard !overflow else { return 0 }
            if next > key { break }
            start = next
            guard let r = GeoRangeDatabase.leb128(b, &at, end) else { return 0 }
            record = r
            i += 1
        }
        return record > UInt128(Int32.max) ? 0 : Int(truncatingIfNeeded: record)
    }

    // MARK: Byte access (every caller has checked the bounds it reads)

    @inline(__always)
    static func u16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= b.count else { return 0 }
        return UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    @inline(__always)
    static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        guard at >= 0, at + 4 <= b.count else { return 0 }
        return UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    @inline(__always)
    static func u64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        guard at >= 0, at + 8 <= b.count else { return 0 }
        return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    @inline(__always)
    static func blockKey(_ b: UnsafeRawBufferPointer, _ t: Table, _ i: Int) -> UInt128 {
        if t.keyWidth == 4 { return UInt128(u32(b, t.keysAt + 4 * i)) }
        let at = t.keysAt + 16 * i
        return UInt128(u64(b, at + 8)) << 64 | UInt128(u64(b, at))
    }

    /// An unsigned LEB128 of at most 19 bytes that fits in 128 bits, read before `end`.
    @inline(__always)
    static func leb128(_ b: UnsafeRawBufferPointer, _ at: inout Int, _ end: Int) -> UInt128? {
        var v: UInt128 = 0
        var shift = 0
        while at < end {
            let byte = b[at]
            at += 1
            let part = UInt128(byte & 0x7F)
            guard shift <= 121 || (shift < 128 && part >> UInt128(128 - shift) == 0) else { return nil }
            v |= part << UInt128(shift)
            if byte & 0x80 == 0 { return v }
            shift += 7
        }
        return nil
    }

    static func countryCode(_ b: UnsafeRawBufferPointer, _ at: Int) -> String? {
        guard at >= 0, at + 2 <= b.count else { return nil }
        let c0 = b[at]
        let c1 = b[at + 1]
        guard ASCII.isAlpha(c0), ASCII.isAlpha(c1) else { return nil }
        return String(decoding: [c0, c1], as: UTF8.self)
    }
}
