public import MailCore

extension PublicSuffixList {
    /// The largest list file read (the real list is about 250 KB).
    public static let maxFileBytes = 16 << 20

    /// Reads a newer copy of the Public Suffix List (the publicsuffix.org format, e.g. Debian's
    /// `/usr/share/publicsuffix/public_suffix_list.dat`) to use instead of the embedded one.
    public static func load(path: String) throws -> PublicSuffixList {
        let file = try ReadOnlyFile(path: path)
        let size = try file.stat().size
        guard size <= Int64(maxFileBytes) else { throw PublicSuffixFileError.tooLarge(path: path, size: size) }
        let bytes = try file.read(at: 0, count: Int(size))
        let list = PublicSuffixList(parsing: String(decoding: bytes, as: UTF8.self))
        guard list.ruleCount > 0 else { throw PublicSuffixFileError.noRules(path: path) }
        return list
    }
}

public enum PublicSuffixFileError: Error, CustomStringConvertible {
    case tooLarge(path: String, size: Int64)
    case noRules(path: String)
    public var description: String {
        switch self {
        case .tooLarge(let path, let size): return "\(path): \(size) bytes is too large for a Public Suffix List"
        case .noRules(let path): return "\(path): no Public Suffix List rules found"
        }
    }
}
