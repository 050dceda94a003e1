import Glibc

/// Finds URLs in plain text the way a careful linkifier does: URLs with a web scheme, `www.` hosts, and bare
/// domains (`example.com`, `example.com/path`) only when the last label is a real top-level domain, the name is not
/// part of an e-mail address, and it does not look like a file name (`setup.py`, `configure.in`).
///
/// One pass over the bytes: the text is cut into runs of URL characters at whitespace and at characters that never
/// occur in a written URL; each run is looked at once. Runs longer than `maxCandidateBytes` are cut.
enum TextLinkScanner {
    static func scan(
        _ b: UnsafeBufferPointer<UInt8>, options: LinkExtractorOptions, source: LinkSource,
        into collector: inout LinkCollector
    ) {
        // A subject is too short for context: only URLs with a scheme and `www.` hosts count there.
        let bare = source != .subject
        for url in urls(in: b, options: options, bareDomains: bare) { collector.add(url, source: source) }
    }

    /// The host of the first URL or domain in a short text (the visible text of an anchor).
    static func firstHost(in b: UnsafeBufferPointer<UInt8>, options: LinkExtractorOptions) -> HostName? {
        urls(in: b, options: options, limit: 1).first?.host
    }

    /// The URLs found, in order, at most `limit`.
    static func urls(
        in input: UnsafeBufferPointer<UInt8>, options: LinkExtractorOptions, limit: Int = .max,
        bareDomains: Bool = true
    ) -> [ParsedURL] {
        var defangMarks: [Int] = []
        var refanged: [UInt8] = []
        if options.recoverDefanged, input.contains(where: { $0 == ASCII.openBracket || $0 == ASCII.openParen }) {
            (refanged, defangMarks) = refangText(input)
        }
        func run(_ b: UnsafeBufferPointer<UInt8>) -> [ParsedURL] {
            var scanner = Scanner(b: b, options: options, defangMarks: defangMarks, limit: limit)
            scanner.bareDomains = bareDomains
            scanner.scanAll()
            return scanner.found
        }
        if refanged.isEmpty { return run(input) }
        return refanged.withUnsafeBufferPointer { run($0) }
    }

    /// `[.]`, `(.)`, `[dot]`, `(dot)`, `[:]` replaced, with the output positions where a replacement happened.
    static func refangText(_ b: UnsafeBufferPointer<UInt8>) -> ([UInt8], [Int]) {
        let patterns: [([UInt8], UInt8)] = [
            (Array("[.]".utf8), 0x2E), (Array("(.)".utf8), 0x2E), (Array("{.}".utf8), 0x2E),
            (Array("[dot]".utf8), 0x2E), (Array("(dot)".utf8), 0x2E), (Array("[:]".utf8), 0x3A),
        ]
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var marks: [Int] = []
        var k = 0
        outer: while k < b.count {
            let c = b[k]
            if c == ASCII.openBracket || c == ASCII.openParen || c == 0x7B {
                for (p, r) in patterns where k + p.count <= b.count {
                    var equal = true
                    for t in 0..<p.count where ASCII.lower(b[k + t]) != p[t] {
                        equal = false
                        break
                    }
                    if equal {
                        marks.append(out.count)
                        out.append(r)
                        k += p.count
                        continue outer
                    }
                }
            }
            out.append(c)
            k += 1
        }
        return (out, marks)
    }

    struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        let options: LinkExtractorOptions
        let defangMarks: [Int]
        let limit: Int
        var bareDomains = true
        var found: [ParsedURL] = []
        var stopped: Bool { found.count >= limit }

        init(b: UnsafeBufferPointer<UInt8>, options: LinkExtractorOptions, defangMarks: [Int], limit: Int) {
            self.b = b
            self.options = options
            self.defangMarks = defangMarks
            self.limit = limit
        }

