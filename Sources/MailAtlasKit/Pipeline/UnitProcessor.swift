import Glibc
import MailCore

/// The work of one parse task: read the files of a unit (or take the framed messages), sniff, analyse.
/// Pure apart from reading spool files; never touches the store.
struct UnitProcessor: Sendable {
    let analyzer: MessageAnalyzer
    let maxMessageSize: Int

    func process(_ unit: WorkUnit) -> UnitResult {
        var result = UnitResult(seq: unit.seq)
        switch unit.payload {
        case .files(let tasks):
            for task in tasks { processFile(task, into: &result) }
        case .messages(let tasks, let state, let reset):
            if reset { result.resetFiles.append(state.key) }
            for task in tasks {
                let m = task.framed
                let facts = analyzer.analyze(m.bytes, fullSize: m.size, streamedSHA256: m.streamedSHA256)
                result.messages.append(
                    AnalysedMessage(
                        location: task.location, locationVerdict: task.locationVerdict, facts: facts,
                        truncated: m.truncated))
            }
            result.states.append(state)
        case .control(let action):
            result.control = action
        }
        return result
    }

    private func processFile(_ task: FileTask, into result: inout UnitResult) {
        func fail(_ code: String, _ message: String, _ severity: DiagnosticFacts.Severity = .error) {
            result.diagnostics.append(
                FileDiagnostic(sourcePath: task.path, offset: nil, diagnostic: DiagnosticFacts(severity, code, message))
            )
            if task.inMaildir { result.incompleteDirectories.append(task.dirKey) }
        }
        let file: ReadOnlyFile
        let st: FileStat
        do {
            file = try ReadOnlyFile(path: task.path)
            st = try file.stat()
        } catch {
            if error.code == ENOENT {
                // Moved or deleted since the directory was listed (a Maildir client renames files all the time):
                // the next scan finds it where it went.
                fail("spool.vanished", "the file disappeared before it was read", .info)
            } else {
                fail("spool.unreadable", "\(error)")
            }
            return
        }
        guard st.isRegular else {
            fail("spool.not-regular", "not a regular file any more")
            return
        }
        var state = FileState(
            key: task.key, sourcePath: task.path, dirKey: task.dirKey, kind: .message, size: st.size,
            mtimeNs: st.mtimeNs, inode: st.inode, scannedOffset: st.size, fingerprint: nil, messages: 1)
        var bytes: [UInt8]
        var streamedSHA: String? = nil
        var fullSize: Int? = nil
        var damage: CompressionDamage? = nil
        do {
            let compression = task.headIsWhole ? nil : task.compression ?? compressionOf(file, size: st.size)
            if task.headIsWhole && Int64(task.head.count) == st.size {
                bytes = task.head
            } else if let compression {
                // Dovecot's compression plugin writes Maildir files compressed one by one.
                state.kind = compression == .gzip ? .gzipMessage : .compressedMessage
                // One pass: the message, or once it is over the limit, its head and a hash of the whole stream.
                let source = try compression.open(file)
                let read = try readBounded(source: source, limit: maxMessageSize)
                bytes = read.bytes
                if let sha = read.sha256 {
                    streamedSHA = sha
                    fullSize = read.total
                }
                damage = source.damage
                if let damage, read.total == 0 {
                    // Recorded with its reason, so it is not tried again until it changes.
                    result.diagnostics.append(
                        FileDiagnostic(
                            sourcePath: task.path, offset: nil,
                            diagnostic: DiagnosticFacts(.error, damage.code, "cannot decompress: \(damage)")))
                    state.kind = .notMail
                    state.messages = 0
                    state.skipReason = .damagedCompression
                    result.notMail.append(state)
                    return
                }
            } else if st.size > Int64(maxMessageSize) {
                let read = try readBounded(source: file, limit: 0)
                bytes = read.bytes
                streamedSHA = read.sha256
                fullSize = read.total
            } else {
                bytes = try file.read(at: 0, count: Int(st.size))
            }
        } catch {
            fail("spool.read", "\(error)")
            return
        }
        // A Maildir file is a message by where it is, unless it is empty or binary.
        let sniffed = ContentSniffer.sniff(
            Array(bytes.prefix(ContentSniffer.headLength)), fileSize: Int64(bytes.count), expectMail: task.inMaildir)
        switch sniffed {
        case .empty, .notMail:
            state.kind = sniffed == .empty ? .empty : .notMail
            state.messages = 0
            let reason: SkipReason
            if case .notMail(let why) = sniffed { reason = why } else { reason = .empty }
            state.skipReason = reason
            result.notMail.append(state)
            if task.inMaildir {
                result.diagnostics.append(
                    FileDiagnostic(
                        sourcePath: task.path, offset: nil,
                        diagnostic: DiagnosticFacts(
                            .warning, "spool.not-mail",
                            "a file in a Maildir folder is not a message: \(reason.rawValue)")))
            }
            return
        case .message, .mbox, .compressed:
            break
        }
        var facts = analyzer.analyze(bytes, fullSize: fullSize, streamedSHA256: streamedSHA)
        facts.diagnostics.append(contentsOf: task.notes)
        if task.inMaildir,
            case .notMail = ContentSniffer.sniff(
                Array(bytes.prefix(ContentSniffer.headLength)), fileSize: Int64(bytes.count))
        {
            // Stored because of where it is; say that it would not have passed for mail elsewhere.
            facts.diagnostics.append(
                DiagnosticFacts(
                    .warning, "spool.odd-head",
                    "a file in a Maildir folder does not begin like a message (no mail header at the top); stored as one"
                ))
        }
        if let damage {
            facts.diagnostics.append(
                DiagnosticFacts(.error, damage.code, "\(damage); the message was read from what could be decompressed"))
        }
        // A file read again replaces what it held before; identical content is matched back by its hash.
        result.resetFiles.append(task.key)
        result.messages.append(
            AnalysedMessage(
                location: MessageLocation(
                    fileKey: task.key, sourcePath: task.path, index: 0, offset: 0, folder: task.folder,
                    maildirFlags: task.maildirFlags),
                locationVerdict: task.locationVerdict, facts: facts, truncated: streamedSHA != nil))
        result.states.append(state)
    }

