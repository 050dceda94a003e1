import Crypto

/// The one entry point: message bytes in, `ParsedMessage` out. Never traps, never throws; what it repairs or
/// gives up on is in `diagnostics`.
public enum MessageParser {
    public struct Limits: Sendable {
        /// Nesting of multiparts and embedded messages.
        public var maxDepth: Int
        /// Entities in the tree (the message counts as one).
        public var maxParts: Int
        /// Header fields kept per header block.
        public var maxHeaderFields: Int
        /// Decoded bytes of one text part handed to link extraction.
        public var maxTextBytes: Int
        /// Decoded bytes kept of one attachment (its size and hash always cover all of it).
        public var maxPayloadBytes: Int
        /// Decoded bytes kept for the whole message: text and attachment payloads.
        public var maxDecodedBytes: Int
        /// uuencoded blocks taken from one text part.
        public var maxUUBlocks: Int
        /// Diagnostics kept per message.
        public var maxDiagnostics: Int

        public init(
            maxDepth: Int = 64, maxParts: Int = 1_000, maxHeaderFields: Int = 10_000, maxTextBytes: Int = 4 << 20,
            maxPayloadBytes: Int = 16 << 20, maxDecodedBytes: Int = 64 << 20, maxUUBlocks: Int = 16,
            maxDiagnostics: Int = 100
        ) {
            self.maxDepth = maxDepth
            self.maxParts = maxParts
            self.maxHeaderFields = maxHeaderFields
            self.maxTextBytes = maxTextBytes
            self.maxPayloadBytes = maxPayloadBytes
            self.maxDecodedBytes = maxDecodedBytes
            self.maxUUBlocks = maxUUBlocks
            self.maxDiagnostics = maxDiagnostics
        }
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) -> ParsedMessage {
        bytes.withUnsafeBufferPointer { b in
            var state = State(b: b, limits: limits)
            return state.run(bytes)
        }
    }

    private struct State {
        let b: UnsafeBufferPointer<UInt8>
        let limits: Limits
        var diagnostics: [MailDiagnostic] = []
        var retained = 0
        var budgetReported = false

        init(b: UnsafeBufferPointer<UInt8>, limits: Limits) {
            self.b = b
            self.limits = limits
        }

        mutating func note(_ s: MailDiagnostic.Severity, _ code: String, _ message: String) {
            if diagnostics.count < limits.maxDiagnostics {
                diagnostics.append(MailDiagnostic(s, code, message))
            }
        }

        mutating func run(_ bytes: [UInt8]) -> ParsedMessage {
            let headers = HeaderBlock(parsing: b, limits: HeaderBlock.Limits(maxFields: limits.maxHeaderFields))
            if headers.droppedFields > 0 {
                note(
                    .error, "header.field-limit",
                    "\(headers.droppedFields) header fields beyond \(limits.maxHeaderFields) were not read")
            }
            if !headers.leadingSkip.isEmpty {
                leadingLines(headers)
            }
            if !headers.hasSeparator && headers.bodyStart < b.count {
                note(
                    .info, "header.no-separator",
                    "no blank line after the header block; the body starts at the first line that is not a field")
            }
            var tree = MIMETree(bytes: b, limits: limits)
            tree.parseMessage(headers: headers)
            for d in tree.diagnostics { note(d.severity, d.code, d.message) }
            let parts = tree.parts

            // The charset for raw 8-bit header bytes: the message's own, when it declares one.
            var fallback: Charset? = nil
            for p in parts where p.kind == .leaf || p.parent == nil {
                if let label = p.charset {
                    let cs = Charset.resolve(Array(label.utf8))
                    if cs.kind != .utf8 && cs.kind != .ascii && cs.kind != .unknown {
                        fallback = cs
                        break
                    }
                }
            }

            var message = ParsedMessage(
                bytes: bytes, headers: headers, subject: nil, from: nil, to: [], dateUTC: nil, messageID: nil,
                parts: parts, textBodies: [], attachments: [], headerCharset: nil, diagnostics: [])

            var rawCharsetUsed: String? = nil
            if let f = headers.first("subject", in: b) {
                let (s, report) = HeaderText.decode(UnsafeBufferPointer(rebasing: b[f.value]), fallback: fallback)
                message.subject = s
                headerReport(report, field: "Subject")
                rawCharsetUsed = rawCharsetUsed ?? report.raw8BitCharset ?? report.raw7BitCharset
            }
            if let f = headers.first("from", in: b) {
                let list = AddressParser.parse(UnsafeBufferPointer(rebasing: b[f.value]), fallback: fallback)
                message.from = list.first
                if list.isEmpty && !f.value.isEmpty {
                    note(.warning, "header.address", "no address could be read from the From field")
                }
            }
            for f in headers.all("to", in: b) {
                message.to.append(
                    contentsOf: AddressParser.parse(UnsafeBufferPointer(rebasing: b[f.value]), fallback: fallback))
            }
            if let f = headers.first("date", in: b) {
                message.dateUTC = MailDate.iso8601UTC(UnsafeBufferPointer(rebasing: b[f.value]))
                if message.dateUTC == nil {
                    note(.warning, "header.date", "the Date field could not be read: \(preview(f.value))")
                }
            }
            if let f = headers.first("message-id", in: b) {
                message.messageID = MessageParser.messageID(f.unfoldedValue(in: b))
            }
            message.headerCharset = rawCharsetUsed

            for (index, part) in parts.enumerated() {
                switch part.kind {
                case .multipart: continue
                case .message:
                    addAttachment(part, index: index, source: .embeddedMessage, decoded: nil, into: &message)
                case .leaf:
                    if part.contentType.value == "message/external-body" {
                        externalBody(part)
                    } else {
                        leaf(part, index: index, into: &message)
                    }
                }
            }
            message.diagnostics = diagnostics
            return message
        }

