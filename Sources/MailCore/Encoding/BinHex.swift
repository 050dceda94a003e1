/// BinHex 4.0 (RFC 1741; Apple's `.hqx`), as classic Mac mailers sent files: an `application/mac-binhex40` part, or
/// a block in the text that begins with the line `(This file must be converted with BinHex 4.0)`.
///
/// The text between two colons is a 6-bit encoding (its own alphabet, not base64; blanks and line breaks ignored)
/// of a run-length encoded stream (0x90 marks a run: `c 0x90 n` is `c` n times, `0x90 0x00` a literal 0x90). The
/// stream is a header (name length, the file name in Mac Roman, a version byte, type, creator, Finder flags, the
/// lengths of the data and resource forks, a CRC), the data fork and its CRC, the resource fork and its CRC. The
/// CRCs are CRC-16/XMODEM (polynomial 0x1021, initial 0). What a mail reader saves is the data fork under the file
/// name of the header; the resource fork is skipped.
///
/// Decoding streams: memory is the data fork kept (at most `maxDataBytes`) and a header of at most 84 bytes; it stops
/// after the data fork's CRC or at `maxDataBytes`, so a run-length bomb costs no more than its limit.
public enum BinHex {
    public static let marker: [UInt8] = Array("(This file must be converted with BinHex 4.0)".utf8)

    /// A decoded file: its data fork and what the header says.
    public struct File: Sendable, Equatable {
        /// The file name of the header, as bytes (Mac Roman).
        public var name: [UInt8]
        /// The Mac file type and creator (`TEXT`, `ttxt`), four bytes each.
        public var type: [UInt8]
        public var creator: [UInt8]
        /// The data fork, at most `maxDataBytes` of it.
        public var data: [UInt8]
        /// The lengths the header declares.
        public var dataForkLength: Int
        public var resourceForkLength: Int
        public var report: Report
    }

    /// What decoding met.
    public struct Report: Sendable, Equatable {
        /// Characters outside the alphabet, skipped.
        public var invalidCharacters = 0
        /// The header's CRC did not match.
        public var headerCRCMismatch = false
        /// The data fork's CRC did not match (or was cut off).
        public var dataCRCMismatch = false
        /// The encoded text ended (closing colon, or the end of the input) before the data fork did.
        public var truncated = false
        /// The data fork was longer than `maxDataBytes`: the rest was not decoded.
        public var limited = false

        public init() {}

        public var isClean: Bool {
            invalidCharacters == 0 && !headerCRCMismatch && !dataCRCMismatch && !truncated && !limited
        }
    }

