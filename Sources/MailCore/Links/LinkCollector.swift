/// Where in a message a link was found (the `links.source` column).
public enum LinkSource: String, Sendable, CaseIterable, Comparable {
    /// `<a href>`, `<area href>`.
    case href
    /// `<form action>`, `formaction`.
    case form
    /// `<meta http-equiv=refresh>`.
    case meta
    /// `<link href>` of any `rel` but icons: stylesheets, `preconnect`, `preload`, `alternate`. A resource the
    /// client loads or a host it contacts, written as an element's `href` (rspamd counts it among a message's URLs).
    case link
    /// `<iframe>`, `<frame>`, `<embed>`, `<object>`, `<script>`, `<audio>`/`<video>`/`<source>` sources.
    case embed
    /// `<img src/srcset>`, `background`, `<input type=image>`, `poster`, `<link rel=icon>`.
    case img
    /// CSS `url()` and `@import`, in `style` attributes and `<style>`.
    case css
    /// An HTML attachment (`.htm`/`.html` part with a filename), any of the above inside it.
    case attachment
    /// Plain text, or the visible text of HTML.
    case text
    /// The Subject header.
    case subject
    /// A URL written in a parameter of another URL's query (`http://redirect.example/r?u=https%3A%2F%2Fa.example%2F`
    /// gives `https://a.example/`): a redirector's or tracker's target, percent-decoded.
    case query

    /// When the same URL is found in several places, the row keeps the most specific source (lowest rank).
    var rank: Int { LinkSource.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: LinkSource, b: LinkSource) -> Bool { a.rank < b.rank }
}

/// One distinct URL of a message, before its registrable domain is looked up.
public struct ExtractedLink: Sendable, Equatable {
    /// The URL as stored (normalised host; at most `LinkExtractor.Options.maxURLBytes` bytes).
    public var url: String
    public var host: HostName
    public var source: LinkSource
    public var count: Int
    /// The host the anchor text shows, when it differs from `host` (ignoring a leading `www.`).
    public var displayHost: String?
    public var truncated: Bool
    public var defanged: Bool
}

/// Options shared by the text and HTML scanners.
public struct LinkExtractorOptions: Sendable {
    /// Recover `hxxp://`, `example[.]com`, … (the links are flagged `defanged`). Off by default: spam does not
    /// defang, analysts' reports do.
    public var recoverDefanged: Bool
    /// Longer URLs are stored cut to this many bytes (at a UTF-8 boundary) and flagged `truncated`.
    public var maxURLBytes: Int
    /// Distinct URLs kept per message; the rest are counted in `LinkCollector.dropped`.
    public var maxLinks: Int
    /// Bytes of one body that are scanned; the rest is ignored (and reported).
    public var maxBodyBytes: Int
    /// Longest candidate URL looked at in text (a run of URL characters beyond this is cut).
    public var maxCandidateBytes: Int
    /// Decides which bare names in text have a real top-level domain, and registrable domains. The embedded list
    /// unless another is set (read only when first used, so a program starts without parsing it).
    public var publicSuffixList: PublicSuffixList {
        get { customPublicSuffixList ?? .embedded }
        set { customPublicSuffixList = newValue }
    }
    private var customPublicSuffixList: PublicSuffixList?

    public init(
        recoverDefanged: Bool = false, maxURLBytes: Int = 2048, maxLinks: Int = 1000,
        maxBodyBytes: Int = 8 << 20, maxCandidateBytes: Int = 16 << 10,
        publicSuffixList: PublicSuffixList? = nil
    ) {
        self.customPublicSuffixList = publicSuffixList
        self.recoverDefanged = recoverDefanged
        self.maxURLBytes = maxURLBytes
        self.maxLinks = maxLinks
        self.maxBodyBytes = maxBodyBytes
        self.maxCandidateBytes = maxCandidateBytes
    }
}

/// Collects the links of one message: one entry per distinct URL, with a count, in order of first appearance.
public struct LinkCollector: Sendable {
    public private(set) var links: [ExtractedLink] = []
    /// Distinct URLs not kept because of `maxLinks`.
    public private(set) var dropped = 0
    /// Bodies cut at `maxBodyBytes`.
    public private(set) var cutBodies = 0
    public let options: LinkExtractorOptions
    private var index: [String: Int] = [:]

    public init(options: LinkExtractorOptions = LinkExtractorOptions()) {
        self.options = options
    }

    /// Adds plain text (decoded, UTF-8).
    public mutating func addText(_ text: some Collection<UInt8>, source: LinkSource = .text) {
        withBounded(text) { b, collector in
            TextLinkScanner.scan(b, options: collector.options, source: source, into: &collector)
        }
    }

    /// Adds an HTML body (decoded, UTF-8). `inAttachment` reports every link as `.attachment`.
    public mutating func addHTML(_ html: some Collection<UInt8>, inAttachment: Bool = false) {
        withBounded(html) { b, collector in
            HTMLLinkScanner.scan(b, options: collector.options, inAttachment: inAttachment, into: &collector)
        }
    }

