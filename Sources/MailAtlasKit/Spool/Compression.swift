/// A compression a spool file may be in, recognised by its magic bytes, never by its name: the formats of
/// Dovecot's compression plugin (`zlib_save = gz | bz2 | xz | lz4 | zstd`), which compresses Maildir files one by
/// one, and of the usual tools (`mbox.gz`, `archive.mbox.xz`).
public enum Compression: String, Sendable, CaseIterable {
    case gzip, bzip2, xz, zstd
    /// Dovecot's own LZ4 container (`Dovecot-LZ4` magic, then LZ4 blocks of at most 64 KiB), not the `lz4` tool's.
    case lz4

    /// Bytes `detect` needs to see.
    public static let magicLength = 15

    static let dovecotLZ4Magic: [UInt8] = Array("Dovecot-LZ4".utf8) + [0x0D, 0x2A, 0x9B, 0xC5]

    /// The compression whose magic bytes begin `head`, if any.
    public static func detect(_ head: some Collection<UInt8>) -> Compression? {
        let h = Array(head.prefix(magicLength))
        if h.count >= 2, h[0] == 0x1F, h[1] == 0x8B { return .gzip }
        // "BZh", the block size, then the magic of a first block (π) or of an empty stream's end (√π).
        if h.count >= 10, h[0] == 0x42, h[1] == 0x5A, h[2] == 0x68, h[3] >= 0x31, h[3] <= 0x39,
            h[4...9].elementsEqual([0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
                || h[4...9].elementsEqual([0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            return .bzip2
        }
        if h.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if h.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if h.starts(with: dovecotLZ4Magic) { return .lz4 }
        return nil
    }

    /// The decompressed stream of `file`, which starts with this compression's magic.
    public func open(_ file: ReadOnlyFile) throws(FileError) -> any DecompressingSource {
        switch self {
        case .gzip: try GzipSource(file: file)
        case .bzip2: try LibraryDecompressingSource(file: file, format: self, decoder: Bzip2Decoder())
        case .xz: try LibraryDecompressingSource(file: file, format: self, decoder: XZDecoder())
        case .zstd: try LibraryDecompressingSource(file: file, format: self, decoder: ZstdDecoder())
        case .lz4: try LibraryDecompressingSource(file: file, format: self, decoder: DovecotLZ4Decoder())
        }
    }
}

/// A decompressed stream. Damage ends it instead of failing the read: what was decompressed before is handed out,
/// then the stream ends and `damage` says what went wrong.
public protocol DecompressingSource: ByteSource {
    var damage: CompressionDamage? { get }
    /// Decompressed bytes handed out so far.
    var inflatedBytes: Int { get }
}

/// Why a decompressed stream ended early: a truncated or corrupt stream, a read error, or a bomb (more than
/// `GzipSource.maxRatio` times the compressed size once past `GzipSource.bombFloor`).
public struct CompressionDamage: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case corrupt, readError, bomb }
    public var format: Compression = .gzip
    public var kind: Kind
    public var path: String
    /// Decompressed bytes handed out before the damage.
    public var offset: Int
    public var detail: String

    public var description: String {
        switch kind {
        case .bomb:
            format == .gzip
                ? "gzip bomb: \(path) inflates to more than \(GzipSource.maxRatio) times its size; "
                    + "read up to \(offset) inflated bytes"
                : "\(format.rawValue) bomb: \(path) decompresses to more than \(GzipSource.maxRatio) times its size; "
                    + "read up to \(offset) decompressed bytes"
        case .corrupt, .readError:
            format == .gzip
                ? "damaged gzip stream in \(path) after \(offset) inflated bytes: \(detail)"
                : "damaged \(format.rawValue) stream in \(path) after \(offset) decompressed bytes: \(detail)"
        }
    }

    /// The diagnostic code: `spool.gzip` and `spool.gzip-bomb` for gzip (as before the other formats were read),
    /// `spool.compression` and `spool.compression-bomb` for the others.
    public var code: String {
        let stem = format == .gzip ? "spool.gzip" : "spool.compression"
        return kind == .bomb ? stem + "-bomb" : stem
    }
}
