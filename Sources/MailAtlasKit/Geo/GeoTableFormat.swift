import MailCore

/// The project's own IP database format (`.mageo`), written by `GeoTableBuilder` and read by `GeoRangeDatabase`.
///
/// All integers little-endian, offsets from the start of the file:
///
/// ```
/// header    "MAGEODB1", u32 version (1), u32 section count, then per section: 4-byte tag, u32 offset, u32 length,
///           u32 reserved (0)
/// META      UTF-8 `key=value` lines: name, date, source, attribution, builder
/// CTRY      u32 count, count × 2-byte code (index 0 = no country), (count + 1) × u32 name offsets, name bytes
/// RECS      u32 count, count × (u16 country index, u16 reserved, u32 asn; 0 = none); record 0 = no data
/// ASNM      u32 count, count × u32 asn (ascending), (count + 1) × u32 name offsets, name bytes
/// TAB4/TAB6 u32 entries, u32 ranges with data, u32 block size, u32 blocks, u32 key width (4 or 16),
///           blocks × key (the block's first start), (blocks + 1) × u32 offsets into the data, data
/// ```
///
/// A table covers its whole address space (IPv4: 32 bits; IPv6: 128 bits) with entries sorted by start; an
/// address's answer is the record of the last entry starting at or before it. Entries are stored in blocks: the
/// first entry of a block is its record (unsigned LEB128), each next entry is a byte `t`, an unsigned LEB128 `v`
/// (start = previous start + v << t) and its record. Lookups binary-search the block keys and decode one block.
enum GeoTableFormat {
    static let magic: [UInt8] = Array("MAGEODB1".utf8)
    static let version: UInt32 = 1
    static let blockSize = 32
    /// Upper bounds that keep a hostile or damaged file from asking for absurd work.
    static let maxSections = 64
    static let maxLEB128Bytes = 19

    enum Tag {
        static let meta: UInt32 = fourCC("META")
        static let countries: UInt32 = fourCC("CTRY")
        static let records: UInt32 = fourCC("RECS")
        static let asNames: UInt32 = fourCC("ASNM")
        static let ipv4: UInt32 = fourCC("TAB4")
        static let ipv6: UInt32 = fourCC("TAB6")
    }

    static func fourCC(_ s: StaticString) -> UInt32 {
        var v: UInt32 = 0
        s.withUTF8Buffer { buf in
            for (i, b) in buf.prefix(4).enumerated() { v |= UInt32(b) << UInt32(8 * i) }
        }
        return v
    }

    /// The mapped IPv4 block `::ffff:0:0/96` as 128-bit keys.
    static let mappedIPv4Base: UInt128 = 0xFFFF_0000_0000
    static let mappedIPv4Last: UInt128 = 0xFFFF_FFFF_FFFF
}

extension IPAddress {
    /// The address as one 128-bit number (IPv4 in its IPv4-mapped form).
    var bits: UInt128 { UInt128(high) << 64 | UInt128(low) }

    init(bits: UInt128) {
        self.init(high: UInt64(truncatingIfNeeded: bits >> 64), low: UInt64(truncatingIfNeeded: bits))
    }
}
