/// One entry of a ZIP central directory (or, when there is none, of its local headers).
public struct ZipEntry: Sendable, Equatable {
    public var name: String
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    /// 0 stored, 8 deflate, 99 AES (WinZip), others as the APPNOTE numbers them.
    public var method: UInt16
    public var flags: UInt16
    public var localHeaderOffset: UInt64
    /// Traditional PKWARE encryption, strong encryption or WinZip AES.
    public var encrypted: Bool
    public var isDirectory: Bool { name.hasSuffix("/") }
}

/// The central directory of a ZIP file, read without trusting it: every offset and size is checked against the
/// buffer, the walk is bounded by the directory's bytes, and at most `maxEntries` entries are kept (the rest are
/// counted).
public struct ZipDirectory: Sendable {
    public var entries: [ZipEntry]
    /// Entries in the directory (kept or not).
    public var totalEntries: Int
    /// Where a prefix of bytes (a stub, a self-extractor) precedes the archive: offsets are shifted by this.
    public var baseOffset: Int
    /// The directory ended early or did not match its end record.
    public var damaged: Bool
}

public enum ZipArchive {
    static let localSignature: UInt32 = 0x0403_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let end64Signature: UInt32 = 0x0606_4B50
    static let end64LocatorSignature: UInt32 = 0x0706_4B50

    /// Reads the central directory. Nil when there is no end-of-central-directory record.
    public static func readDirectory(_ b: UnsafeBufferPointer<UInt8>, maxEntries: Int) -> ZipDirectory? {
        guard let eocd = findEndRecord(b) else { return nil }
        var cdSize = UInt64(b.le32(eocd + 12) ?? 0)
        var cdOffset = UInt64(b.le32(eocd + 16) ?? 0)
        // ZIP64: the locator sits right before the end record.
        if eocd >= 20, b.le32(eocd - 20) == end64LocatorSignature, let rec = b.le64(eocd - 12),
            let r = Int(exactly: rec), r >= 0, r <= b.count - 56, b.le32(r) == end64Signature,
            let size = b.le64(r + 40), let offset = b.le64(r + 48)
        {
            cdSize = size
            cdOffset = offset
        }
        // Where the directory really is: at its declared offset, or right before the end record when bytes were
        // prepended (self-extracting archives, stubs).
        var base = 0
        var start = Int(exactly: cdOffset) ?? -1
        let endOfDirectory = eocd >= 20 && b.le32(eocd - 20) == end64LocatorSignature ? eocd - 20 : eocd
        if start < 0 || start >= b.count || b.le32(start) != centralSignature {
            if let size = Int(exactly: cdSize), endOfDirectory - size >= 0,
                b.le32(endOfDirectory - size) == centralSignature
            {
                let real = endOfDirectory - size
                base = real - (Int(exactly: cdOffset) ?? real)
                start = real
            } else if cdSize == 0 {
                return ZipDirectory(entries: [], totalEntries: 0, baseOffset: 0, damaged: false)
            } else {
                return ZipDirectory(entries: [], totalEntries: 0, baseOffset: 0, damaged: true)
            }
        }
        var entries: [ZipEntry] = []
        var total = 0
        var p = start
        var damaged = false
        let stop = min(b.count, endOfDirectory)
        while p + 46 <= stop {
            guard b.le32(p) == centralSignature, let flags = b.le16(p + 8), let method = b.le16(p + 10),
                let csize = b.le32(p + 20), let usize = b.le32(p + 24), let nameLen = b.le16(p + 28),
                let extraLen = b.le16(p + 30), let commentLen = b.le16(p + 32), let offset = b.le32(p + 42)
            else {
                damaged = true
                break
            }
            let nameStart = p + 46
            let extraStart = nameStart + Int(nameLen)
            let next = extraStart + Int(extraLen) + Int(commentLen)
            guard next <= b.count else {
                damaged = true
                break
            }
            total += 1
            if entries.count < maxEntries {
                var entry = ZipEntry(
                    name: decodeName(
                        UnsafeBufferPointer(rebasing: b[nameStart..<extraStart]), utf8: flags & 0x800 != 0),
                    compressedSize: UInt64(csize), uncompressedSize: UInt64(usize), method: method, flags: flags,
                    localHeaderOffset: UInt64(offset), encrypted: flags & 0x41 != 0 || method == 99)
                applyExtra(UnsafeBufferPointer(rebasing: b[extraStart..<(extraStart + Int(extraLen))]), to: &entry)
                entries.append(entry)
            }
            p = next
        }
        return ZipDirectory(entries: entries, totalEntries: total, baseOffset: base, damaged: damaged)
    }

