import Foundation

/// Escaping for everything an attacker may have written (subjects, names, file names, domains, AS names), per
/// output: terminal, CSV/TSV cells, JSON strings. HTML escaping lives with the report templates.
public enum Escape {
    /// Control characters (C0, DEL, C1), and the bidirectional overrides and isolates that can make text read
    /// differently from what it is, as visible `\x1b`-style or `\u{202e}`-style escapes. Tabs and line breaks
    /// become `\t`, `\n`, `\r` so one value stays on one line.
    public static func terminal(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for scalar in s.unicodeScalars {
            if needsEscape(scalar) {
                switch scalar {
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\u{F780}"..."\u{F7FF}":
                    // A file-name byte that is not UTF-8 (see `PathBytes`), shown as the byte it stands for.
                    out += "\\x" + String(scalar.value - 0xF700, radix: 16)
                default:
                    let hex = String(scalar.value, radix: 16)
                    out += scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) { return true }
        // Bidi embeddings/overrides/isolates, zero-width joiners and marks, BOM, line/paragraph separators.
        return (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
            || v == 0x061C || v == 0x2028 || v == 0x2029 || v == 0xFEFF || (0xF780...0xF7FF).contains(v)
    }

    /// A CSV (or TSV) cell: quoted when needed (RFC 4180), and a text that a spreadsheet would evaluate as a formula
    /// (starting with `=`, `+`, `-`, `@`, tab or CR) prefixed with `'`.
    public static func csvCell(_ s: String, separator: Character = ",") -> String {
        var value = s
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            value = "'" + value
        }
        if separator == "\t" {
            // TSV has no quoting: tabs and line breaks inside values become visible escapes.
            return value.replacingAll("\t", with: "\\t").replacingAll("\n", with: "\\n").replacingAll("\r", with: "\\r")
        }
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n", and must still be quoted.
        let needsQuotes = value.unicodeScalars.contains {
            separator.unicodeScalars.contains($0) || $0 == "\"" || $0 == "\n" || $0 == "\r"
        }
        return needsQuotes ? "\"" + value.replacingAll("\"", with: "\"\"") + "\"" : value
    }

    /// A JSON string literal (RFC 8259), with every control character escaped.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Columns a string takes on a terminal (East Asian wide characters count two, combining marks zero).
    public static func displayWidth(_ s: String) -> Int {
        var w = 0
        for scalar in s.unicodeScalars { w += scalarWidth(scalar) }
        return w
    }

    static func scalarWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark
            || v == 0x200B || (0xFE00...0xFE0F).contains(v)
        {
            return 0
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    /// Cuts a string to at most `width` columns, ending with `…` when cut.
    public static func truncate(_ s: String, toWidth width: Int) -> String {
        guard width > 1 else { return "…" }
        var out = ""
        var w = 0
        for ch in s {
            let cw = displayWidth(String(ch))
            if w + cw > width - 1 { break }
            out.append(ch)
            w += cw
        }
        return out + "…"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        contains(target) ? replacingOccurrences(of: target, with: replacement) : self
    }
}
