import Glibc

/// HTML character references in text and attribute values: numeric (`&#58;`, `&#x3a;`, with or without the `;`, as
/// browsers accept) and the named references that matter for reading URLs and visible text. Unknown names are left
/// as written.
public enum HTMLEntities {
    /// Named references (without `&` and `;`) to their characters. The ASCII punctuation names are the ones used to
    /// hide URLs (`http&colon;&sol;&sol;`).
    static let named: [[UInt8]: String] = {
        let table: [(String, String)] = [
            ("amp", "&"), ("lt", "<"), ("gt", ">"), ("quot", "\""), ("apos", "'"), ("nbsp", "\u{A0}"),
            ("colon", ":"), ("sol", "/"), ("bsol", "\\"), ("period", "."), ("fullstop", "."), ("commat", "@"),
            ("percnt", "%"), ("quest", "?"), ("equals", "="), ("num", "#"), ("lowbar", "_"), ("hyphen", "-"),
            ("dash", "-"), ("plus", "+"), ("comma", ","), ("semi", ";"), ("excl", "!"), ("dollar", "$"),
            ("lpar", "("), ("rpar", ")"), ("lsqb", "["), ("rsqb", "]"), ("lbrack", "["), ("rbrack", "]"),
            ("lcub", "{"), ("rcub", "}"), ("lbrace", "{"), ("rbrace", "}"), ("ast", "*"), ("midast", "*"),
            ("tilde", "~"), ("verbar", "|"), ("vert", "|"), ("grave", "`"), ("hat", "^"), ("Tab", "\t"),
            ("NewLine", "\n"), ("shy", "\u{AD}"), ("zwj", "\u{200D}"), ("zwnj", "\u{200C}"),
            ("ZeroWidthSpace", "\u{200B}"), ("NoBreak", "\u{2060}"), ("ensp", "\u{2002}"), ("emsp", "\u{2003}"),
            ("thinsp", "\u{2009}"), ("copy", "©"), ("reg", "®"), ("trade", "™"), ("euro", "€"), ("pound", "£"),
            ("yen", "¥"), ("cent", "¢"), ("sect", "§"), ("para", "¶"), ("middot", "·"), ("bull", "•"),
            ("hellip", "…"), ("ndash", "–"), ("mdash", "—"), ("lsquo", "‘"), ("rsquo", "’"), ("ldquo", "“"),
            ("rdquo", "”"), ("laquo", "«"), ("raquo", "»"), ("deg", "°"), ("plusmn", "±"), ("times", "×"),
            ("divide", "÷"), ("frac12", "½"), ("iexcl", "¡"), ("iquest", "¿"), ("szlig", "ß"), ("auml", "ä"),
            ("ouml", "ö"), ("uuml", "ü"), ("Auml", "Ä"), ("Ouml", "Ö"), ("Uuml", "Ü"), ("eacute", "é"),
            ("egrave", "è"), ("ecirc", "ê"), ("aacute", "á"), ("agrave", "à"), ("acirc", "â"), ("iacute", "í"),
            ("oacute", "ó"), ("uacute", "ú"), ("ntilde", "ñ"), ("ccedil", "ç"), ("Eacute", "É"), ("atilde", "ã"),
            ("otilde", "õ"), ("ocirc", "ô"), ("aring", "å"), ("oslash", "ø"), ("aelig", "æ"), ("lrm", "\u{200E}"),
            ("rlm", "\u{200F}"),
        ]
        var d: [[UInt8]: String] = [:]
        for (k, v) in table { d[Array(k.utf8)] = v }
        return d
    }()
    /// Names browsers also accept without the closing `;` (the legacy ones that matter here), packed.
    static let legacyWithoutSemicolon: Set<UInt64> = Set(
        ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg"].map { pack($0.utf8) })
    static let maxNameLength = 32
    /// The longest name in `named` (`ZeroWidthSpace`): longer runs are looked up no further.
    static let longestName = 14

    /// `named` for names of at most 8 bytes, keyed by the bytes packed into an integer (names are letters and
    /// digits, so no packing is ambiguous): looked up without building an array.
    static let namedPacked: [UInt64: [UInt8]] = {
        var d: [UInt64: [UInt8]] = [:]
        for (k, v) in named where k.count <= 8 { d[pack(k[...])] = Array(v.utf8) }
        return d
    }()

    @inline(__always)
    static func pack(_ name: some Collection<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for c in name { v = v << 8 | UInt64(c) }
        return v
    }

    /// Decodes character references in `b`, returning UTF-8. Linear: each `&` is looked at once, names are bounded.
    public static func decode(_ b: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        if b.withContiguousStorageIfAvailable({ decode($0, into: &out) }) == nil {
            Array(b).withUnsafeBufferPointer { decode($0, into: &out) }
        }
        return out
    }

    /// Appends `bytes` to `out` with their character references decoded. Text between references is copied in
    /// blocks found with `memchr`.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return }
        var i = 0
        while i < n {
            guard let hit = memchr(base + i, 0x26, n - i) else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<n]))
                return
            }
            let amp = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if amp > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<amp])) }
            i = reference(bytes, at: amp, into: &out)
        }
    }

    /// Decodes the reference at `i` (an `&`) into `out`, or copies the `&`; returns where reading goes on.
    static func reference(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, into out: inout [UInt8]) -> Int {
        let n = bytes.count
        guard i + 1 < n else {
            out.append(0x26)
            return i + 1
        }
        if bytes[i + 1] == 0x23 {
            // Numeric.
            var j = i + 2
            var hex = false
            if j < n, bytes[j] | 0x20 == 0x78 {
                hex = true
                j += 1
            }
            let digitsStart = j
            var value: UInt32 = 0
            while j < n, j - digitsStart < 10, let d = ASCII.hexValue(bytes[j]), hex || ASCII.isDigit(bytes[j]) {
                value = min(value &* (hex ? 16 : 10) &+ UInt32(d), 0x11_0000)
                j += 1
            }
            if j == digitsStart {
                out.append(0x26)
                return i + 1
            }
            if j < n, bytes[j] == ASCII.semicolon { j += 1 }
            appendScalar(value, to: &out)
            return j
        }
        // Named.
        var j = i + 1
        while j < n, j - i - 1 < maxNameLength, ASCII.isAlphaNumeric(bytes[j]) { j += 1 }
        let name = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])
        if let v = lookup(name) {
            if j < n, bytes[j] == ASCII.semicolon {
                out.append(contentsOf: v)
                return j + 1
            }
            if legacyWithoutSemicolon.contains(pack(name)) {
                out.append(contentsOf: v)
                return j
            }
        }
        out.append(0x26)
        return i + 1
    }

    /// The UTF-8 of a named reference, or nil.
    @inline(__always)
    static func lookup(_ name: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard name.count >= 2, name.count <= longestName else { return nil }
        if name.count <= 8 { return namedPacked[pack(name)] }
        return named[Array(name)].map { Array($0.utf8) }
    }

    /// Appends a code point as UTF-8; NUL, surrogates and out-of-range values become U+FFFD, and the C1 range is
    /// read as Windows-1252 the way browsers do.
    static func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
        var value = v
        if value >= 0x80 && value <= 0x9F, let mapped = windows1252C1[Int(value - 0x80)] { value = mapped }
        let scalar = (value == 0) ? nil : Unicode.Scalar(value)
        out.append(contentsOf: (scalar ?? "\u{FFFD}").utf8)
    }

    static let windows1252C1: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil,
        0x017D, nil, nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, nil, 0x017E, 0x0178,
    ]
}
