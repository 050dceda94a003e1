import GRDB

/// Renders query results for people and for programs, escaping what an attacker may have written.
public enum TableOutput {
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, tsv, json
    }

    public static func render(_ result: ReadOnlyQuery.Result, format: Format, maxCellWidth: Int? = nil) -> String {
        switch format {
        case .table: table(result, maxCellWidth: maxCellWidth)
        case .csv: delimited(result, separator: ",")
        case .tsv: delimited(result, separator: "\t")
        case .json: json(result)
        }
    }

    /// Text of a value for display: NULL empty, blobs as hex.
    static func text(_ v: DatabaseValue) -> String? {
        switch v.storage {
        case .null: nil
        case .int64(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): s
        case .blob(let data): "x'" + data.map { String($0, radix: 16).leftPadded(2) }.joined() + "'"
        }
    }

    static func table(_ r: ReadOnlyQuery.Result, maxCellWidth: Int?) -> String {
        let header = r.columns.map { Escape.terminal($0) }
        var cells = r.rows.map { row in
            row.map { v -> String in
                var s = Escape.terminal(text(v) ?? "NULL")
                if let limit = maxCellWidth, Escape.displayWidth(s) > limit {
                    s = Escape.truncate(s, toWidth: limit)
                }
                return s
            }
        }
        cells.insert(header, at: 0)
        var widths = Array(repeating: 0, count: r.columns.count)
        for row in cells {
            for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Escape.displayWidth(c)) }
        }
        let numeric = r.columns.indices.map { i in
            !r.rows.isEmpty
                && r.rows.allSatisfy { row in
                    switch row[i].storage {
                    case .int64, .double, .null: true
                    default: false
                    }
                }
        }
        var out = ""
        for (n, row) in cells.enumerated() {
            let line = row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - Escape.displayWidth(c)))
                return numeric[i] && n > 0 ? pad + c : c + pad
            }.joined(separator: "  ")
            out += line.trimmingTrailingSpaces() + "\n"
            if n == 0 {
                out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
            }
        }
        out += "(\(r.rows.count) row\(r.rows.count == 1 ? "" : "s"))\n"
        return out
    }

    static func delimited(_ r: ReadOnlyQuery.Result, separator: Character) -> String {
        var out =
            r.columns.map { Escape.csvCell($0, separator: separator) }.joined(separator: String(separator)) + "\r\n"
        for row in r.rows {
            out +=
                row.map { v -> String in
                    switch v.storage {
                    case .null: return ""
                    case .int64, .double: return text(v) ?? ""
                    default: return Escape.csvCell(text(v) ?? "", separator: separator)
                    }
                }.joined(separator: String(separator)) + "\r\n"
        }
        return out
    }

    static func json(_ r: ReadOnlyQuery.Result) -> String {
        var out = "[\n"
        for (n, row) in r.rows.enumerated() {
            let fields = zip(r.columns, row).map { name, v -> String in
                let value: String
                switch v.storage {
                case .null: value = "null"
                case .int64(let i): value = String(i)
                case .double(let d): value = d.isFinite ? String(d) : "null"
                case .string(let s): value = Escape.jsonString(s)
                case .blob: value = Escape.jsonString(text(v) ?? "")
                }
                return Escape.jsonString(name) + ": " + value
            }
            out += "  {" + fields.joined(separator: ", ") + "}" + (n + 1 < r.rows.count ? ",\n" : "\n")
        }
        return out + "]\n"
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
