/// Why a file of the spool is not stored as mail: the word stored in `files.skip_reason`, listed by
/// `scan --list-skipped` and counted in the scan's summary. The vocabulary is part of the store's interface
/// (docs/schema.md): a value is never renamed or given a new meaning.
public enum SkipReason: String, Sendable, CaseIterable, Comparable {
    /// Zero bytes long (or nothing inside a compressed file).
    case empty
    /// NUL or control bytes at the top: an index, an image, an Outlook `.msg`, a database.
    case binary
    /// Text without a mail header block at the top: a licence, a README, notes, a file of one or two bytes.
    case textNotMail = "text-not-mail"
    /// A compressed file of which nothing could be decompressed.
    case damagedCompression = "damaged-compression"
    /// A file of Dovecot's `sdbox`/`mdbox` storage, which mailatlas does not read (docs/spool.md).
    case dbox
    /// A mail program's own file, known by its name and never opened: Dovecot's indexes, `dovecot-uidlist`,
    /// `dovecot-keywords`, `maildirfolder`, `subscriptions`, Courier's `courierimap*`, mu's `.noindex`, macOS
    /// `.DS_Store` and AppleDouble `._*`, MH `.mh_sequences`, Thunderbird `.msf` summaries, lock files.
    case metadata
    /// A hidden directory that is not a Maildir++ folder (`.git`, `.imap`): one row for the directory, its
    /// contents are not walked.
    case hiddenDirectory = "hidden-directory"
    /// A file in a Maildir's `tmp/`: a delivery in progress (or left by one that failed), never opened.
    case maildirTmp = "maildir-tmp"
    /// A symbolic link not followed (`--follow-symlinks` reads it).
    case symlink
    /// A FIFO, socket or device: never opened.
    case specialFile = "special-file"

    public static func < (a: SkipReason, b: SkipReason) -> Bool { a.rawValue < b.rawValue }
}

/// Names of files that mail programs keep beside the mail: never mail, so never opened.
public enum MetadataNames {
    static let exact: Set<String> = [
        // Dovecot
        "dovecot-uidlist", "dovecot-keywords", "dovecot-uidvalidity", "dovecot.mailbox.log", "maildirfolder",
        "subscriptions", "dovecot.subscriptions",
        // mu's markers (`.noindex`: do not index this Maildir; `.noupdate`: index once)
        ".noindex", ".noupdate",
        // macOS, MH, mbox tools
        ".DS_Store", ".mh_sequences", ".uidvalidity", ".lock",
    ]
    static let prefixes = [
        "dovecot.index", "dovecot.list.index", "dovecot.map.index", "dovecot-uidvalidity.", "dovecot-acl",
        "courierimap", "._",
    ]
    static let suffixes = [".lock", ".msf"]

    /// Whether a file of this name is a mail program's own file (the name alone decides).
    public static func isMetadata(_ name: String) -> Bool {
        if exact.contains(name) { return true }
        if prefixes.contains(where: { name.hasPrefix($0) }) { return true }
        return suffixes.contains(where: { name.count > $0.count && name.hasSuffix($0) })
    }
}
