import Foundation
import Mustache

/// Problems with templates or the report's output, each with the sentence a user needs.
public enum ReportError: Error, CustomStringConvertible, Sendable {
    case templates(String)
    case template(name: String, why: String)
    case output(String)

    public var description: String {
        switch self {
        case .templates(let why): "templates: \(why)"
        case .template(let name, let why): "template \(name): \(why)"
        case .output(let why): why
        }
    }
}

/// The report's templates: the defaults compiled into the binary (generated from `templates/` by
/// `scripts/embed-templates.py`), each replaceable by a file of the same name under `--templates DIR`.
///
/// Names are paths under the templates folder without `.mustache`: `report.html` (the HTML report, which includes
/// the partial `report.css`), and one `csv/NAME.csv` per CSV file written by `--format csv`. A folder may also add
/// new `csv/*.csv` templates: each becomes one more file.
public struct ReportTemplates: Sendable {
    let library: MustacheLibrary
    /// Every template name, sorted.
    public let names: [String]
    /// Names that came from the override folder.
    public let overridden: [String]

    /// CSV cells: RFC 4180 quoting and formula neutralisation (`Escape.csvCell`), for `{{% CONTENT_TYPE: CSV}}`.
    struct CSVContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { Escape.csvCell(text) }
    }

    private static let registerContentTypes: Void = {
        MustacheContentTypes.register(CSVContentType(), named: "CSV")
    }()

    /// The embedded defaults, with the `*.mustache` files under `directory` (recursively) taking their place.
    public static func load(overrides directory: String? = nil) throws -> ReportTemplates {
        _ = registerContentTypes
        var sources = DefaultTemplates.files
        var overridden: [String] = []
        if let directory {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
                throw ReportError.templates("\(directory) is not a directory")
            }
            let base = URL(fileURLWithPath: directory).standardizedFileURL.path
            let enumerator = FileManager.default.enumerator(atPath: base)
            while let relative = enumerator?.nextObject() as? String {
                guard relative.hasSuffix(".mustache") else { continue }
                let path = base + "/" + relative
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ReportError.templates("cannot read \(path)")
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw ReportError.templates("\(path) is not UTF-8")
                }
                let name = String(relative.dropLast(".mustache".count))
                sources[name] = text
                overridden.append(name)
            }
        }
        var library = MustacheLibrary()
        for (name, text) in sources {
            do {
                try library.register(text, named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw ReportError.template(
                    name: name,
                    why: "line \(error.context.lineNumber), column \(error.context.columnNumber): \(error.error)")
            } catch {
                throw ReportError.template(name: name, why: "\(error)")
            }
        }
        return ReportTemplates(library: library, names: sources.keys.sorted(), overridden: overridden.sorted())
    }

    func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard let text = library.render(context, withTemplate: name) else {
            throw ReportError.template(name: name, why: "no such template")
        }
        return text
    }

    /// The HTML report: one self-contained document.
    public func html(_ report: Report) throws -> String {
        try render("report.html", ReportView.context(report))
    }

    /// The CSV files, `(file name, contents)`: one per `csv/*.csv` template, with CRLF record ends.
    public func csv(_ report: Report) throws -> [(name: String, text: String)] {
        let context = ReportView.context(report)
        return try names.filter { $0.hasPrefix("csv/") && $0.hasSuffix(".csv") }.map { name in
            (String(name.dropFirst(4)), Self.crlf(try render(name, context)))
        }
    }

    /// Record ends as CRLF (RFC 4180): every LF outside a quoted field that is not already after a CR.
    /// Line breaks inside quoted cells are data and stay as they are.
    static func crlf(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 64)
        var quoted = false
        var previous: Unicode.Scalar = " "
        for scalar in s.unicodeScalars {
            if scalar == "\"" { quoted.toggle() }
            if scalar == "\n" && !quoted && previous != "\r" {
                out += "\r\n"
            } else {
                out.unicodeScalars.append(scalar)
            }
            previous = scalar
        }
        return out
    }
}

/// Writes a rendered report where the user asked, atomically: a file appears whole or not at all.
public enum ReportOutput {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw ReportError.output(
                "cannot write \(path): the folder \(folder) does not exist (create it, or give another --out)")
        }
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw ReportError.output("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Writes each CSV file into `directory`, creating it if needed; returns the paths written.
    public static func writeCSV(_ files: [(name: String, text: String)], into directory: String) throws -> [String] {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ReportError.output("\(directory) exists and is not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ReportError.output("cannot create \(directory): \(error.localizedDescription)")
            }
        }
        return try files.map { file in
            let path = URL(fileURLWithPath: directory).appendingPathComponent(file.name).path
            try write(file.text, to: path)
            return path
        }
    }
}