    /// Runs `body` over the bytes (contiguous ones are not copied), cut at `maxBodyBytes`.
    mutating func withBounded(
        _ b: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, inout LinkCollector) -> Void
    ) {
        func run(_ all: UnsafeBufferPointer<UInt8>, _ collector: inout LinkCollector) {
            if all.count > collector.options.maxBodyBytes {
                collector.cutBodies += 1
                body(UnsafeBufferPointer(rebasing: all.prefix(collector.options.maxBodyBytes)), &collector)
            } else {
                body(all, &collector)
            }
        }
        if b.withContiguousStorageIfAvailable({ run($0, &self) }) == nil {
            Array(b).withUnsafeBufferPointer { run($0, &self) }
        }
    }

    /// Records one occurrence of a parsed URL; the first time, also the URLs written in its query.
    mutating func add(_ url: ParsedURL, source: LinkSource, displayHost: HostName? = nil, depth: Int = 0) {
        var text = url.text
        var truncated = false
        if text.utf8.count > options.maxURLBytes {
            var cut = Array(text.utf8.prefix(options.maxURLBytes))
            // Back off to a UTF-8 boundary.
            while let last = cut.last, last & 0xC0 == 0x80 { cut.removeLast() }
            if let last = cut.last, last >= 0xC0 { cut.removeLast() }
            text = String(decoding: cut, as: UTF8.self)
            truncated = true
        }
        var shown: String? = nil
        if let d = displayHost, stripWWW(d.ascii) != stripWWW(url.host.ascii) { shown = d.ascii }
        if let k = index[text] {
            links[k].count += 1
            if source < links[k].source { links[k].source = source }
            if links[k].displayHost == nil { links[k].displayHost = shown }
            return
        }
        guard links.count < options.maxLinks else {
            dropped += 1
            return
        }
        index[text] = links.count
        links.append(
            ExtractedLink(
                url: text, host: url.host, source: source, count: 1, displayHost: shown, truncated: truncated,
                defanged: url.defanged))
        if depth < LinkCollector.maxQueryDepth {
            // Inside a resource's URL (an image proxy's `?url=`), the URL is that resource: it keeps the source.
            let nested: LinkSource =
                switch source {
                case .img, .css, .embed, .attachment: source
                default: .query
                }
            for inner in LinkCollector.queryURLs(url.rest, options: options) {
                add(inner, source: nested, depth: depth + 1)
            }
        }
    }

    /// How deep URLs inside queries are followed (`r?u=http://mid.example/?v=http://end.example/`).
    static let maxQueryDepth = 3

    /// The URLs written in the parameters of a query (`?u=…&v=…`), each value percent-decoded once and read like
    /// text: URLs with a web scheme and `www.` hosts (bare names in a query are too often not hosts).
    static func queryURLs(_ rest: String, options: LinkExtractorOptions) -> [ParsedURL] {
        let u = rest.utf8
        guard let q = u.firstIndex(of: ASCII.question) else { return [] }
        let end = u[q...].firstIndex(of: 0x23) ?? u.endIndex
        let query = u[u.index(after: q)..<end]
        // Cheap test first: a scheme's `:` (maybe encoded as `%3A`) or a `www.`.
        guard query.contains(ASCII.colon) || query.contains(0x25) || query.contains(0x2E) else { return [] }
        var found: [ParsedURL] = []
        for param in query.split(separator: 0x26) {
            let value = param.firstIndex(of: ASCII.equals).map { param[param.index(after: $0)...] } ?? param[...]
            // Only a value that can hold a scheme's `:` or a `www.` is decoded and read.
            guard value.count >= 8, value.contains(where: { $0 == ASCII.colon || $0 == 0x25 || $0 == 0x2E }) else {
                continue
            }
            let decoded = percentDecoded(value)
            guard decoded.contains(ASCII.colon) || decoded.contains(ASCII.dot) else { continue }
            decoded.withUnsafeBufferPointer {
                for url in TextLinkScanner.urls(in: $0, options: options, bareDomains: false)
                where url.host.isIP || lastLabelIsWord(url.host.ascii) {
                    found.append(url)
                }
            }
        }
        return found
    }

    /// The last label is letters (or an `xn--` label): `www.facebook.com_PayPalUSA` in a tracking parameter is no
    /// host.
    static func lastLabelIsWord(_ host: String) -> Bool {
        let last = host.utf8.split(separator: ASCII.dot).last ?? host.utf8[...]
        return last.starts(with: "xn--".utf8) || (!last.isEmpty && last.allSatisfy(ASCII.isAlpha))
    }

    /// `%XX` decoded (`+` left as is: it is a space only in forms, and never part of a host).
    static func percentDecoded(_ v: Substring.UTF8View.SubSequence) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var i = v.startIndex
        while i < v.endIndex {
            let c = v[i]
            if c == 0x25, let h1 = v.index(i, offsetBy: 1, limitedBy: v.endIndex), h1 < v.endIndex,
                let h2 = v.index(h1, offsetBy: 1, limitedBy: v.endIndex), h2 < v.endIndex,
                let a = ASCII.hexValue(v[h1]), let b = ASCII.hexValue(v[h2])
            {
                out.append(a << 4 | b)
                i = v.index(after: h2)
            } else {
                out.append(c)
                i = v.index(after: i)
            }
        }
        return out
    }

    func stripWWW(_ h: String) -> Substring {
        h.hasPrefix("www.") ? h.dropFirst(4) : h[...]
    }
}
