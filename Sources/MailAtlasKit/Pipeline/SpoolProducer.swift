import Crypto
import GRDB
import Glibc
import MailCore

/// What the store remembers about a file from earlier scans.
struct KnownFile {
    var kind: FileState.Kind
    var size: Int64
    var mtimeNs: Int64
    var inode: UInt64
    var scannedOffset: Int64
    var fingerprint: String?
    var messages: Int

    var isComplete: Bool { scannedOffset >= size }
    /// Whether the file was stored as mail (not skipped with a reason).
    var isMail: Bool { kind != .notMail && kind != .empty && kind != .skipped }
}

/// Walks the spool, compares it with the store's memory of it, reads what the parse tasks cannot read on their own
/// (the heads of plain files, mbox streams), and hands out numbered units of work. Runs on the scan's parent task;
/// everything here is sequential.
final class SpoolProducer {
    private let options: ScanOptions
    /// The store, read for what earlier scans recorded of the spool.
    private let store: any DatabaseReader
    private let walker: SpoolWalker
    private var seq = 0
    private var ready: [WorkUnit] = []
    private var readyHead = 0
    private var mbox: MboxCursor? = nil
    private var pendingFiles: [FileTask] = []
    private var pendingNotMail: [FileState] = []
    private var pendingDiagnostics: [FileDiagnostic] = []
    private var afterBatch: [ControlAction] = []

    /// Counters for the summary and the progress line.
    private(set) var filesUnchanged = 0
    private(set) var messagesUnchanged = 0
    private(set) var bytesQueued: Int64 = 0

    convenience init(options: ScanOptions, store: MailStore) {
        self.init(options: options, reader: store.pool)
    }

