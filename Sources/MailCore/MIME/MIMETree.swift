/// Builds the MIME tree of a message (RFC 2045, RFC 2046) in one pass per nesting level.
///
/// - A multipart's parts are found by delimiter lines: `--boundary`, optionally `--`, then only blanks up to the
///   line end (so boundaries that are prefixes of one another never match each other's lines). The line break
///   before a delimiter belongs to it. Text before the first delimiter is the preamble, after the close delimiter
///   the epilogue; a missing close delimiter ends the last part at the end of the enclosing part; two delimiter
///   lines in a row make no empty part (as Python's parser reads them).
/// - The search for delimiters is `memchr` for `-` then a check at line starts: base64 bodies, which hold no `-`,
///   are skipped at memory speed. Each nesting level scans its own range once, so the work is at most
///   `maxDepth` × the message size.
/// - `message/rfc822` and `message/global` parts are parsed as embedded messages, and so is `message/partial`
///   (its first fragment starts with the headers of the message it carries).
/// - Limits on depth and part count stop the descent; each stop is a diagnostic.
struct MIMETree {
    let b: UnsafeBufferPointer<UInt8>
    let limits: MessageParser.Limits
    var parts: [MIMEPart] = []
    var diagnostics: [MailDiagnostic] = []
    var partLimitReported = false
    var depthLimitReported = false

    init(bytes: UnsafeBufferPointer<UInt8>, limits: MessageParser.Limits) {
        self.b = bytes
        self.limits = limits
    }

    /// Parses the message: part 0 is the message itself.
    mutating func parseMessage(headers: HeaderBlock) {
        _ = parseEntity(
            headers: headers, end: b.count, parent: nil, depth: 0, specifier: "", isMessageRoot: true,
            inDigest: false)
    }

    /// Parses one entity whose header block is known; returns its index.
    private mutating func parseEntity(
        headers: HeaderBlock, end: Int, parent: Int?, depth: Int, specifier: String, isMessageRoot: Bool,
        inDigest: Bool
    ) -> Int {
        let body = min(headers.bodyStart, end)..<end
        var contentType = MIMEHeader(value: inDigest ? "message/rfc822" : "text/plain")
        var hasContentType = false
        var disposition: MIMEHeader? = nil
        var cte = TransferEncoding.sevenBit
        for f in headers.fields {
            let name = b[f.name]
            guard name.count >= 12, name.hasLowercasedASCIIPrefix(contentPrefix) else { continue }
            let value = UnsafeBufferPointer(rebasing: b[f.value])
            if name.equalsLowercasedASCII(contentTypeName) {
                guard !hasContentType else { continue }  // the first one counts
                let parsed = MIMEHeader.parse(value)
                let slash = parsed.value.utf8.firstIndex(of: 0x2F)
                if let s = slash, s != parsed.value.utf8.startIndex,
                    parsed.value.utf8.index(after: s) != parsed.value.utf8.endIndex,
                    parsed.value.utf8.filter({ $0 == 0x2F }).count == 1
                {
                    contentType = parsed
                    hasContentType = true
                } else {
                    // RFC 2045 section 5.2: an invalid type is text/plain; parameters are still read.
                    contentType = MIMEHeader(value: "text/plain", parameters: parsed.parameters)
                    hasContentType = true
                    note(
                        .warning, "mime.invalid-content-type",
                        "part \(display(specifier)): invalid Content-Type \"\(parsed.value)\" read as text/plain")
                }
            } else if name.equalsLowercasedASCII(dispositionName) {
                if disposition == nil { disposition = MIMEHeader.parse(value) }
            } else if name.equalsLowercasedASCII(cteName) {
                cte = TransferEncoding(label: b[f.value])
                if case .unknown(let label) = cte {
                    note(
                        .warning, "mime.unknown-transfer-encoding",
                        "part \(display(specifier)): Content-Transfer-Encoding \"\(label)\" taken as 8bit")
                }
            }
        }
        let main = contentType.mainType
        var kind = MIMEPart.Kind.leaf
        if main == "multipart" {
            kind = .multipart
        } else if main == "message"
            && (contentType.subType == "rfc822" || contentType.subType == "global"
                || contentType.subType == "partial")
        {
            kind = .message
        }
        // The part specifier: containers keep the specifier they were given, a message's own body is ".1".
        var path = specifier
        if isMessageRoot && kind != .multipart { path = specifier.isEmpty ? "1" : specifier + ".1" }
        let index = parts.count
        parts.append(
            MIMEPart(
                path: path, parent: parent, depth: depth, kind: .leaf, headers: headers, bodyRange: body,
                contentType: contentType, hasContentType: hasContentType, disposition: disposition,
                transferEncoding: cte, children: []))
        if kind == .leaf { return index }
        if depth >= limits.maxDepth {
            if !depthLimitReported {
                note(
                    .error, "mime.depth-limit",
                    "part \(display(path)): nesting deeper than \(limits.maxDepth) levels is read as one part")
                depthLimitReported = true
            }
            return index
        }
        if kind == .message {
            if !cte.isIdentity {
                note(
                    .warning, "mime.encoded-message",
                    "part \(display(path)): \(contentType.value) with \(cte.name) encoding is kept as an attachment, not opened"
                )
                return index
            }
            guard reserveParts(1, at: path) else { return index }
            let inner = HeaderBlock(parsing: b, from: body.lowerBound, upTo: body.upperBound, limits: headerLimits)
            parts[index].kind = .message
            let child = parseEntity(
                headers: inner, end: body.upperBound, parent: index, depth: depth + 1, specifier: path,
                isMessageRoot: true, inDigest: false)
            parts[index].children = [child]
            return index
        }
        // multipart/*
        guard let boundaryValue = contentType.parameter("boundary"), !boundaryValue.isEmpty else {
            note(
                .warning, "mime.no-boundary",
                "part \(display(path)): \(contentType.value) without a boundary is read as one part")
            return index
        }
        var boundary = Array(boundaryValue.utf8)
        while let l = boundary.last, ASCII.isWhitespace(l) { boundary.removeLast() }
        let ranges = partRanges(in: body, boundary: boundary, path: path)
        guard !ranges.isEmpty else {
            note(
                .warning, "mime.boundary-not-found",
                "part \(display(path)): no \"--\(boundaryValue)\" line; the body is read as one part")
            return index
        }
        parts[index].kind = .multipart
        let digest = contentType.subType == "digest"
        var children: [Int] = []
        for (k, r) in ranges.enumerated() {
            guard reserveParts(1, at: path) else { break }
            let childSpec = path.isEmpty ? String(k + 1) : path + "." + String(k + 1)
            let h = HeaderBlock(parsing: b, from: r.lowerBound, upTo: r.upperBound, limits: headerLimits)
            let child = parseEntity(
                headers: h, end: r.upperBound, parent: index, depth: depth + 1, specifier: childSpec,
                isMessageRoot: false, inDigest: digest)
            children.append(child)
        }
        parts[index].children = children
        return index
    }

