import Foundation
import ReportFixtures
import Testing

@testable import MailAtlasKit

/// Subjects, file names, domains, AS names, HELO/rDNS names and archive members holding markup, formula starts
/// and control characters stay text in every output.
@Suite struct ReportHostileTests {
    /// The elements the report template and the chart builder write; anything else came from somewhere else.
    static let allowedTags: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "span", "p", "nav", "ul", "li",
        "a", "main", "section", "figure", "figcaption", "svg", "desc", "text", "rect", "line", "polyline", "circle",
        "path", "g", "div", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "strong", "code", "footer",
    ]

    @Test func theFixtureReallyPutsHostileTextInEverySection() throws {
        let r = try RenderedReport(hostile: true)
        let json = r.jsonText
        // The raw strings reach the report (JSON-escaped), so the checks below test something.
        #expect(json.contains(#""as_name": "<script>alert(1)</script>""#))
        #expect(json.contains(#""as_name": "=HYPERLINK(\"http://x\")""#))
        #expect(json.contains(#""domain": "<script>alert(1)</script>.example""#))
        #expect(
            json.contains(#""example_subject": "<script>alert(1)</script>""#)
                || json.contains(#""example_subject": "=HYPERLINK"#))
        #expect(json.contains(#""member": "<script>alert(1)</script>.js""#))
        #expect(json.contains(#"Evil\u001b[31mNet\u0007"#))
        #expect(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(r.html.contains("=HYPERLINK(&quot;http://x&quot;)"))
    }

    @Test func htmlHasNoExecutableMarkup() throws {
        let r = try RenderedReport(hostile: true)
        let html = r.html
        #expect(!html.contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        #expect(!html.lowercased().contains("javascript:"))
        for tag in HTMLTags.scan(html) {
            #expect(Self.allowedTags.contains(tag.name), "unexpected element <\(tag.name)>")
            for (name, value) in tag.attributes {
                #expect(!name.hasPrefix("on"), "event handler \(name) on <\(tag.name)>")
                #expect(name != "src" && name != "srcdoc" && name != "formaction", "\(name) on <\(tag.name)>")
                if name == "href" { #expect(value.hasPrefix("#"), "link out of the page: \(value)") }
                if name == "style" { Issue.record("inline style attribute on <\(tag.name)>") }
            }
        }
        // Nothing loads: no URL in CSS, no import, a policy that forbids everything but inline style.
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
        #expect(html.contains("default-src 'none'"))
    }

    @Test func htmlShowsControlCharactersAsEscapes() throws {
        let r = try RenderedReport(hostile: true)
        for scalar in r.html.unicodeScalars {
            let v = scalar.value
            let control = (v < 0x20 && v != 0x0A) || v == 0x7F || (0x80..<0xA0).contains(v)
            #expect(!control, "raw control character U+\(String(v, radix: 16)) in the HTML")
            #expect(!(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v), "bidi override in the HTML")
        }
        #expect(r.html.contains(#"Evil\x1b[31mNet\x07\u{202e}gnp.exe\r\n@SUM(1)"#))
    }

    @Test func csvCellsAreNeverFormulas() throws {
        let r = try RenderedReport(hostile: true)
        var sawFormula = false
        var sawControl = false
        for (name, table) in r.csv {
            let width = table.first?.count ?? 0
            for record in table {
                #expect(record.count == width, "\(name): ragged record \(record)")
                for cell in record {
                    if cell.hasPrefix("'=HYPERLINK") { sawFormula = true }
                    if cell.contains("\u{1B}") { sawControl = true }
                    guard let first = cell.unicodeScalars.first else { continue }
                    // A spreadsheet evaluates a cell starting with these; plain numbers are fine.
                    if "=+-@\t\r".unicodeScalars.contains(first) {
                        #expect(Double(cell) != nil, "\(name): cell a spreadsheet would evaluate: \(cell)")
                    }
                }
            }
        }
        #expect(sawFormula, "the hostile AS name should appear, neutralised")
        #expect(sawControl, "CSV keeps text as stored, inside a quoted cell")
        // The control-character AS name round-trips through RFC 4180 quoting (CR LF inside it included).
        let providers = r.records("by-provider.csv")
        #expect(providers.contains { $0["as_name"] == ReportFixture.control })
        #expect(providers.contains { $0["as_name"] == "'" + ReportFixture.formula })
        #expect(providers.contains { $0["as_name"] == ReportFixture.script })
    }

    @Test func jsonIsValidAndKeepsTheText() throws {
        let r = try RenderedReport(hostile: true)
        let providers = r.json["by_provider"] as! [[String: Any]]
        #expect(providers.contains { $0["as_name"] as? String == ReportFixture.control })
        // Control and bidi characters are \u escapes: the parsed value above is intact, the text shows nothing hidden.
        for scalar in r.jsonText.unicodeScalars where scalar != "\n" {
            #expect(!Escape.needsEscape(scalar), "raw U+\(String(scalar.value, radix: 16)) in JSON")
        }
        #expect(r.jsonText.contains(#"Evil\u001b[31mNet\u0007\u202egnp.exe\r\n@SUM(1)"#))
    }
}