    init(options: ScanOptions, reader: any DatabaseReader) {
        self.options = options
        self.store = reader
        self.walker = SpoolWalker(roots: options.roots, options: .init(followSymlinks: options.followSymlinks))
        for (path, message) in walker.errors {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: path, offset: nil, diagnostic: DiagnosticFacts(.error, "spool.root", message)))
        }
        walkerErrorsReported = walker.errors.count
    }

    /// Walker errors already turned into diagnostics.
    private var walkerErrorsReported = 0

    /// Directories the walk could not read (found while walking) become diagnostics as they are met.
    private func reportWalkerErrors() {
        let errors = walker.errors
        guard walkerErrorsReported < errors.count else { return }
        for (path, message) in errors[walkerErrorsReported...] {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: path, offset: nil, diagnostic: DiagnosticFacts(.error, "spool.unreadable", message)))
        }
        walkerErrorsReported = errors.count
    }

    /// Roots that could not be opened at all.
    var rootErrors: [(path: String, message: String)] { walker.errors }

    /// The next unit of work, or nil when the spool is exhausted. Work is produced one unit at a time, so memory
    /// stays bounded however large a directory or an mbox is.
    func next() -> WorkUnit? {
        while true {
            if readyHead < ready.count {
                let unit = ready[readyHead]
                readyHead += 1
                if readyHead == ready.count {
                    ready.removeAll(keepingCapacity: true)
                    readyHead = 0
                }
                return unit
            }
            if mbox != nil {
                produceMboxChunk()
                continue
            }
            if cursor != nil {
                advanceCursor()
                continue
            }
            let batch = walker.next(skip: { key, mtime in self.skipUnchangedDirectory(key: key, mtimeNs: mtime) })
            reportWalkerErrors()
            guard let batch else {
                flushPending()
                if readyHead < ready.count { continue }
                return nil
            }
            start(batch)
        }
    }

    private func emit(_ payload: WorkUnit.Payload) {
        ready.append(WorkUnit(seq: seq, payload: payload))
        seq += 1
    }

    private func flushFiles() {
        if !pendingFiles.isEmpty {
            emit(.files(pendingFiles))
            pendingFiles.removeAll(keepingCapacity: true)
        }
    }

    private func flushPending() {
        flushFiles()
        if !pendingNotMail.isEmpty {
            emit(.control(.notMail(pendingNotMail)))
            pendingNotMail.removeAll()
        }
        if !pendingDiagnostics.isEmpty {
            emit(.control(.diagnostics(pendingDiagnostics)))
            pendingDiagnostics.removeAll()
        }
        for action in afterBatch { emit(.control(action)) }
        afterBatch.removeAll()
    }

    // MARK: Directories

    /// Whether a Maildir directory is unchanged since it was last stored (its mtime changes whenever a file is
    /// added, removed or renamed in it), counting its messages as unchanged when it is.
    private func skipUnchangedDirectory(key: String, mtimeNs: Int64) -> Bool {
        guard let (mtime, messages) = SpoolProducer.storedDirectory(store, key: key), mtime == mtimeNs else {
            return false
        }
        messagesUnchanged += messages
        return true
    }

    static func storedDirectory(_ store: any DatabaseReader, key: String) -> (mtimeNs: Int64, messages: Int)? {
        let row = try? store.read { db in
            try Row.fetchOne(db, sql: "SELECT mtime_ns, messages FROM dirs WHERE path = ?", arguments: [key])
        }
        guard let row else { return nil }
        return (row[0], row[1])
    }

    private func knownFiles(inDirectory key: String) -> [String: KnownFile] {
        let rows =
            (try? store.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT path, kind, size, mtime_ns, inode, scanned_offset, fingerprint, messages
                        FROM files WHERE dir_path = ? AND removed_scan_id IS NULL
                        """, arguments: [key])
            }) ?? []
        var known: [String: KnownFile] = [:]
        known.reserveCapacity(rows.count)
        for row in rows {
            let path: String = row[0]
            known[path] = KnownFile(
                kind: FileState.Kind(rawValue: row[1]) ?? .message, size: row[2], mtimeNs: row[3],
                inode: UInt64(bitPattern: row[4] as Int64), scannedOffset: row[5], fingerprint: row[6], messages: row[7]
            )
        }
        return known
    }

    /// The directory being turned into work, and how far.
    private struct BatchCursor {
        var batch: DirectoryBatch
        var next: Int
        var known: [String: KnownFile]
        var root: String
        var verdict: VerdictEvidence?
    }

    private var cursor: BatchCursor? = nil

    private func start(_ batch: DirectoryBatch) {
        let known = knownFiles(inDirectory: batch.absolutePath)
        for skipped in batch.skippedFiles {
            if let reason = skipped.skip { recordSkipped(skipped, reason: reason, batch: batch, known: known) }
            guard let code = skipped.code else { continue }
            let severity: DiagnosticFacts.Severity = code == "spool.unreadable" ? .warning : .info
            let hint = code == "spool.symlink" ? " (--follow-symlinks reads it)" : ""
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: SpoolWalker.join(batch.path, skipped.name), offset: nil,
                    diagnostic: DiagnosticFacts(severity, code, skipped.reason + hint)))
        }
        if batch.isComplete, !known.isEmpty {
            let listed = Set(
                (batch.files.map(\.name) + batch.skippedFiles.map(\.name)).map {
                    SpoolWalker.join(batch.absolutePath, $0)
                })
            let gone = known.keys.filter { !listed.contains($0) }.sorted()
            if !gone.isEmpty { emit(.control(.vanished(gone))) }
        }
        var verdict: VerdictEvidence? = nil
        if case .maildir(let folder, _) = batch.kind { verdict = locationVerdict(folder: folder) }
        cursor = BatchCursor(
            batch: batch, next: 0, known: known, root: options.roots[batch.rootIndex], verdict: verdict)
    }

    /// Records an entry the walker skipped without opening it, unless the store has it unchanged.
    private func recordSkipped(
        _ skipped: DirectoryBatch.Skipped, reason: SkipReason, batch: DirectoryBatch, known: [String: KnownFile]
    ) {
        let isDirectory = skipped.name.hasSuffix("/")
        let name = isDirectory ? String(skipped.name.dropLast()) : skipped.name
        let path = SpoolWalker.join(batch.path, name)
        guard let st = FileStat.of(path, followSymlinks: false) else { return }
        let key = SpoolWalker.join(batch.absolutePath, skipped.name)
        if let k = known[key], k.kind == .skipped, k.inode == st.inode, k.size == st.size, k.mtimeNs == st.mtimeNs {
            return
        }
        var state = FileState(
            key: key, sourcePath: isDirectory ? path + "/" : path, dirKey: batch.absolutePath, kind: .skipped,
            size: st.size, mtimeNs: st.mtimeNs, inode: st.inode, scannedOffset: st.size, fingerprint: nil,
            messages: 0)
        state.skipReason = reason
        notMail(state, reason: reason)
    }

    /// Turns files of the current directory into work until a unit is ready (or an mbox starts streaming).
    private func advanceCursor() {
        guard var c = cursor else { return }
        let files = c.batch.files
        while c.next < files.count && readyHead >= ready.count && mbox == nil {
            let entry = files[c.next]
            c.next += 1
            switch c.batch.kind {
            case .maildir(let folder, _) where entry.name.hasPrefix("."):
                // Not a Maildir message (their names never begin with a dot): sniffed like a file elsewhere.
                processPlainFile(batch: c.batch, entry: entry, root: c.root, known: c.known, folder: folder)
            case .maildir(let folder, _):
                let key = SpoolWalker.join(c.batch.absolutePath, entry.name)
                if let k = c.known[key], k.inode == entry.inode, k.isComplete {
                    if k.isMail { filesUnchanged += 1 }
                    messagesUnchanged += k.messages
                    continue
                }
                pendingFiles.append(
                    FileTask(
                        path: SpoolWalker.join(c.batch.path, entry.name), key: key, dirKey: c.batch.absolutePath,
                        folder: folder, maildirFlags: MaildirNames.flags(ofFileName: entry.name),
                        locationVerdict: c.verdict, head: [], headIsWhole: false, compression: nil, inMaildir: true))
            case .maildirTop(let folder):
                // Beside `cur/` and `new/`: a mail client does not show it, but test corpora and hand-made trees
                // keep messages there. Read as one of the folder's, and said so.
                let note = DiagnosticFacts(
                    .info, "spool.beside-maildir",
                    "a file beside the Maildir's cur/ and new/ (which a mail client does not show), "
                        + "read as mail of folder \(folder)")
                processPlainFile(batch: c.batch, entry: entry, root: c.root, known: c.known, folder: folder, note: note)
            case .plain:
                processPlainFile(batch: c.batch, entry: entry, root: c.root, known: c.known)
            case .maildirTmp:
                continue  // The walker hands out no file of tmp/ to read.
            }
            if pendingFiles.count >= options.filesPerUnit { flushFiles() }
        }
        if c.next >= files.count && mbox == nil {
            switch c.batch.kind {
            case .maildir, .maildirTmp:
                afterBatch.append(.directoryDone(key: c.batch.absolutePath, mtimeNs: c.batch.mtimeNs))
            case .plain, .maildirTop:
                break
            }
            flushPending()
            cursor = nil
        } else {
            cursor = c
        }
    }

    // MARK: Plain files

    /// Sniffs and queues a file outside a Maildir's messages; `folder` is the Maildir folder it sits in, if any
    /// (otherwise the folder comes from its path), and `note` a diagnostic for the mail found in it.
    private func processPlainFile(
        batch: DirectoryBatch, entry: DirectoryBatch.Entry, root: String, known: [String: KnownFile],
        folder maildirFolder: String? = nil, note: DiagnosticFacts? = nil
    ) {
        let path = SpoolWalker.join(batch.path, entry.name)
        let key = SpoolWalker.join(batch.absolutePath, entry.name)
        let file: ReadOnlyFile
        let st: FileStat
        do {
            file = try ReadOnlyFile(path: path)
            st = try file.stat()
        } catch {
            let vanished = error.code == ENOENT
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: path, offset: nil,
                    diagnostic: vanished
                        ? DiagnosticFacts(.info, "spool.vanished", "the file disappeared before it was read")
                        : DiagnosticFacts(.error, "spool.unreadable", "\(error)")))
            return
        }
        guard st.isRegular else { return }
        let previous = known[key]
        if let k = previous, k.size == st.size, k.mtimeNs == st.mtimeNs, k.inode == st.inode, k.isComplete {
            // Unchanged files that are not mail are counted with the skipped ones (`SpoolAccount`).
            if k.isMail { filesUnchanged += 1 }
            messagesUnchanged += k.messages
            return
        }
        var state = FileState(
            key: key, sourcePath: path, dirKey: batch.absolutePath, kind: .message, size: st.size,
            mtimeNs: st.mtimeNs, inode: st.inode, scannedOffset: st.size, fingerprint: nil, messages: 0)
        let head: [UInt8]
        do {
            head = try file.read(at: 0, count: ContentSniffer.headLength)
        } catch {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: path, offset: nil, diagnostic: DiagnosticFacts(.error, "spool.unreadable", "\(error)")))
            return
        }
        let relative = SpoolProducer.relative(path, to: root)
        switch ContentSniffer.sniff(head, fileSize: st.size) {
        case .empty:
            state.kind = .empty
            notMail(state, reason: .empty)
        case .notMail(let reason):
            state.kind = .notMail
            notMail(state, reason: reason)
        case .message:
            let folder = maildirFolder ?? SpoolProducer.folderOfFile(relative: relative, root: root)
            bytesQueued += st.size
            pendingFiles.append(
                FileTask(
                    path: path, key: key, dirKey: batch.absolutePath, folder: folder, maildirFlags: nil,
                    locationVerdict: locationVerdict(folder: folder), head: head,
                    headIsWhole: Int64(head.count) >= st.size, compression: nil, notes: note.map { [$0] } ?? []))
            if pendingFiles.count >= options.filesPerUnit { flushFiles() }
        case .mbox(let preamble):
            state.kind = .mbox
            if let note { pendingDiagnostics.append(FileDiagnostic(sourcePath: path, offset: nil, diagnostic: note)) }
            let folder = maildirFolder ?? SpoolProducer.folderOfMbox(relative: relative, root: root)
            startMbox(
                file: file, state: state, previous: previous, folder: folder, preamble: preamble, compression: nil,
                singleMessageFolder: maildirFolder ?? SpoolProducer.folderOfFile(relative: relative, root: root))
        case .compressed(let compression):
            sniffCompressed(
                compression, file: file, state: state, previous: previous, relative: relative, root: root,
                folder: maildirFolder, note: note)
        }
    }

    /// The name of a compressed file without its compression's suffix (for its folder).
    static func strippingCompressionSuffix(_ relative: String) -> String {
        for suffix in [".gz", ".bz2", ".xz", ".zst", ".lz4"] where relative.hasSuffix(suffix) {
            return String(relative.dropLast(suffix.count))
        }
        return relative
    }

    private func sniffCompressed(
        _ compression: Compression, file: ReadOnlyFile, state initial: FileState, previous: KnownFile?,
        relative: String, root: String, folder maildirFolder: String?, note: DiagnosticFacts?
    ) {
        var state = initial
        let inner: [UInt8]
        var innerSize: Int64 = 0
        do {
            let source = try compression.open(file)
            let more: Bool
            (inner, more) = try readAll(source, limit: ContentSniffer.headLength)
            innerSize = Int64(inner.count) + (more ? 1 : 0)
            if inner.isEmpty, let damage = source.damage {
                // Nothing at all could be inflated: recorded as read, so it is not tried again until it changes.
                pendingDiagnostics.append(
                    FileDiagnostic(
                        sourcePath: state.sourcePath, offset: nil,
                        diagnostic: DiagnosticFacts(.error, damage.code, "cannot decompress: \(damage)")))
                state.kind = .notMail
                notMail(state, reason: .damagedCompression)
                return
            }
        } catch {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: state.sourcePath, offset: nil,
                    diagnostic: DiagnosticFacts(
                        .error, compression == .gzip ? "spool.gzip" : "spool.compression",
                        "cannot decompress: \(error)")))
            return
        }
        let stripped = SpoolProducer.strippingCompressionSuffix(relative)
        switch ContentSniffer.sniff(inner, fileSize: innerSize) {
        case .message:
            state.kind = compression == .gzip ? .gzipMessage : .compressedMessage
            let folder = maildirFolder ?? SpoolProducer.folderOfFile(relative: stripped, root: root)
            bytesQueued += state.size
            pendingFiles.append(
                FileTask(
                    path: state.sourcePath, key: state.key, dirKey: state.dirKey, folder: folder, maildirFlags: nil,
                    locationVerdict: locationVerdict(folder: folder), head: [], headIsWhole: false,
                    compression: compression,
                    notes: note.map { [$0] } ?? []))
            if pendingFiles.count >= options.filesPerUnit { flushFiles() }
        case .mbox(let preamble):
            state.kind = compression == .gzip ? .gzipMbox : .compressedMbox
            if let note {
                pendingDiagnostics.append(FileDiagnostic(sourcePath: state.sourcePath, offset: nil, diagnostic: note))
            }
            // Reopen: the sniffing consumed the stream.
            guard let again = try? ReadOnlyFile(path: state.sourcePath) else { return }
            startMbox(
                file: again, state: state, previous: previous,
                folder: maildirFolder ?? SpoolProducer.folderOfMbox(relative: stripped, root: root),
                preamble: preamble, compression: compression,
                singleMessageFolder: maildirFolder ?? SpoolProducer.folderOfFile(relative: stripped, root: root))
        case .empty:
            state.kind = .empty
            notMail(state, reason: .empty)
        case .notMail(let reason):
            state.kind = .notMail
            notMail(state, reason: reason)
        case .compressed:
            // Compressed twice: what is inside is not looked at.
            state.kind = .notMail
            notMail(state, reason: .binary)
        }
    }

    /// The last directory whose dbox files were reported.
    private var dboxReported: String? = nil

    private func notMail(_ state: FileState, reason: SkipReason) {
        var state = state
        state.skipReason = reason
        if reason == .dbox, dboxReported != state.dirKey {
            // Said once per directory: a dbox store has a file per message (sdbox) or per few megabytes (mdbox).
            dboxReported = state.dirKey
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: state.sourcePath, offset: nil,
                    diagnostic: DiagnosticFacts(
                        .warning, "spool.dbox",
                        "Dovecot sdbox/mdbox storage, which mailatlas does not read: the files of this directory are "
                            + "skipped (export the mailbox to Maildir or mbox with doveadm, and scan that)")))
        }
        pendingNotMail.append(state)
        if pendingNotMail.count >= 256 {
            emit(.control(.notMail(pendingNotMail)))
            pendingNotMail.removeAll()
        }
    }

    // MARK: Mbox streams

    private struct MboxCursor {
        var framer: MboxFramer
        var file: ReadOnlyFile
        var state: FileState
        var folder: String?
        var verdict: VerdictEvidence?
        var index: Int
        var reset: Bool
        /// Read through a decompressor: cannot be resumed in the middle.
        var compressed: Bool
        /// The decompressing stream of a compressed mbox, which says whether it ended early (damage, a bomb).
        var decompressor: (any DecompressingSource)?
        /// The folder to use if the file turns out to hold a single message (a `.eml` with an envelope line).
        var singleMessageFolder: String?
    }

    private func startMbox(
        file: ReadOnlyFile, state initial: FileState, previous: KnownFile?, folder: String?, preamble: Int,
        compression: Compression?,
        singleMessageFolder: String?
    ) {
        flushFiles()
        var state = initial
        var startOffset: Int64 = 0
        var index = 0
        var reset = false
        if let k = previous, k.messages > 0 || k.scannedOffset > 0 {
            if compression == nil, k.kind == state.kind, k.inode == state.inode, state.size >= k.scannedOffset,
                SpoolProducer.isAppend(file: file, known: k, size: state.size)
            {
                startOffset = k.scannedOffset
                index = k.messages
                messagesUnchanged += k.messages
            } else {
                reset = k.messages > 0
            }
        }
        let source: any ByteSource
        var decompressor: (any DecompressingSource)? = nil
        do {
            if let compression {
                let d = try compression.open(file)
                decompressor = d
                source = d
            } else {
                // Sequential reads from the resume point (the file descriptor's offset).
                if startOffset > 0 { _ = lseekTo(file, startOffset) }
                source = file
            }
        } catch {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: state.sourcePath, offset: nil,
                    diagnostic: DiagnosticFacts(
                        .error, compression == .gzip ? "spool.gzip" : "spool.compression", "\(error)")))
            return
        }
        if startOffset == 0 && preamble > 3 {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: state.sourcePath, offset: 0,
                    diagnostic: DiagnosticFacts(
                        .info, "mbox.preamble", "\(preamble) bytes before the first From line are not a message")))
        }
        state.scannedOffset = startOffset
        state.messages = index
        mbox = MboxCursor(
            framer: MboxFramer(source: source, startOffset: startOffset, maxMessageSize: options.maxMessageSize),
            file: file, state: state, folder: folder, verdict: locationVerdict(folder: folder), index: index,
            reset: reset, compressed: compression != nil, decompressor: decompressor,
            singleMessageFolder: startOffset == 0 ? singleMessageFolder : nil)
    }

    /// Whether the bytes before the stored offset are unchanged and a message (or the end) starts at it.
    static func isAppend(file: ReadOnlyFile, known: KnownFile, size: Int64) -> Bool {
        let off = known.scannedOffset
        let from = max(0, off - 4096)
        guard let before = try? file.read(at: from, count: Int(off - from)), Int64(before.count) == off - from,
            fingerprint(before) == known.fingerprint
        else { return false }
        if off == size { return true }
        guard let next = try? file.read(at: off, count: 5) else { return false }
        return next.elementsEqual("From ".utf8)
    }

    static func fingerprint(_ bytes: [UInt8]) -> String {
        MessageAnalyzer.sha256Hex(bytes)
    }

    private func produceMboxChunk() {
        guard var cursor = mbox else { return }
        var tasks: [FramedTask] = []
        var chunkBytes = 0
        var failed: FileError? = nil
        while tasks.count < options.messagesPerUnit, chunkBytes < 8 << 20 {
            let framed: FramedMessage?
            do {
                framed = try cursor.framer.next()
            } catch {
                failed = error
                break
            }
            guard let m = framed else { break }
            tasks.append(
                FramedTask(
                    framed: m,
                    location: MessageLocation(
                        fileKey: cursor.state.key, sourcePath: cursor.state.sourcePath, index: cursor.index,
                        offset: m.offset, folder: cursor.folder, maildirFlags: nil),
                    locationVerdict: cursor.verdict))
            cursor.index += 1
            chunkBytes += m.bytes.count
            cursor.state.scannedOffset = m.endOffset
        }
        let finished = tasks.count < options.messagesPerUnit && chunkBytes < 8 << 20
        if finished, failed == nil, cursor.index == 1, tasks.count == 1, let single = cursor.singleMessageFolder {
            // One message with an envelope line: a message file, whose folder is its directory.
            tasks[0].location.folder = single
            tasks[0].locationVerdict = locationVerdict(folder: single)
        }
        cursor.singleMessageFolder = nil
        if let error = failed {
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: cursor.state.sourcePath, offset: cursor.framer.offset,
                    diagnostic: DiagnosticFacts(.error, "spool.read", "\(error); the rest of the file is skipped")))
        }
        if finished, let damage = cursor.decompressor?.damage {
            // The messages decompressed before the damage are kept; the diagnostic says where the stream broke.
            let code = damage.code
            pendingDiagnostics.append(
                FileDiagnostic(
                    sourcePath: cursor.state.sourcePath, offset: Int64(damage.offset),
                    diagnostic: DiagnosticFacts(.error, code, "\(damage); the rest of the file is not read")))
        }
        if cursor.compressed {
            // A gzip stream cannot be resumed in the middle: it is complete (damaged ones too: reading them again
            // gives the same) or it is read again.
            cursor.state.scannedOffset = finished && failed == nil ? cursor.state.size : 0
        } else if finished && failed == nil {
            cursor.state.scannedOffset = max(cursor.state.scannedOffset, cursor.framer.offset)
        }
        cursor.state.messages = cursor.index
        if !cursor.compressed {
            let off = cursor.state.scannedOffset
            let from = max(0, off - 4096)
            if let before = try? cursor.file.read(at: from, count: Int(off - from)) {
                cursor.state.fingerprint = SpoolProducer.fingerprint(before)
            }
        }
        bytesQueued += Int64(chunkBytes)
        if !tasks.isEmpty || cursor.reset || finished {
            emit(.messages(tasks, state: cursor.state, resetFile: cursor.reset))
        }
        cursor.reset = false
        if finished || failed != nil {
            if cursor.framer.skippedBytes > 0 && cursor.index == 0 {
                pendingDiagnostics.append(
                    FileDiagnostic(
                        sourcePath: cursor.state.sourcePath, offset: 0,
                        diagnostic: DiagnosticFacts(.warning, "mbox.no-messages", "no message found in this mbox")))
            }
            mbox = nil
        } else {
            mbox = cursor
        }
    }

    // MARK: Folders and verdicts

    private func locationVerdict(folder: String?) -> VerdictEvidence? {
        if let label = options.label { return VerdictEvidence(label, source: "label") }
        return VerdictRules.verdict(forFolder: folder)
    }

    static func relative(_ path: String, to root: String) -> String {
        let r = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(r) ? String(path.dropFirst(r.count)) : SpoolWalker.lastComponent(of: path)
    }

    /// A single-message file's folder: its directory relative to the root (the root's own name at the top).
    static func folderOfFile(relative: String, root: String) -> String? {
        let dir = SpoolWalker.parent(of: relative)
        if dir == "." || dir.isEmpty {
            let name = SpoolWalker.lastComponent(of: root.hasSuffix("/") ? String(root.dropLast()) : root)
            return name.isEmpty || name == "." || name == ".." ? nil : name
        }
        return dir
    }

    /// An mbox file is a folder: its relative path without `.mbox`/`.mbx` and with Thunderbird's `.sbd` removed.
    static func folderOfMbox(relative: String, root: String) -> String? {
        var parts = relative.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return nil }
        for i in parts.indices where parts[i].hasSuffix(".sbd") { parts[i] = String(parts[i].dropLast(4)) }
        for ext in [".mbox", ".mbx"] where parts[parts.count - 1].lowercased().hasSuffix(ext) {
            parts[parts.count - 1] = String(parts[parts.count - 1].dropLast(ext.count))
        }
        return parts.joined(separator: "/")
    }
}

private func lseekTo(_ file: ReadOnlyFile, _ offset: Int64) -> Bool {
    lseek(file.fd, off_t(offset), SEEK_SET) == off_t(offset)
}
