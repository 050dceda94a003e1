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

    struct Attribute {
        var name: [UInt8]
        var value: [UInt8]
    }

    struct State {
        let options: LinkExtractorOptions
        let inAttachment: Bool
        var base: ParsedURL? = nil
        var visible: [UInt8] = []
        /// The open anchor: its target and where its visible text starts.
        var anchor: (url: ParsedURL, textStart: Int)? = nil

        init(options: LinkExtractorOptions, inAttachment: Bool) {
            self.options = options
            self.inAttachment = inAttachment
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
                    appendText(b, lt, lt + 1)
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

        mutating func appendText(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
            let slice = UnsafeBufferPointer(rebasing: b[s..<e])
            if slice.contains(0x26) {
                visible.append(contentsOf: HTMLEntities.decode(slice))
            } else {
                visible.append(contentsOf: slice)
            }
        }

        static let inlineTags: Set<[UInt8]> = Set(
            [
                "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark",
                "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
                "o:p", "ins", "del", "label",
            ].map { Array($0.utf8) })
        static let rawTextTags: Set<[UInt8]> = Set(
            ["script", "style", "title", "textarea", "xmp", "noembed", "noframes"].map { Array($0.utf8) })

        /// Reads a tag name (lower case) starting at `s`; returns it and the index after it.
        static func tagName(_ b: UnsafeBufferPointer<UInt8>, _ s: Int) -> ([UInt8], Int) {
            var e = s
            var name: [UInt8] = []
            while e < b.count, !ASCII.isWhitespace(b[e]), b[e] != ASCII.closeAngle, b[e] != 0x2F {
                if name.count < 64 { name.append(ASCII.lower(b[e])) }
                e += 1
            }
            return (name, e)
        }

        mutating func endTag(_ b: UnsafeBufferPointer<UInt8>, _ lt: Int, into collector: inout LinkCollector) -> Int {
            let (name, e) = State.tagName(b, lt + 2)
            let close = ByteSearch.find(byte: ASCII.closeAngle, in: b, from: e) ?? (b.count - 1)
            if name == [0x61] { closeAnchor(into: &collector) }
            if !State.inlineTags.contains(name) { visible.append(ASCII.space) }
            return close + 1
        }

        mutating func startTag(_ b: UnsafeBufferPointer<UInt8>, _ lt: Int, into collector: inout LinkCollector) -> Int {
            let (name, afterName) = State.tagName(b, lt + 1)
            let (attributes, end) = State.attributes(b, afterName)
            if !State.inlineTags.contains(name) { visible.append(ASCII.space) }
            handle(name, attributes, into: &collector)
            guard State.rawTextTags.contains(name) else { return end }
            // Raw text: up to the matching end tag.
            var k = end
            while let lt2 = ByteSearch.find(byte: ASCII.openAngle, in: b, from: k) {
                if lt2 + 1 + name.count < b.count, b[lt2 + 1] == 0x2F,
                    UnsafeBufferPointer(rebasing: b[(lt2 + 2)..<(lt2 + 2 + name.count)]).equalsLowercasedASCII(name)
                {
                    if name == Array("style".utf8) {
                        cssURLs(UnsafeBufferPointer(rebasing: b[end..<lt2]), source: .css, into: &collector)
                    } else if name == Array("textarea".utf8) {
                        appendText(b, end, lt2)
                    }
                    return lt2
                }
                k = lt2 + 1
            }
            if name == Array("style".utf8) {
                cssURLs(UnsafeBufferPointer(rebasing: b[end..<b.count]), source: .css, into: &collector)
            }
            return b.count
        }

        /// Attributes from `s` to the end of the tag; returns them (names lower case, values entity-decoded) and the
        /// index after `>`.
        static func attributes(_ b: UnsafeBufferPointer<UInt8>, _ s: Int) -> ([Attribute], Int) {
            var attrs: [Attribute] = []
            let n = b.count
            var i = s
            while i < n {
                let c = b[i]
                if ASCII.isWhitespace(c) || c == 0x2F {
                    i += 1
                    continue
                }
                if c == ASCII.closeAngle { return (attrs, i + 1) }
                // Name.
                var name: [UInt8] = []
                while i < n, !ASCII.isWhitespace(b[i]), b[i] != ASCII.equals, b[i] != ASCII.closeAngle,
                    b[i] != 0x2F || name.isEmpty
                {
                    if name.count < 64 { name.append(ASCII.lower(b[i])) }
                    i += 1
                }
                var j = i
                while j < n, ASCII.isWhitespace(b[j]) { j += 1 }
                var value: [UInt8] = []
                if j < n, b[j] == ASCII.equals {
                    j += 1
                    while j < n, ASCII.isWhitespace(b[j]) { j += 1 }
                    if j < n, b[j] == ASCII.quote || b[j] == 0x27 {
                        let q = b[j]
                        let close = ByteSearch.find(byte: q, in: b, from: j + 1) ?? n
                        value = HTMLEntities.decode(UnsafeBufferPointer(rebasing: b[(j + 1)..<close]))
                        i = min(n, close + 1)
                    } else {
                        var e = j
                        while e < n, !ASCII.isWhitespace(b[e]), b[e] != ASCII.closeAngle { e += 1 }
                        value = HTMLEntities.decode(UnsafeBufferPointer(rebasing: b[j..<e]))
                        i = e
                    }
                } else {
                    i = max(i, j)
                }
                if attrs.count < maxAttributes { attrs.append(Attribute(name: name, value: value)) }
                if i == j, name.isEmpty { i += 1 }
            }
            return (attrs, n)
        }

        mutating func handle(_ tag: [UInt8], _ attrs: [Attribute], into collector: inout LinkCollector) {
            func value(_ name: String) -> [UInt8]? {
                let key = Array(name.utf8)
                return attrs.first(where: { $0.name == key })?.value
            }
            let t = String(decoding: tag, as: UTF8.self)
            if t == "a" { closeAnchor(into: &collector) }
            if t == "base", base == nil, let h = value("href"), let u = URLParser.parse(h) {
                base = u
                return
            }
            if t == "meta" {
                if let equiv = value("http-equiv"), equiv.equalsLowercasedASCII("refresh".utf8),
                    let content = value("content"), let target = State.refreshTarget(content)
                {
                    add(target, .meta, into: &collector)
                }
                return
            }
            for attr in attrs {
                let name = String(decoding: attr.name, as: UTF8.self)
                switch name {
                case "href", "xlink:href":
                    let source: LinkSource
                    switch t {
                    case "a", "area": source = .href
                    case "link":
                        let rel = value("rel").map { String(decoding: $0, as: UTF8.self).lowercased() } ?? ""
                        source = rel.contains("stylesheet") ? .css : (rel.contains("icon") ? .img : .href)
                    case "image", "img": source = .img
                    default: source = .href
                    }
                    if t == "a", let url = resolve(attr.value) {
                        anchor = (url, visible.count)
                    } else {
                        add(attr.value, source, into: &collector)
                    }
                case "src", "lowsrc", "dynsrc":
                    let embedded: Set<String> = [
                        "iframe", "frame", "embed", "script", "audio", "video", "source", "track",
                    ]
                    add(attr.value, embedded.contains(t) ? .embed : .img, into: &collector)
                case "srcset":
                    for candidate in State.srcsetURLs(attr.value) { add(candidate, .img, into: &collector) }
                case "action", "formaction":
                    add(attr.value, .form, into: &collector)
                case "background", "poster":
                    add(attr.value, .img, into: &collector)
                case "data" where t == "object":
                    add(attr.value, .embed, into: &collector)
                case "style":
                    attr.value.withUnsafeBufferPointer { cssURLs($0, source: .css, into: &collector) }
                default:
                    break
                }
            }
        }

        /// Resolves an attribute value to a URL: absolute, scheme-relative, a host written without a scheme
        /// (`www.example.com`, `example.com/path`), or relative to `<base href>`.
        func resolve(_ raw: [UInt8]) -> ParsedURL? {
            let value = URLParser.cleaned(raw)
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
            let hostEnd = value.firstIndex(where: { $0 == 0x2F || $0 == ASCII.question || $0 == 0x23 }) ?? value.count
            let hostPart = value[..<hostEnd]
            let afterAt = hostPart.lastIndex(of: ASCII.at).map { hostPart.index(after: $0) } ?? hostPart.startIndex
            guard let host = HostName.normalize(hostPart[afterAt...]), !host.isIP, host.ascii.contains(".") else {
                return nil
            }
            let isWWW = host.ascii.hasPrefix("www.")
            guard isWWW || TextLinkScanner.plausibleBareDomain(host, options: options) else { return nil }
            return URLParser.parse(value, defaultScheme: "http")
        }

        static func hasScheme(_ v: [UInt8]) -> Bool {
            guard let first = v.first, ASCII.isAlpha(first) else { return false }
            for c in v.prefix(32) {
                if c == ASCII.colon { return true }
                if !(ASCII.isAlphaNumeric(c) || c == 0x2B || c == ASCII.hyphen || c == ASCII.dot) { return false }
            }
            return false
        }

        /// `base` + a relative reference (path-absolute, path-relative, query or fragment). Dot segments are kept
        /// as written: only the host matters for the analysis.
        static func join(_ base: ParsedURL, _ rel: [UInt8]) -> ParsedURL? {
            var u = base
            let relText = String(decoding: URLParser.percentEncoded(rel[...]), as: UTF8.self)
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

        mutating func add(_ raw: [UInt8], _ source: LinkSource, into collector: inout LinkCollector) {
            let src: LinkSource = inAttachment ? .attachment : source
            if let url = resolve(raw) {
                collector.add(url, source: src)
                return
            }
            // `javascript:window.open('http://…')`: the URLs written inside.
            let v = URLParser.cleaned(raw)
            if v.count > 11, v.prefix(11).equalsLowercasedASCII("javascript:".utf8) {
                v.withUnsafeBufferPointer {
                    for url in TextLinkScanner.urls(in: $0, options: options) { collector.add(url, source: src) }
                }
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
                    add(Array(css[j..<end]), source, into: &collector)
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
                        add(Array(css[(j + 1)..<end]), source, into: &collector)
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