    /// The last end-of-central-directory record in the final 64 KiB + 22 bytes.
    static func findEndRecord(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard b.count >= 22 else { return nil }
        var p = b.count - 22
        let floor = max(0, b.count - 22 - 65_535)
        while p >= floor {
            if b[p] == 0x50, b.le32(p) == endSignature { return p }
            p -= 1
        }
        return nil
    }

    /// ZIP64 sizes and offset (extra 0x0001) and WinZip AES (0x9901).
    static func applyExtra(_ extra: UnsafeBufferPointer<UInt8>, to entry: inout ZipEntry) {
        var p = 0
        while p + 4 <= extra.count {
            guard let id = extra.le16(p), let size = extra.le16(p + 2) else { return }
            let dataEnd = p + 4 + Int(size)
            guard dataEnd <= extra.count else { return }
            var q = p + 4
            if id == 0x0001 {
                if entry.uncompressedSize == 0xFFFF_FFFF, q + 8 <= dataEnd, let v = extra.le64(q) {
                    entry.uncompressedSize = v
                    q += 8
                }
                if entry.compressedSize == 0xFFFF_FFFF, q + 8 <= dataEnd, let v = extra.le64(q) {
                    entry.compressedSize = v
                    q += 8
                }
                if entry.localHeaderOffset == 0xFFFF_FFFF, q + 8 <= dataEnd, let v = extra.le64(q) {
                    entry.localHeaderOffset = v
                }
            } else if id == 0x9901 {
                entry.encrypted = true
            }
            p = dataEnd
        }
    }

    /// UTF-8 when flagged or valid, otherwise IBM code page 437 (what ZIP tools without the flag wrote).
    static func decodeName(_ b: UnsafeBufferPointer<UInt8>, utf8: Bool) -> String {
        if utf8 || b.allSatisfy({ $0 < 0x80 }) { return String(decoding: b, as: UTF8.self) }
        if let valid = String(validating: b, as: UTF8.self) { return valid }
        var s = String.UnicodeScalarView()
        for c in b {
            if c < 0x80 {
                s.append(Unicode.Scalar(c))
            } else if let u = Unicode.Scalar(cp437High[Int(c - 0x80)]) {
                s.append(u)
            }
        }
        return String(s)
    }

    static let cp437High: [UInt32] = [
        0xC7, 0xFC, 0xE9, 0xE2, 0xE4, 0xE0, 0xE5, 0xE7, 0xEA, 0xEB, 0xE8, 0xEF, 0xEE, 0xEC, 0xC4, 0xC5, 0xC9, 0xE6,
        0xC6, 0xF4, 0xF6, 0xF2, 0xFB, 0xF9, 0xFF, 0xD6, 0xDC, 0xA2, 0xA3, 0xA5, 0x20A7, 0x192, 0xE1, 0xED, 0xF3, 0xFA,
        0xF1, 0xD1, 0xAA, 0xBA, 0xBF, 0x2310, 0xAC, 0xBD, 0xBC, 0xA1, 0xAB, 0xBB, 0x2591, 0x2592, 0x2593, 0x2502,
        0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514,
        0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
        0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C,
        0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x3B1, 0xDF, 0x393, 0x3C0, 0x3A3, 0x3C3, 0xB5, 0x3C4, 0x3A6, 0x398,
        0x3A9, 0x3B4, 0x221E, 0x3C6, 0x3B5, 0x2229, 0x2261, 0xB1, 0x2265, 0x2264, 0x2320, 0x2321, 0xF7, 0x2248, 0xB0,
        0x2219, 0xB7, 0x221A, 0x207F, 0xB2, 0x25A0, 0xA0,
    ]

