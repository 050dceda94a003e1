/// File names and sizes from RAR 4 and RAR 5 block headers (which are not compressed unless the archive encrypts
/// its headers), and whether anything is encrypted. Contents are never decompressed.
public enum RarListing {
    public struct Listing: Sendable {
        public var entries: [ZipEntry]
        public var totalEntries: Int
        /// Headers encrypted (names unreadable) or at least one file encrypted.
        public var encrypted: Bool
        public var headersEncrypted: Bool
    }

    static let maxBlocks = 1 << 20

    /// RAR 4: blocks `CRC(2) TYPE(1) FLAGS(2) SIZE(2)` [+ ADD_SIZE(4)]; file blocks (0x74) carry the name.
    public static func rar4(_ b: UnsafeBufferPointer<UInt8>, maxEntries: Int) -> Listing {
        var out = Listing(entries: [], totalEntries: 0, encrypted: false, headersEncrypted: false)
        var p = 7
        var blocks = 0
        while p + 7 <= b.count, blocks < maxBlocks {
            blocks += 1
            guard let flags = b.le16(p + 3), let size = b.le16(p + 5), size >= 7 else { break }
            let type = b[p + 2]
            var next = p + Int(size)
            if type == 0x73, flags & 0x0080 != 0 {
                out.headersEncrypted = true
                out.encrypted = true
                break
            }
            if type == 0x74 {
                guard let pack = b.le32(p + 7), let unpack = b.le32(p + 11), let nameLen = b.le16(p + 26) else { break }
                var packSize = UInt64(pack)
                var unpackSize = UInt64(unpack)
                var nameStart = p + 32
                if flags & 0x0100 != 0, let hp = b.le32(p + 32), let hu = b.le32(p + 36) {
                    packSize |= UInt64(hp) << 32
                    unpackSize |= UInt64(hu) << 32
                    nameStart += 8
                }
                let nameEnd = min(b.count, nameStart + Int(nameLen))
                var nameBytes = Array(b[min(nameStart, nameEnd)..<nameEnd])
                // Unicode names: an ASCII name, a NUL, then encoded Unicode; the ASCII part is kept.
                if let nul = nameBytes.firstIndex(of: 0) { nameBytes.removeSubrange(nul...) }
                let encrypted = flags & 0x0004 != 0
                out.encrypted = out.encrypted || encrypted
                out.totalEntries += 1
                if out.entries.count < maxEntries {
                    out.entries.append(
                        ZipEntry(
                            name: String(decoding: nameBytes, as: UTF8.self).replacingBackslashes(),
                            compressedSize: packSize, uncompressedSize: unpackSize, method: 0, flags: flags,
                            localHeaderOffset: UInt64(p), encrypted: encrypted))
                }
                guard let skip = Int(exactly: packSize), skip <= b.count else { break }
                next += skip
            } else if flags & 0x8000 != 0, let add = b.le32(p + 7) {
                next += Int(add)
            }
            if type == 0x7B { break }  // end of archive
            guard next > p else { break }
            p = next
        }
        return out
    }

    /// RAR 5: blocks `CRC32(4) SIZE(vint) TYPE(vint) FLAGS(vint) [EXTRA(vint)] [DATA(vint)]`; type 4 means the
    /// headers are encrypted; file blocks (type 2) carry the name and an encryption record in their extra area.
    public static func rar5(_ b: UnsafeBufferPointer<UInt8>, maxEntries: Int) -> Listing {
        var out = Listing(entries: [], totalEntries: 0, encrypted: false, headersEncrypted: false)
        var p = 8
        var blocks = 0
        while p + 4 < b.count, blocks < maxBlocks {
            blocks += 1
            var q = p + 4
            guard let headerSize = vint(b, &q), let sizeInt = Int(exactly: headerSize), sizeInt > 0,
                sizeInt <= b.count
            else { break }
            let headerStart = q
            let headerEnd = headerStart + sizeInt
            guard headerEnd <= b.count, let type = vint(b, &q), let flags = vint(b, &q) else { break }
            var extraSize: UInt64 = 0
            var dataSize: UInt64 = 0
            if flags & 1 != 0 { extraSize = vint(b, &q) ?? 0 }
            if flags & 2 != 0 { dataSize = vint(b, &q) ?? 0 }
            if type == 4 {
                out.headersEncrypted = true
                out.encrypted = true
                break
            }
            if type == 2 {
                guard let fileFlags = vint(b, &q), let unpacked = vint(b, &q), vint(b, &q) != nil else { break }
                if fileFlags & 2 != 0 { q += 4 }
                if fileFlags & 4 != 0 { q += 4 }
                guard vint(b, &q) != nil, vint(b, &q) != nil, let nameLen = vint(b, &q),
                    let n = Int(exactly: nameLen), q <= headerEnd, n <= headerEnd - q
                else { break }
                let name = String(decoding: UnsafeBufferPointer(rebasing: b[q..<(q + n)]), as: UTF8.self)
                var encrypted = false
                if let e = Int(exactly: extraSize), e <= sizeInt {
                    var r = headerEnd - e
                    while r < headerEnd {
                        guard let recSize = vint(b, &r), let rs = Int(exactly: recSize), rs > 0,
                            rs <= headerEnd - r
                        else { break }
                        let recEnd = r + rs
                        guard let recType = vint(b, &r) else { break }
                        if recType == 1 { encrypted = true }
                        r = recEnd
                    }
                }
                out.encrypted = out.encrypted || encrypted
                out.totalEntries += 1
                if out.entries.count < maxEntries {
                    out.entries.append(
                        ZipEntry(
                            name: name, compressedSize: dataSize, uncompressedSize: unpacked, method: 0,
                            flags: UInt16(truncatingIfNeeded: fileFlags), localHeaderOffset: UInt64(p),
                            encrypted: encrypted))
                }
            }
            if type == 5 { break }
            guard let skip = Int(exactly: dataSize), skip <= b.count - headerEnd else { break }
            p = headerEnd + skip
        }
        return out
    }

    /// A RAR 5 variable-length integer (7 bits per byte, at most 10 bytes).
    static func vint(_ b: UnsafeBufferPointer<UInt8>, _ p: inout Int) -> UInt64? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while p < b.count, shift < 64 {
            let c = b[p]
            p += 1
            v |= UInt64(c & 0x7F) << shift
            if c & 0x80 == 0 { return v }
            shift += 7
        }
        return nil
    }
}

extension String {
    func replacingBackslashes() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\\" ? "/" : $0 }))
    }
}
