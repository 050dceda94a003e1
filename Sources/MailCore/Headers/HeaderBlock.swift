import Glibc

/// One header field of a message, kept as byte ranges into the message.
public struct HeaderField: Sendable, Equatable {
    /// The field name, without the colon or whitespace before it.
    public var name: Range<Int>
    /// The raw value: from after the colon (leading blanks skipped) to the end of the last continuation
    /// line, line breaks of folded lines included.
    public var value: Range<Int>

    public init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}

/// The header block of a message (RFC 5322 section 2.2), parsed in one linear pass over the bytes.
///
/// Lines may end in CRLF, LF or a lone CR, as mail clients accept them. A leading UTF-8 byte-order mark and a
/// leading mbox `From ` envelope line are skipped. When a whole message is parsed, a few lines before the header
/// block that are not fields (blank lines, a log line the saving program wrote first, a `>From ` line) are skipped
/// too, but only when a real header block follows them (see `LeadingLines`); `leadingSkip` says what was skipped.
/// The block ends at the first empty line; a line that is neither a field nor a continuation also ends it (the body
/// starts there and `hasSeparator` is false), which is what Python's `email` and most clients do with a missing
/// blank line.
public struct HeaderBlock: Sendable {
    public struct Limits: Sendable {
        /// Fields kept; later fields are counted in `droppedFields` but not recorded.
        public var maxFields: Int
        public init(maxFields: Int = 10_000) { self.maxFields = maxFields }
    }

    public var fields: [HeaderField]
    /// Offset of the first header byte (after a BOM and an envelope line).
    public var start: Int
    /// Offset of the first body byte; equals the message length when there is no body.
    public var bodyStart: Int
    /// Whether an empty line separated the header block from the body.
    public var hasSeparator: Bool
    /// Fields beyond `Limits.maxFields`.
    public var droppedFields: Int
    /// Whether the bytes began with a UTF-8 byte-order mark.
    public var hadBOM: Bool
    /// Lines at the top that were not fields (continuation lines with nothing to continue).
    public var strayLines: Int
    /// Bytes before the header block that were skipped as not part of it (after a BOM and an envelope line); empty
    /// when the header block starts there. Only a whole-message parse skips anything.
    public var leadingSkip: Range<Int>
    /// Lines in `leadingSkip`.
    public var leadingLines: Int

    public init(parsing bytes: UnsafeBufferPointer<UInt8>, limits: Limits = Limits()) {
        self = HeaderBlock.parse(bytes, from: 0, limits: limits, wholeMessage: true)
    }

    public init(parsing bytes: [UInt8], limits: Limits = Limits()) {
        self = bytes.withUnsafeBufferPointer { HeaderBlock.parse($0, from: 0, limits: limits, wholeMessage: true) }
    }

    /// Parses a header block that begins at `offset` (a MIME part's headers inside a message).
    public init(parsing bytes: UnsafeBufferPointer<UInt8>, from offset: Int, limits: Limits = Limits()) {
        self = HeaderBlock.parse(bytes, from: offset, limits: limits)
    }

    /// Parses a header block that begins at `offset` and cannot extend past `end` (a MIME part inside a message:
    /// the part's headers stop at the next boundary even when no blank line ends them).
    public init(parsing bytes: UnsafeBufferPointer<UInt8>, from offset: Int, upTo end: Int, limits: Limits = Limits()) {
        self = HeaderBlock.parse(bytes, from: offset, end: end, limits: limits)
    }

    private init(start: Int) {
        fields = []
        self.start = start
        bodyStart = start
        hasSeparator = false
        droppedFields = 0
        hadBOM = false
        strayLines = 0
        leadingSkip = start..<start
        leadingLines = 0
    }

    /// The first field with this name (ASCII case-insensitive; pass the name in lower case).
    public func first(_ lowercasedName: String, in bytes: UnsafeBufferPointer<UInt8>) -> HeaderField? {
        let key = Array(lowercasedName.utf8)
        return fields.first { bytes[$0.name].equalsLowercasedASCII(key) }
    }

    /// Every field with this name, top to bottom.
    public func all(_ lowercasedName: String, in bytes: UnsafeBufferPointer<UInt8>) -> [HeaderField] {
        let key = Array(lowercasedName.utf8)
        return fields.filter { bytes[$0.name].equalsLowercasedASCII(key) }
    }

