import Crypto
import Glibc
import MailCore

/// One message cut out of an mbox stream.
public struct FramedMessage: Sendable {
    /// Stream offset of the message's `From ` line.
    public var offset: Int64
    /// Stream offset just past the message (where the next `From ` line, or the end, is).
    public var endOffset: Int64
    /// The message (envelope line removed, `>From ` un-escaped); only its head when `truncated`.
    public var bytes: [UInt8]
    /// Size of the whole message.
    public var size: Int
    /// SHA-256 of the whole message when it was too large to keep (`truncated`); nil otherwise.
    public var streamedSHA256: String?
    public var truncated: Bool
    /// Whether a consistent `Content-Length` header decided where the message ends (mboxcl/mboxcl2).
    public var usedContentLength: Bool
}

/// Cuts an mbox stream into messages, in bounded memory, for every variant found in the wild: mboxo and mboxrd
/// (`>From ` un-escaping), mboxcl/mboxcl2 (`Content-Length` used when it is consistent), LF, CRLF and CR-only line
/// ends, a leading BOM, and unescaped `From ` lines inside bodies.
///
/// A `From ` line starts a new message only when the evidence says so (`isSeparator`):
/// - an envelope line (a sender, then a date with a time and a four-digit year) starts one when a header field
///   follows it or a blank line precedes it;
/// - any other `From ` line (`From - `, `From MAILER-DAEMON`, or prose: `From Russia with love`) starts one only
///   when a real header block follows it: at least two fields, one of them a field messages carry (`From`,
///   `Subject`, `Received`, `Return-Path`…, as `LeadingLines.isHeaderBlock` decides for lines before a header);
/// - except in a file shown to be escaped (an earlier message had a `>From ` line, so its writer escapes body
///   lines): there every `From ` line followed by a header field starts a message.
/// That keeps "From the desk of…" and a film list (`From Russia with love` / `Year: 1963`) in a body from splitting
/// a message, where a naive splitter (Python's `mailbox`, GMime) cuts it in two.
public final class MboxFramer {
    private let source: any ByteSource
    private var buf: [UInt8] = []
    /// Stream offset of `buf[0]`.
    private var base: Int64
    private var pos = 0
    private var eof = false
    private let maxMessageSize: Int
    /// The most kept of a message larger than `maxMessageSize` (its header block, or at least 64 KiB).
    private let maxHeadSize: Int
    private let readChunk = 256 * 1024
    /// Bytes that belonged to no message (a preamble, garbage between messages).
    public private(set) var skippedBytes: Int64 = 0
    /// Whether a message of this stream had a `>From ` line: its writer escapes `From ` lines in bodies.
    public private(set) var escapedFromSeen = false

    /// `startOffset` is the stream offset the source is positioned at (to resume an mbox scanned before). A message
    /// larger than `maxMessageSize` is hashed as it streams by; only its head (at most `maxHeadSize`) is kept.
    public init(
        source: any ByteSource, startOffset: Int64 = 0, maxMessageSize: Int = 50 << 20, maxHeadSize: Int = 1 << 20
    ) {
        self.source = source
        self.base = startOffset
        self.maxMessageSize = max(4096, maxMessageSize)
        self.maxHeadSize = max(1024, min(maxHeadSize, self.maxMessageSize))
    }

    /// Stream offset of the next unread message.
    public var offset: Int64 { base + Int64(pos) }

    // MARK: Buffer

    private func fill() throws(FileError) -> Bool {
        guard !eof else { return false }
        let n = try source.read(into: &buf, max: readChunk)
        if n == 0 { eof = true }
        return n > 0
    }

    /// Reads until `buf.count >= index` or the stream ends.
    private func ensure(_ index: Int) throws(FileError) {
        while buf.count < index, try fill() {}
    }

    private func dropPrefix(_ k: Int) {
        guard k > 0 else { return }
        dropFront(k)
        pos -= k
    }

    /// Whether the byte just before `buf[0]` ended a line (true at the start of the stream or of a resumed read,
    /// which begins where a message ended).
    private var lineStartAtBufferStart = true

    /// Forgets the first `k` bytes of the buffer, remembering whether they ended a line.
    private func dropFront(_ k: Int) {
        guard k > 0 else { return }
        lineStartAtBufferStart = buf[k - 1] == ASCII.lf || buf[k - 1] == ASCII.cr
        buf.removeSubrange(0..<k)
        base += Int64(k)
    }