    private var headerLimits: HeaderBlock.Limits { HeaderBlock.Limits(maxFields: limits.maxHeaderFields) }

    private mutating func reserveParts(_ n: Int, at path: String) -> Bool {
        if parts.count + n <= limits.maxParts { return true }
        if !partLimitReported {
            note(
                .error, "mime.part-limit",
                "part \(display(path)): more than \(limits.maxParts) parts; the rest are not read")
            partLimitReported = true
        }
        return false
    }

    private mutating func note(_ s: MailDiagnostic.Severity, _ code: String, _ message: String) {
        if diagnostics.count < limits.maxDiagnostics {
            diagnostics.append(MailDiagnostic(s, code, message))
        }
    }

    private func display(_ path: String) -> String { path.isEmpty ? "(message)" : path }

    /// The ranges of the parts of a multipart body, delimiter lines and the line breaks before them excluded.
    private mutating func partRanges(in body: Range<Int>, boundary: [UInt8], path: String) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var partStart: Int? = nil
        let m = boundary.count
        var i = body.lowerBound
        let end = body.upperBound
        while i < end, let dash = MemScan.find(ASCII.hyphen, in: b, from: i, to: end) {
            i = dash + 1
            // A delimiter line: at a line start, "--" boundary ["--"] blanks* (line end | end of part).
            guard dash == body.lowerBound || b[dash - 1] == ASCII.lf || b[dash - 1] == ASCII.cr else { continue }
            guard dash + 2 + m <= end, b[dash + 1] == ASCII.hyphen else { continue }
            var k = 0
            while k < m && b[dash + 2 + k] == boundary[k] { k += 1 }
            guard k == m else { continue }
            var j = dash + 2 + m
            var isClose = false
            if j + 1 < end, b[j] == ASCII.hyphen, b[j + 1] == ASCII.hyphen {
                isClose = true
                j += 2
            }
            while j < end && ASCII.isSpaceOrTab(b[j]) { j += 1 }
            guard j == end || b[j] == ASCII.lf || b[j] == ASCII.cr else { continue }
            let lineAfter = MemScan.nextLine(b, after: j, to: end)
            if let s = partStart {
                // The line break before the delimiter belongs to it.
                if dash > s { result.append(s..<Self.dropLineBreak(b, before: dash, notBefore: s)) }
            }
            if isClose {
                partStart = nil
                break
            }
            partStart = lineAfter
            i = lineAfter
        }
        if let s = partStart {
            // No close delimiter: the last part runs to the end of the enclosing part. At the end of the message
            // the final line break is dropped too (Python does the same).
            var e = end
            if end == b.count && e > s { e = Self.dropLineBreak(b, before: end, notBefore: s) }
            result.append(s..<e)
            note(
                .info, "mime.missing-close-boundary",
                "part \(display(path)): no closing \"--\(String(decoding: boundary, as: UTF8.self))--\"")
        }
        return result
    }

    /// `i` minus one line break (CRLF, LF or CR) ending just before it, never below `floor`.
    static func dropLineBreak(_ b: UnsafeBufferPointer<UInt8>, before i: Int, notBefore floor: Int) -> Int {
        guard i > floor else { return floor }
        if b[i - 1] == ASCII.lf {
            return i - 2 >= floor && b[i - 2] == ASCII.cr ? i - 2 : i - 1
        }
        if b[i - 1] == ASCII.cr { return i - 1 }
        return i
    }
}

private let contentPrefix = Array(ascii: "content-")
private let contentTypeName = Array(ascii: "content-type")
private let dispositionName = Array(ascii: "content-disposition")
private let cteName = Array(ascii: "content-transfer-encoding")
