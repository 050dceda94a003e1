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
        let bracketed = host.ip.map { !$0.isIPv4 } ?? false
        var s = ""
        s.reserveCapacity(
            scheme.utf8.count + 3 + (userInfo.map { $0.utf8.count + 1 } ?? 0) + host.ascii.utf8.count + 2 + 6 + 1
                + rest.utf8.count)
        s += scheme
        s += "://"
        if let userInfo {
            s += userInfo
            s += "@"
        }
        if bracketed {
            s += "["
            s += host.ascii
            s += "]"
        } else {
            s += host.ascii
        }
        if let port {
            s += ":"
            s += String(port)
        }
        if !ParsedURL.startsWithSlash(rest) { s += "/" }
        s += rest
        return s
    }
}

extension ParsedURL {
    /// `rest.first == "/"`: a `/` that is a whole character (not followed by a combining mark).
    static func startsWithSlash(_ rest: String) -> Bool {
        let u = rest.utf8
        guard let first = u.first, first == 0x2F else { return false }
        let next = u.index(after: u.startIndex)
        if next == u.endIndex || u[next] < 0x80 { return true }
        return rest.first == "/"
    }
}

public enum URLParser {
    public static let maxSchemeLength = 10
    /// The longest scheme name `webScheme` knows (`hxxxps`): longer names are never web schemes.
    static let maxWebSchemeLength = 6

    /// A scheme name lower-cased and packed with its length, for comparisons without allocating.
    @inline(__always)
    static func key(_ name: some Collection<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for c in name { v = v << 8 | UInt64(ASCII.lower(c)) }
        return v | UInt64(name.count) << 56
    }

    static let http = key("http".utf8)
    static let https = key("https".utf8)
    static let ftp = key("ftp".utf8)
    static let ftps = key("ftps".utf8)
    static let sftp = key("sftp".utf8)
    static let ws = key("ws".utf8)
    static let wss = key("wss".utf8)
    static let hxxp = key("hxxp".utf8)
    static let hxxps = key("hxxps".utf8)
    static let hxxxp = key("hxxxp".utf8)
    static let hxxxps = key("hxxxps".utf8)
    static let fxp = key("fxp".utf8)
    static let meow = key("meow".utf8)

    /// The web scheme a scheme name stands for, or nil. `defanged` is set when a defanged spelling matched.
    /// Schemes whose URLs are links: `http`, `https`, `ftp`, `ftps`, `sftp`, `ws`, `wss` (`mailto:`, `tel:`,
    /// `javascript:`, `data:`, `cid:` are not); defanged spellings (`hxxp`, `hxxps`, `hxxxp`, `hxxxps`, `fxp`,
    /// `meow`) are recovered only when asked.
    static func webScheme(_ name: some Collection<UInt8>, allowDefanged: Bool) -> (String, Bool)? {
        let n = name.count
        guard n >= 2, n <= maxWebSchemeLength else { return nil }
        let k = key(name)
        switch k {
        case http: return ("http", false)
        case https: return ("https", false)
        case ftp: return ("ftp", false)
        case ftps: return ("ftps", false)
        case sftp: return ("sftp", false)
        case ws: return ("ws", false)
        case wss: return ("wss", false)
        default: break
        }
        guard allowDefanged else { return nil }
        switch k {
        case hxxp, hxxxp, meow: return ("http", true)
        case hxxps, hxxxps: return ("https", true)
        case fxp: return ("ftp", true)
        default: return nil
        }
    }

    /// Parses an absolute URL (`scheme:` first) or, with `defaultScheme`, a scheme-less one (`//host/…`,
    /// `www.example.com/…`, `host/path`). Nil when it is not a web URL with a usable host.
    public static func parse(
        _ input: some Collection<UInt8>, defaultScheme: String? = nil, allowDefanged: Bool = false
    ) -> ParsedURL? {
        if let r = input.withContiguousStorageIfAvailable({
            parse(buffer: $0, defaultScheme: defaultScheme, allowDefanged: allowDefanged)
        }) {
            return r
        }
        return Array(input).withUnsafeBufferPointer {
            parse(buffer: $0, defaultScheme: defaultScheme, allowDefanged: allowDefanged)
        }
    }

    static func parse(buffer input: UnsafeBufferPointer<UInt8>, defaultScheme: String?, allowDefanged: Bool)
        -> ParsedURL?
    {
        // Cleaning (`cleaned`) without a copy when it only trims.
        guard let r = trimmedIfClean(input) else {
            return cleaned(Array(input)).withUnsafeBufferPointer {
                refangedThenParse($0, defaultScheme: defaultScheme, allowDefanged: allowDefanged)
            }
        }
        return refangedThenParse(
            UnsafeBufferPointer(rebasing: input[r]), defaultScheme: defaultScheme, allowDefanged: allowDefanged)
    }

    /// The input less leading and trailing blanks and controls when that is all `cleaned` would change (no tab,
    /// line break or zero-width character inside), else nil.
    static func trimmedIfClean(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let n = b.count
        var k = 0
        while k < n {
            let c = b[k]
            if c <= ASCII.cr {
                if c == ASCII.tab || c == ASCII.cr || c == ASCII.lf { return nil }
            } else if c == 0xE2 {
                if k + 2 < n, (b[k + 1] == 0x80 && b[k + 2] &- 0x8B < 3) || (b[k + 1] == 0x81 && b[k + 2] == 0xA0) {
                    return nil
                }
            } else if c == 0xEF {
                if k + 2 < n, b[k + 1] == 0xBB, b[k + 2] == 0xBF { return nil }
            }
            k += 1
        }
        var s = 0
        var e = n
        while s < e, b[s] <= 0x20 { s += 1 }
        while e > s, b[e - 1] <= 0x20 { e -= 1 }
        return s..<e
    }