        /// What was skipped before the header block: how much, and the first line as the file has it.
        mutating func leadingLines(_ headers: HeaderBlock) {
            let skip = headers.leadingSkip
            let n = headers.leadingLines
            let lines = "\(n) line\(n == 1 ? "" : "s") (\(skip.count) bytes)"
            if b[skip].allSatisfy({ ASCII.isWhitespace($0) }) {
                note(.info, "header.leading-lines", "\(lines) of blanks before the header block were skipped")
            } else {
                let first = LeadingLines.describeLine(b, in: skip)
                note(
                    .info, "header.leading-lines",
                    "\(lines) before the header block were skipped, the first: \"\(first)\"")
            }
        }

        mutating func headerReport(_ r: HeaderText.Report, field: String) {
            if r.malformedWords > 0 {
                note(
                    .warning, "header.encoded-word",
                    "\(field): \(r.malformedWords) malformed encoded word(s) decoded as far as they go")
            }
            for cs in r.unknownCharsets {
                note(
                    .warning, "header.unknown-charset",
                    "\(field): unknown charset \"\(cs)\" in an encoded word, read as UTF-8 or windows-1252")
            }
            if r.invalidBytes > 0 {
                note(
                    .info, "header.invalid-bytes",
                    "\(field): \(r.invalidBytes) byte(s) invalid in their charset replaced by U+FFFD")
            }
            if let cs = r.raw8BitCharset, cs != "utf-8" {
                note(.info, "header.8bit", "\(field): raw 8-bit bytes read as \(cs)")
            }
            if let cs = r.raw7BitCharset {
                note(.info, "header.raw-charset", "\(field): \(cs) text without encoded words decoded")
            }
        }

        func preview(_ r: Range<Int>) -> String {
            let slice = b[r.lowerBound..<min(r.upperBound, r.lowerBound + 80)]
            return String(decoding: slice.map { $0 < 0x20 || $0 == 0x7F ? ASCII.space : $0 }, as: UTF8.self)
        }

        /// A `message/external-body` part (RFC 2046 section 5.2.3) holds no content: its body is the header of a
        /// file kept elsewhere (an FTP site, a URL, a mail server). It is not an attachment, so it has no size or
        /// hash to store; where the content lives is said in an info.
        mutating func externalBody(_ part: MIMEPart) {
            let ct = part.contentType
            var said: [String] = []
            for key in ["access-type", "url", "site", "directory", "name", "server"] {
                if let v = ct.parameter(key), !v.isEmpty { said.append("\(key)=\(Self.shown(v))") }
            }
            if let name = part.filename, ct.parameter("name") == nil { said.append("filename=\(Self.shown(name))") }
            note(
                .info, "mime.external-body",
                "part \(part.path): message/external-body refers to content outside the message"
                    + (said.isEmpty ? "" : " (" + said.joined(separator: ", ") + ")") + "; not an attachment")
        }

