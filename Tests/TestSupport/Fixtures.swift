public import Foundation

/// A temporary directory removed when the value is released.
public final class TempDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ name: String = "mailatlas-test") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes bytes at a relative path, creating directories.
    @discardableResult
    public func write(_ relative: String, _ bytes: [UInt8]) -> String {
        let file = url.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file.path, contents: Data(bytes))
        return file.path
    }

    @discardableResult
    public func write(_ relative: String, _ text: String) -> String { write(relative, Array(text.utf8)) }

    public func mkdir(_ relative: String) {
        try? FileManager.default.createDirectory(
            at: url.appendingPathComponent(relative), withIntermediateDirectories: true)
    }

    public func append(_ relative: String, _ text: String) {
        let path = url.appendingPathComponent(relative).path
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }

    public func move(_ from: String, _ to: String) {
        let target = url.appendingPathComponent(to)
        try? FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.moveItem(at: url.appendingPathComponent(from), to: target)
    }

    public func remove(_ relative: String) {
        try? FileManager.default.removeItem(at: url.appendingPathComponent(relative))
    }

    /// A Maildir (cur, new, tmp) at a relative path.
    public func maildir(_ relative: String) {
        for leaf in ["cur", "new", "tmp"] { mkdir(relative + "/" + leaf) }
    }
}

/// Hand-written messages modeled on real mail, for unit tests.
public enum MailFixture {
    /// A small RFC 5322 message. `eol` may be "\n", "\r\n" or "\r".
    public static func message(
        subject: String = "Hello", from: String = "Alice <alice@example.org>", to: String = "bob@example.net",
        date: String = "Tue, 14 Oct 2025 09:15:02 +0200", messageID: String? = nil, received: [String] = [],
        extraHeaders: [String] = [], body: String = "Hi Bob,\n\nsee you.\n", eol: String = "\n"
    ) -> String {
        var lines: [String] = []
        for r in received { lines.append("Received: " + r) }
        lines.append("From: " + from)
        lines.append("To: " + to)
        lines.append("Subject: " + subject)
        lines.append("Date: " + date)
        lines.append("Message-ID: " + (messageID ?? "<\(abs(subject.hashValue))@example.org>"))
        lines.append(contentsOf: extraHeaders)
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=us-ascii")
        let head = lines.joined(separator: "\n") + "\n\n"
        return (head + body).replacingOccurrences(of: "\n", with: eol)
    }

    /// An mbox: each message after a `From ` envelope line, `From ` body lines escaped mboxrd-style when asked,
    /// a blank line after each message.
    public static func mbox(_ messages: [String], escape: Bool = true, eol: String = "\n") -> String {
        var out = ""
        for (i, m) in messages.enumerated() {
            out += "From sender\(i)@example.org  Tue Oct 14 09:15:0\(i % 10) 2025" + eol
            var body = m
            if escape {
                body = m.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                    var l = Substring(line)
                    while l.hasPrefix(">") { l = l.dropFirst() }
                    return l.hasPrefix("From ") ? ">" + line : String(line)
                }.joined(separator: "\n")
            }
            out += body.hasSuffix(eol) ? body : body + eol
            out += eol
        }
        return out
    }
}