    private func compressionOf(_ file: ReadOnlyFile, size: Int64) -> Compression? {
        guard size >= 2, let magic = try? file.read(at: 0, count: Compression.magicLength) else { return nil }
        return Compression.detect(magic)
    }

    /// Reads a stream whole while it fits in `limit` bytes; past that, keeps the first 256 KiB (the headers of any
    /// sane message) and hashes everything, in one pass and bounded memory.
    private func readBounded(source: any ByteSource, limit: Int) throws(FileError) -> (
        bytes: [UInt8], sha256: String?, total: Int
    ) {
        var bytes: [UInt8] = []
        var hasher: IncrementalSHA256? = nil
        var chunk: [UInt8] = []
        var total = 0
        while true {
            chunk.removeAll(keepingCapacity: true)
            let n = try source.read(into: &chunk, max: 1 << 20)
            if n == 0 { break }
            total += n
            if hasher == nil, total > limit {
                var h = IncrementalSHA256()
                h.update(bytes)
                hasher = h
                // A copy, so the memory of the rest is given back.
                if bytes.count > 256 * 1024 { bytes = Array(bytes[..<(256 * 1024)]) }
            }
            if hasher != nil {
                hasher!.update(chunk)
                if bytes.count < 256 * 1024 { bytes.append(contentsOf: chunk.prefix(256 * 1024 - bytes.count)) }
            } else {
                bytes.append(contentsOf: chunk)
            }
        }
        return (bytes, hasher?.finalizeHex(), total)
    }
}
