/// Maildir file and folder names: flags from `:2,` / `!2,` / `;2,` suffixes, Maildir++ folder names.
public enum MaildirNames {
    /// The flags of a Maildir file name (`1234.M5P6.host,S=2314:2,RS` → `RS`), or nil when the name has no info part.
    public static func flags(ofFileName name: String) -> String? {
        let u = Array(name.utf8)
        // The info part begins at the last ":2,", or "!2," or ";2," (written where ':' is not allowed in file names:
        // Windows tools use ';').
        var k = u.count - 3
        while k >= 0 {
            if isInfoSeparator(u[k]) && u[k + 1] == 0x32 && u[k + 2] == 0x2C {
                return String(decoding: u[(k + 3)...], as: UTF8.self)
            }
            k -= 1
        }
        return nil
    }

    /// `:`, or `!` and `;` where a file system does not allow `:`.
    static func isInfoSeparator(_ c: UInt8) -> Bool { c == 0x3A || c == 0x21 || c == 0x3B }

    /// The name without its info part: identifies a message across flag changes.
    public static func uniquePart(ofFileName name: String) -> String {
        let u = Array(name.utf8)
        var k = u.count - 3
        while k >= 0 {
            if isInfoSeparator(u[k]) && u[k + 1] == 0x32 && u[k + 2] == 0x2C {
                return String(decoding: u[..<k], as: UTF8.self)
            }
            k -= 1
        }
        return name
    }

    /// The folder name of a Maildir++ sub-folder directory: `.Junk` → `Junk`, `.INBOX.Archive` → `INBOX/Archive`,
    /// IMAP modified UTF-7 decoded (`.&BCEEPwQwBDw-` → `Спам`). Nested Maildir++ trees prefix their parent.
    public static func folder(dotted name: String, parent: String) -> String {
        let trimmed = name.hasPrefix(".") ? String(name.dropFirst()) : name
        let decoded = decodeModifiedUTF7(trimmed)
        let path = decoded.split(separator: ".", omittingEmptySubsequences: true).joined(separator: "/")
        if parent == "INBOX" || parent.isEmpty { return path.isEmpty ? "INBOX" : path }
        return parent + "/" + path
    }

    /// IMAP's modified UTF-7 (RFC 3501 5.1.3): `&` starts base64 of UTF-16 (with `,` for `/`), `-` ends it, `&-` is `&`.
    public static func decodeModifiedUTF7(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var it = Array(s.utf8)[...]
        while let c = it.first {
            it = it.dropFirst()
            guard c == 0x26 else {
                out.unicodeScalars.append(Unicode.Scalar(c))
                continue
            }
            let run = it.prefix { $0 != 0x2D }
            it = it.dropFirst(run.count + (it.count > run.count ? 1 : 0))
            if run.isEmpty {
                out += "&"
                continue
            }
            var bits: UInt32 = 0
            var nbits = 0
            var units: [UInt16] = []
            var valid = true
            for b in run {
                guard let v = base64Value(b == 0x2C ? 0x2F : b) else {
                    valid = false
                    break
                }
                bits = bits << 6 | UInt32(v)
                nbits += 6
                if nbits >= 16 {
                    nbits -= 16
                    units.append(UInt16(truncatingIfNeeded: bits >> UInt32(nbits)))
                }
            }
            if valid {
                out += String(decoding: units, as: UTF16.self)
            } else {
                out += "&" + String(decoding: run, as: UTF8.self) + "-"
            }
        }
        return out
    }

    private static func base64Value(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x41...0x5A: b - 0x41
        case 0x61...0x7A: b - 0x61 + 26
        case 0x30...0x39: b - 0x30 + 52
        case 0x2B: 62
        case 0x2F: 63
        default: nil
        }
    }
}
