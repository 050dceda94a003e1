public import MailCore

/// Collects the links of one message from its decoded bodies (and subject) and turns them into `LinkFacts`:
/// registrable domain and ICANN suffix through the Public Suffix List, IP hosts kept as IPs.
public struct LinkAnalysis: Sendable {
    public var options: LinkExtractorOptions
    private var collector: LinkCollector

    public init(options: LinkExtractorOptions = LinkExtractorOptions()) {
        self.options = options
        self.collector = LinkCollector(options: options)
    }

    /// A decoded text body (UTF-8). HTML bodies are read as HTML; bodies that are attachments (`.html` files, named
    /// text files) give links with the source `attachment`.
    public mutating func addBody(_ utf8: [UInt8], isHTML: Bool, fromAttachment: Bool) {
        if isHTML {
            collector.addHTML(utf8, inAttachment: fromAttachment)
        } else {
            collector.addText(utf8, source: fromAttachment ? .attachment : .text)
        }
    }

    /// Bytes of a Subject read for links: far beyond any subject a mail client writes. A longer one is the
    /// analyzer's `header.subject-long`, not a body cut at `maxBodyBytes` (`links.body-limit`).
    public static let maxSubjectBytes = 64 * 1024

    /// The decoded Subject: only URLs with a scheme and `www.` hosts count there.
    public mutating func addSubject(_ subject: String) {
        let limit = min(Self.maxSubjectBytes, options.maxBodyBytes)
        var bytes = Array(subject.utf8.prefix(limit))
        if bytes.count < subject.utf8.count {
            // Back off to a character boundary.
            while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
            if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
        }
        collector.addText(bytes, source: .subject)
    }

    /// The links found so far, one per distinct URL, and diagnostics for the limits that were hit.
    public func facts() -> ([LinkFacts], [DiagnosticFacts]) {
        let psl = options.publicSuffixList
        var links: [LinkFacts] = []
        links.reserveCapacity(collector.links.count)
        for l in collector.links {
            let domain: String
            var tld: String? = nil
            if l.host.isIP {
                domain = l.host.ascii
            } else {
                let m = psl.match(host: l.host.ascii)
                domain = m.registrableDomain ?? l.host.ascii
                tld = m.icannSuffix
            }
            links.append(
                LinkFacts(
                    url: l.url, host: l.host.ascii, domain: domain, tld: tld, isIP: l.host.isIP,
                    source: l.source.rawValue,
                    count: l.count, displayHost: l.displayHost, unicodeHost: l.host.unicode, truncated: l.truncated,
                    defanged: l.defanged))
        }
        var diagnostics: [DiagnosticFacts] = []
        if collector.dropped > 0 {
            diagnostics.append(
                DiagnosticFacts(
                    .warning, "links.limit",
                    "more than \(options.maxLinks) distinct URLs: \(collector.dropped) further occurrences not stored"))
        }
        if collector.cutBodies > 0 {
            diagnostics.append(
                DiagnosticFacts(
                    .info, "links.body-limit",
                    "\(collector.cutBodies) bodies longer than \(options.maxBodyBytes) bytes: only their start was read"
                ))
        }
        return (links, diagnostics)
    }
}
