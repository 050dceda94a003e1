import MailAtlasKit
import MailCore
import Testing

/// A ZIP with stored (uncompressed) members, enough for the analysis tests.
private func storedZip(_ items: [(String, [UInt8], Bool)]) -> [UInt8] {
    func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    var out: [UInt8] = []
    var central: [UInt8] = []
    for (name, data, encrypted) in items {
        let n = Array(name.utf8)
        let offset = out.count
        let flags = encrypted ? 1 : 0
        out += le32(0x0403_4B50) + le16(10) + le16(flags) + le16(0) + le32(0) + le32(0) + le32(data.count)
        out += le32(data.count) + le16(n.count) + le16(0) + n + data
        central += le32(0x0201_4B50) + le16(10) + le16(10) + le16(flags) + le16(0) + le32(0) + le32(0)
        central += le32(data.count) + le32(data.count) + le16(n.count) + le16(0) + le16(0) + le16(0) + le16(0)
        central += le32(0) + le32(offset) + n
    }
    let cd = out.count
    out += central + le32(0x0605_4B50) + le16(0) + le16(0) + le16(items.count) + le16(items.count)
    out += le32(central.count) + le32(cd) + le16(0)
    return out
}

private let peBytes: [UInt8] = {
    var b: [UInt8] = Array("MZ".utf8) + [UInt8](repeating: 0, count: 0x3A) + [0x80, 0, 0, 0]
    b += [UInt8](repeating: 0, count: 0x80 - b.count)
    b += Array("PE".utf8) + [0, 0, 0x4C, 0x01, 1, 0] + [UInt8](repeating: 0, count: 12) + [0xE0, 0, 0x02, 0x01]
    return b + [UInt8](repeating: 0, count: 512 - b.count)
}()

private func analyze(
    _ name: String?, _ declared: String?, _ payload: [UInt8], prefix: Bool = false
) -> (AttachmentFacts, [DiagnosticFacts]) {
    var budget = AttachmentAnalysis.MessageBudget()
    return AttachmentAnalysis().analyze(
        partPath: "2", filename: name, declaredType: declared, isInline: false, payload: payload,
        payloadIsPrefix: prefix, size: payload.count, sha256: "00", budget: &budget)
}

@Suite struct AttachmentAnalysisTests {
    @Test func anExecutableDressedAsAPDF() {
        let (a, _) = analyze("invoice.pdf.exe", "application/pdf", peBytes)
        #expect(a.detectedType == "exe")
        #expect(a.extensionName == "exe")
        for flag in ["double-extension", "risky-extension", "executable", "type-mismatch"] {
            #expect(a.flags.contains(flag), "\(flag)")
        }
        #expect(!a.flags.contains("extension-mismatch"))
        let (b, _) = analyze("invoice.pdf", "application/octet-stream", peBytes)
        #expect(b.flags.contains("extension-mismatch"))
        #expect(!b.flags.contains("type-mismatch"))
    }

    @Test func honestFilesRaiseNoMismatch() {
        let pdf = Array("%PDF-1.4\n%%EOF\n".utf8)
        let (a, _) = analyze("report.pdf", "application/pdf", pdf)
        #expect(a.flags.isEmpty)
        #expect(a.detectedType == "pdf")
        let (t, _) = analyze("notes.txt", "text/plain", Array("var a = 1; function f() { eval(a) }".utf8))
        #expect(!t.flags.contains("extension-mismatch") && !t.flags.contains("type-mismatch"))
        let (e, _) = analyze(nil, "application/octet-stream", [])
        #expect(e.detectedType == "empty")
        #expect(e.flags.isEmpty)
    }

    @Test func archivesAreListedWithRiskyMembers() {
        let zip = storedZip([
            ("invoice.js", Array("var s = new ActiveXObject('WScript.Shell'); eval(s);".utf8), false),
            ("locked.exe", [1, 2, 3], true), ("note.txt", Array("hello".utf8), false),
        ])
        let (a, _) = analyze("docs.zip", "application/zip", zip)
        #expect(a.isArchive)
        #expect(a.encrypted)
        #expect(a.members.map(\.name) == ["invoice.js", "locked.exe", "note.txt"])
        #expect(a.members.map(\.detectedType) == ["javascript", nil, "text"])
        #expect(a.flags.contains("member-risky"))
        #expect(a.flags.contains("encrypted"))
    }

    @Test func namesAreShownSafely() {
        let (a, _) = analyze("photo\u{202E}gpj.scr", nil, peBytes)
        #expect(a.filename == "photo[U+202E]gpj.scr")
        #expect(a.flags.contains("rtl-override"))
        #expect(a.extensionName == "scr")
    }

    @Test func theMessageBudgetIsShared() {
        var budget = AttachmentAnalysis.MessageBudget()
        let zip = storedZip((0..<50).map { ("f\($0).txt", [UInt8](repeating: 0x61, count: 10_000), false) })
        let analysis = AttachmentAnalysis(maxInflatedPerMessage: 120_000)
        for _ in 0..<5 {
            _ = analysis.analyze(
                partPath: "1", filename: "a.zip", declaredType: nil, isInline: false, payload: zip, size: zip.count,
                sha256: "", budget: &budget)
        }
        #expect(budget.inflated <= 120_000)
    }
}

