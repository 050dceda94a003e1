/// A charset label resolved to a decoder: the labels real mail uses mapped to what glibc's iconv knows.
///
/// Resolution normalises the label (case, blanks, quotes, `x-` prefixes, separators) and looks it up in an alias
/// table; a label the table does not know is handed to iconv as it is (glibc knows hundreds of names). Each
/// charset decodes through a chain: the strict form first, then a superset (GB2312 → GBK → GB18030, EUC-KR →
/// CP949, ISO-2022-JP → -2 → -3, Shift_JIS → CP932, Big5 → Big5-HKSCS), so mislabeled text decodes the way its
/// sender's mail client wrote it.
public struct Charset: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case utf8
        /// US-ASCII: 8-bit bytes in it are a mislabel (UTF-8 when they are valid UTF-8, else windows-1252).
        case ascii
        /// ISO-8859-1 and windows-1252 decode as windows-1252, as browsers and mail clients do.
        case windows1252
        /// iconv names, tried in order.
        case iconv([String])
        /// A label nobody knows (or a placeholder like `unknown-8bit`): decoded by the fallback.
        case unknown
    }

    /// The canonical name (lower case), e.g. `windows-1251`; the label itself when unknown.
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public static let utf8 = Charset(name: "utf-8", kind: .utf8)
    public static let ascii = Charset(name: "us-ascii", kind: .ascii)
    public static let windows1252 = Charset(name: "windows-1252", kind: .windows1252)

    /// Resolves a label as found in a header (`charset="Windows-1251"`, `=?KOI8-R?…`).
    public static func resolve(_ label: some Collection<UInt8>) -> Charset {
        var key: [UInt8] = []
        key.reserveCapacity(min(label.count, 40))
        for c in label {
            if key.count >= 40 { break }
            if c == ASCII.quote || ASCII.isWhitespace(c) { continue }
            key.append(ASCII.lower(c))
        }
        // RFC 2231 language suffix in encoded words: "utf-8*en".
        if let star = key.firstIndex(of: 0x2A) { key.removeSubrange(star...) }
        if key.isEmpty { return Charset(name: "", kind: .unknown) }
        // Fast paths for the labels nearly all mail uses.
        if key == utf8Key || key == utf8Short { return .utf8 }
        if key == asciiKey { return .ascii }
        if key == latin1Key || key == cp1252Key { return .windows1252 }
        let name = String(decoding: key, as: UTF8.self)
        if let known = aliases[compact(name)] { return known }
        if isJunk(name) { return Charset(name: name, kind: .unknown) }
        return Charset(name: name, kind: .iconv([name.uppercased()]))
    }

    public static func resolve(_ label: String) -> Charset { resolve(Array(label.utf8)) }

    /// Whether ASCII bytes decode to themselves (false for UTF-16/32 and UTF-7).
    public var isASCIICompatible: Bool {
        switch kind {
        case .utf8, .ascii, .windows1252, .unknown: return true
        case .iconv(let names):
            guard let first = names.first else { return true }
            return
                !(first.hasPrefix("UTF-16") || first.hasPrefix("UTF-32") || first.hasPrefix("UCS-")
                || first.hasPrefix("UTF-7"))
        }
    }

    private static let utf8Key = Array(ascii: "utf-8")
    private static let utf8Short = Array(ascii: "utf8")
    private static let asciiKey = Array(ascii: "us-ascii")
    private static let latin1Key = Array(ascii: "iso-8859-1")
    private static let cp1252Key = Array(ascii: "windows-1252")

    /// The label without separators and common prefixes: `ISO_8859-5` → `iso88595`, `x-cp1251` → `cp1251`.
    static func compact(_ s: String) -> String {
        var t = s
        for prefix in ["x-", "x_", "csx-"] where t.hasPrefix(prefix) { t.removeFirst(prefix.count) }
        return String(t.unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != "." && $0 != ":" })
    }

    /// Labels that name no charset (seen in real mail); they go to the fallback without asking iconv.
    static func isJunk(_ s: String) -> Bool {
        [
            "unknown-8bit", "unknown", "x-unknown", "default", "charset", "none", "8bit", "7bit", "binary", "text",
            "plain", "auto", "_iso-2022-jp$esc",
        ].contains(s) || s.hasPrefix("{") || s.hasPrefix("%")
    }

    private static func iconvCharset(_ name: String, _ chain: [String]) -> Charset {
        Charset(name: name, kind: .iconv(chain))
    }

    /// Compacted label → charset.
    static let aliases: [String: Charset] = {
        var t: [String: Charset] = [:]
        func add(_ labels: [String], _ c: Charset) { for l in labels { t[compact(l)] = c } }
        add(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode-2-0-utf-8", "utf-8bom"], .utf8)
        add(
            [
                "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "ibm367", "cp367", "iso-ir-6",
                "ansi_x3.4-1986",
            ], .ascii)
        add(
            [
                "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819",
                "iso_8859-1:1987",
                "windows-1252", "cp1252", "win-1252", "ms-ansi", "cp-1252", "windows1252", "ansi", "iso-8859-15-1252",
            ], .windows1252)
        add(
            ["utf-16", "utf16", "unicode", "ucs-2", "iso-10646-ucs-2", "csunicode"], iconvCharset("utf-16", ["UTF-16"]))
        add(["utf-16le", "unicodefffe"], iconvCharset("utf-16le", ["UTF-16LE"]))
        add(["utf-16be", "unicodefeff"], iconvCharset("utf-16be", ["UTF-16BE"]))
        add(["utf-32", "ucs-4"], iconvCharset("utf-32", ["UTF-32"]))
        add(["utf-32le"], iconvCharset("utf-32le", ["UTF-32LE"]))
        add(["utf-32be"], iconvCharset("utf-32be", ["UTF-32BE"]))
        add(
            ["utf-7", "utf7", "unicode-1-1-utf-7", "unicode-2-0-utf-7", "csunicode11utf7", "x-unicode-2-0-utf-7"],
            iconvCharset("utf-7", ["UTF-7"]))
        for n in [2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16] {
            let name = "iso-8859-\(n)"
            add(
                [name, "iso8859-\(n)", "iso_8859-\(n)", "iso-8859-\(n)-i", "iso-8859-\(n)-e"],
                iconvCharset(name, ["ISO-8859-\(n)"]))
        }
        add(["latin2", "l2", "iso-ir-101"], iconvCharset("iso-8859-2", ["ISO-8859-2"]))
        add(["latin3", "l3"], iconvCharset("iso-8859-3", ["ISO-8859-3"]))
        add(["latin4", "l4"], iconvCharset("iso-8859-4", ["ISO-8859-4"]))
        add(["cyrillic", "iso-ir-144"], iconvCharset("iso-8859-5", ["ISO-8859-5"]))
        add(["arabic", "asmo-708", "ecma-114"], iconvCharset("iso-8859-6", ["ISO-8859-6"]))
        add(["greek", "greek8", "ecma-118", "elot_928"], iconvCharset("iso-8859-7", ["ISO-8859-7"]))
        add(["hebrew", "visual", "logical"], iconvCharset("iso-8859-8", ["ISO-8859-8"]))
        add(["latin5", "l5"], iconvCharset("iso-8859-9", ["ISO-8859-9"]))
        add(["latin6", "l6"], iconvCharset("iso-8859-10", ["ISO-8859-10"]))
        add(["latin9", "l9", "latin0"], iconvCharset("iso-8859-15", ["ISO-8859-15"]))
        add(["latin10"], iconvCharset("iso-8859-16", ["ISO-8859-16"]))
        add(
            ["iso-8859-11", "tis-620", "tis620", "windows-874", "cp874", "dos-874", "iso-ir-166"],
            iconvCharset("windows-874", ["TIS-620", "CP874"]))
        for n in [1250, 1251, 1253, 1254, 1255, 1256, 1257, 1258] {
            let name = "windows-\(n)"
            add([name, "cp\(n)", "win-\(n)", "win\(n)", "cp-\(n)", "ms-\(n)"], iconvCharset(name, ["CP\(n)"]))
        }
        add(["koi8-r", "koi8r", "koi8", "cskoi8r", "koi"], iconvCharset("koi8-r", ["KOI8-R"]))
        add(["koi8-u", "koi8u", "koi8-ru"], iconvCharset("koi8-u", ["KOI8-U", "KOI8-RU"]))
        add(["ibm866", "cp866", "866", "csibm866"], iconvCharset("ibm866", ["CP866"]))
        add(["ibm850", "cp850"], iconvCharset("ibm850", ["CP850"]))
        add(["ibm437", "cp437"], iconvCharset("ibm437", ["CP437"]))
        add(["ibm852", "cp852"], iconvCharset("ibm852", ["CP852"]))
        add(["macintosh", "mac", "mac-roman", "macroman", "csmacintosh"], iconvCharset("macintosh", ["MACINTOSH"]))
        add(["mac-cyrillic", "x-mac-cyrillic", "x-mac-ukrainian"], iconvCharset("x-mac-cyrillic", ["MAC-CYRILLIC"]))
        // Japanese.
        add(
            ["shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "s-jis", "shiftjis"],
            iconvCharset("shift_jis", ["SHIFT_JIS", "CP932"]))
        add(
            ["windows-31j", "cp932", "ms932", "x-ms-cp932", "windows-932", "ibm-943"],
            iconvCharset("windows-31j", ["CP932"]))
        add(
            ["euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "x-euc"],
            iconvCharset("euc-jp", ["EUC-JP", "EUC-JP-MS"]))
        add(
            ["iso-2022-jp", "csiso2022jp", "jis", "iso-2022-jp-1", "jis7", "jis_encoding"],
            iconvCharset("iso-2022-jp", ["ISO-2022-JP", "ISO-2022-JP-2", "ISO-2022-JP-3"]))
        add(["iso-2022-jp-2", "csiso2022jp2"], iconvCharset("iso-2022-jp-2", ["ISO-2022-JP-2", "ISO-2022-JP-3"]))
        add(["iso-2022-jp-3"], iconvCharset("iso-2022-jp-3", ["ISO-2022-JP-3"]))
        // Chinese.
        add(
            [
                "gb2312", "gb_2312-80", "csgb2312", "euc-cn", "euccn", "chinese", "iso-ir-58", "csiso58gb231280",
                "gb2312-80", "x-gbk2312",
            ],
            iconvCharset("gb2312", ["GB2312", "GBK", "GB18030"]))
        add(["gbk", "cp936", "ms936", "windows-936", "x-gbk", "936"], iconvCharset("gbk", ["GBK", "GB18030"]))
        add(["gb18030", "gb-18030"], iconvCharset("gb18030", ["GB18030"]))
        add(["hz-gb-2312", "hz"], iconvCharset("hz-gb-2312", ["HZ"]))
        add(
            ["big5", "big-5", "csbig5", "cn-big5", "x-x-big5", "big-five", "bigfive", "cp950", "windows-950"],
            iconvCharset("big5", ["BIG5", "BIG5-HKSCS"]))
        add(["big5-hkscs", "big5hkscs"], iconvCharset("big5-hkscs", ["BIG5-HKSCS"]))
        add(["euc-tw", "euctw"], iconvCharset("euc-tw", ["EUC-TW"]))
        add(["iso-2022-cn", "iso-2022-cn-ext"], iconvCharset("iso-2022-cn", ["ISO-2022-CN-EXT"]))
        // Korean.
        add(["euc-kr", "euckr", "cseuckr", "korean", "iso-ir-149"], iconvCharset("euc-kr", ["EUC-KR", "CP949"]))
        add(
            [
                "ks_c_5601-1987", "ks_c_5601", "ks_c_5601-1989", "ksc5601", "ksc_5601", "cp949", "windows-949", "uhc",
                "ks_c_5601_1987", "x-windows-949", "csksc56011987",
            ],
            iconvCharset("windows-949", ["CP949"]))
        add(["iso-2022-kr", "csiso2022kr"], iconvCharset("iso-2022-kr", ["ISO-2022-KR"]))
        add(["johab"], iconvCharset("johab", ["JOHAB"]))
        add(["viscii"], iconvCharset("viscii", ["VISCII"]))
        return t
    }()
}