        /// A parameter value for a diagnostic: at most 80 characters, control and bidirectional characters escaped.
        static func shown(_ v: String) -> String {
            let head = v.unicodeScalars.prefix(80)
            var out = FileName(String(String.UnicodeScalarView(head))).display
            if v.unicodeScalars.count > 80 { out += "…" }
            return out
        }

        /// Handles a part with content: text for link extraction, attachment description, uuencoded blocks.
        mutating func leaf(_ part: MIMEPart, index: Int, into message: inout ParsedMessage) {
            let type = part.contentType.value
            let filename = part.filename
            let disposition = part.dispositionType
            let named = filename != nil && !(filename?.isEmpty ?? true)
            let lowerName = filename?.lowercased() ?? ""
            let htmlFile =
                lowerName.hasSuffix(".html") || lowerName.hasSuffix(".htm") || lowerName.hasSuffix(".xhtml")
                || lowerName.hasSuffix(".shtml")
            let isHTML =
                type == "text/html" || (htmlFile && (type.hasPrefix("text/") || type.hasPrefix("application/")))
            let isPlain = type == "text/plain" && !htmlFile
            let fromAttachment = disposition == "attachment" || named
            let attachmentLike = disposition == "attachment" || filename != nil || !Self.isBodyType(type)

            var decoded: [UInt8]? = nil
            if isHTML || isPlain {
                let raw = decode(part)
                decoded = raw
                var text = raw
                var truncated = false
                if text.count > limits.maxTextBytes {
                    text = Array(raw[..<limits.maxTextBytes])
                    truncated = true
                    note(
                        .warning, "mime.text-size-limit",
                        "part \(part.path): text longer than \(limits.maxTextBytes) bytes was cut for link extraction")
                }
                // uuencoded blocks in plain text are attachments, not text.
                if isPlain, !fromAttachment {
                    text = uuencoded(in: text, part: part, index: index, into: &message)
                    text = binHexBlocks(in: text, part: part, index: index, into: &message)
                }
                var label = part.charset
                if label == nil && isHTML { label = Self.sniffHTMLCharset(text) }
                let charset = label.map { Charset.resolve(Array($0.utf8)) } ?? .ascii
                var utf8: [UInt8] = []
                utf8.reserveCapacity(text.count)
                let outcome = text.withUnsafeBufferPointer { CharsetDecoder.decode($0, charset: charset, into: &utf8) }
                charsetReport(outcome, label: label, part: part)
                if take(utf8.count) {
                    message.textBodies.append(
                        TextBody(
                            partPath: part.path, partIndex: index, isHTML: isHTML, fromAttachment: fromAttachment,
                            utf8: utf8, charset: outcome.used, truncated: truncated))
                } else {
                    message.textBodies.append(
                        TextBody(
                            partPath: part.path, partIndex: index, isHTML: isHTML, fromAttachment: fromAttachment,
                            utf8: [], charset: outcome.used, truncated: true))
                }
            }
            if attachmentLike {
                if Self.isBinHexType(type), let file = binHex(decoded ?? decode(part), part: part) {
                    // The file the part carries: its data fork under the name of its header.
                    message.attachments.append(
                        describe(
                            file.data, path: part.path, index: index, source: .part,
                            filename: Self.binHexName(file) ?? filename, declaredType: type, disposition: disposition))
                } else {
                    addAttachment(part, index: index, source: .part, decoded: decoded, into: &message)
                }
            }
        }

        static func isBinHexType(_ type: String) -> Bool {
            type == "application/mac-binhex40" || type == "application/x-mac-binhex40"
                || type == "application/binhex40" || type == "application/x-binhex40"
                || type == "application/mac-binhex" || type == "application/binhex"
        }

