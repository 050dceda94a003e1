/// Attachment file names as an analyst needs them: shown safely (control, bidirectional and invisible characters
/// made visible as `[U+202E]`), with the extension a file manager would use and the tricks spotted.
public struct FileName: Sendable, Equatable {
    public struct Tricks: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// C0/C1 control characters or DEL.
        public static let controlChars = Tricks(rawValue: 1)
        /// Bidirectional formatting characters (U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C).
        public static let bidiControl = Tricks(rawValue: 2)
        /// U+202E RIGHT-TO-LEFT OVERRIDE (or U+2067 RIGHT-TO-LEFT ISOLATE): `invoice‮fdp.exe` shows as `invoiceexe.pdf`.
        public static let rtlOverride = Tricks(rawValue: 4)
        /// Zero-width and other invisible characters.
        public static let invisibleChars = Tricks(rawValue: 8)
        /// A document-like extension followed by an executable one (`invoice.pdf.exe`).
        public static let doubleExtension = Tricks(rawValue: 16)
        /// A run of spaces (or other blanks) hiding the real extension (`invoice.pdf          .exe`).
        public static let paddedName = Tricks(rawValue: 32)
        /// Trailing dots or spaces, which Windows drops (`setup.exe.`).
        public static let trailingDotOrSpace = Tricks(rawValue: 64)
    }

    /// The name with every control, bidirectional and invisible character written as `[U+XXXX]`.
    public var display: String
    /// The last extension, lower case, as Windows would read it (trailing dots and spaces dropped); nil when none.
    public var extensionName: String?
    /// The extension before it (`pdf` in `invoice.pdf.exe`).
    public var innerExtension: String?
    public var tricks: Tricks

    public static let maxDisplayScalars = 1024

    public init(_ raw: String) {
        var tricks: Tricks = []
        var display = ""
        var count = 0
        var blankRun = 0
        for s in raw.unicodeScalars {
            count += 1
            if count > FileName.maxDisplayScalars {
                display += "…"
                break
            }
            let v = s.value
            let isBlank = v == 0x20 || v == 0xA0 || (v >= 0x2000 && v <= 0x200A) || v == 0x3000
            blankRun = isBlank ? blankRun + 1 : 0
            if blankRun >= 5 { tricks.insert(.paddedName) }
            switch v {
            case 0...0x1F, 0x7F...0x9F:
                tricks.insert(.controlChars)
                display += FileName.visible(v)
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
                tricks.insert(.bidiControl)
                if v == 0x202E || v == 0x2067 { tricks.insert(.rtlOverride) }
                display += FileName.visible(v)
            case 0x200B...0x200D, 0x2060...0x2064, 0xFEFF, 0x00AD, 0x034F, 0x180E, 0xFFF9...0xFFFB:
                tricks.insert(.invisibleChars)
                display += FileName.visible(v)
            default:
                display.unicodeScalars.append(s)
            }
        }
        // Extensions, as Windows reads them: path separators end the name, trailing dots and spaces go.
        var name = Substring(raw)
        if let slash = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) { name = name[name.index(after: slash)...] }
        var trimmed = name
        while let last = trimmed.last, last == "." || last == " " { trimmed = trimmed.dropLast() }
        if trimmed.count < name.count { tricks.insert(.trailingDotOrSpace) }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        func ext(_ p: Substring) -> String? {
            let cleaned = String(p.unicodeScalars.filter { !FileName.isIgnorable($0) })
                .trimmingBlanks().lowercased()
            guard !cleaned.isEmpty, cleaned.count <= 12,
                cleaned.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ($0.value &- 0x30 < 10) })
            else { return nil }
            return cleaned
        }
        extensionName = parts.count >= 2 ? parts.last.flatMap(ext) : nil
        innerExtension = parts.count >= 3 ? ext(parts[parts.count - 2]) : nil
        if let outer = extensionName, let inner = innerExtension, FileName.decoyExtensions.contains(inner),
            FileName.riskyExtensions.contains(outer)
        {
            tricks.insert(.doubleExtension)
        }
        self.display = display
        self.tricks = tricks
    }

    static func visible(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    static func isIgnorable(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0...0x1F, 0x7F...0x9F, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF, 0x00AD, 0x061C:
            return true
        default:
            return false
        }
    }

    /// Extensions of files people expect to open safely: the decoy in a double extension.
    public static let decoyExtensions: Set<String> = [
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "csv", "odt", "ods", "jpg", "jpeg", "png",
        "gif", "bmp", "tif", "tiff", "mp3", "mp4", "wav", "avi", "mov", "htm", "html", "xml", "zip", "rar", "eml",
        "msg", "ics", "one",
    ]

    /// Extensions that run code when opened on Windows (or mount an image that does).
    public static let riskyExtensions: Set<String> = [
        "exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "lnk", "jar", "ps1",
        "psm1", "msi", "msp", "dll", "cpl", "iso", "img", "vhd", "vhdx", "reg", "scf", "url", "chm", "apk", "sh",
        "app", "appx", "msix", "gadget", "inf", "sct", "xll", "xlam", "iqy", "slk",
        "application",
    ]
}

extension StringProtocol {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
