import Foundation
import MailCore
import TestSupport
import Testing

/// Decoding measured against Python 3.11's `email` package (`policy=default`) on the development corpus
/// (`labels/dev.jsonl`). The thresholds are the issue's: the Subject equal for ≥ 99% of the messages whose Subject
/// Python decodes without defects, the attachment set equal for ≥ 98% of all messages, and per source of at least
/// 50 messages ≥ 99% of the messages with attachments equal or differing by one of Python's recognised mistakes
/// (`ReferenceMistake`). docs/decoding.md lists every class of disagreement, with a table per source.
///
/// Set `MAILATLAS_CONFORMANCE_REPORT=/path/file` to write every disagreement there.
@Suite(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
struct DecodingConformanceTests {
    struct Row {
        var src: String
        var bytes: [UInt8]
        var json: [String: Any]
    }

    static func rows() throws -> [Row] {
        try Corpus.jsonLines("dev.jsonl").compactMap { json in
            guard let src = json["src"] as? String, let bytes = Corpus.messageBytes(src: src) else { return nil }
            return Row(src: src, bytes: bytes, json: json)
        }
    }

    static func report(_ name: String, _ lines: [String]) {
        guard let path = ProcessInfo.processInfo.environment["MAILATLAS_CONFORMANCE_REPORT"] else { return }
        let text = "## \(name)\n" + lines.joined(separator: "\n") + "\n"
        if let h = FileHandle(forWritingAtPath: path) {
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            h.closeFile()
        } else {
            FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
    }

    /// Rows whose file begins with lines before the header block (a log line the saving program wrote, blank
    /// lines): Python's parser takes those lines for the headers' end and reads no header block, mailatlas skips
    /// them (`HeaderBlock.leadingSkip`). Left out of the header comparisons, counted in the report.
    static func pythonReadsNoHeaders(_ parsed: ParsedMessage) -> Bool { !parsed.headers.leadingSkip.isEmpty }

    /// Whether Python reads this Subject without defects, judged from the raw bytes the way Python's parser
    /// would: the value is 7-bit (8-bit bytes are an `UndecodableBytesDefect`), has no control characters
    /// (`NonPrintableDefect`), and every `=?` starts a well-formed encoded word (`=?charset?b|q?text?=`, text
    /// without `?` or blanks; base64 text of a valid length and alphabet) whose charset Python knows and whose
    /// bytes are valid in it. Python's own verdict (its defect list) agrees on this corpus: see docs/decoding.md.
    static func pythonDecodesCleanly(_ raw: ArraySlice<UInt8>) -> Bool {
        let u = raw.filter { $0 != 0x0D && $0 != 0x0A }
        for c in u where c >= 0x80 || (c < 0x20 && c != 0x09) || c == 0x7F { return false }
        var i = 0
        while i + 1 < u.count {
            guard u[i] == 0x3D, u[i + 1] == 0x3F else {
                i += 1
                continue
            }
            // charset ? enc ? text ?=
            let parts = u[(i + 2)...].split(separator: 0x3F, maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, let last = parts.last, last.first == 0x3D else { return false }
            let charset = String(decoding: parts[0], as: UTF8.self).lowercased()
            let enc = String(decoding: parts[1], as: UTF8.self).lowercased()
            let text = parts[2]
            guard enc == "b" || enc == "q", !charset.isEmpty, !text.contains(0x20), !text.contains(0x09) else {
                return false
            }
            var bytes: [UInt8]
            if enc == "b" {
                let stripped = String(decoding: text, as: UTF8.self)
                guard stripped.count % 4 == 0, let data = Data(base64Encoded: stripped) else { return false }
                bytes = [UInt8](data)
            } else {
                bytes = []
                var k = text.startIndex
                while k < text.endIndex {
                    if text[k] == 0x5F {
                        bytes.append(0x20)
                    } else if text[k] == 0x3D, k + 2 < text.endIndex,
                        let v = UInt8(String(decoding: text[(k + 1)...(k + 2)], as: UTF8.self), radix: 16)
                    {
                        bytes.append(v)
                        k += 2
                    } else {
                        bytes.append(text[k])
                    }
                    k += 1
                }
            }
            guard pythonDecodes(bytes, charset: charset) else { return false }
            i = last.startIndex + 1
        }
        return true
    }

    /// Python's codecs for the labels seen in mail, approximated by Foundation's strict decoders.
    static func pythonDecodes(_ bytes: [UInt8], charset: String) -> Bool {
        let enc: String.Encoding
        switch charset {
        case "utf-8", "utf8": enc = .utf8
        case "us-ascii", "ascii": enc = .ascii
        case "iso-8859-1", "latin1", "latin-1": return true
        default:
            // Single-byte charsets Python knows decode every byte but a few unassigned ones; the multi-byte ones
            // are checked by our own strict decoder chain's first member below.
            let cs = Charset.resolve(charset)
            switch cs.kind {
            case .unknown: return false
            case .utf8: enc = .utf8
            case .ascii: enc = .ascii
            case .windows1252: return !bytes.contains { [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }
            case .iconv:
                let known = [
                    "windows-1250", "windows-1251", "windows-1253", "windows-1254", "windows-1255", "windows-1256",
                    "windows-1257", "windows-1258", "koi8-r", "koi8-u", "iso-8859-2", "iso-8859-3", "iso-8859-4",
                    "iso-8859-5", "iso-8859-6", "iso-8859-7", "iso-8859-8", "iso-8859-9", "iso-8859-10",
                    "iso-8859-13", "iso-8859-14", "iso-8859-15", "iso-8859-16", "gb2312", "gbk", "gb18030", "big5",
                    "euc-kr", "windows-949", "shift_jis", "windows-31j", "euc-jp", "iso-2022-jp", "iso-2022-jp-2",
                    "utf-16", "utf-16le", "utf-16be", "utf-7", "iso-2022-kr",
                ]
                guard known.contains(cs.name) else { return false }
                let (_, outcome) = CharsetDecoder.string(bytes, charset: cs)
                return outcome.invalidBytes == 0 && !outcome.mislabeled && !outcome.unknownLabel
            }
        }
        return String(bytes: bytes, encoding: enc) != nil
    }

    @Test func subjectMatchesPython() throws {
        var compared = 0
        var equal = 0
        var mismatches: [String] = []
        var excluded: [String] = []
        var excludedSources: [String] = []
        for row in try Self.rows() {
            let parsed = MessageParser.parse(row.bytes)
            let expected = row.json["py_subject"] as? String
            if Self.pythonReadsNoHeaders(parsed) {
                excludedSources.append(row.src)
                continue
            }
            if let raw = parsed.rawHeader("subject"), !Self.pythonDecodesCleanly(raw) {
                excludedSources.append(row.src)
                if parsed.subject != expected {
                    excluded.append(
                        "\(row.src)\n  python: \(expected.debugDescription)\n  ours:   \(parsed.subject.debugDescription)"
                    )
                }
                continue
            }
            compared += 1
            if parsed.subject == expected {
                equal += 1
            } else {
                mismatches.append(
                    "\(row.src)\n  python: \(expected.debugDescription)\n  ours:   \(parsed.subject.debugDescription)")
            }
        }
        Self.report("subject (\(equal)/\(compared))", mismatches)
        Self.report("subject, rows Python decodes with defects, where we differ (\(excluded.count))", excluded)
        Self.report("subject, rows left out (\(excludedSources.count))", excludedSources)
        let ratio = Double(equal) / Double(max(compared, 1))
        #expect(compared > 5000)
        #expect(ratio >= 0.99, "subject agreement \(equal)/\(compared); first: \(mismatches.prefix(5))")
    }

    /// The Date in UTC against Python's `py_date` (Python takes a missing or unknown zone as UTC, as we do).
    @Test func dateMatchesPython() throws {
        var leftOut = 0
        var compared = 0
        var equal = 0
        var mismatches: [String] = []
        for row in try Self.rows() {
            let parsed = MessageParser.parse(row.bytes)
            let expected = row.json["py_date"] as? String
            if Self.pythonReadsNoHeaders(parsed) {
                leftOut += 1
                continue
            }
            compared += 1
            if parsed.dateUTC == expected {
                equal += 1
            } else {
                let raw = parsed.rawHeader("date").map { String(decoding: $0, as: UTF8.self) }
                mismatches.append(
                    "\(row.src)\n  raw: \(raw.debugDescription)\n  python: \(expected.debugDescription)\n  ours:   \(parsed.dateUTC.debugDescription)"
                )
            }
        }
        Self.report("date (\(equal)/\(compared); \(leftOut) rows with lines before the headers left out)", mismatches)
        #expect(Double(equal) / Double(max(compared, 1)) >= 0.99, "date agreement \(equal)/\(compared)")
    }

    /// The Message-ID against Python's `py_message_id` (which keeps comments and blanks Python's parser leaves).
    @Test func messageIDMatchesPython() throws {
        var leftOut = 0
        var compared = 0
        var equal = 0
        var mismatches: [String] = []
        for row in try Self.rows() {
            let parsed = MessageParser.parse(row.bytes)
            let expected = row.json["py_message_id"] as? String
            if Self.pythonReadsNoHeaders(parsed) {
                leftOut += 1
                continue
            }
            compared += 1
            if parsed.messageID == expected {
                equal += 1
            } else {
                mismatches.append(
                    "\(row.src)\n  python: \(expected.debugDescription)\n  ours:   \(parsed.messageID.debugDescription)"
                )
            }
        }
        Self.report(
            "message-id (\(equal)/\(compared); \(leftOut) rows with lines before the headers left out)", mismatches)
        #expect(Double(equal) / Double(max(compared, 1)) >= 0.99, "message-id agreement \(equal)/\(compared)")
    }

    /// One attachment as compared: filename, content type, size, sha256.
    struct Key: Hashable, CustomStringConvertible {
        var filename: String?
        var type: String
        var size: Int
        var sha256: String
        var description: String { "(\(filename.debugDescription), \(type), \(size), \(sha256.prefix(12)))" }
    }

    /// Python's known mistakes on attachments, each recognised from what the message says (never from its source
    /// or file name). A differing message whose shape is one of these is counted as the reference's mistake in the
    /// per-source bars; docs/decoding.md shows each class with the evidence.
    enum ReferenceMistake: String, CaseIterable {
        /// Lines before the header block (a tool's log line): Python reads no header, so no MIME structure.
        case noHeaderBlock = "no header block"
        /// `Content-Transfer-Encoding: base64 ` (trailing blank) or another spelling Python does not compare
        /// equal to `base64`/`quoted-printable`: it returns the encoded text as the payload.
        case transferEncodingSpelling = "transfer encoding not decoded"
        /// base64 with one data character more than a multiple of 4: Python returns the encoded text.
        case loneBase64Character = "lone base64 character"
        /// A file name in raw 8-bit bytes: Python replaces them with U+FFFD.
        case rawEightBitName = "raw 8-bit file name"
        /// An unquoted `name`/`filename`/`boundary` value holding blanks, `=` or `?` (an encoded word): Python's
        /// header parser stops at the first such character (no name, a cut name, no parts).
        case unquotedParameter = "unquoted parameter with specials"
    }

    static func referenceMistakes(_ parsed: ParsedMessage, expected: [Key]) -> Set<ReferenceMistake> {
        var found: Set<ReferenceMistake> = []
        if pythonReadsNoHeaders(parsed) { found.insert(.noHeaderBlock) }
        if parsed.diagnostics.contains(where: { $0.code == "encoding.base64" && $0.message.contains("lone final") }) {
            found.insert(.loneBase64Character)
        }
        if expected.contains(where: { $0.filename?.contains("\u{FFFD}") == true }) { found.insert(.rawEightBitName) }
        parsed.bytes.withUnsafeBufferPointer { b in
            for part in parsed.parts {
                for f in part.headers.fields {
                    let name = f.nameString(in: b).lowercased()
                    let value = f.unfoldedValue(in: b)
                    if name == "content-transfer-encoding" {
                        // As Python compares it: trailing blanks kept, line breaks dropped.
                        let raw = b[f.value].filter { $0 != 0x0D && $0 != 0x0A }
                        let label = String(decoding: raw, as: UTF8.self).lowercased()
                        let decoded = part.transferEncoding == .base64 || part.transferEncoding == .quotedPrintable
                        if decoded && label != part.transferEncoding.name { found.insert(.transferEncodingSpelling) }
                    } else if name == "content-type" || name == "content-disposition" {
                        if unquotedSpecials(value) { found.insert(.unquotedParameter) }
                    }
                }
            }
        }
        return found
    }

    /// Whether a `name`, `filename` or `boundary` parameter has an unquoted value with a blank, `=` or `?` in it.
    static func unquotedSpecials(_ value: [UInt8]) -> Bool {
        let text = String(decoding: value, as: UTF8.self)
        for param in text.split(separator: ";").dropFirst() {
            guard let eq = param.firstIndex(of: "=") else { continue }
            let key = param[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            guard ["name", "filename", "boundary"].contains(key) else { continue }
            let v = param[param.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if v.hasPrefix("\"") { continue }
            if v.contains(where: { $0 == " " || $0 == "\t" || $0 == "=" || $0 == "?" }) { return true }
        }
        return false
    }

    /// Python's attachments without its containers (multipart and message parts, which it describes without
    /// size or hash) against ours without embedded messages and uuencoded blocks (which Python does not see)
    /// and without nameless inline parts (which Python does not list).
    ///
    /// Per source with at least 50 messages, over the messages where either side has an attachment: agreement
    /// plus the reference's recognised mistakes ≥ 99%. The raw agreement is printed beside it.
    @Test func attachmentsMatchPython() throws {
        var compared = 0
        var equal = 0
        var withAttachments = 0
        var equalWithAttachments = 0
        var mismatches: [String] = []
        var messages: [String: Int] = [:]
        var withAtt: [String: Int] = [:]
        var agree: [String: Int] = [:]
        var explained: [String: Int] = [:]
        var classes: [ReferenceMistake: Int] = [:]
        for row in try Self.rows() {
            let source = String(row.src.prefix(while: { $0 != "/" }))
            messages[source, default: 0] += 1
            let parsed = MessageParser.parse(row.bytes)
            var expected: [Key] = []
            for a in row.json["py_attachments"] as? [[String: Any]] ?? [] where (a["container"] as? Bool) != true {
                guard let type = a["content_type"] as? String, let size = a["size"] as? Int,
                    let sha = a["sha256"] as? String
                else { continue }
                expected.append(Key(filename: a["filename"] as? String, type: type, size: size, sha256: sha))
            }
            var ours: [Key] = []
            for a in parsed.attachments where a.source == .part {
                guard a.filename != nil || a.disposition == "attachment" else { continue }
                // Python parses every message/* part as a container.
                if a.declaredType?.hasPrefix("message/") == true { continue }
                ours.append(Key(filename: a.filename, type: a.declaredType ?? "", size: a.size, sha256: a.sha256))
            }
            compared += 1
            let same = Self.multiset(expected) == Self.multiset(ours)
            if same { equal += 1 }
            if !expected.isEmpty || !ours.isEmpty {
                withAttachments += 1
                withAtt[source, default: 0] += 1
                if same {
                    equalWithAttachments += 1
                    agree[source, default: 0] += 1
                }
            }
            if !same {
                let mistakes = Self.referenceMistakes(parsed, expected: expected)
                if !mistakes.isEmpty { explained[source, default: 0] += 1 }
                for m in mistakes { classes[m, default: 0] += 1 }
                let why =
                    mistakes.isEmpty ? "not classified" : mistakes.map(\.rawValue).sorted().joined(separator: ", ")
                mismatches.append("\(row.src) [\(why)]\n  python: \(expected)\n  ours:   \(ours)")
            }
        }
        var perSource: [String] = []
        for source in messages.keys.sorted() {
            let n = withAtt[source, default: 0]
            let a = agree[source, default: 0]
            let e = explained[source, default: 0]
            perSource.append(
                "\(source): \(messages[source]!) messages, with attachments \(n), equal \(a), reference's mistakes \(e)"
            )
            if messages[source]! >= 50 && n > 0 {
                #expect(
                    Double(a + e) / Double(n) >= 0.99,
                    "\(source): attachments equal \(a)/\(n), \(e) more are the reference's recognised mistakes")
            }
        }
        print("attachments per source:\n  " + perSource.joined(separator: "\n  "))
        print(
            "reference's mistakes: " + classes.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
        )
        Self.report(
            "attachments (\(equal)/\(compared); with attachments \(equalWithAttachments)/\(withAttachments))",
            perSource + mismatches)
        let ratio = Double(equal) / Double(max(compared, 1))
        #expect(compared > 5000)
        #expect(ratio >= 0.98, "attachment agreement \(equal)/\(compared); first: \(mismatches.prefix(5))")
    }

    static func multiset(_ keys: [Key]) -> [Key: Int] {
        var m: [Key: Int] = [:]
        for k in keys { m[k, default: 0] += 1 }
        return m
    }

    /// The whole corpus parses, and every text body is valid UTF-8.
    @Test func wholeCorpusParses() throws {
        var messages = 0
        var parts = 0
        for row in try Self.rows() {
            let parsed = MessageParser.parse(row.bytes)
            messages += 1
            parts += parsed.parts.count
            for t in parsed.textBodies { #expect(String(validating: t.utf8, as: UTF8.self) != nil, "\(row.src)") }
        }
        #expect(messages > 5000)
        #expect(parts >= messages)
    }
}