        /// The BinHex file in `bytes`, with a diagnostic for each repair; nil when there is none.
        mutating func binHex(_ bytes: [UInt8], part: MIMEPart) -> BinHex.File? {
            // At most one payload's worth, within what the message may still keep: run-length encoding expands
            // 3 bytes to 255, so a bomb stops here, not after its declared 4 GB.
            let room = max(0, min(limits.maxPayloadBytes, limits.maxDecodedBytes - retained))
            guard let file = bytes.withUnsafeBufferPointer({ BinHex.decode($0, maxDataBytes: room) }) else {
                return nil
            }
            let r = file.report
            var what: [String] = []
            if r.truncated { what.append("the encoded text ends inside the data fork") }
            if r.limited { what.append("the data fork beyond \(room) bytes was not decoded") }
            if r.headerCRCMismatch { what.append("header CRC mismatch") }
            if r.dataCRCMismatch && !r.truncated { what.append("data fork CRC mismatch") }
            if !what.isEmpty {
                note(.warning, "encoding.binhex", "part \(part.path): BinHex: " + what.joined(separator: ", "))
            }
            if r.invalidCharacters > 0 {
                note(
                    .info, "encoding.binhex",
                    "part \(part.path): BinHex: \(r.invalidCharacters) character(s) outside its alphabet skipped")
            }
            return file
        }

        /// The file name of a BinHex header (Mac Roman), nil when empty.
        static func binHexName(_ file: BinHex.File) -> String? {
            let name = CharsetDecoder.string(file.name, charset: macRoman).0
            return name.isEmpty ? nil : name
        }

        static let macRoman = Charset.resolve("macintosh")

        /// Types that are message text or report metadata, not attachments, when they carry no name.
        static func isBodyType(_ type: String) -> Bool {
            switch type {
            case "text/plain", "text/html", "text/enriched", "text/richtext", "text/rfc822-headers",
                "message/delivery-status", "message/disposition-notification", "message/feedback-report",
                "text/x-amp-html", "text/watch-html":
                return true
            default:
                return type.hasPrefix("multipart/")
            }
        }

        mutating func charsetReport(_ o: CharsetDecoder.Outcome, label: String?, part: MIMEPart) {
            if o.unknownLabel {
                note(
                    .warning, "charset.unknown",
                    "part \(part.path): unknown charset \"\(label ?? "")\", read as \(o.used)")
            } else if o.mislabeled {
                note(
                    .info, "charset.mislabeled",
                    "part \(part.path): text labeled \"\(label ?? "us-ascii")\" read as \(o.used)")
            }
            if o.invalidBytes > 0 {
                note(
                    .info, "charset.invalid-bytes",
                    "part \(part.path): \(o.invalidBytes) byte(s) invalid in \(o.used) replaced by U+FFFD")
            }
        }

        /// The transfer-decoded body of a part, with a diagnostic for each repair.
        mutating func decode(_ part: MIMEPart) -> [UInt8] {
            let body = UnsafeBufferPointer(rebasing: b[part.bodyRange])
            let (bytes, r) = TransferDecoder.decode(body, part.transferEncoding)
            if !r.isClean {
                switch part.transferEncoding {
                case .base64:
                    var what: [String] = []
                    if r.invalidBytes > 0 { what.append("\(r.invalidBytes) invalid character(s) skipped") }
                    if r.danglingCharacters > 0 { what.append("a lone final character dropped") }
                    if r.missingPadding { what.append("missing padding supplied") }
                    if r.trailingBytes > 0 { what.append("\(r.trailingBytes) byte(s) after the padding ignored") }
                    note(
                        r.invalidBytes > 0 || r.danglingCharacters > 0 ? .warning : .info, "encoding.base64",
                        "part \(part.path): \(what.joined(separator: ", "))")
                case .quotedPrintable:
                    note(
                        .info, "encoding.quoted-printable",
                        "part \(part.path): \(r.brokenEscapes) broken escape(s) kept as written")
                case .uuencode:
                    uuencodeReport(r, terminated: !r.truncated, part: part)
                default: break
                }
            }
            return bytes
        }

