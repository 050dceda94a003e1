/// Finds links in HTML the way a mail client would follow them: `href`, `src`, `srcset`, `action`, `formaction`,
/// `background`, `poster`, `data`, `<meta http-equiv=refresh>`, CSS `url()` and `@import` (in `style` attributes
/// and `<style>`), relative URLs resolved against `<base href>`, URLs inside `javascript:` hrefs, the content of
/// Outlook conditional comments, and URLs written in the visible text. Character references are decoded; attribute
/// values may be quoted or not; tabs and line breaks inside URLs are dropped.
///
/// Not a full HTML5 tokenizer: a forgiving single pass over the bytes, linear in the input, with bounded tags.
enum HTMLLinkScanner {
    static let maxAttributes = 256
    static let maxAnchorTextBytes = 1024

    static func scan(
        _ b: UnsafeBufferPointer<UInt8>, options: LinkExtractorOptions, inAttachment: Bool,
        into collector: inout LinkCollector
    ) {
        var state = State(options: options, inAttachment: inAttachment)
        state.run(b, into: &collector)
    }

    /// What the scanner needs to know about a tag, by its lower-case name.
    struct TagInfo {
        enum Kind { case a, area, link, img, base, meta, embed, object, style, textarea, other }
        var kind: Kind
        /// Inline elements add no space to the visible text.
        var inline: Bool
        /// The content up to the end tag is not markup.
        var rawText: Bool
        static let other = TagInfo(kind: .other, inline: false, rawText: false)
    }

    /// Tag names of at most 8 bytes packed into an integer (no NUL byte: unambiguous) to what the scanner does with
    /// them; any other name is `TagInfo.other`.
    static let tags: [UInt64: TagInfo] = {
        var t: [UInt64: TagInfo] = [:]
        for name in [
            "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q", "s",
            "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "o:p", "ins",
            "del", "label",
        ] {
            t[packedName(Array(name.utf8))] = TagInfo(kind: .other, inline: true, rawText: false)
        }
        t[packedName(Array("a".utf8))] = TagInfo(kind: .a, inline: true, rawText: false)
        for name in ["title", "xmp", "noembed", "noframes"] {
            t[packedName(Array(name.utf8))] = TagInfo(kind: .other, inline: false, rawText: true)
        }
        t[packedName(Array("script".utf8))] = TagInfo(kind: .embed, inline: false, rawText: true)
        t[packedName(Array("style".utf8))] = TagInfo(kind: .style, inline: false, rawText: true)
        t[packedName(Array("textarea".utf8))] = TagInfo(kind: .textarea, inline: false, rawText: true)
        for name in ["iframe", "frame", "embed", "audio", "video", "source", "track"] {
            t[packedName(Array(name.utf8))] = TagInfo(kind: .embed, inline: false, rawText: false)
        }
        let kinds: [(String, TagInfo.Kind)] = [
            ("area", .area), ("link", .link), ("img", .img), ("image", .img), ("base", .base), ("meta", .meta),
            ("object", .object),
        ]
        for (name, kind) in kinds {
            t[packedName(Array(name.utf8))] = TagInfo(kind: kind, inline: false, rawText: false)
        }
        return t
    }()

    /// A name of 1…8 bytes without NUL packed into an integer; 0 for any other name.
    static func packedName(_ name: some Collection<UInt8>) -> UInt64 {
        guard !name.isEmpty, name.count <= 8 else { return 0 }
        var v: UInt64 = 0
        for c in name {
            guard c != 0 else { return 0 }
            v = v << 8 | UInt64(c)
        }
        return v
    }

    /// The attributes whose values the scanner reads; any other is `other`.
    enum AttributeKind {
        case href, xlinkHref, src, lowsrc, dynsrc, srcset, action, formaction, background, poster, data, style, rel,
            httpEquiv, content, other