        /// Cuts the text into runs at terminators and looks at each run that can hold a URL.
        ///
        /// Only runs with a `.` or a `:` can: a scheme needs its colon, a name its dot, and a folded URL in angle
        /// brackets starts with its scheme. So the scan jumps (`memchr`) from one `.` or `:` to the next, finds the
        /// run around it, and skips everything else. Terminators do not depend on what comes before them (each
        /// one starts at an ASCII byte or a UTF-8 lead byte, and holds only continuation bytes after it), so the
        /// run found by looking back from the dot is the one a byte-by-byte scan from the start would find.
        mutating func scanAll() {
            let n = b.count
            var pos = 0
            var nextDot = -1
            var nextColon = -1
            while pos < n, !stopped {
                if nextDot < pos { nextDot = TextLinkScanner.find(ASCII.dot, in: b, from: pos) }
                if nextColon < pos { nextColon = TextLinkScanner.find(ASCII.colon, in: b, from: pos) }
                let d = min(nextDot, nextColon)
                if d >= n { break }
                // Inside a terminator (`E2 80 2E`): the scan goes on after it.
                if TextLinkScanner.isTerminatorByte(b, d, notBefore: pos) {
                    pos = d + 1
                    continue
                }
                // Back to the start of the run holding `d` (not before `pos`, where the previous run ended).
                var i = d
                while i > pos, !TextLinkScanner.isTerminatorByte(b, i - 1, notBefore: pos) { i -= 1 }
                // `<http://example.com/long\n  /path>`: an angle-bracketed URL may be folded over lines.
                if i > 0, b[i - 1] == ASCII.openAngle, let (joined, close) = angleBracketed(from: i) {
                    let inner = joined.withUnsafeBufferPointer { jb in
                        var inner = Scanner(b: jb, options: options, defangMarks: [], limit: limit - found.count)
                        inner.processRun(0, jb.count)
                        return inner.found
                    }
                    found.append(contentsOf: inner)
                    pos = close + 1
                    continue
                }
                var e = d + 1
                while e < n, TextLinkScanner.terminatorLength(b, e) == 0 { e += 1 }
                processRun(i, min(e, i + options.maxCandidateBytes))
                pos = e
            }
        }

        /// The run starting at `start` up to the next `>` with its whitespace removed, when it looks like a folded
        /// URL: a web scheme first, a `>` within `maxCandidateBytes`, no `<` and no blank line before it.
        func angleBracketed(from start: Int) -> ([UInt8], Int)? {
            let n = b.count
            var k = start
            if k + 4 <= n, ASCII.lower(b[k]) == 0x75, ASCII.lower(b[k + 1]) == 0x72, ASCII.lower(b[k + 2]) == 0x6C,
                b[k + 3] == ASCII.colon
            {
                k += 4  // `<URL:...>` (RFC 1738)
            }
            var s = k
            while s < n, s - k <= 6, ASCII.isAlpha(b[s]) { s += 1 }
            guard s + 2 < n, b[s] == ASCII.colon, b[s + 1] == 0x2F, s > k,
                URLParser.webScheme(UnsafeBufferPointer(rebasing: b[k..<s]), allowDefanged: options.recoverDefanged)
                    != nil
            else { return nil }
            var out: [UInt8] = []
            var sawSpace = false
            var newlines = 0
            var j = k
            while j < n, j - start <= options.maxCandidateBytes {
                let c = b[j]
                if c == ASCII.closeAngle { return sawSpace ? (out, j) : nil }
                if c == ASCII.openAngle || c == ASCII.quote { return nil }
                if ASCII.isWhitespace(c) {
                    sawSpace = true
                    if c == ASCII.lf {
                        newlines += 1
                        if newlines > 1 { return nil }
                    }
                } else {
                    if c != ASCII.cr { newlines = 0 }
                    out.append(c)
                }
                j += 1
            }
            return nil
        }

