/// An absolute web URL, read the way a browser reads what is typed or linked: any mix of `/` and `\` after the
/// scheme, the last `@` of the authority ending the user info (`http://paypal.com@evil.example/` goes to
/// `evil.example`), the host normalised by `HostName`.
public struct ParsedURL: Sendable, Equatable {
    /// `http`, `https`, `ftp`, … (lower case; `hxxp` is reported as `http` with `defanged`).
    public var scheme: String
    public var userInfo: String?
    public var host: HostName
    public var port: UInt16?
    /// Path, query and fragment as written (tabs and line breaks removed, spaces and controls percent-encoded).
    public var rest: String
    /// Whether a defanged spelling (`hxxp`, `[.]`, `[:]`) was recovered.
    public var defanged: Bool

    /// The URL as stored: `scheme://[user@]host[:port]/rest`, host in its ASCII form.
    public var text: String {
        var s = scheme + "://"
        if let userInfo { s += userInfo + "@" }
        if let ip = host.ip, !ip.isIPv4 { s += "[" + host.ascii + "]" } else { s += host.ascii }
        if let port { s += ":" + String(port) }
        if rest.isEmpty || rest.first != "/" { s += "/" }
        s += rest
        return s
    }
}

public enum URLParser {
    /// Schemes whose URLs are links (`mailto:`, `tel:`, `javascript:`, `data:`, `cid:` are not).
    static let webSchemes: [[UInt8]: String] = [
        Array("http".utf8): "http", Array("https".utf8): "https", Array("ftp".utf8): "ftp",
        Array("ftps".utf8): "ftps", Array("sftp".utf8): "sftp", Array("ws".utf8): "ws", Array("wss".utf8): "wss",
    ]
    /// Defanged spellings of schemes, recovered only when asked.
    static let defangedSchemes: [[UInt8]: String] = [
        Array("hxxp".utf8): "http", Array("hxxps".utf8): "https", Array("hxxxp".utf8): "http",
        Array("hxxxps".utf8): "https", Array("fxp".utf8): "ftp", Array("meow".utf8): "http",
    ]
    public static let maxSchemeLength = 10

    /// The web scheme a scheme name stands for, or nil. `defanged` is set when a defanged spelling matched.
    static func webScheme(_ name: some Collection<UInt8>, allowDefanged: Bool) -> (String, Bool)? {
        guard name.count <= maxSchemeLength else { return nil }
        let lower = name.map(ASCII.lower)
        if let s = webSchemes[lower] { return (s, false) }
        if allowDefanged, let s = defangedSchemes[lower] { return (s, true) }
        return nil
    }

    /// Parses an absolute URL (`scheme:` first) or, with `defaultScheme`, a scheme-less one (`//host/…`,
    /// `www.example.com/…`, `host/path`). Nil when it is not a web URL with a usable host.
    public static func parse(
        _ input: some Collection<UInt8>, defaultScheme: String? = nil, allowDefanged: Bool = false
    ) -> ParsedURL? {
        var bytes = cleaned(Array(input))
        var defanged = false
        if allowDefanged {
            let refanged = refang(bytes)
            if refanged != bytes {
                bytes = refanged
                defanged = true
            }
        }
        var i = 0
        let n = bytes.count
        var scheme: String
        // Scheme.
        var j = 0
        while j < n, j <= maxSchemeLength,
            ASCII.isAlphaNumeric(bytes[j]) || bytes[j] == 0x2B || bytes[j] == 0x2D
                || bytes[j] == ASCII.dot
        {
            j += 1
        }
        let looksLikeHostPort = bytes[..<j].contains(ASCII.dot) && j + 1 < n && ASCII.isDigit(bytes[j + 1])
        if j > 0, j < n, bytes[j] == ASCII.colon, ASCII.isAlpha(bytes[0]), !(looksLikeHostPort && defaultScheme != nil)
        {
            guard let (s, wasDefanged) = webScheme(bytes[0..<j], allowDefanged: allowDefanged) else {
                // Other schemes (`mailto:`, `javascript:`, `cid:`) are not links.
                return nil
            }
            scheme = s
            defanged = defanged || wasDefanged
            i = j + 1
        } else if let d = defaultScheme {
            scheme = d
        } else {
            return nil
        }
        // Slashes and backslashes.
        while i < n, bytes[i] == 0x2F || bytes[i] == ASCII.backslash { i += 1 }
        // Authority.
        var end = i
        while end < n, bytes[end] != 0x2F, bytes[end] != ASCII.backslash, bytes[end] != ASCII.question,
            bytes[end] != 0x23
        {
            end += 1
        }
        var hostStart = i
        var userInfo: String? = nil
        if let at = bytes[i..<end].lastIndex(of: ASCII.at) {
            userInfo = String(decoding: percentEncoded(bytes[i..<at]), as: UTF8.self)
            hostStart = at + 1
        }
        var hostEnd = end
        var port: UInt16? = nil
        if hostStart < end, bytes[hostStart] == ASCII.openBracket {
            guard let close = bytes[hostStart..<end].firstIndex(of: ASCII.closeBracket) else { return nil }
            hostEnd = close + 1
            if hostEnd < end {
                guard bytes[hostEnd] == ASCII.colon, let p = parsePort(bytes[(hostEnd + 1)..<end]) else { return nil }
                port = p
            }
        } else if let colon = bytes[hostStart..<end].lastIndex(of: ASCII.colon) {
            hostEnd = colon
            guard let p = parsePort(bytes[(colon + 1)..<end]) else { return nil }
            port = p
        }
        guard hostStart < hostEnd, let host = HostName.normalize(bytes[hostStart..<hostEnd]) else { return nil }
        if let p = port, p == defaultPort(scheme) { port = nil }
        var restBytes = Array(bytes[end..<n])
        for k in restBytes.indices where restBytes[k] == ASCII.backslash {
            // Browsers read `\` as `/` in the path of special schemes, but not in the query or fragment.
            if restBytes[..<k].contains(where: { $0 == ASCII.question || $0 == 0x23 }) { break }
            restBytes[k] = 0x2F
        }
        return ParsedURL(
            scheme: scheme, userInfo: userInfo, host: host, port: port,
            rest: String(decoding: percentEncoded(restBytes[...]), as: UTF8.self), defanged: defanged)
    }