    static func parse(
        _ all: UnsafeBufferPointer<UInt8>, from offset: Int, end: Int? = nil, limits: Limits,
        wholeMessage: Bool = false
    ) -> HeaderBlock {
        let n = max(0, min(end ?? all.count, all.count))
        let b = UnsafeBufferPointer(rebasing: all[0..<n])
        var i = max(0, min(offset, n))
        var block = HeaderBlock(start: i)
        if i == 0, n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
            i = 3
            block.hadBOM = true
        }
        // An mbox envelope line ("From sender date") at the very top is not a header.
        if i + 5 <= n, b[i] == 0x46, b[i + 1] == 0x72, b[i + 2] == 0x6F, b[i + 3] == 0x6D, b[i + 4] == ASCII.space {
            i = HeaderBlock.nextLine(b, from: i)
        }
        block.leadingSkip = i..<i
        if wholeMessage, let skip = LeadingLines.skip(b, from: i) {
            block.leadingSkip = i..<skip.headerStart
            block.leadingLines = skip.lines
            i = skip.headerStart
        }
        block.start = i
        var current: (name: Range<Int>, valueStart: Int)? = nil
        var lastContentEnd = i

        func close(_ end: Int) {
            guard let c = current else { return }
            if block.fields.count < limits.maxFields {
                block.fields.append(HeaderField(name: c.name, value: c.valueStart..<max(c.valueStart, end)))
            } else {
                block.droppedFields += 1
            }
            current = nil
        }

        while i < n {
            let lineStart = i
            let first = b[i]
            // Empty line: the separator.
            if first == ASCII.lf || first == ASCII.cr {
                close(lastContentEnd)
                block.hasSeparator = true
                block.bodyStart = HeaderBlock.nextLine(b, from: i)
                return block
            }
            let contentEnd = HeaderBlock.lineContentEnd(b, from: i)
            let next = HeaderBlock.skipTerminator(b, at: contentEnd)
            if ASCII.isSpaceOrTab(first) {
                if current != nil {
                    lastContentEnd = contentEnd
                } else if block.fields.isEmpty && block.droppedFields == 0 {
                    block.strayLines += 1
                } else {
                    // A continuation after a dropped field: keep skipping it.
                }
                i = next
                continue
            }
            // A field: name characters, optional blanks, a colon.
            var j = lineStart
            while j < contentEnd && ASCII.isFieldNameByte(b[j]) { j += 1 }
            let nameEnd = j
            while j < contentEnd && ASCII.isSpaceOrTab(b[j]) { j += 1 }
            if j < contentEnd, b[j] == ASCII.colon, nameEnd > lineStart {
                close(lastContentEnd)
                var v = j + 1
                while v < contentEnd && ASCII.isSpaceOrTab(b[v]) { v += 1 }
                current = (lineStart..<nameEnd, v)
                lastContentEnd = contentEnd
                i = next
                continue
            }
            // Not a header line: the body begins here.
            close(lastContentEnd)
            block.bodyStart = lineStart
            return block
        }
        close(lastContentEnd)
        block.bodyStart = n
        return block
    }

    /// The offset just past the end of the line containing `i` (past its terminator).
    static func nextLine(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        skipTerminator(b, at: lineContentEnd(b, from: i))
    }

    /// The offset of the line terminator (CR or LF) at or after `i`, or `b.count`: `memchr` for the LF, then for
    /// a CR before it.
    static func lineContentEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = b.count
        guard i < n, let base = b.baseAddress else { return n }
        var lf = n
        if let hit = memchr(base + i, Int32(ASCII.lf), n - i) {
            lf = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        if lf > i, let hit = memchr(base + i, Int32(ASCII.cr), lf - i) {
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        return lf
    }

    @inlinable
    static func skipTerminator(_ b: UnsafeBufferPointer<UInt8>, at j: Int) -> Int {
        let n = b.count
        guard j < n else { return n }
        if b[j] == ASCII.cr {
            return j + 1 < n && b[j + 1] == ASCII.lf ? j + 2 : j + 1
        }
        return j + 1
    }
}

extension HeaderField {
    /// The value unfolded: line breaks removed (the blanks after them kept, RFC 5322 3.2.2), surrounding blanks trimmed.
    public func unfoldedValue(in b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        for k in value {
            let c = b[k]
            if c != ASCII.cr && c != ASCII.lf { out.append(c) }
        }
        while let last = out.last, ASCII.isSpaceOrTab(last) { out.removeLast() }
        return out
    }

    public func nameString(in b: UnsafeBufferPointer<UInt8>) -> String {
        String(lossyUTF8: b[name])
    }
}
