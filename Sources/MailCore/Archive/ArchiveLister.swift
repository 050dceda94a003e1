/// One member of an archive, as listed (a row of `archive_members`).
public struct ArchiveMember: Sendable, Equatable {
    public var name: String
    public var size: Int64
    public var compressedSize: Int64
    /// From the member's first bytes; nil when encrypted, not read (limits) or not decodable (RAR, 7z contents).
    public var detectedType: FileType?
    public var encrypted: Bool
    /// 0 for members of the attachment itself, 1 for members of an archive inside it.
    public var depth: Int
}

/// What listing an archive found, and how much it cost.
public struct ArchiveListing: Sendable {
    public var members: [ArchiveMember] = []
    /// Members in the archive and its nested archives (listed or not).
    public var totalMembers = 0
    /// Something in the archive is password-protected.
    public var encrypted = false
    /// More members than `maxMembers`: the list is cut.
    public var truncated = false
    /// The archive's structure is damaged (directory cut short, offsets outside the file).
    public var damaged = false
    /// Bytes inflated to sniff members and open nested archives.
    public var inflatedBytes = 0
    public var nestedArchivesOpened = 0
}

/// Bounds on listing one attachment. The inflate budget is shared by every member and nested archive, so the work
/// is bounded by these numbers whatever sizes the archive declares.
public struct ArchiveLimits: Sendable {
    /// Members kept (the rest are counted in `totalMembers`).
    public var maxMembers: Int
    /// Members whose first bytes are decoded to detect their type.
    public var maxSniffedMembers: Int
    /// Bytes decoded per member to detect its type.
    public var sniffBytes: Int
    /// Largest nested archive (declared size) that is decoded whole to list its members.
    public var maxNestedArchiveBytes: Int
    public var maxNestedArchives: Int
    /// Total bytes inflated for one attachment.
    public var maxInflatedBytes: Int

    public init(
        maxMembers: Int = 1000, maxSniffedMembers: Int = 256, sniffBytes: Int = 64 << 10,
        maxNestedArchiveBytes: Int = 8 << 20, maxNestedArchives: Int = 16, maxInflatedBytes: Int = 32 << 20
    ) {
        self.maxMembers = maxMembers
        self.maxSniffedMembers = maxSniffedMembers
        self.sniffBytes = sniffBytes
        self.maxNestedArchiveBytes = maxNestedArchiveBytes
        self.maxNestedArchives = maxNestedArchives
        self.maxInflatedBytes = maxInflatedBytes
    }
}

/// Lists the members of ZIP (and ZIP-based), RAR and gzip files, one nested level deep.
public enum ArchiveLister {
    /// Lists `b`, whose detected type is `type`. Nil for types that are not listed (7z, xz, … are detected and
    /// flagged, not opened).
    public static func list(_ b: UnsafeBufferPointer<UInt8>, type: FileType, limits: ArchiveLimits = ArchiveLimits())
        -> ArchiveListing?
    {
        var listing = ArchiveListing()
        var budget = InflateBudget(limits.maxInflatedBytes)
        var sniffed = 0
        switch type {
        case .zip, .jar, .apk:
            listZip(b, depth: 0, limits: limits, budget: &budget, sniffed: &sniffed, into: &listing)
        case .rar4, .rar5:
            let r =
                type == .rar5
                ? RarListing.rar5(b, maxEntries: limits.maxMembers)
                : RarListing.rar4(b, maxEntries: limits.maxMembers)
            listing.encrypted = r.encrypted
            listing.totalMembers = r.totalEntries
            listing.truncated = r.totalEntries > r.entries.count
            for e in r.entries where !e.isDirectory {
                listing.members.append(
                    ArchiveMember(
                        name: e.name, size: Int64(clamping: e.uncompressedSize),
                        compressedSize: Int64(clamping: e.compressedSize), detectedType: nil, encrypted: e.encrypted,
                        depth: 0))
            }
        case .gzip:
            listGzip(b, limits: limits, budget: &budget, into: &listing)
        default:
            return nil
        }
        listing.inflatedBytes = budget.used
        return listing
    }

