/// Which kind of ZIP package a ZIP is: OOXML (by its `[Content_Types].xml`), OpenDocument (by `mimetype`), JAR,
/// APK, or a plain ZIP.
enum ZipKind {
    static func detect(_ b: UnsafeBufferPointer<UInt8>, isPrefix: Bool, budget: inout InflateBudget)
        -> FileTypeDetector.Result
    {
        var entries: [ZipEntry]
        var base = 0
        if let dir = ZipArchive.readDirectory(b, maxEntries: FileTypeDetector.maxZipEntries), dir.totalEntries > 0 {
            entries = dir.entries
            base = dir.baseOffset
        } else {
            entries = ZipArchive.localEntries(b, maxEntries: 64)
        }
        let encrypted = entries.contains { $0.encrypted }
        let names = Set(entries.map { $0.name.lowercased() })
        func read(_ name: String) -> [UInt8]? {
            guard let e = entries.first(where: { $0.name.lowercased() == name }) else { return nil }
            return ZipArchive.read(
                e, in: b, baseOffset: base, maxOutput: FileTypeDetector.contentTypesBytes, budget: &budget)
        }
        if names.contains("[content_types].xml") {
            if let xml = read("[content_types].xml"), let t = ooxmlType(xml) { return .init(t, encrypted: encrypted) }
            if names.contains("word/document.xml") { return .init(.docx, encrypted: encrypted) }
            if names.contains("xl/workbook.xml") || names.contains("xl/workbook.bin") {
                return .init(.xlsx, encrypted: encrypted)
            }
            if names.contains("ppt/presentation.xml") { return .init(.pptx, encrypted: encrypted) }
            return .init(.ooxml, encrypted: encrypted)
        }
        if names.contains("mimetype"), let m = read("mimetype") {
            let s = String(decoding: m.prefix(200), as: UTF8.self)
            if s.hasPrefix("application/vnd.oasis.opendocument.") {
                let rest = s.dropFirst("application/vnd.oasis.opendocument.".count)
                if rest.hasPrefix("text") { return .init(.odt, encrypted: encrypted) }
                if rest.hasPrefix("spreadsheet") { return .init(.ods, encrypted: encrypted) }
                if rest.hasPrefix("presentation") { return .init(.odp, encrypted: encrypted) }
                return .init(.odf, encrypted: encrypted)
            }
        }
        if names.contains("androidmanifest.xml"), names.contains("classes.dex") { return .init(.apk) }
        if names.contains("meta-inf/manifest.mf"), names.contains(where: { $0.hasSuffix(".class") }) {
            return .init(.jar)
        }
        return .init(.zip, encrypted: encrypted)
    }

    /// The document type named by the main part's content type.
    static func ooxmlType(_ xml: [UInt8]) -> FileType? {
        let s = String(decoding: xml, as: UTF8.self).lowercased()
        let macro = s.contains(".macroenabled.main") || s.contains("sheet.binary.macroenabled")
        if s.contains("wordprocessingml.document.main") || s.contains("wordprocessingml.template.main")
            || s.contains("ms-word.document.macroenabled.main") || s.contains("ms-word.template.macroenabledtemplate")
        {
            return macro ? .docm : .docx
        }
        if s.contains("spreadsheetml.sheet.main") || s.contains("spreadsheetml.template.main")
            || s.contains("ms-excel.sheet.macroenabled.main") || s.contains("ms-excel.sheet.binary.macroenabled")
            || s.contains("ms-excel.template.macroenabled")
        {
            return macro ? .xlsm : .xlsx
        }
        if s.contains("presentationml.presentation.main") || s.contains("presentationml.slideshow.main")
            || s.contains("presentationml.template.main") || s.contains("ms-powerpoint.presentation.macroenabled")
            || s.contains("ms-powerpoint.slideshow.macroenabled")
        {
            return macro ? .pptm : .pptx
        }
        return nil
    }
}

/// OLE2 / Compound File Binary: the directory names say which application wrote it; the root entry's CLSID marks
/// Windows Installer packages.
enum OLE2 {
    static let msiCLSIDs: [[UInt8]] = [
        // {000C1084-…} installer, {000C1086-…} patch, {000C1082-…} transform (stored little-endian).
        [0x84, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46],
        [0x86, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46],
        [0x82, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46],
    ]

    static func detect(_ b: UnsafeBufferPointer<UInt8>) -> FileTypeDetector.Result {
        guard let names = directoryNames(b) else { return .init(.ole2) }
        if let root = names.rootCLSID, msiCLSIDs.contains(root) { return .init(.msi) }
        let set = Set(names.names)
        if set.contains("EncryptedPackage") { return .init(.officeEncrypted, encrypted: true) }
        if set.contains("WordDocument") { return .init(.doc) }
        if set.contains("Workbook") || set.contains("Book") { return .init(.xls) }
        if set.contains("PowerPoint Document") { return .init(.ppt) }
        if set.contains("__properties_version1.0") || names.names.contains(where: { $0.hasPrefix("__substg1.0_") }) {
            return .init(.msg)
        }
        return .init(.ole2)
    }