        /// Looks at one run of URL characters `[start, end)`.
        mutating func processRun(_ start: Int, _ end: Int) {
            var segStart = start
            var p = start
            while p + 1 < end, !stopped {
                guard b[p] == ASCII.colon, b[p + 1] == 0x2F || b[p + 1] == ASCII.backslash else {
                    p += 1
                    continue
                }
                // The scheme: the longest web scheme that ends here.
                var schemeStart: Int? = nil
                for length in stride(from: URLParser.maxWebSchemeLength, through: 2, by: -1)
                where p - length >= segStart {
                    let name = UnsafeBufferPointer(rebasing: b[(p - length)..<p])
                    if URLParser.webScheme(name, allowDefanged: options.recoverDefanged) != nil {
                        schemeStart = p - length
                        break
                    }
                }
                guard let s = schemeStart else {
                    p += 1
                    continue
                }
                let e = trimmedEnd(s, end)
                if let url = parse(s, e, defaultScheme: nil) {
                    if s > segStart { processPlain(segStart, s) }
                    if stopped { return }
                    emit(url, s, e)
                    segStart = end
                    p = end
                } else {
                    p += 1
                }
            }
            if segStart < end, !stopped { processPlain(segStart, end) }
        }

        /// `www.` hosts and bare domains in a stretch without scheme URLs.
        mutating func processPlain(_ start: Int, _ end: Int) {
            var i = start
            while i < end, !stopped {
                guard TextLinkScanner.isHostByte(b[i]) else {
                    i += 1
                    continue
                }
                var e = i
                var dot = false
                var www = false
                while e < end {
                    let c = b[e]
                    guard TextLinkScanner.isHostByte(c) else { break }
                    if c == ASCII.dot {
                        dot = true
                        // `www.` (any case) ending here.
                        if e >= i + 3, b[e - 1] | 0x20 == 0x77, b[e - 2] | 0x20 == 0x77, b[e - 3] | 0x20 == 0x77 {
                            www = true
                        }
                    }
                    e += 1
                }
                // A name needs a dot, and without bare domains a `www.` prefix: `tryName` would refuse the run.
                if dot && (www || bareDomains) {
                    i = max(e, tryName(i, e, start, end))
                } else {
                    i = e
                }
            }
        }

        /// Looks at one maximal run of host bytes `[i, e)`; returns where scanning goes on.
        mutating func tryName(_ i: Int, _ e: Int, _ start: Int, _ end: Int) -> Int {
            if i > start, !TextLinkScanner.allowedBefore(b[i - 1]) { return e }
            // Where the name starts and ends (dots and hyphens around it are punctuation).
            var hs = i
            var he = e
            while hs < he, b[hs] < 0x80, !ASCII.isAlphaNumeric(b[hs]) { hs += 1 }
            while he > hs, b[he - 1] < 0x80, !ASCII.isAlphaNumeric(b[he - 1]) { he -= 1 }
            // Text in another script glued to an ASCII name (`访问example.com获取`): keep the ASCII name.
            if let firstDot = b[hs..<he].firstIndex(of: ASCII.dot), let lastDot = b[hs..<he].lastIndex(of: ASCII.dot) {
                let first = b[hs..<firstDot]
                if first.contains(where: { $0 >= 0x80 }), let lastWide = first.lastIndex(where: { $0 >= 0x80 }),
                    first.contains(where: { $0 < 0x80 }), b[firstDot - 1] < 0x80
                {
                    hs = lastWide + 1
                }
                let last = b[(lastDot + 1)..<he]
                if last.first.map({ $0 < 0x80 }) == true, let firstWide = last.firstIndex(where: { $0 >= 0x80 }) {
                    he = firstWide
                }
            }
            guard he > hs, b[hs..<he].contains(ASCII.dot) else { return e }
            if he == e, e < end {
                let c = b[e]
                guard TextLinkScanner.allowedAfter(c) else { return e }
                // `name:` followed by something other than a port is a label, not a host.
                if c == ASCII.colon, e + 1 < end, !ASCII.isDigit(b[e + 1]) { return e }
            }
            let hostBytes = UnsafeBufferPointer(rebasing: b[hs..<he])
            let isWWW = hostBytes.count > 4 && hostBytes.prefix(4).equalsLowercasedASCII("www.".utf8)
            guard isWWW || bareDomains else { return e }
            // Most dotted words are not hosts: look at the last label before normalising anything.
            if !isWWW, let dot = hostBytes.lastIndex(of: ASCII.dot) {
                let tld = hostBytes[(dot + 1)...]
                if tld.allSatisfy({ $0 < 0x80 }) {
                    guard tld.count >= 2, tld.allSatisfy(ASCII.isAlpha) || tld.starts(with: "xn--".utf8),
                        withUnsafeTemporaryAllocation(
                            of: UInt8.self, capacity: tld.count,
                            { out in
                                var k = 0
                                for c in tld {
                                    out[k] = ASCII.lower(c)
                                    k += 1
                                }
                                return options.publicSuffixList.isKnownTLD(bytes: UnsafeBufferPointer(out))
                            })
                    else { return e }
                }
            }
            guard let host = HostName.normalize(hostBytes), !host.isIP else { return e }
            if isWWW {
                guard host.ascii.split(separator: ".").count >= 3 else { return e }
            } else {
                guard TextLinkScanner.plausibleBareDomain(host, options: options),
                    !TextLinkScanner.looksLikeSentenceBreak(hostBytes), !hostBytes.contains(0x5F)
                else { return e }
            }
            // A path, port or query right after the name belongs to the URL.
            var urlEnd = he
            if he == e, e < end, b[e] == 0x2F || b[e] == ASCII.colon || b[e] == ASCII.question || b[e] == 0x23 {
                urlEnd = max(he, trimmedEnd(hs, end))
            }
            guard let url = parse(hs, urlEnd, defaultScheme: "http") else { return e }
            emit(url, hs, urlEnd)
            return urlEnd > e ? end : e
        }