    static func defaultPort(_ scheme: String) -> UInt16? {
        switch scheme {
        case "http", "ws": return 80
        case "https", "wss": return 443
        case "ftp": return 21
        default: return nil
        }
    }

    /// Empty means no port (`http://host:/`), as browsers allow.
    static func parsePort(_ b: ArraySlice<UInt8>) -> UInt16?? {
        if b.isEmpty { return .some(nil) }
        guard b.count <= 5, b.allSatisfy(ASCII.isDigit) else { return nil }
        var v = 0
        for d in b { v = v * 10 + Int(d &- 0x30) }
        guard v <= 65535 else { return nil }
        return .some(UInt16(truncatingIfNeeded: v))
    }

    /// Leading and trailing whitespace and controls removed, tabs and line breaks inside removed (as the WHATWG URL
    /// parser does), and zero-width characters removed.
    static func cleaned(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var k = 0
        let n = b.count
        while k < n {
            let c = b[k]
            if c == ASCII.tab || c == ASCII.cr || c == ASCII.lf {
                k += 1
                continue
            }
            // U+200B…U+200D, U+2060 (E2 80 8B…8D, E2 81 A0), U+FEFF (EF BB BF).
            if c == 0xE2, k + 2 < n, b[k + 1] == 0x80, b[k + 2] &- 0x8B < 3 {
                k += 3
                continue
            }
            if c == 0xE2, k + 2 < n, b[k + 1] == 0x81, b[k + 2] == 0xA0 {
                k += 3
                continue
            }
            if c == 0xEF, k + 2 < n, b[k + 1] == 0xBB, b[k + 2] == 0xBF {
                k += 3
                continue
            }
            out.append(c)
            k += 1
        }
        var s = 0
        var e = out.count
        while s < e, out[s] <= 0x20 { s += 1 }
        while e > s, out[e - 1] <= 0x20 { e -= 1 }
        return Array(out[s..<e])
    }

    /// `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)` → `.`; `[:]` → `:`; `[://]` → `://`. Only used when defanged forms are
    /// asked for.
    static func refang(_ b: [UInt8]) -> [UInt8] {
        let patterns: [([UInt8], [UInt8])] = [
            (Array("[.]".utf8), [0x2E]), (Array("(.)".utf8), [0x2E]), (Array("{.}".utf8), [0x2E]),
            (Array("[dot]".utf8), [0x2E]), (Array("(dot)".utf8), [0x2E]), (Array("[:]".utf8), [0x3A]),
            (Array("[://]".utf8), Array("://".utf8)),
        ]
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var k = 0
        outer: while k < b.count {
            if b[k] == ASCII.openBracket || b[k] == ASCII.openParen || b[k] == 0x7B {
                for (p, r) in patterns where k + p.count <= b.count && b[k..<(k + p.count)].equalsLowercasedASCII(p) {
                    out.append(contentsOf: r)
                    k += p.count
                    continue outer
                }
            }
            out.append(b[k])
            k += 1
        }
        return out
    }

    /// Spaces, controls, `"`, `<`, `>` and backquote percent-encoded; everything else (including UTF-8) kept.
    static func percentEncoded(_ b: ArraySlice<UInt8>) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        for c in b {
            if c <= 0x20 || c == 0x7F || c == ASCII.quote || c == ASCII.openAngle || c == ASCII.closeAngle
                || c == 0x60
            {
                out.append(0x25)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            } else {
                out.append(c)
            }
        }
        return out
    }
}
