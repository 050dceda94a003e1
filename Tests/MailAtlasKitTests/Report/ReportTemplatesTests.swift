import Foundation
import TestSupport
import Testing

@testable import MailAtlasKit

@Suite struct ReportTemplatesTests {
    static let templatesDirectory = Corpus.packageRoot.appendingPathComponent("templates")

    /// The templates compiled into the binary are exactly those in templates/: run
    /// `python3 scripts/embed-templates.py` after changing one.
    @Test func embeddedTemplatesAreUpToDate() throws {
        var onDisk: [String: String] = [:]
        let base = Self.templatesDirectory.path
        let enumerator = FileManager.default.enumerator(atPath: base)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".mustache") else { continue }
            onDisk[String(relative.dropLast(9))] = try String(contentsOfFile: base + "/" + relative, encoding: .utf8)
        }
        #expect(!onDisk.isEmpty)
        #expect(
            Set(onDisk.keys) == Set(DefaultTemplates.files.keys),
            "templates/ and DefaultTemplates.swift differ: run python3 scripts/embed-templates.py")
        for (name, text) in onDisk {
            #expect(
                DefaultTemplates.files[name] == text,
                "\(name) changed since DefaultTemplates.swift was generated: run python3 scripts/embed-templates.py")
        }
    }

    @Test func everyCSVTemplateBecomesAFileWithAHeader() throws {
        let r = try RenderedReport(hostile: false)
        let expected = DefaultTemplates.files.keys.filter { $0.hasPrefix("csv/") }.map { String($0.dropFirst(4)) }
        #expect(Set(r.csv.keys) == Set(expected))
        #expect(r.csv.count >= 13)
        for (name, table) in r.csv {
            #expect(!(table.first ?? []).isEmpty, "\(name) has no header")
            #expect(r.csvText[name]!.hasSuffix("\r\n"))
        }
    }

    @Test func aFolderReplacesOneTemplateAndAddsOthers() throws {
        let dir = TempDirectory("templates")
        dir.write(
            "report.html.mustache",
            "<p>{{title}}: {{totals.messages_text}} {{#countries.rows}}[{{country}}]{{/countries.rows}}</p>\n")
        dir.write(
            "csv/extra.csv.mustache",
            "{{% CONTENT_TYPE: CSV}}\nx\n{{#countries.rows}}\n{{messages}}\n{{/countries.rows}}\n")
        let templates = try ReportTemplates.load(overrides: dir.path)
        #expect(templates.overridden == ["csv/extra.csv", "report.html"])
        let r = try RenderedReport(hostile: false)
        let html = try templates.html(r.report)
        #expect(html.hasPrefix("<p>Spam report — October 2026: \(r.report.totals.messages) [DE]"))
        let files = try templates.csv(r.report)
        #expect(files.contains { $0.name == "by-country.csv" })
        let extra = try #require(files.first { $0.name == "extra.csv" })
        #expect(extra.text.hasPrefix("x\r\n"))
        #expect(extra.text.split(separator: "\r\n").count == r.report.byCountry.count + 1)
    }

    @Test func aBrokenTemplateIsNamedInTheError() throws {
        let dir = TempDirectory("templates")
        dir.write("report.html.mustache", "<p>{{#countries}}never closed</p>\n")
        #expect {
            try ReportTemplates.load(overrides: dir.path)
        } throws: { error in
            "\(error)".contains("template report.html")
        }
        #expect(throws: ReportError.self) { try ReportTemplates.load(overrides: dir.path + "/missing") }
    }

    @Test func recordEndsBecomeCRLFOutsideQuotes() {
        #expect(ReportTemplates.crlf("a,b\n1,\"x\ny\"\n") == "a,b\r\n1,\"x\ny\"\r\n")
        #expect(ReportTemplates.crlf("a\r\nb\n") == "a\r\nb\r\n")
        #expect(ReportTemplates.crlf("\"q\"\"\n\",z\n") == "\"q\"\"\n\",z\r\n")
    }

    @Test func csvContentTypeNeutralisesFormulas() {
        let type = ReportTemplates.CSVContentType()
        #expect(type.escapeText("=1+1") == "'=1+1")
        #expect(type.escapeText("@SUM(A1)") == "'@SUM(A1)")
        #expect(type.escapeText("a,b") == "\"a,b\"")
        #expect(type.escapeText("42") == "42")
        // "\r\n" is a single Character in Swift: it must still force quoting, or a cell could end a record.
        #expect(type.escapeText("a\r\n@SUM(1)") == "\"a\r\n@SUM(1)\"")
        #expect(Escape.csvCell("x\r\ny", separator: ";") == "\"x\r\ny\"")
    }
}
