/// Types of text files by heuristics: markup by its first tags, scripts by keywords typical of each language
/// (scored, the best with at least two distinct signs wins), calendars and cards by their `BEGIN:` line, messages by
/// their header lines. Binary data (NUL bytes, many control characters) is `binary`.
enum TextClassifier {
    static func classify(_ sample: UnsafeBufferPointer<UInt8>) -> FileType {
        guard let text = asciiFolded(sample) else { return .binary }
        // `text` is lower case, UTF-16 folded to 8 bits, BOM removed.
        var start = text.startIndex
        while start < text.endIndex, ASCII.isWhitespace(text[start]) { start += 1 }
        let head = text[start...]
        func has(_ s: String) -> Bool { contains(text, Array(s.utf8)) }
        func begins(_ s: String) -> Bool { head.starts(with: s.utf8) }

        if begins("#!") {
            let line = head.prefix(while: { $0 != ASCII.lf })
            if contains(line, Array("node".utf8)) { return .javascript }
            if contains(line, Array("pwsh".utf8)) || contains(line, Array("powershell".utf8)) { return .powershell }
            return .shell
        }
        // A message first: its body may well be HTML.
        if head.first != ASCII.openAngle, looksLikeMessage(head) { return .email }
        if begins("begin:vcalendar") { return .ics }
        if begins("begin:vcard") { return .vcard }
        if begins("["), has("[internetshortcut]"), has("url=") { return .urlShortcut }
        if has("<hta:application") { return .hta }
        if begins("<?xml") || begins("<svg") || begins("<job") || begins("<package") {
            if has("<svg") { return .svg }
            if (has("<job") || has("<package")) && has("<script") { return .wsf }
            if has("<html") { return .html }
            return .xml
        }
        let htmlStarts = [
            "<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<script", "<iframe", "<div", "<table",
            "<p>", "<p ", "<a ", "<form", "<style", "<img", "<br", "<center", "<font", "<!--", "<span", "<h1",
        ]
        if htmlStarts.contains(where: begins) || has("<html") || has("<body") { return .html }
        if let script = scriptType(text) { return script }
        return .text
    }

    /// The sample lower-cased, with a UTF-8 BOM dropped and UTF-16 folded to its low bytes; nil when it does not
    /// look like text.
    static func asciiFolded(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var bytes = Array(s)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            var folded: [UInt8] = []
            folded.reserveCapacity(bytes.count / 2)
            var i = 2
            while i + 1 < bytes.count {
                let lo = little ? bytes[i] : bytes[i + 1]
                let hi = little ? bytes[i + 1] : bytes[i]
                folded.append(hi == 0 ? lo : 0x80)
                i += 2
            }
            bytes = folded
        }
        var controls = 0
        for c in bytes {
            if c == 0 { return nil }
            if c < 0x20 && c != ASCII.tab && c != ASCII.lf && c != ASCII.cr && c != 0x0C && c != 0x1B { controls += 1 }
        }
        if controls * 100 > max(bytes.count, 1) { return nil }
        return bytes.map(ASCII.lower)
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        hay.withUnsafeBufferPointer { ByteSearch.find(needle, in: $0) != nil }
    }

    static func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        hay.withUnsafeBufferPointer { ByteSearch.find(needle, in: $0) != nil }
    }

    /// A header block at the top (an mbox `From ` line may come first): two or more fields, or one field ended by
    /// a blank line, one of them a field every message has.
    static func looksLikeMessage(_ head: ArraySlice<UInt8>) -> Bool {
        let known = [
            "received:", "return-path:", "from:", "to:", "subject:", "date:", "message-id:", "mime-version:",
            "delivered-to:", "content-type:", "x-", "reply-to:", "cc:", "dkim-signature:", "authentication-results:",
        ]
        var fields = 0
        var strong = false
        var endedByBlank = false
        for (k, raw) in head.split(separator: ASCII.lf, omittingEmptySubsequences: false).prefix(40).enumerated() {
            let line = raw.last == ASCII.cr ? raw.dropLast() : raw
            if k == 0, line.starts(with: "from ".utf8) { continue }
            if line.isEmpty {
                endedByBlank = true
                break
            }
            if line.first == ASCII.space || line.first == ASCII.tab {
                if fields == 0 { return false }
                continue
            }
            guard let colon = line.firstIndex(of: ASCII.colon), colon > line.startIndex,
                line[line.startIndex..<colon].allSatisfy(ASCII.isFieldNameByte)
            else { break }
            fields += 1
            let name = line[line.startIndex...colon]
            if known.contains(where: { name.starts(with: $0.utf8) }), !name.starts(with: "x-".utf8),
                !name.starts(with: "content-type:".utf8)
            {
                strong = true
            }
        }
        return strong && (fields >= 2 || endedByBlank)
    }

    static let powershellSigns = [
        "invoke-expression", "iex(", "iex (", "-encodedcommand", "-enc ", "new-object", "[system.", "frombase64string",
        "downloadstring", "downloadfile", "start-process", "write-host", "-executionpolicy", "$env:",
        "invoke-webrequest",
        "set-executionpolicy", "[convert]::", "-windowstyle hidden", "get-childitem", "$psversiontable",
    ]
    static let vbscriptSigns = [
        "createobject(", "wscript.shell", "wscript.echo", "on error resume next", "end sub", "end function", "dim ",
        "msgbox", "execute(", "executeglobal", "chr(", "& vbcrlf", "set objshell", "createtextfile", "wscript.sleep",
        "end if", "then\n", "then\r",
    ]
    static let javascriptSigns = [
        "function(", "function ", "var ", "let ", "const ", "new activexobject", "eval(", "document.", "window.",
        "=>", ".charcodeat", "string.fromcharcode", "===", "});", "wscript.createobject", "math.random", "json.",
        ".split(", ".replace(",
    ]
    static let batchSigns = [
        "@echo off", "echo off", "%~dp0", "%comspec%", "goto ", ":eof", "set /a", "set /p", "cmd /c", "cmd.exe /c",
        "start \"\"", "if exist", "rem ", "%temp%", "%appdata%", "bitsadmin", "certutil", "setlocal", "exit /b",
        "timeout /t",
    ]

    /// The script language with the most distinct signs (at least two), or nil.
    static func scriptType(_ text: [UInt8]) -> FileType? {
        func score(_ signs: [String]) -> Int { signs.reduce(0) { $0 + (contains(text, Array($1.utf8)) ? 1 : 0) } }
        let scores: [(FileType, Int)] = [
            (.powershell, score(powershellSigns)), (.vbscript, score(vbscriptSigns)), (.batch, score(batchSigns)),
            (.javascript, score(javascriptSigns)),
        ]
        var best: (FileType, Int)? = nil
        for s in scores where s.1 >= 2 && s.1 > (best?.1 ?? 0) { best = s }
        return best?.0
    }
}
