import MailCore

/// What a file holds, decided from its first bytes, never from its name.
public enum SpoolContent: Equatable, Sendable {
    /// One message (an `.eml`-style file, a Maildir message).
    case message
    /// An mbox: messages each introduced by a `From ` line. `preamble` bytes before the first one are not mail.
    case mbox(preamble: Int)
    /// Compressed (gzip, bzip2, xz, zstd, Dovecot's LZ4); sniff again after decompressing.
    case compressed(Compression)
    /// Zero bytes long.
    case empty
    /// Anything else (binary index files, licence texts, Mork databases…), with the reason.
    case notMail(SkipReason)

    public var isMail: Bool {
        switch self {
        case .message, .mbox: true
        default: false
        }
    }
}

/// Classifies a file by content.
///
/// A message must begin with a header field and carry at least one field that only mail has (`From`, `Received`,
/// `Message-ID`…): that keeps Debian `copyright` files, YAML front matter and other `Name: value` texts out. A few
/// blank lines or non-field lines before such a header block are allowed (`LeadingLines`: at most 3 lines and
/// 1 KiB, and only when what follows is a real header block). An mbox
/// begins with a `From ` line whose next line is a header; a short preamble before the first such line is tolerated.
/// NUL bytes or mostly non-text bytes in the head mean a binary file.
public enum ContentSniffer {
    /// How many leading bytes `sniff` wants to see.
    public static let headLength = 16 * 1024

    static let mailFieldNames: Set<[UInt8]> = Set(
        [
            "from", "to", "cc", "subject", "date", "received", "message-id", "return-path", "delivered-to",
            "mime-version", "content-type", "sender", "reply-to", "x-mailer", "x-original-to", "dkim-signature",
            "authentication-results", "in-reply-to", "references", "envelope-to", "x-spam-status", "x-spam-flag",
            "list-id", "arc-seal", "x-received", "thread-topic", "content-transfer-encoding", "resent-from",
            "x-sender", "x-originating-ip", "user-agent", "bcc", "x-gm-message-state", "received-spf",
        ].map { Array($0.utf8) })