    struct Directory {
        var names: [String]
        var rootCLSID: [UInt8]?
        /// How many FAT entries were read to follow the chain (bounded by the sectors in the buffer).
        var fatEntries = 0
    }

    /// Stream and storage names from the directory chain. Nil when the header or the chain cannot be followed
    /// inside the buffer.
    static func directoryNames(_ b: UnsafeBufferPointer<UInt8>) -> Directory? {
        guard let shift = b.le16(0x1E), shift == 9 || shift == 12, let fatSectors = b.le32(0x2C),
            let firstDir = b.le32(0x30)
        else { return nil }
        let sectorSize = 1 << Int(shift)
        func sectorOffset(_ s: UInt32) -> Int? {
            let off = (Int(s) + 1) * sectorSize
            return off + sectorSize <= b.count ? off : nil
        }
        // The FAT sectors: the first 109 are listed in the header (enough for files up to ~7 MB with 512-byte
        // sectors); further DIFAT sectors are followed while they stay in the buffer.
        var fat: [UInt32] = []
        var difat: [UInt32] = []
        for k in 0..<109 {
            guard let s = b.le32(0x4C + 4 * k), s < 0xFFFF_FFFA else { continue }
            difat.append(s)
        }
        if var next = b.le32(0x44), let count = b.le32(0x48) {
            var hops = 0
            while next < 0xFFFF_FFFA, hops < Int(min(count, 4096)), let off = sectorOffset(next) {
                let per = sectorSize / 4 - 1
                for k in 0..<per where difat.count < 1 << 16 {
                    if let s = b.le32(off + 4 * k), s < 0xFFFF_FFFA { difat.append(s) }
                }
                next = b.le32(off + 4 * per) ?? 0xFFFF_FFFE
                hops += 1
            }
        }
        // Only sectors inside the buffer can be followed, so the FAT never needs more entries than the buffer has
        // sectors: a DIFAT that lists one sector 65,536 times builds a FAT no larger than the file.
        let sectorsInBuffer = b.count / sectorSize
        for s in difat.prefix(Int(min(fatSectors, 1 << 16))) {
            guard fat.count < sectorsInBuffer else { break }
            guard let off = sectorOffset(s) else { continue }
            for k in 0..<(sectorSize / 4) { fat.append(b.le32(off + 4 * k) ?? 0xFFFF_FFFF) }
        }
        var names: [String] = []
        var rootCLSID: [UInt8]? = nil
        var sector = firstDir
        var visited = 0
        while sector < 0xFFFF_FFFA, visited < FileTypeDetector.maxOLEDirectorySectors, let off = sectorOffset(sector) {
            for e in stride(from: off, to: off + sectorSize, by: 128) {
                guard let nameLen = b.le16(e + 0x40), nameLen >= 2, nameLen <= 64 else { continue }
                var units: [UInt16] = []
                for k in stride(from: 0, to: Int(nameLen) - 2, by: 2) {
                    if let u = b.le16(e + k) { units.append(u) }
                }
                let name = String(decoding: units, as: UTF16.self)
                if b[e + 0x42] == 5, rootCLSID == nil { rootCLSID = Array(b[(e + 0x50)..<(e + 0x60)]) }
                names.append(name)
            }
            visited += 1
            guard Int(sector) < fat.count else { break }
            sector = fat[Int(sector)]
        }
        guard !names.isEmpty else { return nil }
        return Directory(names: names, rootCLSID: rootCLSID, fatEntries: fat.count)
    }
}

/// RAR archives: whether the headers or any file are encrypted.
enum RarInfo {
    static func isEncrypted(_ b: UnsafeBufferPointer<UInt8>, version: Int) -> Bool {
        version == 5 ? RarListing.rar5(b, maxEntries: 0).encrypted : RarListing.rar4(b, maxEntries: 0).encrypted
    }
}

/// 7-Zip: the AES coder (`06 F1 07 01`) named in the (possibly encoded) header means a password is needed, for the
/// file list, the contents, or both.
enum SevenZipInfo {
    static func isEncrypted(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let offset = b.le64(12), let size = b.le64(20), let o = Int(exactly: offset), o >= 0, o < b.count - 32,
            let length = Int(exactly: size)
        else { return false }
        let start = o + 32
        let end = length > b.count - start ? b.count : start + min(length, 1 << 20)
        return ByteSearch.find([0x06, 0xF1, 0x07, 0x01], in: UnsafeBufferPointer(rebasing: b[start..<end])) != nil
    }
}