    /// Whether `i` begins a line: after a line end, or at the start of the buffer when what preceded it ended one.
    /// (Bytes before `buf[0]` may be gone: checking `i == 0` alone took a `From ` in mid-line for a message start
    /// when a read boundary fell just before it.)
    private func isLineStart(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        i == 0 ? lineStartAtBufferStart : b[i - 1] == ASCII.lf || b[i - 1] == ASCII.cr
    }

    // MARK: Lines

    private static func isFrom(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        i + 5 <= b.count && b[i] == 0x46 && b[i + 1] == 0x72 && b[i + 2] == 0x6F && b[i + 3] == 0x6D
            && b[i + 4] == ASCII.space
    }

    private static func lineEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var j = i
        while j < b.count, b[j] != ASCII.lf, b[j] != ASCII.cr { j += 1 }
        return j
    }

    /// Length of the line terminator that ends just before `i` (0 if none).
    private static func terminatorBefore(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        guard i > 0 else { return 0 }
        if b[i - 1] == ASCII.lf { return i > 1 && b[i - 2] == ASCII.cr ? 2 : 1 }
        if b[i - 1] == ASCII.cr { return 1 }
        return 0
    }

    /// Whether the line before the line starting at `i` is empty (with `floor` as the earliest line start).
    private static func blankLineBefore(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, floor: Int) -> Bool {
        let t = terminatorBefore(b, i)
        guard t > 0 else { return false }
        let k = i - t
        if k == floor { return true }
        return k > floor && (b[k - 1] == ASCII.lf || b[k - 1] == ASCII.cr)
    }

    /// After `From <sender> `, a date as envelope lines carry it: a time (`12:08`) and a four-digit year.
    private static func hasEnvelopeDate(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        var j = i + 5
        while j < end, b[j] != ASCII.space { j += 1 }
        var time = false
        var year = false
        var digits = 0
        while j < end {
            let c = b[j]
            if ASCII.isDigit(c) {
                digits += 1
            } else {
                if c == ASCII.colon && digits >= 1 && digits <= 2 && j + 2 < end && ASCII.isDigit(b[j + 1])
                    && ASCII.isDigit(b[j + 2])
                {
                    time = true
                }
                if digits == 4 { year = true }
                digits = 0
            }
            j += 1
        }
        if digits == 4 { year = true }
        return time && year
    }

    /// Bytes after a `From ` line's next line read to find a real header block there.
    static let headerLookahead = 16 * 1024

    /// Whether a `From ` line at `i` (a line start) begins a new message (see the type's comment), or nil when more
    /// bytes must be read to tell: the following line, and for a line without an envelope date `headerLookahead`
    /// bytes after it (or the end of the stream), so the answer never depends on how reads fell.
    private static func isSeparator(
        _ b: UnsafeBufferPointer<UInt8>, _ i: Int, floor: Int, eof: Bool, escaped: Bool
    ) -> Bool? {
        guard isFrom(b, i) else { return false }
        let end = lineEnd(b, i)
        let next = HeaderScan.nextLine(b, from: i)
        if (next >= b.count || lineEnd(b, next) >= b.count) && !eof { return nil }
        let fieldNext = next < b.count && HeaderScan.isFieldLine(b, at: next)
        if isEnvelope(b, i, end) { return fieldNext || blankLineBefore(b, i, floor: floor) }
        guard fieldNext else { return false }
        if escaped { return true }
        if b.count < next + headerLookahead && !eof { return nil }
        let window = UnsafeBufferPointer(rebasing: b[0..<min(b.count, next + headerLookahead)])
        return LeadingLines.isHeaderBlock(window, at: next)
    }

    /// `From SENDER DATE`: a sender (an address, `-`, `MAILER-DAEMON` or a user name), then a date that begins
    /// with a day or month name or a digit and has a time and a four-digit year (`Tue Oct 14 09:15:02 2025`).
    static func isEnvelope(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        var j = i + 5
        while j < end, b[j] == ASCII.space { j += 1 }
        let senderStart = j
        while j < end, b[j] != ASCII.space, b[j] != ASCII.tab { j += 1 }
        guard j > senderStart, j < end else { return false }
        for k in senderStart..<j where b[k] < 0x21 || b[k] == 0x7F { return false }
        while j < end, ASCII.isSpaceOrTab(b[j]) { j += 1 }
        guard j < end else { return false }
        if !ASCII.isDigit(b[j]) {
            guard j + 3 <= end else { return false }
            let word = [ASCII.lower(b[j]), ASCII.lower(b[j + 1]), ASCII.lower(b[j + 2])]
            guard dateWords.contains(word) else { return false }
        }
        return hasEnvelopeDate(b, i, end)
    }

    static let dateWords: Set<[UInt8]> = Set(
        [
            "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
            "sep", "oct", "nov", "dec",
        ].map { Array($0.utf8) })

    /// Index of the next `From ` at a line start in `buf[from...]`, or nil.
    private func findFromLine(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while let j = ByteSearch.find(MboxFramer.fromBytes, in: b, from: i) {
            if isLineStart(b, j) { return j }
            if isBOMStart(b, j) { return j }
            i = j + 1
        }
        return nil
    }

    /// A `From ` right after a byte-order mark at the very start of the stream.
    private func isBOMStart(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Bool {
        j == 3 && base == 0 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
    }

    static let fromBytes: [UInt8] = Array("From ".utf8)
    static let escapedFromBytes: [UInt8] = Array(">From ".utf8)

    // MARK: Framing

    /// The next message, or nil at the end of the stream.
    public func next() throws(FileError) -> FramedMessage? {
        if pos > 4 << 20 { dropPrefix(pos) }
        // 1. Find a From line (skipping garbage).
        while true {
            try ensure(pos + 6)
            if pos >= buf.count { return nil }
            var found: Int? = nil
            var atStart = false
            buf.withUnsafeBufferPointer { b in
                if MboxFramer.isFrom(b, pos) && (isLineStart(b, pos) || isBOMStart(b, pos)) {
                    atStart = true
                } else {
                    found = findFromLine(b, from: pos)
                }
            }
            if atStart { break }
            if let f = found {
                skippedBytes += Int64(f - pos)
                pos = f
                continue
            }
            if eof {
                skippedBytes += Int64(buf.count - pos)
                pos = buf.count
                return nil
            }
            // Keep the last few bytes: a From line may straddle the refill.
            let keep = max(pos, buf.count - 5)
            skippedBytes += Int64(keep - pos)
            pos = keep
            // Garbage is not kept: memory stays bounded however long the stretch without a From line.
            if pos > 1 << 20 { dropPrefix(pos) }
            _ = try fill()
        }
        let messageStart = pos
        // 2. The envelope line and the header block (bounded: 64 KiB, growing to at most 1 MiB).
        var contentStart = 0
        var contentLength: Int? = nil
        var bodyStart = 0
        var headerLimit = 64 * 1024
        while true {
            try ensure(messageStart + headerLimit + 1024)
            var done = false
            buf.withUnsafeBufferPointer { b in
                contentStart = HeaderScan.nextLine(b, from: messageStart)
                let windowEnd = min(b.count, contentStart + headerLimit)
                let window = UnsafeBufferPointer(rebasing: b[0..<windowEnd])
                let block = HeaderBlock(parsing: window, from: contentStart, limits: .init(maxFields: 2000))
                bodyStart = block.bodyStart
                done =
                    block.hasSeparator || block.bodyStart < windowEnd || windowEnd == b.count && eof
                    || headerLimit >= 1 << 20
                if done, let f = block.first("content-length", in: window) {
                    let digits = window[f.value].prefix { ASCII.isDigit($0) }
                    if !digits.isEmpty, digits.count <= 12 {
                        contentLength = digits.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
                    }
                }
            }
            if done { break }
            headerLimit *= 4
        }
        // 3. Content-Length, when it lands exactly on the next message or the end.
        if let length = contentLength, length <= maxMessageSize {
            let candidate = bodyStart + length
            try ensure(candidate + 4096)
            var consistent = false
            var nextStart = candidate
            buf.withUnsafeBufferPointer { b in
                if candidate == b.count && eof {
                    consistent = true
                } else if candidate < b.count {
                    var j = candidate
                    if MboxFramer.isFrom(b, j) {
                        consistent = MboxFramer.terminatorBefore(b, j) > 0
                    } else if b[j] == ASCII.lf || b[j] == ASCII.cr {
                        j = HeaderScan.nextLine(b, from: j)
                        consistent = (j == b.count && eof) || MboxFramer.isFrom(b, j)
                    }
                    nextStart = j
                }
            }
            if consistent {
                var bytes: [UInt8] = []
                buf.withUnsafeBufferPointer { b in bytes = Array(b[contentStart..<candidate]) }
                let message = FramedMessage(
                    offset: base + Int64(messageStart), endOffset: base + Int64(nextStart), bytes: bytes,
                    size: bytes.count, streamedSHA256: nil, truncated: false, usedContentLength: true)
                pos = nextStart
                return message
            }
        }
        // 4. Search for the next separator line, streaming past oversized messages.
        var searchFrom = bodyStart
        var hasher: SHA256? = nil
        var head: [UInt8] = []
        var streamedSize = 0
        var contentFloor = contentStart
        while true {
            var sep: Int? = nil
            buf.withUnsafeBufferPointer { b in
                var from = searchFrom
                while let s = findFromLine(b, from: from) {
                    // The next line (and for some lines more) must be buffered to judge the candidate.
                    let end = MboxFramer.lineEnd(b, s)
                    if end + 2 >= b.count && !eof {
                        searchFrom = s
                        return
                    }
                    guard
                        let judged = MboxFramer.isSeparator(
                            b, s, floor: contentFloor, eof: eof, escaped: escapedFromSeen)
                    else {
                        searchFrom = s
                        return
                    }
                    if judged {
                        sep = s
                        return
                    }
                    from = s + 1
                }
                searchFrom = max(searchFrom, b.count - 5)
            }
            if let s = sep {
                return finish(messageStart: messageStart, contentStart: contentFloor, end: s, nextStart: s)
            }
            if eof {
                // No further separator: the rest of the stream is this message.
                let end = buf.count
                return finish(messageStart: messageStart, contentStart: contentFloor, end: end, nextStart: end)
            }
            // Oversized: keep the head, hash the rest as it streams by.
            let held = buf.count - contentFloor
            if held > maxMessageSize || (hasher != nil && held > readChunk * 4) {
                let safe = max(contentFloor, min(searchFrom, buf.count) - 8)
                if hasher == nil {
                    // The head kept must not depend on how the reads fell: all of it is read, and every From line
                    // inside it judged, before hashing begins.
                    let headMax = contentFloor + maxHeadSize
                    if buf.count < headMax + 4096 {
                        try ensure(headMax + 4096)
                        continue
                    }
                    let headEnd = contentFloor + MboxFramer.headLength(buf, contentFloor, max: maxHeadSize)
                    if safe < headEnd {
                        _ = try fill()
                        continue
                    }
                    hasher = SHA256()
                    head = Array(buf[contentFloor..<headEnd])
                }
                if safe > contentFloor {
                    buf.withUnsafeBufferPointer { b in
                        hasher?.update(
                            bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[contentFloor..<safe]))
                        )
                    }
                    streamedSize += safe - contentFloor
                    // Drop what is hashed; indices shift.
                    let drop = safe
                    dropFront(drop)
                    searchFrom -= drop
                    contentFloor = 0
                    pos = 0
                    return try continueStreaming(
                        messageOffset: base - Int64(drop) + Int64(messageStart), searchFrom: searchFrom,
                        hasher: hasher!, head: head, streamedSize: streamedSize)
                }
            }
            _ = try fill()
        }
    }

    /// Builds the message from `buf[contentStart..<end]`, dropping the separator blank line and un-escaping.
    private func finish(messageStart: Int, contentStart: Int, end: Int, nextStart: Int) -> FramedMessage {
        var contentEnd = end
        buf.withUnsafeBufferPointer { b in
            if end < b.count || eof, MboxFramer.blankLineBefore(b, end, floor: contentStart) {
                contentEnd = end - MboxFramer.terminatorBefore(b, end)
            }
        }
        contentEnd = max(contentStart, contentEnd)
        if contentEnd - contentStart > maxMessageSize {
            // Too large to keep: the head (headers, or at least 64 KiB) and a hash of the whole, as when streaming.
            var hasher = SHA256()
            buf.withUnsafeBufferPointer { b in
                hasher.update(
                    bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[contentStart..<contentEnd])))
            }
            let headEnd = min(contentEnd, contentStart + MboxFramer.headLength(buf, contentStart, max: maxHeadSize))
            let digest = hasher.finalize().map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined()
            pos = nextStart
            return FramedMessage(
                offset: base + Int64(messageStart), endOffset: base + Int64(nextStart),
                bytes: Array(buf[contentStart..<headEnd]), size: contentEnd - contentStart, streamedSHA256: digest,
                truncated: true, usedContentLength: false)
        }
        let (bytes, unescaped) = MboxFramer.unescape(buf[contentStart..<contentEnd])
        if unescaped { escapedFromSeen = true }
        let message = FramedMessage(
            offset: base + Int64(messageStart), endOffset: base + Int64(nextStart), bytes: bytes, size: bytes.count,
            streamedSHA256: nil, truncated: false, usedContentLength: false)
        pos = nextStart
        return message
    }

    /// The tail of an oversized message: hash until the separator, keep only the head.
    private func continueStreaming(
        messageOffset: Int64, searchFrom start: Int, hasher initial: SHA256, head: [UInt8],
        streamedSize initialSize: Int
    ) throws(FileError) -> FramedMessage {
        var hasher = initial
        var streamed = initialSize
        var searchFrom = max(0, start)
        while true {
            var sep: Int? = nil
            buf.withUnsafeBufferPointer { b in
                var from = searchFrom
                while let s = findFromLine(b, from: from) {
                    guard let judged = MboxFramer.isSeparator(b, s, floor: 0, eof: eof, escaped: escapedFromSeen)
                    else {
                        searchFrom = s
                        return
                    }
                    if judged {
                        sep = s
                        return
                    }
                    from = s + 1
                }
                searchFrom = max(searchFrom, b.count - 5)
            }
            if sep != nil || eof {
                let end = sep ?? buf.count
                var contentEnd = end
                buf.withUnsafeBufferPointer { b in
                    if MboxFramer.blankLineBefore(b, end, floor: 0) {
                        contentEnd = end - MboxFramer.terminatorBefore(b, end)
                    }
                }
                buf.withUnsafeBufferPointer { b in
                    hasher.update(
                        bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[0..<max(0, contentEnd)])))
                }
                streamed += max(0, contentEnd)
                let digest = hasher.finalize().map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined()
                pos = end
                return FramedMessage(
                    offset: messageOffset, endOffset: base + Int64(end), bytes: head, size: streamed,
                    streamedSHA256: digest, truncated: true, usedContentLength: false)
            }
            // Hash and drop all but the last few bytes, then read on.
            let safe = max(0, min(searchFrom, buf.count) - 8)
            if safe > 0 {
                buf.withUnsafeBufferPointer { b in
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[0..<safe])))
                }
                streamed += safe
                dropFront(safe)
                searchFrom -= safe
            }
            _ = try fill()
        }
    }

    /// How much of an oversized message is kept: its header block, at least 64 KiB, at most `max` (and no more
    /// than is buffered).
    static func headLength(_ buf: [UInt8], _ contentStart: Int, max maxHead: Int) -> Int {
        buf.withUnsafeBufferPointer { b in
            let limit = min(b.count, contentStart + maxHead)
            let window = UnsafeBufferPointer(rebasing: b[0..<limit])
            let block = HeaderBlock(parsing: window, from: contentStart, limits: .init(maxFields: 2000))
            return min(limit - contentStart, max(min(64 * 1024, maxHead), block.bodyStart - contentStart))
        }
    }

    /// mboxrd un-escaping: one `>` removed from every line that is `>`…`>From `; and whether there was such a line.
    static func unescape(_ content: ArraySlice<UInt8>) -> ([UInt8], Bool) {
        let needsWork = content.withUnsafeBufferPointer { b in ByteSearch.find(escapedFromBytes, in: b) != nil }
        guard needsWork else { return (Array(content), false) }
        var any = false
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        content.withUnsafeBufferPointer { b in
            var lineStart = 0
            while lineStart < b.count {
                var j = lineStart
                while j < b.count, b[j] == 0x3E { j += 1 }
                let escaped = j > lineStart && isFrom(b, j)
                if escaped { any = true }
                let next = HeaderScan.nextLine(b, from: lineStart)
                let from = escaped ? lineStart + 1 : lineStart
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[from..<next]))
                lineStart = next
            }
        }
        return (out, any)
    }
}

let hexDigits: [String] = (0..<16).map { String($0, radix: 16) }
