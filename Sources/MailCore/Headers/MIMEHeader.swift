/// A structured MIME header: `Content-Type` or `Content-Disposition` with its parameters (RFC 2045, RFC 2183,
/// RFC 2231), read leniently.
///
/// - The value before the first `;` is the type (`text/plain`, lower-cased, blanks and comments removed) or the
///   disposition (`attachment`).
/// - Parameters: `name=token`, `name="quoted \"string\""`, `name*=charset'lang'percent%20encoded`,
///   continuations `name*0=`, `name*1*=` joined in order; comments are skipped; an unquoted value runs to the next
///   `;` (names with blanks are common in spam); a missing closing quote ends the value at the end of the header.
/// - Encoded words inside values are decoded (many clients write `name="=?utf-8?B?…?="`), and 8-bit bytes are UTF-8
///   when valid, else the fallback charset.
/// - When both `name` and `name*` are present, the RFC 2231 form wins.
public struct MIMEHeader: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        /// Lower case, without RFC 2231 `*` and section numbers.
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `type/subtype` or the disposition, lower case; empty when the header had none.
    public var value: String
    public var parameters: [Parameter]
    /// Problems met: malformed RFC 2231 sections, unknown charsets, bad encoded words.
    public var problems: [String]

    public init(value: String, parameters: [Parameter] = [], problems: [String] = []) {
        self.value = value
        self.parameters = parameters
        self.problems = problems
    }

    /// The parameter with this (lower-case) name.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// The media type before the slash (`text`), or the whole value.
    public var mainType: Substring {
        guard let slash = value.firstIndex(of: "/") else { return value[...] }
        return value[..<slash]
    }

    /// The media subtype after the slash (`plain`), or empty.
    public var subType: Substring {
        guard let slash = value.firstIndex(of: "/") else { return "" }
        return value[value.index(after: slash)...]
    }

    /// Parses a raw header value (folded lines allowed).
    public static func parse(_ raw: UnsafeBufferPointer<UInt8>, fallback: Charset? = nil) -> MIMEHeader {
        var u: [UInt8] = []
        u.reserveCapacity(raw.count)
        for c in raw where c != ASCII.cr && c != ASCII.lf { u.append(c) }
        return u.withUnsafeBufferPointer { parseUnfolded($0, fallback: fallback) }
    }

    public static func parse(_ raw: [UInt8], fallback: Charset? = nil) -> MIMEHeader {
        raw.withUnsafeBufferPointer { parse($0, fallback: fallback) }
    }

    /// One raw parameter before RFC 2231 assembly.
    private struct RawParam {
        var name: [UInt8]  // lower case, without "*N" / "*"
        var section: Int?
        var extended: Bool
        var value: [UInt8]
        var quoted: Bool
    }

    static func parseUnfolded(_ u: UnsafeBufferPointer<UInt8>, fallback: Charset?) -> MIMEHeader {
        let n = u.count
        var i = 0
        // The value: every non-blank byte outside comments, up to the first ";".
        var main: [UInt8] = []
        while i < n && u[i] != ASCII.semicolon {
            let c = u[i]
            if c == ASCII.openParen {
                i = skipComment(u, from: i)
                continue
            }
            if !ASCII.isWhitespace(c) && c != ASCII.quote { main.append(ASCII.lower(c)) }
            i += 1
        }
        var header = MIMEHeader(value: String(decoding: main, as: UTF8.self))
        guard i < n else { return header }
        var raws: [RawParam] = []
        while i < n {
            // Skip ";" and blanks and comments.
            while i < n && (u[i] == ASCII.semicolon || ASCII.isWhitespace(u[i])) { i += 1 }
            if i < n && u[i] == ASCII.openParen {
                i = skipComment(u, from: i)
                continue
            }
            guard i < n else { break }
            // The name: up to "=" or ";".
            let nameStart = i
            while i < n && u[i] != ASCII.equals && u[i] != ASCII.semicolon { i += 1 }
            var nameEnd = i
            while nameEnd > nameStart && ASCII.isWhitespace(u[nameEnd - 1]) { nameEnd -= 1 }
            guard i < n, u[i] == ASCII.equals else { continue }  // a bare word: ignored
            i += 1
            while i < n && ASCII.isSpaceOrTab(u[i]) { i += 1 }
            var value: [UInt8] = []
            var quoted = false
            if i < n && u[i] == ASCII.quote {
                quoted = true
                i += 1
                var closed = false
                while i < n {
                    let c = u[i]
                    if c == ASCII.backslash && i + 1 < n {
                        value.append(u[i + 1])
                        i += 2
                        continue
                    }
                    if c == ASCII.quote {
                        closed = true
                        i += 1
                        break
                    }
                    value.append(c)
                    i += 1
                }
                if !closed {
                    header.problems.append("unterminated quoted string")
                    while let last = value.last, ASCII.isWhitespace(last) { value.removeLast() }
                }
                // Anything between the closing quote and the next ";" is ignored.
                while i < n && u[i] != ASCII.semicolon { i += 1 }
            } else {
                let start = i
                while i < n && u[i] != ASCII.semicolon { i += 1 }
                var end = i
                while end > start && ASCII.isWhitespace(u[end - 1]) { end -= 1 }
                // A trailing comment: "us-ascii (Plain text)".
                if end > start && u[end - 1] == ASCII.closeParen,
                    let open = u[start..<end].firstIndex(of: ASCII.openParen), open > start
                {
                    end = open
                    while end > start && ASCII.isWhitespace(u[end - 1]) { end -= 1 }
                }
                value.append(contentsOf: u[start..<end])
            }
            guard nameEnd > nameStart else { continue }
            raws.append(rawParam(name: u[nameStart..<nameEnd], value: value, quoted: quoted))
            if raws.count >= 64 { break }
        }
        header.parameters = assemble(raws, fallback: fallback, problems: &header.problems)
        return header
    }

    private static func rawParam(name: Slice<UnsafeBufferPointer<UInt8>>, value: [UInt8], quoted: Bool) -> RawParam {
        var lowered = name.map(ASCII.lower)
        var extended = false
        var section: Int? = nil
        if lowered.last == 0x2A {  // "*"
            extended = true
            lowered.removeLast()
        }
        if let star = lowered.lastIndex(of: 0x2A) {
            let digits = lowered[(star + 1)...]
            if !digits.isEmpty, digits.count <= 4, digits.allSatisfy(ASCII.isDigit) {
                var v = 0
                for d in digits { v = v * 10 + Int(d &- 0x30) }
                section = v
                lowered.removeSubrange(star...)
            }
        }
        return RawParam(name: lowered, section: section, extended: extended, value: value, quoted: quoted)
    }

    /// Joins RFC 2231 sections, decodes charsets, encoded words and 8-bit bytes.
    private static func assemble(_ raws: [RawParam], fallback: Charset?, problems: inout [String]) -> [Parameter] {
        var out: [Parameter] = []
        var done = Set<[UInt8]>()
        for (k, r) in raws.enumerated() where !done.contains(r.name) {
            let isRFC2231 = r.extended || r.section != nil
            // An RFC 2231 form of the same name wins over the plain one.
            let sections = raws[k...].filter { $0.name == r.name && ($0.extended || $0.section != nil) }
            if !isRFC2231 && sections.isEmpty {
                done.insert(r.name)
                out.append(
                    Parameter(
                        name: String(decoding: r.name, as: UTF8.self),
                        value: plainValue(r.value, fallback: fallback, problems: &problems)))
                continue
            }
            if !isRFC2231 { continue }  // the RFC 2231 sections come later and win
            done.insert(r.name)
            let ordered = sections.sorted { ($0.section ?? 0) < ($1.section ?? 0) }
            var bytes: [UInt8] = []
            var charset: Charset? = nil
            for (index, s) in ordered.enumerated() {
                var v = s.value[...]
                if index == 0 && s.extended {
                    // charset'language'value
                    if let q1 = v.firstIndex(of: 0x27), let q2 = v[(q1 + 1)...].firstIndex(of: 0x27) {
                        let label = v[v.startIndex..<q1]
                        if !label.isEmpty { charset = Charset.resolve(label) }
                        v = v[(q2 + 1)...]
                    } else {
                        problems.append("RFC 2231 value without charset'language'")
                    }
                }
                if s.extended {
                    percentDecode(v, into: &bytes)
                } else {
                    bytes.append(contentsOf: v)
                }
            }
            let value: String
            if let cs = charset {
                let (str, outcome) = CharsetDecoder.string(bytes, charset: cs)
                if outcome.unknownLabel { problems.append("unknown charset \(cs.name)") }
                value = str
            } else {
                value = plainValue(bytes, fallback: fallback, problems: &problems)
            }
            out.append(Parameter(name: String(decoding: r.name, as: UTF8.self), value: value))
        }
        return out
    }

    private static func plainValue(_ v: [UInt8], fallback: Charset?, problems: inout [String]) -> String {
        if !HeaderText.needsDecoding(v) { return String(decoding: v, as: UTF8.self) }
        let (s, report) = HeaderText.decode(v, fallback: fallback)
        if report.malformedWords > 0 { problems.append("malformed encoded word") }
        for cs in report.unknownCharsets { problems.append("unknown charset \(cs)") }
        return s
    }

    private static func percentDecode(_ v: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var i = v.startIndex
        while i < v.endIndex {
            let c = v[i]
            if c == 0x25, i + 2 < v.endIndex, let hi = ASCII.hexValue(v[i + 1]), let lo = ASCII.hexValue(v[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(c)
                i += 1
            }
        }
    }

    /// Skips a comment starting at `i` (nested parentheses, quoted pairs); returns the index after it.
    static func skipComment(_ u: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var depth = 0
        var j = i
        while j < u.count {
            let c = u[j]
            if c == ASCII.backslash {
                j += 2
                continue
            }
            if c == ASCII.openParen { depth += 1 }
            if c == ASCII.closeParen {
                depth -= 1
                if depth == 0 { return j + 1 }
            }
            j += 1
        }
        return u.count
    }
}