        /// From the attribute name as written (compared without case, as the lower-cased name).
        static func of(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> AttributeKind {
            let name = UnsafeBufferPointer(rebasing: b[s..<e])
            @inline(__always) func is_(_ word: StaticString) -> Bool {
                guard name.count == word.utf8CodeUnitCount else { return false }
                let w = word.utf8Start
                for k in 0..<name.count where ASCII.lower(name[k]) != w[k] { return false }
                return true
            }
            switch name.count {
            case 3: return is_("src") ? .src : is_("rel") ? .rel : .other
            case 4: return is_("href") ? .href : is_("data") ? .data : .other
            case 5: return is_("style") ? .style : .other
            case 6:
                if is_("lowsrc") { return .lowsrc }
                if is_("dynsrc") { return .dynsrc }
                if is_("srcset") { return .srcset }
                if is_("action") { return .action }
                return is_("poster") ? .poster : .other
            case 7: return is_("content") ? .content : .other
            case 10:
                if is_("xlink:href") { return .xlinkHref }
                if is_("formaction") { return .formaction }
                if is_("background") { return .background }
                return is_("http-equiv") ? .httpEquiv : .other
            default: return .other
            }
        }
    }

    /// An attribute the scanner reads: its value as written (character references not yet decoded).
    struct Attribute {
        var kind: AttributeKind
        var value: Range<Int>
    }

    struct State {
        let options: LinkExtractorOptions
        let inAttachment: Bool
        var base: ParsedURL? = nil
        var visible: [UInt8] = []
        /// The open anchor: its target and where its visible text starts.
        var anchor: (url: ParsedURL, textStart: Int)? = nil
        /// The current tag's name, lower case, at most 64 bytes (reused from tag to tag).
        var name: [UInt8] = []
        /// The current tag's attributes that matter, in order (reused from tag to tag).
        var attributes: [Attribute] = []

        init(options: LinkExtractorOptions, inAttachment: Bool) {
            self.options = options
            self.inAttachment = inAttachment
            name.reserveCapacity(64)
        }

        mutating func run(_ b: UnsafeBufferPointer<UInt8>, into collector: inout LinkCollector) {
            let n = b.count
            var i = 0
            while i < n {
                guard let lt = ByteSearch.find(byte: ASCII.openAngle, in: b, from: i) else {
                    appendText(b, i, n)
                    break
                }
                if lt > i { appendText(b, i, lt) }
                i = lt
                let next = lt + 1 < n ? b[lt + 1] : 0
                if next == 0x21 {
                    i = skipMarkup(b, lt)
                } else if next == ASCII.question {
                    i = (ByteSearch.find(byte: ASCII.closeAngle, in: b, from: lt) ?? (n - 1)) + 1
                } else if next == 0x2F, lt + 2 < n, ASCII.isAlpha(b[lt + 2]) {
                    i = endTag(b, lt, into: &collector)
                } else if ASCII.isAlpha(next) {
                    i = startTag(b, lt, into: &collector)
                } else {
                    visible.append(ASCII.openAngle)
                    i = lt + 1
                }
            }
            closeAnchor(into: &collector)
            // Bare domains in HTML text are not links (mail clients do not linkify HTML): only URLs with a scheme
            // and `www.` hosts written in the text count.
            let source: LinkSource = inAttachment ? .attachment : .text
            visible.withUnsafeBufferPointer {
                for url in TextLinkScanner.urls(in: $0, options: options, bareDomains: false) {
                    collector.add(url, source: source)
                }
            }
        }

        /// `<!-- … -->`, `<!DOCTYPE …>`, `<![CDATA[ … ]]>`. The markup inside Outlook's conditional comments
        /// (`<!--[if mso]> … <![endif]-->`) is read as HTML, as Outlook renders it.
        func skipMarkup(_ b: UnsafeBufferPointer<UInt8>, _ lt: Int) -> Int {
            let n = b.count
            if lt + 3 < n, b[lt + 2] == ASCII.hyphen, b[lt + 3] == ASCII.hyphen {
                if lt + 5 < n, b[lt + 4] == ASCII.openBracket, ASCII.lower(b[lt + 5]) == 0x69,
                    let close = ByteSearch.find(byte: ASCII.closeAngle, in: b, from: lt + 4)
                {
                    return close + 1
                }
                // `<!-->` and `<!--->` are empty comments (HTML's abrupt closing), common in Outlook markup.
                if lt + 4 < n, b[lt + 4] == ASCII.closeAngle { return lt + 5 }
                if lt + 5 < n, b[lt + 4] == ASCII.hyphen, b[lt + 5] == ASCII.closeAngle { return lt + 6 }
                guard let end = ByteSearch.find(Array("-->".utf8), in: b, from: lt + 4) else { return n }
                return end + 3
            }
            return (ByteSearch.find(byte: ASCII.closeAngle, in: b, from: lt) ?? (n - 1)) + 1
        }