    /// The bytes of an entry's data as stored (still compressed), found through its local header.
    public static func storedData(
        of entry: ZipEntry, in b: UnsafeBufferPointer<UInt8>, baseOffset: Int
    ) -> UnsafeBufferPointer<UInt8>? {
        // Both numbers come from the archive: a ZIP64 offset near Int.max plus a positive base must not overflow.
        guard let off = Int(exactly: entry.localHeaderOffset) else { return nil }
        let (local, overflow) = off.addingReportingOverflow(baseOffset)
        guard !overflow, local >= 0, local <= b.count - 30, b.le32(local) == localSignature,
            let nameLen = b.le16(local + 26),
            let extraLen = b.le16(local + 28)
        else { return nil }
        let start = local + 30 + Int(nameLen) + Int(extraLen)
        guard start <= b.count else { return nil }
        // The central directory's size is the one to trust for the end (local sizes may be zero with a data
        // descriptor); a size past the buffer is cut to what is there.
        let size = Int(exactly: entry.compressedSize) ?? b.count
        let end = size > b.count - start ? b.count : start + size
        return UnsafeBufferPointer(rebasing: b[start..<end])
    }

    /// Up to `maxOutput` decoded bytes of an unencrypted entry (stored or deflated), within the budget.
    public static func read(
        _ entry: ZipEntry, in b: UnsafeBufferPointer<UInt8>, baseOffset: Int, maxOutput: Int,
        budget: inout InflateBudget
    ) -> [UInt8]? {
        guard !entry.encrypted, let data = storedData(of: entry, in: b, baseOffset: baseOffset) else { return nil }
        switch entry.method {
        case 0:
            let n = min(maxOutput, budget.remaining, data.count)
            guard n > 0 else { return nil }
            budget.spend(n)
            return Array(data.prefix(n))
        case 8:
            return Inflate.inflate(data, format: .raw, maxOutput: maxOutput, budget: &budget)
        default:
            return nil
        }
    }

    /// Entries read from local headers in order, for a ZIP known only by its first bytes (a member's prefix).
    /// Stops at the first header it cannot follow (a data descriptor with unknown size, the end of the bytes).
    public static func localEntries(_ b: UnsafeBufferPointer<UInt8>, maxEntries: Int) -> [ZipEntry] {
        var out: [ZipEntry] = []
        var p = 0
        while out.count < maxEntries, p + 30 <= b.count, b.le32(p) == localSignature {
            guard let flags = b.le16(p + 6), let method = b.le16(p + 8), let csize = b.le32(p + 18),
                let usize = b.le32(p + 22), let nameLen = b.le16(p + 26), let extraLen = b.le16(p + 28)
            else { break }
            let nameStart = p + 30
            let nameEnd = min(b.count, nameStart + Int(nameLen))
            out.append(
                ZipEntry(
                    name: decodeName(UnsafeBufferPointer(rebasing: b[nameStart..<nameEnd]), utf8: flags & 0x800 != 0),
                    compressedSize: UInt64(csize), uncompressedSize: UInt64(usize), method: method, flags: flags,
                    localHeaderOffset: UInt64(p), encrypted: flags & 0x41 != 0 || method == 99))
            if flags & 0x08 != 0 && csize == 0 { break }
            p = nameStart + Int(nameLen) + Int(extraLen) + Int(csize)
        }
        return out
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Little-endian integers at an offset, nil when out of range.
    @inline(__always) func le16(_ i: Int) -> UInt16? {
        guard i >= 0, i <= count - 2 else { return nil }
        return UInt16(self[i]) | UInt16(self[i + 1]) << 8
    }
    @inline(__always) func le32(_ i: Int) -> UInt32? {
        guard i >= 0, i <= count - 4 else { return nil }
        return UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
    @inline(__always) func le64(_ i: Int) -> UInt64? {
        guard let lo = le32(i), let hi = le32(i + 4) else { return nil }
        return UInt64(lo) | UInt64(hi) << 32
    }
    @inline(__always) func be16(_ i: Int) -> UInt16? {
        guard i >= 0, i <= count - 2 else { return nil }
        return UInt16(self[i]) << 8 | UInt16(self[i + 1])
    }
    @inline(__always) func be32(_ i: Int) -> UInt32? {
        guard i >= 0, i <= count - 4 else { return nil }
        return UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }
    /// Whether the bytes at `i` equal `s`.
    @inline(__always) func matches(_ s: [UInt8], at i: Int) -> Bool {
        guard i >= 0, i <= count - s.count else { return false }
        for k in 0..<s.count where self[i + k] != s[k] { return false }
        return true
    }
}
