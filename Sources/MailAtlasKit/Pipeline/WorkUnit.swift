/// Where a message was found: enough to find it again and to key the scan state.
public struct MessageLocation: Sendable, Equatable {
    /// The file as an absolute path (scan state key).
    public var fileKey: String
    /// The file as reached from the root given on the command line (`messages.source_path`).
    public var sourcePath: String
    /// 0-based position of the message in its file.
    public var index: Int
    /// Byte offset of the message (of its `From ` line in an mbox) in the file, or in the decompressed stream.
    public var offset: Int64
    public var folder: String?
    public var maildirFlags: String?
}

/// The state of a spool file once a unit of work on it is committed.
public struct FileState: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case message, mbox, gzipMessage = "gzip-message", gzipMbox = "gzip-mbox", empty
        /// Compressed with bzip2, xz, zstd or Dovecot's LZ4 (gzip keeps its own kinds).
        case compressedMessage = "compressed-message", compressedMbox = "compressed-mbox"
        case notMail = "not-mail"
        /// Not opened at all (metadata, hidden directories, symlinks, special files): see `skipReason`.
        case skipped
    }
    public var key: String
    public var sourcePath: String
    public var dirKey: String
    public var kind: Kind
    public var size: Int64
    public var mtimeNs: Int64
    public var inode: UInt64
    /// How far the file has been read (the whole file once complete; for an mbox, the end of the last message).
    public var scannedOffset: Int64
    /// For an mbox: SHA-256 of the bytes just before `scannedOffset`, to tell an append from a rewrite.
    public var fingerprint: String?
    /// Messages stored from this file so far.
    public var messages: Int
    /// Why the file is not stored as mail (nil for mail).
    public var skipReason: SkipReason? = nil
}

/// A problem with a file (not with a message's content).
public struct FileDiagnostic: Sendable {
    public var sourcePath: String
    public var offset: Int64?
    public var diagnostic: DiagnosticFacts
}

/// A message ready to store: where it is, what the location says about its verdict, what the analysis found.
public struct AnalysedMessage: Sendable {
    public var location: MessageLocation
    public var locationVerdict: VerdictEvidence?
    public var facts: MessageFacts
    public var truncated: Bool
}

/// Work handed from the producer to the parse tasks, numbered so the writer commits in producer order.
struct WorkUnit: Sendable {
    let seq: Int
    let payload: Payload

    enum Payload: Sendable {
        /// Single-message files to read (Maildir messages, `.eml` files); `head` holds bytes already read.
        case files([FileTask])
        /// Messages framed out of an mbox (or inflated stream), with the file's state once they are stored.
        case messages([FramedTask], state: FileState, resetFile: Bool)
        /// Nothing to parse: state changes for the writer.
        case control(ControlAction)
    }
}

struct FileTask: Sendable {
    var path: String
    var key: String
    var dirKey: String
    var folder: String?
    var maildirFlags: String?
    var locationVerdict: VerdictEvidence?
    /// Bytes read by the producer (the whole file when `headIsWhole`).
    var head: [UInt8]
    var headIsWhole: Bool
    /// The compression the file is known to be in.
    var compression: Compression?
    /// In a Maildir's `cur/` or `new/`: a message by its place, so a file that is not one is reported.
    var inMaildir: Bool = false
    /// Diagnostics about where the file was found, stored with its message.
    var notes: [DiagnosticFacts] = []
}

struct FramedTask: Sendable {
    var framed: FramedMessage
    var location: MessageLocation
    var locationVerdict: VerdictEvidence?
}

enum ControlAction: Sendable {
    /// Files that disappeared from a directory: mark their rows removed.
    case vanished([String])
    /// A Maildir directory whose files are all stored: remember its mtime so the next scan can skip it.
    case directoryDone(key: String, mtimeNs: Int64)
    /// Files that are not mail (or empty), each with its `skipReason`, recorded so the next scan does not read
    /// them again.
    case notMail([FileState])
    /// Problems found by the producer.
    case diagnostics([FileDiagnostic])
}

/// What a parse task hands back to the writer.
struct UnitResult: Sendable {
    var seq: Int
    var messages: [AnalysedMessage] = []
    var states: [FileState] = []
    var notMail: [FileState] = []
    var diagnostics: [FileDiagnostic] = []
    var resetFiles: [String] = []
    var control: ControlAction? = nil
    /// Maildir directories with a file that could not be read: not remembered as done, so the next scan lists them
    /// again and retries the file.
    var incompleteDirectories: [String] = []
}