        /// Appends text with its character references decoded and its invisible characters dropped (U+200B…U+200D,
        /// U+2060, U+FEFF, soft hyphen): the reader sees `wolfe&#8203;rmans.com` as `wolfermans.com`.
        mutating func appendText(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
            let start = visible.count
            HTMLEntities.decode(UnsafeBufferPointer(rebasing: b[s..<e]), into: &visible)
            var k = start
            while k < visible.count, visible[k] != 0xE2, visible[k] != 0xEF, visible[k] != 0xC2 { k += 1 }
            guard k < visible.count else { return }
            var w = k
            let n = visible.count
            while k < n {
                let c = visible[k]
                let width: Int
                if c == 0xE2, k + 2 < n, visible[k + 1] == 0x80, visible[k + 2] &- 0x8B < 3 {
                    width = 3
                } else if c == 0xE2, k + 2 < n, visible[k + 1] == 0x81, visible[k + 2] == 0xA0 {
                    width = 3
                } else if c == 0xEF, k + 2 < n, visible[k + 1] == 0xBB, visible[k + 2] == 0xBF {
                    width = 3
                } else if c == 0xC2, k + 1 < n, visible[k + 1] == 0xAD {
                    width = 2
                } else {
                    width = 0
                }
                if width > 0 {
                    k += width
                    continue
                }
                visible[w] = c
                w += 1
                k += 1
            }
            visible.removeLast(n - w)
        }

        /// Reads a tag name starting at `s` into `name` (lower case, at most 64 bytes kept); returns the index after
        /// it.
        mutating func readName(_ b: UnsafeBufferPointer<UInt8>, _ s: Int) -> Int {
            var e = s
            name.removeAll(keepingCapacity: true)
            while e < b.count {
                let c = b[e]
                if ASCII.isWhitespace(c) || c == ASCII.closeAngle || c == 0x2F { break }
                if name.count < 64 { name.append(ASCII.lower(c)) }
                e += 1
            }
            return e
        }

        var tagInfo: TagInfo { HTMLLinkScanner.tags[HTMLLinkScanner.packedName(name)] ?? .other }

        mutating func endTag(_ b: UnsafeBufferPointer<UInt8>, _ lt: Int, into collector: inout LinkCollector) -> Int {
            let e = readName(b, lt + 2)
            let close = ByteSearch.find(byte: ASCII.closeAngle, in: b, from: e) ?? (b.count - 1)
            let info = tagInfo
            if info.kind == .a { closeAnchor(into: &collector) }
            if !info.inline { visible.append(ASCII.space) }
            return close + 1
        }

        mutating func startTag(_ b: UnsafeBufferPointer<UInt8>, _ lt: Int, into collector: inout LinkCollector) -> Int {
            let afterName = readName(b, lt + 1)
            let info = tagInfo
            let end = readAttributes(b, afterName)
            if !info.inline { visible.append(ASCII.space) }
            handle(b, info, into: &collector)
            guard info.rawText else { return end }
            // Raw text: up to the matching end tag.
            let m = name.count
            var k = end
            while let lt2 = ByteSearch.find(byte: ASCII.openAngle, in: b, from: k) {
                if lt2 + 1 + m < b.count, b[lt2 + 1] == 0x2F,
                    UnsafeBufferPointer(rebasing: b[(lt2 + 2)..<(lt2 + 2 + m)]).equalsLowercasedASCII(name)
                {
                    if info.kind == .style {
                        cssURLs(UnsafeBufferPointer(rebasing: b[end..<lt2]), source: .css, into: &collector)
                    } else if info.kind == .textarea {
                        appendText(b, end, lt2)
                    }
                    return lt2
                }
                k = lt2 + 1
            }
            if info.kind == .style {
                cssURLs(UnsafeBufferPointer(rebasing: b[end..<b.count]), source: .css, into: &collector)
            }
            return b.count
        }