        /// uuencoded data without its `end` line (a warning), or with lines shorter than their length character
        /// says (an info: senders and relays strip the trailing blanks that encode zero bits; they are read so).
        mutating func uuencodeReport(_ r: DecodeReport, terminated: Bool, part: MIMEPart) {
            if !terminated {
                note(.warning, "encoding.uuencode", "part \(part.path): uuencoded data without its end line")
            }
            if r.invalidBytes > 0 {
                note(
                    .info, "encoding.uuencode",
                    "part \(part.path): \(r.invalidBytes) uuencoded group(s) cut short (trailing blanks lost?), "
                        + "read as zero bits")
            }
        }

        /// Accounts retained bytes against `maxDecodedBytes`; false (and one diagnostic) when they do not fit.
        mutating func take(_ n: Int) -> Bool {
            if retained <= limits.maxDecodedBytes - n {
                retained += n
                return true
            }
            if !budgetReported {
                note(
                    .error, "mime.decoded-size-limit",
                    "decoded content beyond \(limits.maxDecodedBytes) bytes is hashed but not kept")
                budgetReported = true
            }
            return false
        }

        mutating func addAttachment(
            _ part: MIMEPart, index: Int, source: MIMEAttachment.Source, decoded: [UInt8]?,
            into message: inout ParsedMessage
        ) {
            let bytes: [UInt8]
            if let d = decoded {
                bytes = d
            } else if source == .embeddedMessage {
                // An attached message's own parts are read from the tree; as an attachment it needs its size, its
                // hash and a head to recognise its type. A copy of the whole at every level of a chain of attached
                // messages held depth × size (58 MB for a 0.9 MB message nested 64 deep).
                let range = part.bodyRange
                let head = Array(b[range.lowerBound..<min(range.upperBound, range.lowerBound + Self.embeddedHeadBytes)])
                var a = describe(
                    head, path: part.path, index: index, source: source, filename: part.filename,
                    declaredType: part.contentType.value, disposition: part.dispositionType)
                if head.count < range.count {
                    a.size = range.count
                    a.sha256 = Self.sha256Hex(UnsafeBufferPointer(rebasing: b[range]))
                }
                message.attachments.append(a)
                return
            } else {
                bytes = decode(part)
            }
            message.attachments.append(
                describe(
                    bytes, path: part.path, index: index, source: source, filename: part.filename,
                    declaredType: part.contentType.value, disposition: part.dispositionType))
        }

        mutating func describe(
            _ bytes: [UInt8], path: String, index: Int, source: MIMEAttachment.Source, filename: String?,
            declaredType: String?, disposition: String?
        ) -> MIMEAttachment {
            var payload = bytes
            var truncated = false
            if payload.count > limits.maxPayloadBytes {
                // A fresh array of the kept size: cutting a copy in place would keep the whole copy's memory
                // (an attachment chain of 40 MB messages held 300 MB for 64 MiB of payloads).
                payload = Array(bytes[..<limits.maxPayloadBytes])
                truncated = true
                note(
                    .warning, "mime.payload-size-limit",
                    "part \(path): only the first \(limits.maxPayloadBytes) decoded bytes are kept")
            }
            if !take(payload.count) {
                payload = []
                truncated = true
            }
            return MIMEAttachment(
                partPath: path, partIndex: index, source: source, filename: filename, declaredType: declaredType,
                disposition: disposition, size: bytes.count, sha256: Self.sha256Hex(bytes), payload: payload,
                payloadTruncated: truncated)
        }

        /// Takes uuencoded blocks out of a text and records them as attachments; returns the text without them.
        mutating func uuencoded(in text: [UInt8], part: MIMEPart, index: Int, into message: inout ParsedMessage)
            -> [UInt8]
        {
            let blocks = text.withUnsafeBufferPointer { UUEncode.findBlocks(in: $0, limit: limits.maxUUBlocks) }
            guard !blocks.isEmpty else { return text }
            var rest: [UInt8] = []
            var cursor = 0
            for block in blocks {
                let (bytes, report) = text.withUnsafeBufferPointer {
                    UUEncode.decodeLines(UnsafeBufferPointer(rebasing: $0[block.dataRange]))
                }
                // `dataRange` stops before the `end` line, so `report.truncated` is always set: whether the block
                // ended is `block.terminated`.
                uuencodeReport(report, terminated: block.terminated, part: part)
                let name = CharsetDecoder.string(block.name, charset: .utf8).0
                message.attachments.append(
                    describe(
                        bytes, path: part.path, index: index, source: .uuencoded, filename: name, declaredType: nil,
                        disposition: nil))
                rest.append(contentsOf: text[cursor..<block.range.lowerBound])
                cursor = block.range.upperBound
            }
            rest.append(contentsOf: text[cursor...])
            return rest
        }

