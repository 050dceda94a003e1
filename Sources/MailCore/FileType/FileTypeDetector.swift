/// Detects a file's type from its bytes: signatures first (with the structure behind them checked where a
/// signature alone is ambiguous: OOXML by its `[Content_Types].xml`, OLE2 by its directory, PE by its header), then
/// disk-image descriptors, then text heuristics (HTML, scripts, calendars, messages).
///
/// Everything is bounded: ZIP directories are read up to `maxZipEntries`, OLE2 directories up to
/// `maxOLEDirectorySectors`, text heuristics look at the first `textSampleBytes`, and what is inflated comes out of
/// the caller's `InflateBudget`.
public enum FileTypeDetector {
    public struct Result: Sendable, Equatable {
        public var type: FileType
        /// The bytes say the content is password-protected (encrypted ZIP entries, encrypted PDF, RAR or 7z,
        /// `EncryptedPackage` Office files).
        public var encrypted: Bool
        public init(_ type: FileType, encrypted: Bool = false) {
            self.type = type
            self.encrypted = encrypted
        }
    }

    public static let textSampleBytes = 64 << 10
    public static let maxZipEntries = 4096
    public static let maxOLEDirectorySectors = 1024
    /// Bytes of `[Content_Types].xml` or `mimetype` read to tell OOXML and OpenDocument apart.
    public static let contentTypesBytes = 64 << 10

    /// Detects the type of `b`. `isPrefix` says `b` holds only the first bytes of the file (an archive member's
    /// head): structures that need the end of the file (a ZIP central directory, an OLE2 directory) are then read
    /// as far as the prefix allows.
    public static func detect(_ b: UnsafeBufferPointer<UInt8>, isPrefix: Bool = false) -> Result {
        var budget = InflateBudget(contentTypesBytes * 2)
        return detect(b, isPrefix: isPrefix, budget: &budget)
    }

    public static func detect(_ b: UnsafeBufferPointer<UInt8>, isPrefix: Bool, budget: inout InflateBudget) -> Result {
        guard !b.isEmpty else { return Result(.empty) }
        if let r = signature(b, isPrefix: isPrefix, budget: &budget) { return r }
        if let r = diskImage(b) { return r }
        return Result(TextClassifier.classify(UnsafeBufferPointer(rebasing: b.prefix(textSampleBytes))))
    }

    // MARK: Signatures