        func parse(_ s: Int, _ e: Int, defaultScheme: String?) -> ParsedURL? {
            guard e > s else { return nil }
            return URLParser.parse(
                UnsafeBufferPointer(rebasing: b[s..<e]), defaultScheme: defaultScheme,
                allowDefanged: options.recoverDefanged)
        }

        mutating func emit(_ url: ParsedURL, _ s: Int, _ e: Int) {
            var u = url
            if !defangMarks.isEmpty, TextLinkScanner.anyMark(defangMarks, in: s..<e) { u.defanged = true }
            found.append(u)
        }

        /// The end of a URL in text: trailing punctuation dropped, a closing bracket kept only when it closes one
        /// opened inside the URL.
        func trimmedEnd(_ s: Int, _ end: Int) -> Int {
            var e = end
            while e > s {
                let c = b[e - 1]
                switch c {
                case ASCII.dot, 0x2C, ASCII.semicolon, ASCII.colon, 0x21, ASCII.question, 0x27, 0x2A, ASCII.closeAngle:
                    e -= 1
                    continue
                case ASCII.closeParen, ASCII.closeBracket:
                    let open: UInt8 = c == ASCII.closeParen ? ASCII.openParen : ASCII.openBracket
                    var opens = 0
                    var closes = 0
                    for k in s..<e {
                        if b[k] == open { opens += 1 } else if b[k] == c { closes += 1 }
                    }
                    if closes > opens {
                        e -= 1
                        continue
                    }
                default:
                    break
                }
                break
            }
            return e
        }
    }

    static func anyMark(_ marks: [Int], in r: Range<Int>) -> Bool {
        var lo = 0
        var hi = marks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if marks[mid] < r.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        return lo < marks.count && marks[lo] < r.upperBound
    }

    /// Bytes of a host name in text: ASCII letters, digits, `-`, `_`, `.` and any non-ASCII byte (IDNs) that is not
    /// part of a terminator.
    @inline(__always) static func isHostByte(_ c: UInt8) -> Bool {
        if c >= 0x80 { return true }
        if c < 0x40 { return (hostBytesLow >> UInt64(c)) & 1 != 0 }
        return (hostBytesHigh >> UInt64(c &- 0x40)) & 1 != 0
    }
    /// `-`, `.`, digits (low word); letters and `_` (high word).
    static let hostBytesLow: UInt64 = 1 << 0x2D | 1 << 0x2E | 0x3FF << 0x30
    static let hostBytesHigh: UInt64 = 0x7FF_FFFE | 1 << (0x5F - 64) | 0x7FF_FFFE << 32

    /// What may stand right before a bare domain (besides whitespace): an opening bracket or quote. Not `@`
    /// (e-mail), `/` or `\` (paths), `;`, `:` or `=` (a value in a structured line such as `dns;mx.example.org`).
    static func allowedBefore(_ c: UInt8) -> Bool {
        c == ASCII.openParen || c == ASCII.openBracket || c == 0x27
    }

    /// What may follow a bare domain: a path, port, query or fragment, or closing punctuation; not `@` (the name is
    /// the local part of an address) nor characters that make it part of something else.
    static func allowedAfter(_ c: UInt8) -> Bool {
        switch c {
        case 0x2F, ASCII.colon, ASCII.question, 0x23, ASCII.closeParen, ASCII.closeBracket, 0x27, 0x2C,
            ASCII.semicolon, 0x21, 0x2A, ASCII.closeAngle:
            return true
        default:
            return false
        }
    }

    /// Top-level domains that are also common file extensions: a two-label name ending in one of these is taken for
    /// a file name (`setup.py`, `install.sh`, `configure.in`, `notes.md`) unless a path follows.
    static let fileLikeTLDs: Set<String> = [
        "py", "sh", "pl", "pm", "rs", "md", "in", "so", "zip", "mov", "cc", "am", "ac", "bz", "gz", "ps", "mk", "cs",
        "ml", "sc", "ts", "tk", "st", "hs", "nu", "asp", "ini", "cfg", "doc", "bat", "exe", "dll", "sys", "log",
    ]

    /// Whether a bare name found in text is likely a real host: a known top-level domain that is letters only, at
    /// least two labels, not a two-label file name.
    static func plausibleBareDomain(_ host: HostName, options: LinkExtractorOptions) -> Bool {
        // The labels as `split(separator: ".")` gives them (empty ones omitted), counted without allocating.
        let u = host.ascii.utf8
        var labels = 0
        var allButLastSingle = true
        var lastStart = u.startIndex
        var lastLength = 0
        var length = 0
        var start = u.startIndex
        var k = u.startIndex
        while true {
            let atEnd = k == u.endIndex
            if atEnd || u[k] == ASCII.dot {
                if length > 0 {
                    if labels > 0, lastLength != 1 { allButLastSingle = false }
                    labels += 1
                    lastStart = start
                    lastLength = length
                }
                if atEnd { break }
                length = 0
                start = u.index(after: k)
            } else {
                length += 1
            }
            k = u.index(after: k)
        }
        // Label lengths in characters: the ASCII host's bytes (an IDN label is in its `xn--` form).
        guard labels >= 2, lastLength >= 2 else { return false }
        let tld = host.ascii[lastStart...]
        guard tld.hasPrefix("xn--") || tld.utf8.allSatisfy(ASCII.isAlpha) else { return false }
        guard options.publicSuffixList.isKnownTLD(tld) else { return false }
        if labels == 2, fileLikeTLDs.contains(String(tld)) { return false }
        // `c.l.py`, `e.g.com`-like abbreviations: every label but the last one a single character.
        if allButLastSingle { return false }
        return true
    }

    /// `word.Next` without a space after the full stop (`thank you.Regards`, `rights reserved.No part`): a
    /// lower-case letter before the last dot and a capitalised (not all upper-case) last label.
    static func looksLikeSentenceBreak(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let dot = name.lastIndex(of: ASCII.dot), dot > 0, dot + 1 < name.count else { return false }
        let before = name[dot - 1]
        let tld = name[(dot + 1)...]
        guard before &- 0x61 < 26, let first = tld.first, first &- 0x41 < 26 else { return false }
        return tld.dropFirst().contains { $0 &- 0x61 < 26 }
    }

    /// The first index of `byte` at or after `from`, or `b.count`.
    @inline(__always)
    static func find(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = b.baseAddress, from < b.count,
            let hit = memchr(base + from, Int32(byte), b.count - from)
        else { return b.count }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// Whether the byte at `k` belongs to a terminator that starts at or after `floor`: an ASCII terminator, a lead
    /// byte that starts a wide one, or a later byte of a wide one starting at `k - 1` or `k - 2`. The third byte
    /// of `E2 80 xx` and `E3 80 xx` is taken as it comes, ASCII included, as `terminatorLength` reads it.
    /// Terminators never overlap (none holds a lead byte after its first byte), so whether a byte is covered does
    /// not depend on where a scan started, as long as it started at or before `floor`.
    @inline(__always)
    static func isTerminatorByte(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, notBefore floor: Int) -> Bool {
        let c = b[k]
        if c < 0x80 {
            if c < 0x40 {
                if (terminatorsLow >> UInt64(c)) & 1 != 0 { return true }
            } else if (terminatorsHigh >> UInt64(c &- 0x40)) & 1 != 0 {
                return true
            }
            return k - 2 >= floor && b[k - 1] == 0x80 && (b[k - 2] == 0xE2 || b[k - 2] == 0xE3)
                && wideTerminatorLength(b, k - 2) == 3
        }
        if c >= 0xC0 { return wideTerminatorLength(b, k) > 0 }
        if k - 1 >= floor, b[k - 1] >= 0xC2, wideTerminatorLength(b, k - 1) > 0 { return true }
        return k - 2 >= floor && b[k - 2] >= 0xE2 && wideTerminatorLength(b, k - 2) == 3
    }

    /// ASCII terminators as bits: 0…0x20, `"`, `<`, `>` (low word); `^`, backquote, `{`, `|`, `}`, DEL (high word).
    static let terminatorsLow: UInt64 = 0x1_FFFF_FFFF | 1 << 0x22 | 1 << 0x3C | 1 << 0x3E
    static let terminatorsHigh: UInt64 =
        1 << (0x5E - 64) | 1 << (0x60 - 64) | 1 << (0x7B - 64) | 1 << (0x7C - 64)
        | 1 << (0x7D - 64) | 1 << (0x7F - 64)

    /// Length of the terminator (whitespace or a character never part of a URL written in text) at `i`, or 0.
    @inline(__always)
    static func terminatorLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        if c < 0x40 { return Int(truncatingIfNeeded: (terminatorsLow >> UInt64(c)) & 1) }
        if c < 0x80 { return Int(truncatingIfNeeded: (terminatorsHigh >> UInt64(c &- 0x40)) & 1) }
        if c != 0xC2 && c != 0xE2 && c != 0xE3 && c != 0xEF { return 0 }
        return wideTerminatorLength(b, i)
    }

    /// Terminators written with more than one byte (no-break and other spaces, typographic quotes, ideographic
    /// and full-width punctuation).
    static func wideTerminatorLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        let n = b.count
        if c == 0xC2, i + 1 < n {
            // U+00A0 no-break space, U+00AB/U+00BB guillemets.
            let d = b[i + 1]
            return d == 0xA0 || d == 0xAB || d == 0xBB ? 2 : 0
        }
        if c == 0xE2, i + 2 < n, b[i + 1] == 0x80 {
            // U+2000…U+200A spaces, U+2018/2019/201C/201D quotes, U+2028/2029 separators, U+2026 ellipsis.
            let d = b[i + 2]
            if d <= 0x8A || d == 0x98 || d == 0x99 || d == 0x9C || d == 0x9D || d == 0xA8 || d == 0xA9 || d == 0xA6 {
                return 3
            }
            return 0
        }
        if c == 0xE3, i + 2 < n, b[i + 1] == 0x80 {
            // U+3000 ideographic space, U+3001/3002 comma and full stop, U+3008…U+3011 brackets.
            let d = b[i + 2]
            return d <= 0x82 || (d >= 0x88 && d <= 0x91) ? 3 : 0
        }
        if c == 0xEF, i + 2 < n, b[i + 1] == 0xBC {
            // Full-width `!` `(` `)` `,` `:` `;` `<` `>` `?` (U+FF01…U+FF1F subset).
            let d = b[i + 2]
            return d == 0x81 || d == 0x88 || d == 0x89 || d == 0x8C || d == 0x9A || d == 0x9B || d == 0x9C
                || d == 0x9E || d == 0x9F ? 3 : 0
        }
        return 0
    }
}