    /// Decodes the first BinHex file in `input`: after the marker line when there is one, else from the first `:`
    /// that begins a line. Nil when there is no encoded text or its header cannot be read (a zero or over-long name,
    /// a stream too short for a header).
    public static func decode(_ input: UnsafeBufferPointer<UInt8>, maxDataBytes: Int = 64 << 20) -> File? {
        guard let start = dataStart(input) else { return nil }
        var decoder = StreamDecoder(maxDataBytes: max(0, maxDataBytes))
        var acc: UInt32 = 0
        var bits = 0
        var i = start
        let n = input.count
        while i < n && !decoder.done {
            let c = input[i]
            i += 1
            if c == ASCII.colon { break }
            if c == ASCII.cr || c == ASCII.lf || ASCII.isSpaceOrTab(c) { continue }
            let v = alphabetValue[Int(c)]
            if v == 0xFF {
                decoder.report.invalidCharacters += 1
                continue
            }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                decoder.rle(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        return decoder.finish()
    }

    /// A BinHex block inside a text: from the marker line to the end of the line with the closing colon.
    public struct Block: Sendable, Equatable {
        public var range: Range<Int>
    }

    /// The BinHex blocks of a text (at most `limit`): a marker line at a line start, the encoded text after it up to
    /// its closing colon (or the end of the text).
    public static func findBlocks(in text: UnsafeBufferPointer<UInt8>, limit: Int = 16) -> [Block] {
        var blocks: [Block] = []
        var from = 0
        let n = text.count
        while blocks.count < limit, let hit = ByteSearch.find(marker, in: text, from: from) {
            from = hit + marker.count
            guard hit == 0 || text[hit - 1] == ASCII.lf || text[hit - 1] == ASCII.cr else { continue }
            // The opening colon: after blank lines at most.
            var j = from
            while j < n && (ASCII.isWhitespace(text[j])) { j += 1 }
            guard j < n, text[j] == ASCII.colon else { continue }
            var k = j + 1
            while k < n && text[k] != ASCII.colon { k += 1 }
            var end = min(n, k + 1)
            while end < n && text[end] != ASCII.lf && text[end] != ASCII.cr { end += 1 }
            blocks.append(Block(range: hit..<end))
            from = max(from, end)
        }
        return blocks
    }

    /// Where the encoded text begins: after the first `:` following the marker, or after a `:` that begins a line.
    static func dataStart(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        if let m = ByteSearch.find(marker, in: b) {
            var j = m + marker.count
            while j < b.count && ASCII.isWhitespace(b[j]) { j += 1 }
            return j < b.count && b[j] == ASCII.colon ? j + 1 : nil
        }
        var i = 0
        while i < b.count && ASCII.isWhitespace(b[i]) { i += 1 }
        while let c = ByteSearch.find(byte: ASCII.colon, in: b, from: i) {
            if c == 0 || b[c - 1] == ASCII.lf || b[c - 1] == ASCII.cr { return c + 1 }
            i = c + 1
        }
        return nil
    }

    static let alphabet: [UInt8] = Array("!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr".utf8)
    static let alphabetValue: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (k, c) in alphabet.enumerated() { t[Int(c)] = UInt8(k) }
        return t
    }()

    /// CRC-16/XMODEM, one byte at a time.
    @inline(__always)
    static func crc(_ crc: UInt16, _ byte: UInt8) -> UInt16 {
        crc << 8 ^ crcTable[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
    }

    static let crcTable: [UInt16] = (0..<256).map { (i: Int) -> UInt16 in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? c << 1 ^ 0x1021 : c << 1 }
        return c
    }

    /// Run-length decoding and the stream's sections, one byte at a time.
    struct StreamDecoder {
        enum Section { case header, headerCRC, data, dataCRC, done }
        let maxDataBytes: Int
        var report = Report()
        var section = Section.header
        var header: [UInt8] = []
        var headerLength = 0  // the whole header without its CRC, known after the first byte
        var crc: UInt16 = 0
        var stored: UInt16 = 0
        var crcBytes = 0
        var data: [UInt8] = []
        var dataSeen = 0
        var dataLength = 0
        var resourceLength = 0
        var last: UInt8 = 0
        var marker = false
        var failed = false

        init(maxDataBytes: Int) { self.maxDataBytes = maxDataBytes }

        var done: Bool { section == .done || failed }

        mutating func rle(_ b: UInt8) {
            if marker {
                marker = false
                if b == 0 {
                    last = 0x90
                    byte(0x90)
                } else {
                    var k = Int(b) - 1
                    while k > 0 && !done {
                        byte(last)
                        k -= 1
                    }
                }
            } else if b == 0x90 {
                marker = true
            } else {
                last = b
                byte(b)
            }
        }

        mutating func byte(_ b: UInt8) {
            switch section {
            case .header:
                if header.isEmpty {
                    guard b >= 1 && b <= 63 else {
                        failed = true
                        return
                    }
                    headerLength = 1 + Int(b) + 1 + 4 + 4 + 2 + 4 + 4
                }
                header.append(b)
                crc = BinHex.crc(crc, b)
                if header.count == headerLength {
                    let p = headerLength - 8
                    dataLength = be32(p)
                    resourceLength = be32(p + 4)
                    section = .headerCRC
                    stored = 0
                    crcBytes = 0
                }
            case .headerCRC:
                stored = stored << 8 | UInt16(b)
                crcBytes += 1
                if crcBytes == 2 {
                    if stored != crc { report.headerCRCMismatch = true }
                    crc = 0
                    section = dataLength == 0 ? .dataCRC : .data
                    crcBytes = 0
                    stored = 0
                    data.reserveCapacity(min(dataLength, maxDataBytes, 1 << 20))
                }
            case .data:
                if data.count >= maxDataBytes {
                    report.limited = true
                    section = .done
                    return
                }
                data.append(b)
                crc = BinHex.crc(crc, b)
                dataSeen += 1
                if dataSeen == dataLength { section = .dataCRC }
            case .dataCRC:
                stored = stored << 8 | UInt16(b)
                crcBytes += 1
                if crcBytes == 2 {
                    if stored != crc { report.dataCRCMismatch = true }
                    section = .done
                }
            case .done:
                return
            }
        }

        func be32(_ p: Int) -> Int {
            Int(header[p]) << 24 | Int(header[p + 1]) << 16 | Int(header[p + 2]) << 8 | Int(header[p + 3])
        }

        mutating func finish() -> File? {
            guard !failed, section != .header, header.count == headerLength else { return nil }
            if section != .done {
                report.truncated = true
                if section == .data || section == .dataCRC { report.dataCRCMismatch = true }
            }
            let nameLength = Int(header[0])
            let p = 1 + nameLength + 1
            return File(
                name: Array(header[1..<(1 + nameLength)]), type: Array(header[p..<(p + 4)]),
                creator: Array(header[(p + 4)..<(p + 8)]), data: data, dataForkLength: dataLength,
                resourceForkLength: resourceLength, report: report)
        }
    }
}