@Suite struct LinkAnalysisTests {
    @Test func domainsTLDsAndIPs() {
        var l = LinkAnalysis()
        l.addBody(
            Array(
                """
                <a href="http://a.b.example.co.jp/x">https://www.paypal.com/</a>
                <a href="http://0x7f000001/admin">x</a> <a href="http://мойсайт.рф/">y</a>
                <img src="http://img.user.github.io/p.png">
                """.utf8), isHTML: true, fromAttachment: false)
        l.addBody(Array("see www.example.org/page".utf8), isHTML: false, fromAttachment: true)
        l.addSubject("Win at http://prize.example.com/claim now")
        let (links, diags) = l.facts()
        #expect(diags.isEmpty)
        let byHost = Dictionary(links.map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byHost["a.b.example.co.jp"]?.domain == "example.co.jp")
        #expect(byHost["a.b.example.co.jp"]?.tld == "co.jp")
        #expect(byHost["a.b.example.co.jp"]?.displayHost == "www.paypal.com")
        #expect(byHost["a.b.example.co.jp"]?.source == "href")
        #expect(byHost["127.0.0.1"]?.isIP == true)
        #expect(byHost["127.0.0.1"]?.domain == "127.0.0.1")
        #expect(byHost["127.0.0.1"]?.tld == nil)
        #expect(byHost["xn--80arbjktj.xn--p1ai"]?.unicodeHost == "мойсайт.рф")
        #expect(byHost["xn--80arbjktj.xn--p1ai"]?.tld == "xn--p1ai")
        #expect(byHost["img.user.github.io"]?.domain == "user.github.io")
        #expect(byHost["img.user.github.io"]?.tld == "io")
        #expect(byHost["img.user.github.io"]?.source == "img")
        #expect(byHost["www.example.org"]?.source == "attachment")
        #expect(byHost["prize.example.com"]?.source == "subject")
    }

    @Test func limitsBecomeDiagnostics() {
        var l = LinkAnalysis(options: LinkExtractorOptions(maxLinks: 2))
        l.addBody(
            Array("http://a.example/ http://b.example/ http://c.example/".utf8), isHTML: false, fromAttachment: false)
        let (links, diags) = l.facts()
        #expect(links.count == 2)
        #expect(diags.map(\.code) == ["links.limit"])
    }
}

@Suite struct PublicSuffixFileTests {
    @Test func loadsANewerListFromAFile() throws {
        let path = "/tmp/mailatlas-psl-\(UInt32.random(in: 0...UInt32.max)).dat"
        let text = "// test list\nexample\n// ===BEGIN PRIVATE DOMAINS===\nhost.example\n"
        #expect(FileManagerShim.write(text, to: path))
        defer { FileManagerShim.remove(path) }
        let list = try PublicSuffixList.load(path: path)
        #expect(list.ruleCount == 2)
        #expect(list.registrableDomain(of: "a.site.host.example") == "site.host.example")
        #expect(throws: (any Error).self) { try PublicSuffixList.load(path: path + ".missing") }
        var l = LinkAnalysis(options: LinkExtractorOptions(publicSuffixList: list))
        l.addBody(Array("http://www.site.host.example/".utf8), isHTML: false, fromAttachment: false)
        #expect(l.facts().0.first?.domain == "site.host.example")
    }
}

@Suite struct TraceRowsTests {
    @Test func linksAndAttachmentsReadAsRows() {
        let link = LinkFacts(
            url: "http://evil.example/login", host: "evil.example", domain: "evil.example", tld: "example",
            isIP: false, source: "href", count: 2, displayHost: "www.paypal.com")
        #expect(LinksTrace.rows([link]).map(\.0) == ["evil.example"])
        #expect(LinksTrace.rows([link]).first?.1 == "http://evil.example/login  (href, ×2, text shows www.paypal.com)")
        let zip = AttachmentFacts(
            partPath: "2", filename: "docs.zip", declaredType: "application/zip", detectedType: "zip",
            extensionName: "zip", size: 300, sha256: "", isArchive: true, encrypted: true, flags: ["member-risky"],
            members: [
                ArchiveMemberFacts(
                    name: "a.js", size: 40, compressedSize: 40, detectedType: "javascript", encrypted: false),
                ArchiveMemberFacts(name: "b.exe", size: 9, compressedSize: 21, detectedType: nil, encrypted: true),
            ])
        let rows = AttachmentsTrace.rows([zip])
        #expect(rows.map(\.0) == ["2 docs.zip", "  └ a.js", "  └ b.exe"])
        #expect(rows[0].1 == "zip, declared application/zip, 300 bytes; flags: member-risky")
        #expect(rows[2].1 == "encrypted, 9 bytes (21 stored)")
    }
}
