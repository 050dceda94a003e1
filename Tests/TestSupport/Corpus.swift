public import Foundation

/// Where the shared development corpus and its labels are, for corpus conformance tests.
///
/// Tests read `../shared/corpus` relative to the package root (or `$MAILATLAS_CORPUS`) and skip cleanly when it
/// is absent: the corpus is never copied into the repository.
public enum Corpus {
    /// The package root, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The corpus root, or nil when it is not on this machine.
    public static let root: URL? = {
        let env = ProcessInfo.processInfo.environment["MAILATLAS_CORPUS"]
        let url =
            env.map { URL(fileURLWithPath: $0) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            return nil
        }
        return url.standardizedFileURL
    }()

    public static var isAvailable: Bool { root != nil }

    /// `labels/<name>` as a URL, or nil when absent.
    public static func label(_ name: String) -> URL? {
        guard let root else { return nil }
        let url = root.appendingPathComponent("labels").appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The lines of a JSON Lines label file, each decoded as a dictionary.
    public static func jsonLines(_ name: String) throws -> [[String: Any]] {
        guard let url = label(name) else { return [] }
        let data = try Data(contentsOf: url)
        var rows: [[String: Any]] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            if let obj = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] {
                rows.append(obj)
            }
        }
        return rows
    }

    /// The bytes of a corpus message named as in the labels' `src`: a plain path, or `PATH#N` for the N-th
    /// (0-based) message of an mbox file as Python's `mailbox.mbox` splits it. Returns nil when missing.
    public static func messageBytes(src: String) -> [UInt8]? {
        guard let root else { return nil }
        let plain = root.appendingPathComponent(src)
        if let data = FileManager.default.contents(atPath: plain.path) { return [UInt8](data) }
        guard let hash = src.lastIndex(of: "#"), let n = Int(src[src.index(after: hash)...]) else { return nil }
        let path = root.appendingPathComponent(String(src[..<hash])).path
        return mboxCache.messages(path: path).dropFirst(n).first
    }

    private static let mboxCache = MboxCache()
}

/// Split mbox files, kept so a test that walks every label splits each file once.
private final class MboxCache: @unchecked Sendable {
    private let lock = NSLock()
    private var split: [String: [[UInt8]]] = [:]

    func messages(path: String) -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = split[path] { return cached }
        let messages = FileManager.default.contents(atPath: path).map { PythonMbox.messages(in: [UInt8]($0)) } ?? []
        split[path] = messages
        return messages
    }
}

/// Python's `mailbox.mbox` splitting, reproduced for label lookups only (not the scanner's framer): a message starts
/// at each line beginning with `From `; the `From ` line is dropped, and so is one LF before the next `From ` line
/// (or the end of the file) when the line before it is empty.
public enum PythonMbox {
    public static func messages(in b: [UInt8]) -> [[UInt8]] {
        var starts: [Int] = []
        var stops: [Int] = []
        var lastWasEmpty = false
        var pos = 0
        let n = b.count
        while pos < n {
            var e = pos
            while e < n && b[e] != 0x0A { e += 1 }
            e = min(n, e + 1)
            if e - pos >= 5, b[pos..<pos + 5].elementsEqual("From ".utf8) {
                if stops.count < starts.count { stops.append(lastWasEmpty ? pos - 1 : pos) }
                starts.append(pos)
                lastWasEmpty = false
            } else {
                lastWasEmpty = e - pos == 1 && b[pos] == 0x0A
            }
            pos = e
        }
        if stops.count < starts.count { stops.append(lastWasEmpty ? n - 1 : n) }
        return zip(starts, stops).map { start, stop in
            var bodyStart = start
            while bodyStart < n && b[bodyStart] != 0x0A { bodyStart += 1 }
            bodyStart = min(n, bodyStart + 1)
            return Array(b[bodyStart..<max(bodyStart, stop)])
        }
    }
}