        /// Reads the attributes from `s` to the end of the tag into `attributes` (those the scanner reads, among the
        /// first `maxAttributes`); returns the index after `>`.
        mutating func readAttributes(_ b: UnsafeBufferPointer<UInt8>, _ s: Int) -> Int {
            attributes.removeAll(keepingCapacity: true)
            var count = 0
            let n = b.count
            var i = s
            while i < n {
                let c = b[i]
                if ASCII.isWhitespace(c) || c == 0x2F {
                    i += 1
                    continue
                }
                if c == ASCII.closeAngle { return i + 1 }
                // Name.
                let nameStart = i
                while i < n {
                    let d = b[i]
                    if ASCII.isWhitespace(d) || d == ASCII.equals || d == ASCII.closeAngle { break }
                    if d == 0x2F && i > nameStart { break }
                    i += 1
                }
                let nameEnd = i
                var j = i
                while j < n, ASCII.isWhitespace(b[j]) { j += 1 }
                var value = 0..<0
                if j < n, b[j] == ASCII.equals {
                    j += 1
                    while j < n, ASCII.isWhitespace(b[j]) { j += 1 }
                    if j < n, b[j] == ASCII.quote || b[j] == 0x27 {
                        let close = ByteSearch.find(byte: b[j], in: b, from: j + 1) ?? n
                        value = (j + 1)..<close
                        i = min(n, close + 1)
                    } else {
                        var e = j
                        while e < n, !ASCII.isWhitespace(b[e]), b[e] != ASCII.closeAngle { e += 1 }
                        value = j..<e
                        i = e
                    }
                } else {
                    i = max(i, j)
                }
                if count < maxAttributes {
                    count += 1
                    let kind = AttributeKind.of(b, nameStart, nameEnd)
                    if kind != .other { attributes.append(Attribute(kind: kind, value: value)) }
                }
                if i == j, nameEnd == nameStart { i += 1 }
            }
            return n
        }