    ///
    /// `expectMail` is for files whose place says they are messages (a Maildir's `cur/` and `new/`): any file that
    /// is not empty and not binary is then a message, whatever its first lines (the scan notes an odd head).
    public static func sniff(_ head: [UInt8], fileSize: Int64, expectMail: Bool = false) -> SpoolContent {
        if fileSize == 0 || head.isEmpty { return .empty }
        if let compression = Compression.detect(head) { return .compressed(compression) }
        return head.withUnsafeBufferPointer { b -> SpoolContent in
            // Before the mail checks: a dbox file's message follows two lines of dbox framing, which the
            // leading-lines rule would otherwise skip.
            if isDbox(b, whole: fileSize <= Int64(b.count)) { return .notMail(.dbox) }
            var start = 0
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }
            // Mail first: a real message may carry a stray NUL or control byte further down.
            if isEnvelopeStart(b, at: start) { return .mbox(preamble: start) }
            if looksLikeMessage(b, from: start, more: fileSize > Int64(b.count)) { return .message }
            // Blank lines or a line a program wrote before the headers it saved: mail when a real header block
            // follows them (the same rule the header parser skips them by).
            if let skip = LeadingLines.skip(b, from: start),
                looksLikeMessage(b, from: skip.headerStart, more: fileSize > Int64(b.count))
            {
                return .message
            }
            if binaryReason(b) != nil { return .notMail(.binary) }
            if expectMail { return .message }
            // A short preamble, then an mbox (seen in some mail-library test files).
            var i = start
            var lines = 0
            while i < b.count, lines < 64 {
                let next = HeaderScan.nextLine(b, from: i)
                if next >= b.count { break }
                if isEnvelopeStart(b, at: next) { return .mbox(preamble: next) }
                i = next
                lines += 1
            }
            return .notMail(.textNotMail)
        }
    }

    /// A `From ` line followed by a header line.
    public static func isEnvelopeStart(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 5 <= b.count, b[i] == 0x46, b[i + 1] == 0x72, b[i + 2] == 0x6F, b[i + 3] == 0x6D,
            b[i + 4] == ASCII.space
        else { return false }
        let next = HeaderScan.nextLine(b, from: i)
        return next < b.count && HeaderScan.isFieldLine(b, at: next)
    }

    /// A header block with a field only mail has. When the head seen is all header (its first fields run past its
    /// end, as a 10 MB `X-Junk:` line at the top does) and the file goes on, nothing says it is not a message, and
    /// a message hidden behind one huge field must not be skipped: it counts as one.
    static func looksLikeMessage(_ b: UnsafeBufferPointer<UInt8>, from start: Int, more: Bool = false) -> Bool {
        guard HeaderScan.isFieldLine(b, at: start) else { return false }
        let block = HeaderBlock(parsing: b, from: start, limits: .init(maxFields: 200))
        var plainNames = true
        for field in block.fields {
            var name = Array(b[field.name])
            for k in name.indices { name[k] = ASCII.lower(name[k]) }
            if mailFieldNames.contains(name) { return true }
            // Names as mail writes them (`X-Junk`), not the `{"key"` of a JSON line, which also has a colon.
            if !name.allSatisfy({ ASCII.isAlphaNumeric($0) || $0 == 0x2D || $0 == 0x5F }) { plainNames = false }
        }
        return more && plainNames && !block.fields.isEmpty && !block.hasSeparator && block.bodyStart == b.count
            && block.droppedFields == 0 && binaryReason(b) == nil
    }

    /// A file of Dovecot's `sdbox`/`mdbox` storage (`u.N`, `m.N`): a first line `2 M<hex> C<hex>…` (version 2,
    /// then header fields, each a letter and a hex value, `M` first), followed by the `\001\002N` magic of the
    /// first message's dbox header, or by nothing in a file without messages.
    static func isDbox(_ b: UnsafeBufferPointer<UInt8>, whole: Bool) -> Bool {
        guard b.count >= 4, b[0] == 0x32, b[1] == ASCII.space, b[2] == 0x4D else { return false }
        var i = 2
        var fields = 0
        while i < b.count, b[i] != ASCII.lf {
            guard b[i] >= 0x41 && b[i] <= 0x5A else { return false }
            i += 1
            while i < b.count, ASCII.isHexDigit(b[i]) { i += 1 }
            fields += 1
            if i < b.count, b[i] == ASCII.space { i += 1 }
        }
        guard i < b.count, fields >= 2 else { return false }
        let next = i + 1
        if next == b.count { return whole }
        return next + 2 < b.count && b[next] == 0x01 && b[next + 1] == 0x02 && b[next + 2] == 0x4E
    }

    static func binaryReason(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        let n = min(b.count, 4096)
        var control = 0
        for k in 0..<n {
            let c = b[k]
            if c == 0 { return "binary (NUL bytes)" }
            if c < 0x20 && c != ASCII.tab && c != ASCII.lf && c != ASCII.cr && c != 0x0C && c != 0x1B { control += 1 }
        }
        return control * 10 > n ? "binary (control bytes)" : nil
    }
}

/// Line helpers over raw bytes shared by the sniffer and the mbox framer (LF, CRLF or lone CR line ends).
enum HeaderScan {
    /// Offset just past the line that contains `i`.
    @inline(__always)
    static func nextLine(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        let n = b.count
        while j < n {
            let c = b[j]
            if c == ASCII.lf { return j + 1 }
            if c == ASCII.cr { return j + 1 < n && b[j + 1] == ASCII.lf ? j + 2 : j + 1 }
            j += 1
        }
        return n
    }

    /// Whether the line at `i` is `name:` with a non-empty RFC 5322 field name (blanks allowed before the colon).
    @inline(__always)
    static func isFieldLine(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        LeadingLines.isFieldLine(b, at: i)
    }
}