        /// Takes BinHex blocks out of a text and records their data forks as attachments; returns the text without
        /// them. uuencoded and BinHex blocks share `maxUUBlocks`.
        mutating func binHexBlocks(in text: [UInt8], part: MIMEPart, index: Int, into message: inout ParsedMessage)
            -> [UInt8]
        {
            let taken = message.attachments.count { $0.partIndex == index && $0.source == .uuencoded }
            let blocks = text.withUnsafeBufferPointer {
                BinHex.findBlocks(in: $0, limit: max(0, limits.maxUUBlocks - taken))
            }
            guard !blocks.isEmpty else { return text }
            var rest: [UInt8] = []
            var cursor = 0
            for block in blocks {
                // A block whose header cannot be read stays text.
                guard let file = binHex(Array(text[block.range]), part: part) else { continue }
                message.attachments.append(
                    describe(
                        file.data, path: part.path, index: index, source: .binhex, filename: Self.binHexName(file),
                        declaredType: nil, disposition: nil))
                rest.append(contentsOf: text[cursor..<block.range.lowerBound])
                cursor = block.range.upperBound
            }
            rest.append(contentsOf: text[cursor...])
            return rest
        }

        /// Bytes of an attached message kept as its payload (its type is told by its head).
        static let embeddedHeadBytes = 64 << 10

        static func sha256Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            hex(SHA256.hash(data: UnsafeRawBufferPointer(bytes)))
        }

        static func sha256Hex(_ bytes: [UInt8]) -> String {
            hex(SHA256.hash(data: bytes))
        }

        static func hex(_ digest: SHA256.Digest) -> String {
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(64)
            for byte in digest {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="text/html; charset=…">` in the first
        /// 2 KB of an HTML text without a charset parameter.
        static func sniffHTMLCharset(_ text: [UInt8]) -> String? {
            let n = min(text.count, 2048)
            let key = Array(ascii: "charset")
            var i = 0
            while i + key.count < n {
                if ASCII.lower(text[i]) == 0x63, text[i..<(i + key.count)].equalsLowercasedASCII(key) {
                    var j = i + key.count
                    while j < n && ASCII.isWhitespace(text[j]) { j += 1 }
                    if j < n && text[j] == ASCII.equals {
                        j += 1
                        while j < n && (ASCII.isWhitespace(text[j]) || text[j] == ASCII.quote || text[j] == 0x27) {
                            j += 1
                        }
                        let start = j
                        while j < n
                            && (ASCII.isAlphaNumeric(text[j]) || text[j] == ASCII.hyphen || text[j] == 0x5F
                                || text[j] == ASCII.dot || text[j] == ASCII.colon)
                        {
                            j += 1
                        }
                        if j > start && j - start <= 40 { return String(decoding: text[start..<j], as: UTF8.self) }
                    }
                }
                i += 1
            }
            return nil
        }
    }

    /// `<id@host>` from a Message-ID value: the first bracketed id (blanks just inside the brackets removed), else the trimmed value.
    static func messageID(_ v: [UInt8]) -> String? {
        var s = v[...]
        while let f = s.first, ASCII.isWhitespace(f) { s.removeFirst() }
        while let l = s.last, ASCII.isWhitespace(l) { s.removeLast() }
        guard !s.isEmpty else { return nil }
        if let open = s.firstIndex(of: ASCII.openAngle), let close = s[open...].firstIndex(of: ASCII.closeAngle) {
            var inner = s[(open + 1)..<close]
            while let f = inner.first, ASCII.isWhitespace(f) { inner.removeFirst() }
            while let l = inner.last, ASCII.isWhitespace(l) { inner.removeLast() }
            return "<" + String(decoding: inner, as: UTF8.self) + ">"
        }
        return String(decoding: s, as: UTF8.self)
    }
}