        /// Runs `body` over an attribute's value with its character references decoded (copied only when it has
        /// one).
        static func withValue<R>(
            _ b: UnsafeBufferPointer<UInt8>, _ a: Attribute, _ body: (UnsafeBufferPointer<UInt8>) -> R
        ) -> R {
            let raw = UnsafeBufferPointer(rebasing: b[a.value])
            if ByteSearch.find(byte: 0x26, in: raw) == nil { return body(raw) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(raw.count)
            HTMLEntities.decode(raw, into: &decoded)
            return decoded.withUnsafeBufferPointer(body)
        }

        /// Whether a value as written is certainly no link: a scheme that is not a web scheme (`data:`, `cid:`,
        /// `mailto:`) written plainly at its start (after blanks), and not `javascript:`, whose text is searched.
        /// `resolve` would refuse it and `add` find nothing in it, whatever follows (an inline image of 100 KB is
        /// not read further).
        func isOtherScheme(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
            let n = raw.count
            var k = 0
            while k < n, raw[k] <= 0x20 { k += 1 }
            let s = k
            while k < n, k - s <= URLParser.maxSchemeLength,
                ASCII.isAlphaNumeric(raw[k]) || raw[k] == 0x2B || raw[k] == ASCII.hyphen
            {
                k += 1
            }
            guard k < n, k > s, k - s <= URLParser.maxSchemeLength, raw[k] == ASCII.colon, ASCII.isAlpha(raw[s])
            else { return false }
            let scheme = UnsafeBufferPointer(rebasing: raw[s..<k])
            if URLParser.webScheme(scheme, allowDefanged: options.recoverDefanged) != nil { return false }
            return !scheme.equalsLowercasedASCII("javascript".utf8)
        }

        mutating func handle(_ b: UnsafeBufferPointer<UInt8>, _ info: TagInfo, into collector: inout LinkCollector) {
            let attrs = attributes
            func first(_ kind: AttributeKind) -> Attribute? { attrs.first { $0.kind == kind } }
            if info.kind == .a { closeAnchor(into: &collector) }
            if info.kind == .base, base == nil, let h = first(.href),
                let u = State.withValue(b, h, { URLParser.parse($0) })
            {
                base = u
                return
            }
            if info.kind == .meta {
                if let equiv = first(.httpEquiv),
                    State.withValue(b, equiv, { $0.equalsLowercasedASCII("refresh".utf8) }),
                    let content = first(.content),
                    let target = State.withValue(b, content, { State.refreshTarget(Array($0)) })
                {
                    target.withUnsafeBufferPointer { add($0, .meta, into: &collector) }
                }
                return
            }
            for attr in attrs {
                switch attr.kind {
                case .href, .xlinkHref:
                    if isOtherScheme(UnsafeBufferPointer(rebasing: b[attr.value])) { continue }
                    let source: LinkSource
                    switch info.kind {
                    case .a, .area: source = .href
                    case .link: source = linkSource(b, first(.rel))
                    case .img: source = .img
                    default: source = .href
                    }
                    State.withValue(b, attr) { value in
                        if info.kind == .a {
                            if let url = resolve(value) {
                                anchor = (url, visible.count)
                            } else {
                                javascriptURLs(value, inAttachment ? .attachment : source, into: &collector)
                            }
                        } else {
                            add(value, source, into: &collector)
                        }
                    }
                case .src, .lowsrc, .dynsrc:
                    addValue(b, attr, info.kind == .embed ? .embed : .img, into: &collector)
                case .srcset:
                    let candidates = State.withValue(b, attr) { State.srcsetURLs(Array($0)) }
                    for candidate in candidates {
                        candidate.withUnsafeBufferPointer { add($0, .img, into: &collector) }
                    }
                case .action, .formaction:
                    addValue(b, attr, .form, into: &collector)
                case .background, .poster:
                    addValue(b, attr, .img, into: &collector)
                case .data:
                    if info.kind == .object { addValue(b, attr, .embed, into: &collector) }
                case .style:
                    State.withValue(b, attr) { cssURLs($0, source: .css, into: &collector) }
                case .rel, .httpEquiv, .content, .other:
                    break
                }
            }
        }

        /// `<link href>`: an icon is `img` (an image the client shows), any other `rel` (stylesheet, preconnect,
        /// preload, alternate, none) `link`.
        func linkSource(_ b: UnsafeBufferPointer<UInt8>, _ rel: Attribute?) -> LinkSource {
            guard let rel else { return .link }
            return State.withValue(b, rel) { v in
                if v.allSatisfy({ $0 < 0x80 }) {
                    // ASCII: every byte is a character (CR LF aside, which the word does not hold).
                    return State.containsLowercased(v, "icon") ? .img : .link
                }
                return String(decoding: v, as: UTF8.self).lowercased().contains("icon") ? .img : .link
            }
        }

        static func containsLowercased(_ v: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
            let m = word.utf8CodeUnitCount
            let w = word.utf8Start
            guard v.count >= m else { return false }
            for s in 0...(v.count - m) {
                var k = 0
                while k < m, ASCII.lower(v[s + k]) == w[k] { k += 1 }
                if k == m { return true }
            }
            return false
        }

        /// `add` for an attribute's value, unless it is certainly no link.
        mutating func addValue(
            _ b: UnsafeBufferPointer<UInt8>, _ attr: Attribute, _ source: LinkSource,
            into collector: inout LinkCollector
        ) {
            if isOtherScheme(UnsafeBufferPointer(rebasing: b[attr.value])) { return }
            State.withValue(b, attr) { add($0, source, into: &collector) }
        }

        /// Resolves an attribute value to a URL: absolute, scheme-relative, a host written without a scheme
        /// (`www.example.com`, `example.com/path`), or relative to `<base href>`.
        func resolve(_ raw: UnsafeBufferPointer<UInt8>) -> ParsedURL? {
            if let r = URLParser.trimmedIfClean(raw) { return resolveCleaned(UnsafeBufferPointer(rebasing: raw[r])) }
            return URLParser.cleaned(Array(raw)).withUnsafeBufferPointer { resolveCleaned($0) }
        }

        func resolveCleaned(_ value: UnsafeBufferPointer<UInt8>) -> ParsedURL? {
            guard !value.isEmpty else { return nil }
            if let u = URLParser.parse(value, allowDefanged: options.recoverDefanged) { return u }
            if value.count >= 2, value[0] == 0x2F || value[0] == ASCII.backslash,
                value[1] == 0x2F || value[1] == ASCII.backslash
            {
                return URLParser.parse(value, defaultScheme: base?.scheme ?? "http")
            }
            // A scheme that is not a web scheme (`mailto:`, `cid:`, `javascript:`): not a link here.
            if State.hasScheme(value) { return nil }
            if let b = base {
                return State.join(b, value)
            }
            // `www.example.com/…` or `example.com/…` written without a scheme: a browser would not follow it, a reader
            // would; kept when the name is clearly a host.
            var hostEnd = 0
            var afterAt = 0
            while hostEnd < value.count {
                let c = value[hostEnd]
                if c == 0x2F || c == ASCII.question || c == 0x23 { break }
                if c == ASCII.at { afterAt = hostEnd + 1 }
                hostEnd += 1
            }
            // User info holding a `:` or a quote without a scheme is an e-mail address behind junk, not a link:
            // `3D"mailto:user@example.com`, what an undecoded quoted-printable `href=3D"mailto:…"` leaves.
            guard !value[0..<afterAt].contains(where: { $0 == ASCII.colon || $0 == ASCII.quote }),
                let host = HostName.normalize(UnsafeBufferPointer(rebasing: value[afterAt..<hostEnd])), !host.isIP,
                host.ascii.utf8.contains(ASCII.dot)
            else {
                return nil
            }
            let isWWW = host.ascii.utf8.starts(with: "www.".utf8)
            guard isWWW || TextLinkScanner.plausibleBareDomain(host, options: options) else { return nil }
            return URLParser.parse(value, defaultScheme: "http")
        }

        static func hasScheme(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let first = v.first, ASCII.isAlpha(first) else { return false }
            for c in v.prefix(32) {
                if c == ASCII.colon { return true }
                if !(ASCII.isAlphaNumeric(c) || c == 0x2B || c == ASCII.hyphen || c == ASCII.dot) { return false }
            }
            return false
        }

        /// `base` + a relative reference (path-absolute, path-relative, query or fragment). Dot segments are kept
        /// as written: only the host matters for the analysis.
        static func join(_ base: ParsedURL, _ rel: UnsafeBufferPointer<UInt8>) -> ParsedURL? {
            var u = base
            let relText = URLParser.encodedString(rel, 0, rel.count, slashes: false)
            let baseRest = base.rest.isEmpty ? "/" : base.rest
            if rel.first == 0x2F || rel.first == ASCII.backslash {
                u.rest = relText
            } else if rel.first == ASCII.question || rel.first == 0x23 {
                let cut = baseRest.firstIndex(where: { $0 == (rel.first == ASCII.question ? "?" : "#") })
                u.rest = String(baseRest[..<(cut ?? baseRest.endIndex)]) + relText
            } else {
                let path = baseRest.prefix(while: { $0 != "?" && $0 != "#" })
                let dir = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
                u.rest = String(dir) + relText
            }
            return u
        }

        mutating func add(_ raw: UnsafeBufferPointer<UInt8>, _ source: LinkSource, into collector: inout LinkCollector)
        {
            let src: LinkSource = inAttachment ? .attachment : source
            if let url = resolve(raw) {
                collector.add(url, source: src)
                return
            }
            javascriptURLs(raw, src, into: &collector)
        }

        /// `javascript:window.open('http://…')`: the URLs written inside.
        func javascriptURLs(_ raw: UnsafeBufferPointer<UInt8>, _ src: LinkSource, into collector: inout LinkCollector) {
            func scan(_ v: UnsafeBufferPointer<UInt8>) {
                if v.count > 11, UnsafeBufferPointer(rebasing: v[0..<11]).equalsLowercasedASCII("javascript:".utf8) {
                    for url in TextLinkScanner.urls(in: v, options: options) { collector.add(url, source: src) }
                }
            }
            if let r = URLParser.trimmedIfClean(raw) {
                scan(UnsafeBufferPointer(rebasing: raw[r]))
            } else {
                URLParser.cleaned(Array(raw)).withUnsafeBufferPointer { scan($0) }
            }
        }

        mutating func closeAnchor(into collector: inout LinkCollector) {
            guard let a = anchor else { return }
            anchor = nil
            let start = min(a.textStart, visible.count)
            let end = min(visible.count, start + maxAnchorTextBytes)
            let shown = visible.withUnsafeBufferPointer {
                TextLinkScanner.firstHost(in: UnsafeBufferPointer(rebasing: $0[start..<end]), options: options)
            }
            collector.add(a.url, source: inAttachment ? .attachment : .href, displayHost: shown)
        }

        /// `url(…)` and `@import "…"` in CSS.
        mutating func cssURLs(
            _ css: UnsafeBufferPointer<UInt8>, source: LinkSource, into collector: inout LinkCollector
        ) {
            let n = css.count
            var i = 0
            while i + 4 <= n {
                let c = ASCII.lower(css[i])
                if c == 0x75, UnsafeBufferPointer(rebasing: css[i..<(i + 4)]).equalsLowercasedASCII("url(".utf8) {
                    var j = i + 4
                    while j < n, ASCII.isWhitespace(css[j]) { j += 1 }
                    var end = j
                    if j < n, css[j] == ASCII.quote || css[j] == 0x27 {
                        let q = css[j]
                        j += 1
                        end = j
                        while end < n, css[end] != q, css[end] != ASCII.lf { end += 1 }
                    } else {
                        while end < n, css[end] != ASCII.closeParen { end += 1 }
                    }
                    add(UnsafeBufferPointer(rebasing: css[j..<end]), source, into: &collector)
                    i = max(end, i + 4)
                } else if c == ASCII.at, i + 7 < n,
                    UnsafeBufferPointer(rebasing: css[i..<(i + 7)]).equalsLowercasedASCII("@import".utf8)
                {
                    var j = i + 7
                    while j < n, ASCII.isWhitespace(css[j]) { j += 1 }
                    if j < n, css[j] == ASCII.quote || css[j] == 0x27 {
                        let q = css[j]
                        var end = j + 1
                        while end < n, css[end] != q, css[end] != ASCII.lf { end += 1 }
                        add(UnsafeBufferPointer(rebasing: css[(j + 1)..<end]), source, into: &collector)
                        i = end
                    } else {
                        i = j
                    }
                } else {
                    i += 1
                }
            }
        }

        /// The URL in a refresh `content` value: `5; url='http://…'`, `0;URL=http://…`, `0, http://…`.
        static func refreshTarget(_ content: [UInt8]) -> [UInt8]? {
            var i = 0
            let n = content.count
            while i < n, ASCII.isWhitespace(content[i]) || ASCII.isDigit(content[i]) || content[i] == ASCII.dot {
                i += 1
            }
            guard i < n, content[i] == ASCII.semicolon || content[i] == 0x2C else { return nil }
            i += 1
            while i < n, ASCII.isWhitespace(content[i]) { i += 1 }
            if i + 3 <= n, content[i..<(i + 3)].equalsLowercasedASCII("url".utf8) {
                var j = i + 3
                while j < n, ASCII.isWhitespace(content[j]) { j += 1 }
                if j < n, content[j] == ASCII.equals {
                    i = j + 1
                    while i < n, ASCII.isWhitespace(content[i]) { i += 1 }
                }
            }
            guard i < n else { return nil }
            if content[i] == ASCII.quote || content[i] == 0x27 {
                let q = content[i]
                let end = content[(i + 1)...].firstIndex(of: q) ?? n
                return Array(content[(i + 1)..<end])
            }
            return Array(content[i...])
        }

        /// The URLs of a `srcset` value (`a.jpg 1x, b.jpg 2x`).
        static func srcsetURLs(_ v: [UInt8]) -> [[UInt8]] {
            var out: [[UInt8]] = []
            var i = 0
            let n = v.count
            while i < n {
                while i < n, ASCII.isWhitespace(v[i]) || v[i] == 0x2C { i += 1 }
                var e = i
                while e < n, !ASCII.isWhitespace(v[e]) { e += 1 }
                var urlEnd = e
                while urlEnd > i, v[urlEnd - 1] == 0x2C { urlEnd -= 1 }
                if urlEnd > i { out.append(Array(v[i..<urlEnd])) }
                // Skip the descriptor up to the next comma (unless the URL itself ended with one).
                i = e
                if urlEnd == e {
                    while i < n, v[i] != 0x2C { i += 1 }
                }
            }
            return out
        }
    }
}
