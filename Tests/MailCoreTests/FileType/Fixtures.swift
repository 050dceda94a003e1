import CZlib

/// Builders for hand-made files with the real signatures and structures of each format, so the detection tests
/// need no binary files in the repository.
enum Fixtures {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    static func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    static func be32(_ v: Int) -> [UInt8] { le32(v).reversed() }

    static func padded(_ b: [UInt8], to n: Int) -> [UInt8] { b + [UInt8](repeating: 0, count: max(0, n - b.count)) }

    // MARK: zlib

    static func crc(_ b: [UInt8]) -> UInt32 {
        b.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    /// Raw DEFLATE (`windowBits` -15) or gzip (31).
    static func deflate(_ input: [UInt8], windowBits: Int32 = -15) -> [UInt8] {
        var stream = z_stream()
        precondition(
            deflateInit2_(
                &stream, 9, Z_DEFLATED, windowBits, 9, Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                let rc = CZlib.deflate(&stream, Z_FINISH)
                precondition(rc == Z_STREAM_END)
                return o.count - Int(stream.avail_out)
            }
        }
        return Array(out.prefix(produced))
    }

    // MARK: ZIP

    struct ZipItem {
        var name: String
        var data: [UInt8]
        var deflated = true
        var encrypted = false
        /// Sizes to declare instead of the real ones (bombs lie).
        var declaredSize: Int? = nil
        /// Already-deflated bytes to store as they are (with `data` empty), to build big archives quickly.
        var deflatedData: [UInt8]? = nil
        var crcValue: UInt32? = nil
    }

    /// A ZIP file with a central directory; ZIP64 end records when there are more than 65,535 entries.
    static func zip(_ items: [ZipItem], prefix: [UInt8] = []) -> [UInt8] {
        var out = prefix
        var central: [UInt8] = []
        for item in items {
            let name = bytes(item.name)
            let stored = item.deflatedData ?? (item.deflated ? deflate(item.data) : item.data)
            let method = item.deflated ? 8 : 0
            let flags = (item.encrypted ? 1 : 0) | 0x800
            let size = item.declaredSize ?? item.data.count
            let offset = out.count - prefix.count
            let crcValue = Int(item.crcValue ?? crc(item.data))
            out += le32(0x0403_4B50) + le16(20) + le16(flags) + le16(method) + le16(0) + le16(0) + le32(crcValue)
            out += le32(stored.count) + le32(size) + le16(name.count) + le16(0) + name + stored
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(flags) + le16(method) + le16(0) + le16(0)
            central += le32(crcValue) + le32(stored.count) + le32(size) + le16(name.count) + le16(0) + le16(0)
            central += le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let cdOffset = out.count - prefix.count
        out += central
        if items.count > 0xFFFF {
            let eocd64 = out.count - prefix.count
            out += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            out += le64(items.count) + le64(items.count) + le64(central.count) + le64(cdOffset)
            out += le32(0x0706_4B50) + le32(0) + le64(eocd64) + le32(1)
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF) + le32(-1 & 0xFFFF_FFFF)
            out += le32(-1 & 0xFFFF_FFFF) + le16(0)
        } else {
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(items.count) + le16(items.count)
            out += le32(central.count) + le32(cdOffset) + le16(0)
        }
        return out
    }

    static func contentTypes(_ main: String) -> [UInt8] {
        bytes(
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/main.xml" ContentType="\(main)"/></Types>
            """)
    }

    static func ooxml(_ main: String, mainPart: String) -> [UInt8] {
        zip([
            ZipItem(name: "[Content_Types].xml", data: contentTypes(main)),
            ZipItem(name: "_rels/.rels", data: bytes("<Relationships/>")),
            ZipItem(name: mainPart, data: bytes("<document/>")),
        ])
    }

    // MARK: OLE2 (compound file, 512-byte sectors: header, one FAT sector, one directory sector)

    static func ole2(streams: [String], rootCLSID: [UInt8] = [UInt8](repeating: 0, count: 16)) -> [UInt8] {
        var header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 16)
        header += le16(0x3E) + le16(3) + le16(0xFFFE) + le16(9) + le16(6) + [UInt8](repeating: 0, count: 6)
        header += le32(0) + le32(1) + le32(1) + le32(0) + le32(4096) + le32(0xFFFF_FFFE) + le32(0)
        header += le32(0xFFFF_FFFE) + le32(0)
        header += le32(0)  // DIFAT[0]: the FAT is sector 0
        for _ in 1..<109 { header += le32(0xFFFF_FFFF) }
        precondition(header.count == 512)
        var fat = le32(0xFFFF_FFFD) + le32(0xFFFF_FFFE)
        fat = padded(fat, to: 512)
        for k in stride(from: 8, to: 512, by: 4) { fat.replaceSubrange(k..<(k + 4), with: le32(0xFFFF_FFFF)) }
        func entry(_ name: String, type: UInt8, clsid: [UInt8] = [UInt8](repeating: 0, count: 16)) -> [UInt8] {
            var units: [UInt8] = []
            for u in name.utf16 { units += le16(Int(u)) }
            units += [0, 0]
            var e = padded(units, to: 64) + le16(units.count) + [type, 1] + le32(-1 & 0xFFFF_FFFF)
            e += le32(-1 & 0xFFFF_FFFF) + le32(-1 & 0xFFFF_FFFF) + clsid
            return padded(e, to: 128)
        }
        var dir = entry("Root Entry", type: 5, clsid: rootCLSID)
        for s in streams.prefix(3) { dir += entry(s, type: 2) }
        dir = padded(dir, to: 512)
        return header + fat + dir
    }

    // MARK: PE

    static func pe(dll: Bool) -> [UInt8] {
        var b = bytes("MZ") + [UInt8](repeating: 0, count: 0x3A) + le32(0x80)
        b = padded(b, to: 0x80)
        b += bytes("PE") + [0, 0] + le16(0x14C) + le16(1) + le32(0) + le32(0) + le32(0) + le16(0xE0)
        b += le16(dll ? 0x2102 : 0x0102)
        return padded(b, to: 512)
    }

    // MARK: Disk images

    static func iso9660() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 16 * 2048)
        b += padded([0x01] + bytes("CD001") + [0x01], to: 2048)
        b += padded([0xFF] + bytes("CD001") + [0x01], to: 2048)
        return b
    }

    static func udf() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 16 * 2048)
        b += padded([0x00] + bytes("BEA01") + [0x01], to: 2048)
        b += padded([0x00] + bytes("NSR02") + [0x01], to: 2048)
        b += padded([0x00] + bytes("TEA01") + [0x01], to: 2048)
        return b
    }

    static func fatImage() -> [UInt8] {
        var b: [UInt8] = [0xEB, 0x3C, 0x90] + bytes("MSDOS5.0") + le16(512)
        b = padded(b, to: 0x36) + bytes("FAT12   ")
        b = padded(b, to: 510) + [0x55, 0xAA]
        return padded(b, to: 1024)
    }

    // MARK: RAR and 7z

    static func rar4(name: String, encryptedFile: Bool = false, encryptedHeaders: Bool = false) -> [UInt8] {
        var b: [UInt8] = [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00]
        b += [0xCF, 0x90, 0x73] + le16(encryptedHeaders ? 0x0080 : 0) + le16(13) + [0, 0, 0, 0, 0, 0]
        let n = bytes(name)
        let data = bytes("hello")
        var file: [UInt8] = [0, 0, 0x74] + le16(encryptedFile ? 0x8004 : 0x8000) + le16(32 + n.count)
        file += le32(data.count) + le32(data.count) + [2] + le32(0) + le32(0) + [20, 0x30] + le16(n.count) + le32(0x20)
        file += n
        return b + file + data + [0xC4, 0x3D, 0x7B, 0x00, 0x40, 0x07, 0x00]
    }

    static func vint(_ v: Int) -> [UInt8] {
        var out: [UInt8] = []
        var x = v
        repeat {
            var byte = UInt8(x & 0x7F)
            x >>= 7
            if x > 0 { byte |= 0x80 }
            out.append(byte)
        } while x > 0
        return out
    }

    static func rar5(name: String, encryptedFile: Bool = false, encryptedHeaders: Bool = false) -> [UInt8] {
        var b: [UInt8] = [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00]
        func block(_ body: [UInt8]) -> [UInt8] { le32(0) + vint(body.count) + body }
        if encryptedHeaders {
            b += block(vint(4) + vint(0) + vint(0) + vint(0) + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 0])
            return b
        }
        b += block(vint(1) + vint(0) + vint(0))
        let n = bytes(name)
        let data = bytes("hello")
        let extra: [UInt8] = encryptedFile ? (vint(2) + vint(1) + [0]) : []
        var body = vint(2) + vint(extra.isEmpty ? 2 : 3)
        if !extra.isEmpty { body += vint(extra.count) }
        body += vint(data.count)
        body += vint(0) + vint(data.count) + vint(0x20) + vint(0) + vint(0) + vint(n.count) + n + extra
        b += block(body) + data
        b += block(vint(5) + vint(0) + vint(0))
        return b
    }

    static func sevenZip(encrypted: Bool) -> [UInt8] {
        let header: [UInt8] =
            encrypted
            ? [0x17, 0x06, 0x01, 0x00, 0x07, 0x0B, 0x01, 0x00, 0x01, 0x24, 0x06, 0xF1, 0x07, 0x01, 0x00]
            : [0x01, 0x04, 0x06, 0x00, 0x01, 0x09, 0x05, 0x00, 0x07, 0x0B, 0x01, 0x00, 0x01, 0x00]
        let packed = [UInt8](repeating: 0xAA, count: 5)
        return [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00, 0x04] + le32(0) + le64(packed.count) + le64(header.count)
            + le32(0) + packed + header
    }

    static func gzip(_ data: [UInt8], name: String) -> [UInt8] {
        [0x1F, 0x8B, 0x08, 0x08, 0, 0, 0, 0, 0x02, 0x03] + bytes(name) + [0] + deflate(data)
            + le32(Int(crc(data))) + le32(data.count)
    }
}