    static let pdfMagic = Array("%PDF-".utf8)
    static let rtfMagic = Array("{\\rt".utf8)
    static let ole2Magic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    static let rar4Magic: [UInt8] = [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00]
    static let rar5Magic: [UInt8] = [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00]
    static let sevenZipMagic: [UInt8] = [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]
    static let xzMagic: [UInt8] = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
    static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
    static let cabMagic: [UInt8] = [0x4D, 0x53, 0x43, 0x46, 0, 0, 0, 0]
    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let lnkMagic: [UInt8] = [
        0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46,
    ]
    static let oneNoteMagic: [UInt8] = [
        0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3,
    ]
    static let elfMagic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
    static let machoMagics: [[UInt8]] = [
        [0xFE, 0xED, 0xFA, 0xCE], [0xFE, 0xED, 0xFA, 0xCF], [0xCE, 0xFA, 0xED, 0xFE], [0xCF, 0xFA, 0xED, 0xFE],
    ]
    static let bzip2Magic = Array("BZh".utf8)
    static let gif87 = Array("GIF87a".utf8)
    static let gif89 = Array("GIF89a".utf8)
    static let riff = Array("RIFF".utf8)
    static let webp = Array("WEBP".utf8)
    static let tiffLE: [UInt8] = [0x49, 0x49, 0x2A, 0x00]
    static let tiffBE: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A]
    static let vhdx = Array("vhdxfile".utf8)
    static let conectix = Array("conectix".utf8)
    static let chmMagic = Array("ITSF".utf8)
    static let ustar = Array("ustar".utf8)
    static let ace = Array("**ACE**".utf8)

    static func signature(_ b: UnsafeBufferPointer<UInt8>, isPrefix: Bool, budget: inout InflateBudget) -> Result? {
        let n = b.count
        let b0 = b[0]
        switch b0 {
        case 0x25:
            if b.matches(pdfMagic, at: 0) { return Result(.pdf, encrypted: PDFInfo.isEncrypted(b)) }
        case 0x7B:
            if b.matches(rtfMagic, at: 0) { return Result(.rtf) }
        case 0x50:
            if n >= 4, b[1] == 0x4B, (b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6) || (b[2] == 7 && b[3] == 8) {
                return ZipKind.detect(b, isPrefix: isPrefix, budget: &budget)
            }
        case 0xD0:
            if b.matches(ole2Magic, at: 0) { return OLE2.detect(b) }
        case 0x52:
            if b.matches(rar5Magic, at: 0) { return Result(.rar5, encrypted: RarInfo.isEncrypted(b, version: 5)) }
            if b.matches(rar4Magic, at: 0) { return Result(.rar4, encrypted: RarInfo.isEncrypted(b, version: 4)) }
            if b.matches(riff, at: 0), b.matches(webp, at: 8) { return Result(.webp) }
        case 0x37:
            if b.matches(sevenZipMagic, at: 0) { return Result(.sevenZip, encrypted: SevenZipInfo.isEncrypted(b)) }
        case 0x1F:
            if n >= 3, b[1] == 0x8B, b[2] == 0x08 { return Result(.gzip) }
        case 0x42:
            if b.matches(bzip2Magic, at: 0), n >= 10, b[3] &- 0x31 < 9, b[4] == 0x31 || b[4] == 0x17 {
                return Result(.bzip2)
            }
            if n >= 26, b[1] == 0x4D, isBMP(b) { return Result(.bmp) }
        case 0xFD:
            if b.matches(xzMagic, at: 0) { return Result(.xz) }
        case 0x28:
            if b.matches(zstdMagic, at: 0) { return Result(.zstd) }
        case 0x4D:
            if b.matches(cabMagic, at: 0) { return Result(.cab) }
            if n >= 2, b[1] == 0x5A { return Result(PEInfo.kind(b)) }
            if b.matches(tiffBE, at: 0) { return Result(.tiff) }
        case 0x89:
            if b.matches(pngMagic, at: 0) { return Result(.png) }
        case 0xFF:
            if n >= 3, b[1] == 0xD8, b[2] == 0xFF { return Result(.jpeg) }
        case 0x47:
            if b.matches(gif87, at: 0) || b.matches(gif89, at: 0) { return Result(.gif) }
        case 0x49:
            if b.matches(tiffLE, at: 0) { return Result(.tiff) }
            if b.matches(chmMagic, at: 0), b.le32(4) == 3 { return Result(.chm) }
        case 0x4C:
            if b.matches(lnkMagic, at: 0) { return Result(.lnk) }
        case 0xE4:
            if b.matches(oneNoteMagic, at: 0) { return Result(.onenote) }
        case 0x7F:
            if b.matches(elfMagic, at: 0) { return Result(.elf) }
        case 0xFE, 0xCE, 0xCF:
            if machoMagics.contains(where: { b.matches($0, at: 0) }) { return Result(.macho) }
        case 0xCA:
            if n >= 8, b[1] == 0xFE, b[2] == 0xBA, b[3] == 0xBE, let arches = b.be32(4) {
                // Fat Mach-O binaries and Java classes share the magic: a fat header counts a few architectures,
                // a class file holds a major version of 45 or more there.
                if arches >= 1 && arches <= 20 { return Result(.macho) }
                if let major = b.be16(6), major >= 45 { return Result(.javaClass) }
            }
        case 0x76:
            if b.matches(vhdx, at: 0) { return Result(.vhdx) }
        case 0x63:
            if b.matches(conectix, at: 0) { return Result(.vhd) }
        case 0x60:
            if n >= 4, b[1] == 0xEA, let size = b.le16(2), size > 0, size <= 2600 { return Result(.arj) }
        case 0x00:
            // ICO: reserved 0, type 1, 1…64 images, each entry's reserved byte 0.
            if n >= 22, b[1] == 0, b[2] == 1, b[3] == 0, b[4] >= 1, b[4] <= 64, b[5] == 0, b[9] == 0 {
                return Result(.ico)
            }
        default:
            break
        }
        if b.matches(ace, at: 7) { return Result(.ace) }
        if b.matches(ustar, at: 257) { return Result(.tar) }
        if !isPrefix, n >= 512, b.matches(conectix, at: n - 512) { return Result(.vhd) }
        return nil
    }

    /// `BM`, a plausible file size, zero reserved bytes and a known DIB header size.
    static func isBMP(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let reserved = b.le32(6), reserved == 0, let dib = b.le32(14) else { return false }
        return [12, 16, 40, 52, 56, 64, 108, 124].contains(dib)
    }

    /// ISO 9660 (`CD001`), UDF (`BEA01` … `NSR02`/`NSR03`) volume descriptors from 32 KiB on, or a FAT boot
    /// sector.
    static func diskImage(_ b: UnsafeBufferPointer<UInt8>) -> Result? {
        let cd001 = Array("CD001".utf8)
        let bea01 = Array("BEA01".utf8)
        let nsr02 = Array("NSR02".utf8)
        let nsr03 = Array("NSR03".utf8)
        var iso = false
        var udf = false
        var sector = 16
        while sector < 16 + 32, (sector + 1) * 2048 <= b.count {
            let at = sector * 2048 + 1
            if b.matches(cd001, at: at) { iso = true }
            if b.matches(bea01, at: at) || b.matches(nsr02, at: at) || b.matches(nsr03, at: at) {
                if !b.matches(bea01, at: at) { udf = true }
            }
            if !b.matches(cd001, at: at), !b.matches(bea01, at: at), !b.matches(nsr02, at: at),
                !b.matches(nsr03, at: at), !b.matches(Array("BOOT2".utf8), at: at),
                !b.matches(Array("TEA01".utf8), at: at)
            {
                break
            }
            sector += 1
        }
        if udf { return Result(.udf) }
        if iso { return Result(.iso9660) }
        // FAT boot sector: a jump, `55 AA` at 510, and a FAT type string.
        if b.count >= 512, b[0] == 0xEB || b[0] == 0xE9, b[510] == 0x55, b[511] == 0xAA,
            b.matches(Array("FAT".utf8), at: 0x36) || b.matches(Array("FAT".utf8), at: 0x52)
        {
            return Result(.diskImage)
        }
        return nil
    }
}

/// PE/MZ executables.
enum PEInfo {
    static func kind(_ b: UnsafeBufferPointer<UInt8>) -> FileType {
        guard let lfanew = b.le32(0x3C), lfanew >= 0x40, lfanew < 0x10_0000 else { return .dosExe }
        let pe = Int(lfanew)
        guard b.matches([0x50, 0x45, 0, 0], at: pe) else { return .dosExe }
        guard let characteristics = b.le16(pe + 22) else { return .exe }
        return characteristics & 0x2000 != 0 ? .dll : .exe
    }
}

/// PDF encryption: an `/Encrypt` entry in a trailer (searched in the whole file, linearly).
enum PDFInfo {
    static func isEncrypted(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteSearch.find(Array("/Encrypt".utf8), in: b) != nil
    }
}
