import Foundation
import Glibc

/// Where output goes and whether a person is watching it.
enum Terminal {
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Columns of the terminal on stderr, or 100.
    static var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 100
    }

    /// Columns of the terminal on stdout, or nil when stdout is not a terminal (a pipe, a file).
    static var stdoutWidth: Int? {
        guard stdoutIsTTY else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return nil
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Numbers as people read them.
enum Format {
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    static func seconds(_ s: Double) -> String {
        if s < 10 { return String(format: "%.2f s", s) }
        if s < 120 { return String(format: "%.1f s", s) }
        let m = Int(s) / 60
        return m < 120 ? "\(m) min \(Int(s) % 60) s" : "\(m / 60) h \(m % 60) min"
    }

    static func bytes(_ b: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(b)
        var u = 0
        while v >= 1000 && u < units.count - 1 {
            v /= 1000
            u += 1
        }
        return u == 0 ? "\(b) B" : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[u])
    }

    /// `50M`, `2G`, `64k`, `1048576` → bytes.
    static func parseSize(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        var digits = t
        var mult = 1
        if t.hasSuffix("b") { digits.removeLast() }
        if let last = digits.last, let m = multipliers[last] {
            mult = m
            digits.removeLast()
        }
        guard let n = Int(digits), n >= 0, n <= Int.max / mult else { return nil }
        return n * mult
    }
}

extension String {
    /// Help text as ArgumentParser should wrap it: the lines of a paragraph joined into one (the source wraps them
    /// at its own width), paragraphs and indented lines (command examples) kept as they are.
    var reflowed: String {
        var out: [String] = []
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { out.append(paragraph.joined(separator: " ")) }
            paragraph.removeAll()
        }
        for line in split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty || line.hasPrefix(" ") {
                flush()
                out.append(line)
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }
}
