import Crypto
public import MailAtlasKit
public import MailCore

/// What the parser, the link extraction and the attachment analysis say about one message, as text: the records
/// behind `AnalysisDigestTests`' digests, and what `mailatlas-analysis-bench --records FILE` writes so that two
/// builds can be diffed. One format for both, kept here. The origin analysis is left out: it has its own tests.
public enum AnalysisRecords {
    public static func digest(_ record: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in SHA256.hash(data: Array(record.utf8)).prefix(8) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func sha(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in SHA256.hash(data: bytes) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out.prefix(16), as: UTF8.self)
    }

    public static func show(_ s: String?) -> String {
        s.map { "\"" + $0.debugDescription.dropFirst().dropLast() + "\"" } ?? "nil"
    }

    /// One message's record: the parser's values, then the analysis facts other than the origin.
    public static func record(_ bytes: [UInt8], analyzer: MessageAnalyzer, defanged: LinkExtractorOptions) -> String {
        var out: [String] = []
        let p = MessageParser.parse(bytes)
        out.append("subject \(show(p.subject))")
        out.append("from \(show(p.from?.address)) \(show(p.from?.name))")
        out.append("to " + p.to.map { "\(show($0.address)) \(show($0.name))" }.joined(separator: ", "))
        out.append("date \(show(p.dateUTC)) id \(show(p.messageID)) header-charset \(show(p.headerCharset))")
        out.append("fields \(p.headers.fields.count) body \(p.headers.bodyStart) sep \(p.headers.hasSeparator)")
        for part in p.parts {
            out.append(
                "part \(show(part.path)) parent \(part.parent.map(String.init) ?? "-") depth \(part.depth) "
                    + "\(part.kind) \(part.contentType.value) \(part.contentType.parameters.map { "\($0.name)=\(show($0.value))" }) "
                    + "body \(part.bodyRange) cte \(part.transferEncoding.name) disp \(show(part.dispositionType)) "
                    + "name \(show(part.filename)) children \(part.children)")
        }
        for t in p.textBodies {
            out.append(
                "text \(t.partPath) #\(t.partIndex) html \(t.isHTML) att \(t.fromAttachment) \(t.charset) "
                    + "cut \(t.truncated) \(t.utf8.count) \(sha(t.utf8))")
        }
        for a in p.attachments {
            out.append(
                "mime-attachment \(a.partPath) #\(a.partIndex) \(a.source) \(show(a.filename)) \(show(a.declaredType)) "
                    + "\(show(a.disposition)) \(a.size) \(a.sha256) payload \(a.payload.count) \(sha(a.payload)) "
                    + "cut \(a.payloadTruncated) inline \(a.isInline)")
        }
        for d in p.diagnostics { out.append("mime-diagnostic \(d.severity) \(d.code) \(show(d.message))") }

        let f = analyzer.analyze(bytes)
        out.append("facts \(f.size) \(f.sha256) \(show(f.subject)) \(show(f.messageID)) \(show(f.dateUTC))")
        out.append("facts-from \(show(f.fromAddress)) \(show(f.fromName)) verdict \(show(f.headerVerdict?.source))")
        if let a = f.authentication {
            out.append(
                "auth \(show(a.authservID)) spf \(show(a.spf)) \(show(a.spfDomain)) dmarc \(show(a.dmarc)) "
                    + "\(show(a.dmarcPolicy)) \(show(a.dmarcDomain))")
            for d in a.dkim { out.append("auth-dkim \(d.result) \(show(d.domain)) \(show(d.selector))") }
        }
        for l in f.links { out.append("link " + link(l)) }
        for a in f.attachments {
            out.append(
                "attachment \(a.partPath) \(show(a.filename)) \(show(a.declaredType)) \(show(a.detectedType)) "
                    + "\(show(a.extensionName)) \(a.size) \(a.sha256) inline \(a.isInline) archive \(a.isArchive) "
                    + "encrypted \(a.encrypted) flags \(a.flags.joined(separator: ","))")
            for m in a.members {
                out.append(
                    "  member \(show(m.name)) \(m.size) \(m.compressedSize) \(show(m.detectedType)) "
                        + "encrypted \(m.encrypted) depth \(m.depth)")
            }
        }
        for d in f.diagnostics where !d.code.hasPrefix("received.") {
            out.append("diagnostic \(d.severity) \(d.code) \(show(d.message))")
        }

        // The defanged forms, recovered (an option of scan and trace).
        var links = LinkAnalysis(options: defanged)
        links.add(p)
        let (recovered, notes) = links.facts()
        for l in recovered { out.append("defanged-link " + link(l)) }
        for d in notes { out.append("defanged-diagnostic \(d.severity) \(d.code) \(show(d.message))") }
        return out.joined(separator: "\n")
    }

    public static func link(_ l: LinkFacts) -> String {
        "\(show(l.url)) host \(l.host) domain \(l.domain) tld \(show(l.tld)) ip \(l.isIP) \(l.source) x\(l.count) "
            + "shown \(show(l.displayHost)) unicode \(show(l.unicodeHost)) cut \(l.truncated) defanged \(l.defanged)"
    }
}