    static func refangedThenParse(_ b: UnsafeBufferPointer<UInt8>, defaultScheme: String?, allowDefanged: Bool)
        -> ParsedURL?
    {
        if allowDefanged, b.contains(where: { $0 == ASCII.openBracket || $0 == ASCII.openParen || $0 == 0x7B }) {
            let bytes = Array(b)
            let refanged = refang(bytes)
            if refanged != bytes {
                return refanged.withUnsafeBufferPointer {
                    parseClean($0, defaultScheme: defaultScheme, allowDefanged: true, defanged: true)
                }
            }
        }
        return parseClean(b, defaultScheme: defaultScheme, allowDefanged: allowDefanged, defanged: false)
    }

    /// Parses bytes already cleaned and refanged.
    static func parseClean(
        _ bytes: UnsafeBufferPointer<UInt8>, defaultScheme: String?, allowDefanged: Bool, defanged wasRefanged: Bool
    ) -> ParsedURL? {
        var defanged = wasRefanged
        var i = 0
        let n = bytes.count
        var scheme: String
        // Scheme.
        var j = 0
        var dotInScheme = false
        while j < n, j <= maxSchemeLength {
            let c = bytes[j]
            guard ASCII.isAlphaNumeric(c) || c == 0x2B || c == 0x2D || c == ASCII.dot else { break }
            if c == ASCII.dot { dotInScheme = true }
            j += 1
        }
        let looksLikeHostPort = dotInScheme && j + 1 < n && ASCII.isDigit(bytes[j + 1])
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
        var at = -1
        while end < n {
            let c = bytes[end]
            if c == 0x2F || c == ASCII.backslash || c == ASCII.question || c == 0x23 { break }
            if c == ASCII.at { at = end }
            end += 1
        }
        var hostStart = i
        var userInfo: String? = nil
        if at >= 0 {
            userInfo = encodedString(bytes, i, at, slashes: false)
            hostStart = at + 1
        }
        var hostEnd = end
        var port: UInt16? = nil
        if hostStart < end, bytes[hostStart] == ASCII.openBracket {
            var close = hostStart
            while close < end, bytes[close] != ASCII.closeBracket { close += 1 }
            guard close < end else { return nil }
            hostEnd = close + 1
            if hostEnd < end {
                guard bytes[hostEnd] == ASCII.colon, let p = parsePort(bytes, hostEnd + 1, end) else { return nil }
                port = p
            }
        } else {
            var colon = end - 1
            while colon >= hostStart, bytes[colon] != ASCII.colon { colon -= 1 }
            if colon >= hostStart {
                hostEnd = colon
                guard let p = parsePort(bytes, colon + 1, end) else { return nil }
                port = p
            }
        }
        guard hostStart < hostEnd,
            let host = HostName.normalize(UnsafeBufferPointer(rebasing: bytes[hostStart..<hostEnd]))
        else { return nil }
        if let p = port, p == defaultPort(scheme) { port = nil }
        return ParsedURL(
            scheme: scheme, userInfo: userInfo, host: host, port: port,
            rest: encodedString(bytes, end, n, slashes: true), defanged: defanged)
    }

    /// Whether a byte is written percent-encoded in a stored URL (`percentEncoded`).
    @inline(__always)
    static func needsEncoding(_ c: UInt8) -> Bool {
        c <= 0x20 || c == 0x7F || c == ASCII.quote || c == ASCII.openAngle || c == ASCII.closeAngle || c == 0x60
    }

    /// `b[from..<to]` percent-encoded as `percentEncoded` does; with `slashes`, backslashes before the query or
    /// fragment read as `/` first (browsers read `\` as `/` in the path of special schemes, not in the query or
    /// fragment).
    static func encodedString(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, slashes: Bool) -> String {
        var plain = true
        var inPath = slashes
        for k in from..<to {
            let c = b[k]
            if needsEncoding(c) {
                plain = false
                break
            }
            if inPath {
                if c == ASCII.question || c == 0x23 {
                    inPath = false
                } else if c == ASCII.backslash {
                    plain = false
                    break
                }
            }
        }
        if plain { return String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self) }
        let hex: StaticString = "0123456789ABCDEF"
        var out: [UInt8] = []
        out.reserveCapacity((to - from) * 3)
        inPath = slashes
        for k in from..<to {
            var c = b[k]
            if inPath {
                if c == ASCII.question || c == 0x23 {
                    inPath = false
                } else if c == ASCII.backslash {
                    c = 0x2F
                }
            }
            if needsEncoding(c) {
                out.append(0x25)
                out.append(hex.utf8Start[Int(c >> 4)])
                out.append(hex.utf8Start[Int(c & 15)])
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Empty means no port (`http://host:/`), as browsers allow.
    static func parsePort(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UInt16?? {
        if from >= to { return .some(nil) }
        guard to - from <= 5 else { return nil }
        var v = 0
        for k in from..<to {
            guard ASCII.isDigit(b[k]) else { return nil }
            v = v * 10 + Int(b[k] &- 0x30)
        }
        guard v <= 65535 else { return nil }
        return .some(UInt16(truncatingIfNeeded: v))
    }

    static func defaultPort(_ scheme: String) -> UInt16? {
        switch scheme {
        case "http", "ws": return 80
        case "https", "wss": return 443
        case "ftp": return 21
        default: return nil
        }
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
