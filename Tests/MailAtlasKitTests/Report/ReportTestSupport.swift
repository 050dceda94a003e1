import Foundation
import GRDB
import ReportFixtures
import TestSupport

@testable import MailAtlasKit

/// A fixture store, its report for October 2026 and the three renderings of it.
struct RenderedReport {
    let directory: TempDirectory
    let path: String
    let queue: DatabaseQueue
    let report: Report
    let html: String
    let json: [String: Any]
    let jsonText: String
    let csv: [String: [[String]]]
    let csvText: [String: String]

    /// `edit`: SQL run on the fixture store before the report reads it (to relabel countries, say).
    init(
        hostile: Bool, month: String = "2026-10", verdict: String? = "spam", folders: [String] = [], top: Int = 20,
        edit: String? = nil
    ) throws {
        directory = TempDirectory("report")
        path = directory.path + "/fixture.sqlite"
        try ReportFixture.make(path: path, hostile: hostile)
        if let edit {
            try DatabaseQueue(path: path).write { db in try db.execute(sql: edit) }
        }
        queue = try MailStore.openReadOnly(path: path)
        let request = ReportRequest(
            verdict: verdict, folders: folders, period: ReportPeriod.month(month)!, top: top,
            generatedAt: "2026-11-29T00:00:00Z", storeName: "fixture.sqlite")
        report = try ReportQueries.build(queue, request: request)
        let templates = try ReportTemplates.load()
        html = try templates.html(report)
        jsonText = ReportJSON.render(report)
        json = try JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as! [String: Any]
        var csv: [String: [[String]]] = [:]
        var csvText: [String: String] = [:]
        for file in try templates.csv(report) {
            csvText[file.name] = file.text
            csv[file.name] = try CSV.parse(file.text)
        }
        self.csv = csv
        self.csvText = csvText
    }

    func sql<T: DatabaseValueConvertible>(_ sql: String, _ args: StatementArguments = []) throws -> T? {
        try queue.read { db in try T.fetchOne(db, sql: sql, arguments: args) }
    }

    func rows(_ sql: String, _ args: StatementArguments = []) throws -> [Row] {
        try queue.read { db in try Row.fetchAll(db, sql: sql, arguments: args) }
    }

    /// The CSV table `name` as dictionaries keyed by its header row.
    func records(_ name: String) -> [[String: String]] {
        guard let table = csv[name], let header = table.first else { return [] }
        return table.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// The part of the HTML between `<section id="ID"` and the next `</section>`.
    func section(_ id: String) -> String {
        guard let start = html.range(of: "<section id=\"\(id)\"") else { return "" }
        let rest = html[start.lowerBound...]
        guard let end = rest.range(of: "</section>") else { return String(rest) }
        return String(rest[..<end.upperBound])
    }
}

/// RFC 4180 reading, strict: quoted fields, doubled quotes, CRLF record ends, nothing else.
enum CSV {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var fieldStart = true
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && fieldStart {
                quoted = true
            } else if c == "\"" {
                throw Malformed(description: "quote inside an unquoted field at \(i)")
            } else if c == "," {
                record.append(field)
                field = ""
                fieldStart = true
                i += 1
                continue
            } else if c == "\r" {
                guard i + 1 < scalars.count, scalars[i + 1] == "\n" else {
                    throw Malformed(description: "bare CR at \(i)")
                }
                record.append(field)
                records.append(record)
                record = []
                field = ""
                fieldStart = true
                i += 2
                continue
            } else if c == "\n" {
                throw Malformed(description: "bare LF at \(i)")
            } else {
                field.unicodeScalars.append(c)
            }
            fieldStart = false
            i += 1
        }
        if quoted { throw Malformed(description: "unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty {
            throw Malformed(description: "last record does not end with CRLF")
        }
        return records
    }
}

/// The tags and attributes of an HTML document, read the way a browser tokenizer would for this purpose: tags
/// start with `<` followed by a letter or `/`; comments and the doctype are skipped.
enum HTMLTags {
    struct Tag {
        var name: String
        var attributes: [(name: String, value: String)]
    }

    static func scan(_ html: String) -> [Tag] {
        var tags: [Tag] = []
        let s = Array(html.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == ":" || c == "_"
        }
        while i < s.count {
            guard s[i] == "<", i + 1 < s.count else {
                i += 1
                continue
            }
            if s[i + 1] == "!" {
                // Comment or doctype.
                while i < s.count && s[i] != ">" { i += 1 }
                continue
            }
            var j = i + 1
            if s[j] == "/" { j += 1 }
            guard j < s.count, s[j].properties.isAlphabetic else {
                i += 1
                continue
            }
            var name = ""
            while j < s.count && isNameChar(s[j]) {
                name.unicodeScalars.append(s[j])
                j += 1
            }
            var attributes: [(String, String)] = []
            while j < s.count && s[j] != ">" {
                if s[j].properties.isWhitespace || s[j] == "/" {
                    j += 1
                    continue
                }
                var attr = ""
                while j < s.count && !s[j].properties.isWhitespace && s[j] != "=" && s[j] != ">" {
                    attr.unicodeScalars.append(s[j])
                    j += 1
                }
                var value = ""
                if j < s.count && s[j] == "=" {
                    j += 1
                    if j < s.count && (s[j] == "\"" || s[j] == "'") {
                        let q = s[j]
                        j += 1
                        while j < s.count && s[j] != q {
                            value.unicodeScalars.append(s[j])
                            j += 1
                        }
                        j += 1
                    } else {
                        while j < s.count && !s[j].properties.isWhitespace && s[j] != ">" {
                            value.unicodeScalars.append(s[j])
                            j += 1
                        }
                    }
                }
                if !attr.isEmpty { attributes.append((attr.lowercased(), value)) }
            }
            if s[i + 1] != "/" { tags.append(Tag(name: name.lowercased(), attributes: attributes)) }
            // Raw text of <style>: skip to its end tag, as a browser does.
            if name.lowercased() == "style" && s[i + 1] != "/" {
                let rest = String(String.UnicodeScalarView(s[j...]))
                if let end = rest.range(of: "</style>") {
                    j += rest.unicodeScalars.distance(from: rest.unicodeScalars.startIndex, to: end.lowerBound)
                }
            }
            i = j + 1
        }
        return tags
    }
}

extension String {
    func count(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