    static func listZip(
        _ b: UnsafeBufferPointer<UInt8>, depth: Int, limits: ArchiveLimits, budget: inout InflateBudget,
        sniffed: inout Int, into listing: inout ArchiveListing
    ) {
        let room = max(0, limits.maxMembers - listing.members.count)
        let entries: [ZipEntry]
        var base = 0
        var total: Int
        if let dir = ZipArchive.readDirectory(b, maxEntries: room) {
            entries = dir.entries
            base = dir.baseOffset
            total = dir.totalEntries
            listing.damaged = listing.damaged || dir.damaged
        } else {
            entries = ZipArchive.localEntries(b, maxEntries: room)
            total = entries.count
            listing.damaged = true
        }
        listing.totalMembers += total
        if total > entries.count { listing.truncated = true }
        for e in entries {
            if e.encrypted { listing.encrypted = true }
            if e.isDirectory {
                listing.totalMembers -= 1
                continue
            }
            var member = ArchiveMember(
                name: e.name, size: Int64(clamping: e.uncompressedSize),
                compressedSize: Int64(clamping: e.compressedSize),
                detectedType: nil, encrypted: e.encrypted, depth: depth)
            if !e.encrypted, sniffed < limits.maxSniffedMembers, budget.remaining > 0,
                let head = ZipArchive.read(e, in: b, baseOffset: base, maxOutput: limits.sniffBytes, budget: &budget)
            {
                sniffed += 1
                var bytes = head
                var t = head.withUnsafeBufferPointer {
                    FileTypeDetector.detect($0, isPrefix: UInt64(head.count) < e.uncompressedSize, budget: &budget)
                }
                // A nested archive (or ZIP-based document) small enough is decoded whole, once, to list it and to
                // read its type from all of it.
                let canOpen =
                    depth == 0 && listing.nestedArchivesOpened < limits.maxNestedArchives
                    && e.uncompressedSize <= UInt64(limits.maxNestedArchiveBytes)
                if canOpen, t.type.isArchive || isZipFamily(t.type), UInt64(head.count) < e.uncompressedSize,
                    let full = ZipArchive.read(
                        e, in: b, baseOffset: base, maxOutput: Int(e.uncompressedSize), budget: &budget)
                {
                    bytes = full
                    t = full.withUnsafeBufferPointer {
                        FileTypeDetector.detect($0, isPrefix: UInt64(full.count) < e.uncompressedSize, budget: &budget)
                    }
                }
                member.detectedType = t.type
                if t.encrypted { listing.encrypted = true }
                listing.members.append(member)
                if canOpen, t.type.isArchive, UInt64(bytes.count) == e.uncompressedSize {
                    listing.nestedArchivesOpened += 1
                    openNested(bytes, type: t.type, limits: limits, budget: &budget, sniffed: &sniffed, into: &listing)
                }
                continue
            }
            listing.members.append(member)
        }
    }

    static func isZipFamily(_ t: FileType) -> Bool {
        switch t {
        case .docx, .docm, .xlsx, .xlsm, .pptx, .pptm, .ooxml, .odt, .ods, .odp, .odf, .jar, .apk: return true
        default: return false
        }
    }

    /// Lists a nested archive at depth 1 (its own nested archives are detected, not opened).
    static func openNested(
        _ bytes: [UInt8], type: FileType, limits: ArchiveLimits, budget: inout InflateBudget, sniffed: inout Int,
        into listing: inout ArchiveListing
    ) {
        bytes.withUnsafeBufferPointer { nb in
            switch type {
            case .zip, .jar, .apk:
                listZip(nb, depth: 1, limits: limits, budget: &budget, sniffed: &sniffed, into: &listing)
            case .rar4, .rar5:
                let r =
                    type == .rar5
                    ? RarListing.rar5(nb, maxEntries: max(0, limits.maxMembers - listing.members.count))
                    : RarListing.rar4(nb, maxEntries: max(0, limits.maxMembers - listing.members.count))
                listing.totalMembers += r.totalEntries
                if r.encrypted { listing.encrypted = true }
                if r.totalEntries > r.entries.count { listing.truncated = true }
                for e in r.entries where !e.isDirectory {
                    listing.members.append(
                        ArchiveMember(
                            name: e.name, size: Int64(clamping: e.uncompressedSize),
                            compressedSize: Int64(clamping: e.compressedSize), detectedType: nil,
                            encrypted: e.encrypted,
                            depth: 1))
                }
            default:
                break
            }
        }
    }

    /// A gzip file has one member: its name from the header (`FNAME`), its size from the trailer (modulo 4 GiB, as
    /// gzip stores it), its type from its first decoded bytes.
    static func listGzip(
        _ b: UnsafeBufferPointer<UInt8>, limits: ArchiveLimits, budget: inout InflateBudget,
        into listing: inout ArchiveListing
    ) {
        guard b.count >= 18 else {
            listing.damaged = true
            return
        }
        var name = ""
        let flags = b[3]
        var p = 10
        if flags & 0x04 != 0, let xlen = b.le16(p) { p = min(b.count, p + 2 + Int(xlen)) }
        if flags & 0x08 != 0 {
            var e = p
            while e < b.count, e - p < 1024, b[e] != 0 { e += 1 }
            name = ZipArchive.decodeName(UnsafeBufferPointer(rebasing: b[min(p, e)..<e]), utf8: false)
        }
        let size = Int64(b.le32(b.count - 4) ?? 0)
        let head = Inflate.inflate(b, format: .gzip, maxOutput: limits.sniffBytes, budget: &budget)
        let type = head.map { h in
            h.withUnsafeBufferPointer {
                FileTypeDetector.detect($0, isPrefix: Int64(h.count) < size, budget: &budget).type
            }
        }
        if head == nil { listing.damaged = true }
        listing.totalMembers = 1
        listing.members.append(
            ArchiveMember(
                name: name, size: size, compressedSize: Int64(b.count), detectedType: type, encrypted: false, depth: 0))
    }
}
