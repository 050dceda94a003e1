public import MailCore

/// Turns one attachment-like part (decoded payload, file name, declared type) into `AttachmentFacts`: the type
/// from the bytes, the archive members, and the flags an analyst filters on.
///
/// Flags (the `attachments.flags` column, comma-separated):
/// `double-extension`, `rtl-override`, `bidi-control`, `control-chars`, `invisible-chars`, `padded-name`,
/// `trailing-dot`, `risky-extension`, `type-mismatch` (declared type vs bytes), `extension-mismatch` (extension vs
/// bytes), `executable`, `script`, `disk-image`, `macro`, `encrypted`, `member-risky` (an archive member is an
/// executable, a script or has a risky extension), `nested-archive`, `archive-truncated`, `archive-damaged`,
/// `payload-truncated` (only the head of the payload was available), `archive-bomb` (members declaring at least
/// 1 GiB and 100 times the archive's size).
public struct AttachmentAnalysis: Sendable {
    /// An archive whose members declare at least this many bytes and `bombRatio` times its own size is a bomb.
    static let bombDeclaredBytes: Int64 = 1 << 30
    static let bombRatio: Int64 = 100

    public var limits: ArchiveLimits
    /// Bytes inflated for all attachments of one message together.
    public var maxInflatedPerMessage: Int

    public init(limits: ArchiveLimits = ArchiveLimits(), maxInflatedPerMessage: Int = 64 << 20) {
        self.limits = limits
        self.maxInflatedPerMessage = maxInflatedPerMessage
    }

    /// What was spent on one message so far (pass the same value for every attachment of a message).
    public struct MessageBudget: Sendable {
        public var inflated = 0
        public init() {}
    }

    public func analyze(
        partPath: String, filename: String?, declaredType: String?, isInline: Bool, payload: [UInt8],
        payloadIsPrefix: Bool = false, size: Int, sha256: String, budget: inout MessageBudget
    ) -> (AttachmentFacts, [DiagnosticFacts]) {
        var flags: [String] = []
        var diagnostics: [DiagnosticFacts] = []
        var shownName: String? = nil
        var ext: String? = nil
        if let filename {
            let name = FileName(filename)
            shownName = name.display
            ext = name.extensionName
            let t = name.tricks
            if t.contains(.doubleExtension) { flags.append("double-extension") }
            if t.contains(.rtlOverride) { flags.append("rtl-override") }
            if t.contains(.bidiControl) { flags.append("bidi-control") }
            if t.contains(.controlChars) { flags.append("control-chars") }
            if t.contains(.invisibleChars) { flags.append("invisible-chars") }
            if t.contains(.paddedName) { flags.append("padded-name") }
            if t.contains(.trailingDotOrSpace) { flags.append("trailing-dot") }
            if let e = ext, FileName.riskyExtensions.contains(e) { flags.append("risky-extension") }
        }
        var perAttachment = limits
        perAttachment.maxInflatedBytes = max(0, min(limits.maxInflatedBytes, maxInflatedPerMessage - budget.inflated))
        var detectBudget = InflateBudget(min(perAttachment.maxInflatedBytes, FileTypeDetector.contentTypesBytes * 2))
        let detection = payload.withUnsafeBufferPointer {
            FileTypeDetector.detect($0, isPrefix: payloadIsPrefix, budget: &detectBudget)
        }
        budget.inflated += detectBudget.used
        let type = detection.type
        var encrypted = detection.encrypted
        var members: [ArchiveMemberFacts] = []
        if type.isArchive {
            perAttachment.maxInflatedBytes = max(0, perAttachment.maxInflatedBytes - detectBudget.used)
            if let listing = payload.withUnsafeBufferPointer({
                ArchiveLister.list($0, type: type, limits: perAttachment)
            }) {
                budget.inflated += listing.inflatedBytes
                encrypted = encrypted || listing.encrypted
                members = listing.members.map {
                    ArchiveMemberFacts(
                        name: FileName($0.name).display, size: $0.size, compressedSize: $0.compressedSize,
                        detectedType: $0.detectedType?.rawValue, encrypted: $0.encrypted, depth: $0.depth)
                }
                if listing.members.contains(where: AttachmentAnalysis.isRisky) { flags.append("member-risky") }
                if listing.nestedArchivesOpened > 0
                    || listing.members.contains(where: { $0.detectedType?.isArchive == true })
                {
                    flags.append("nested-archive")
                }
                if listing.truncated {
                    flags.append("archive-truncated")
                    diagnostics.append(
                        DiagnosticFacts(
                            .info, "attachment.archive-truncated",
                            "\(partPath): \(listing.totalMembers) archive members, \(listing.members.count) listed"))
                }
                if listing.damaged {
                    flags.append("archive-damaged")
                    diagnostics.append(
                        DiagnosticFacts(
                            .warning, "attachment.archive-damaged", "\(partPath): archive structure damaged"))
                }
                // What the members say they hold, against what the attachment weighs: 42.zip-style bombs claim
                // thousands of times their size (sizes are the archive's word, so the sum saturates).
                var declared: Int64 = 0
                for m in listing.members {
                    let (sum, overflow) = declared.addingReportingOverflow(max(0, m.size))
                    declared = overflow ? .max : sum
                }
                if declared >= AttachmentAnalysis.bombDeclaredBytes,
                    declared / max(1, Int64(size)) >= AttachmentAnalysis.bombRatio
                {
                    flags.append("archive-bomb")
                    diagnostics.append(
                        DiagnosticFacts(
                            .warning, "attachment.archive-bomb",
                            "\(partPath): members declare \(declared) bytes in an archive of \(size) bytes"))
                }
                if listing.inflatedBytes >= perAttachment.maxInflatedBytes, perAttachment.maxInflatedBytes > 0 {
                    diagnostics.append(
                        DiagnosticFacts(
                            .info, "attachment.inflate-limit",
                            "\(partPath): stopped decoding archive members at \(perAttachment.maxInflatedBytes) bytes"))
                }
            }
        }
        if type.isExecutable { flags.append("executable") }
        if type.isScript { flags.append("script") }
        if type.isDiskImage { flags.append("disk-image") }
        if [.docm, .xlsm, .pptm].contains(type) { flags.append("macro") }
        if encrypted { flags.append("encrypted") }
        if payloadIsPrefix { flags.append("payload-truncated") }
        if AttachmentTypes.declaredMismatch(declaredType, type) { flags.append("type-mismatch") }
        if AttachmentTypes.extensionMismatch(ext, type) { flags.append("extension-mismatch") }
        let facts = AttachmentFacts(
            partPath: partPath, filename: shownName, declaredType: declaredType, detectedType: type.rawValue,
            extensionName: ext, size: size, sha256: sha256, isInline: isInline, isArchive: type.isArchive,
            encrypted: encrypted, flags: flags, members: members)
        return (facts, diagnostics)
    }

    static func isRisky(_ m: ArchiveMember) -> Bool {
        if let t = m.detectedType, t.isExecutable || t.isScript || t.isDiskImage { return true }
        if let e = FileName(m.name).extensionName, FileName.riskyExtensions.contains(e) { return true }
        return false
    }
}
