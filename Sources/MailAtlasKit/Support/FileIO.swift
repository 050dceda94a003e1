import Glibc

/// What `fstat`/`lstat` says about a file, reduced to what the scan state needs.
public struct FileStat: Sendable, Equatable {
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtimeNs: Int64
    public var inode: UInt64
    public var device: UInt64
    public var isRegular: Bool
    public var isDirectory: Bool
    public var isSymlink: Bool
    /// The file type in words (`file`, `directory`, `FIFO`, `character device`…), for messages.
    public var typeName: String

    init(_ s: stat) {
        size = Int64(s.st_size)
        mtimeNs = Int64(s.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(s.st_mtim.tv_nsec)
        inode = UInt64(s.st_ino)
        device = UInt64(s.st_dev)
        let fmt = s.st_mode & S_IFMT
        isRegular = fmt == S_IFREG
        isDirectory = fmt == S_IFDIR
        isSymlink = fmt == S_IFLNK
        switch fmt {
        case S_IFREG: typeName = "file"
        case S_IFDIR: typeName = "directory"
        case S_IFLNK: typeName = "symlink"
        case S_IFIFO: typeName = "FIFO"
        case S_IFSOCK: typeName = "socket"
        case S_IFCHR: typeName = "character device"
        case S_IFBLK: typeName = "block device"
        default: typeName = "special file"
        }
    }

    /// `stat` (follows symlinks) or `lstat`.
    public static func of(_ path: String, followSymlinks: Bool) -> FileStat? {
        var s = stat()
        let rc = PathBytes.withCString(path) { followSymlinks ? stat($0, &s) : lstat($0, &s) }
        return rc == 0 ? FileStat(s) : nil
    }
}

/// A system call failure with the path it concerned.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }
    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(code)))"
    }
}

/// A read-only file descriptor that closes itself. Spool files are only ever opened `O_RDONLY`.
public final class ReadOnlyFile {
    public let fd: Int32
    public let path: String

    public init(path: String) throws(FileError) {
        let fd = PathBytes.withCString(path) { open($0, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) }
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    public func stat() throws(FileError) -> FileStat {
        var s = Glibc.stat()
        guard fstat(fd, &s) == 0 else { throw FileError(path: path, operation: "stat", code: errno) }
        return FileStat(s)
    }

    /// Reads up to `count` bytes at `offset` (fewer at end of file).
    public func read(at offset: Int64, count: Int) throws(FileError) -> [UInt8] {
        guard count > 0 else { return [] }
        var result = [UInt8](repeating: 0, count: count)
        var filled = 0
        var failure: Int32 = 0
        result.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while filled < count {
                let n = pread(fd, base + filled, count - filled, off_t(offset) + off_t(filled))
                if n > 0 {
                    filled += n
                } else if n == 0 {
                    break
                } else if errno != EINTR && errno != EAGAIN {
                    failure = errno
                    break
                }
            }
        }
        if failure != 0 { throw FileError(path: path, operation: "read", code: failure) }
        if filled < count { result.removeSubrange(filled...) }
        return result
    }

    /// Reads sequentially, appending up to `max` bytes to `buffer`; returns the number of bytes read, 0 at the end.
    /// Reads go through a small scratch buffer, so a small file costs a small read, not a large zero-filled one.
    public func readAppending(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        guard max > 0 else { return 0 }
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: ReadOnlyFile.scratchSize) }
        let want = Swift.min(max, scratch.count)
        var n = 0
        var failure: Int32 = 0
        scratch.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while true {
                n = Glibc.read(fd, base, want)
                if n >= 0 { break }
                if errno != EINTR && errno != EAGAIN {
                    failure = errno
                    n = 0
                    break
                }
            }
        }
        if failure != 0 { throw FileError(path: path, operation: "read", code: failure) }
        if n > 0 { scratch.withUnsafeBufferPointer { buffer.append(contentsOf: $0[0..<n]) } }
        return n
    }

    static let scratchSize = 64 * 1024
    private var scratch: [UInt8] = []
}

extension Array where Element == UInt8 {
    /// Grows the array by `count` zero bytes with one `memset`-speed fill (appending a `repeatElement` sequence
    /// goes element by element in debug builds).
    ///
    /// Capacity grows geometrically: `reserveCapacity(count + n)` on every call would reallocate and copy the whole
    /// array each time (Swift reserves exactly what is asked), which made inflating a 50 MB gzip message copy
    /// gigabytes.
    mutating func appendZeros(_ count: Int) {
        guard count > 0 else { return }
        if capacity < self.count + count { reserveCapacity(Swift.max(self.count + count, capacity * 2)) }
        append(contentsOf: [UInt8](repeating: 0, count: count))
    }
}

/// File names are bytes; Swift strings are Unicode. A spool written on a Latin-1 system (or by anyone) may name a
/// file `caf\xE9.eml`, which `String(cString:)` would turn into `caf\u{FFFD}.eml`, a name that opens nothing (and
/// that two different files could share). Names are therefore decoded losslessly: valid UTF-8 as it is, and each
/// byte that is not part of valid UTF-8 as one code point of U+F780–U+F7FF (0x80–0xFF); a name that already holds
/// such a code point has its bytes escaped the same way, so the mapping is one-to-one. `withCString` turns the
/// string back into the exact bytes for system calls. Stored paths keep the escaped form.
public enum PathBytes {
    static let escapeBase: UInt32 = 0xF700

    /// The string for a file name or path as the system gave it.
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if isPlain(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var i = 0
        let n = bytes.count
        while i < n {
            let length = validSequenceLength(bytes, at: i)
            if length > 0 {
                var value: UInt32 = 0
                let lead = UInt32(bytes[i])
                switch length {
                case 1: value = lead
                case 2: value = (lead & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                case 3: value = (lead & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                default:
                    value =
                        (lead & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                        | UInt32(bytes[i + 3] & 0x3F)
                }
                if value < escapeBase + 0x80 || value > escapeBase + 0xFF {
                    scalars.append(Unicode.Scalar(value)!)
                    i += length
                    continue
                }
                // A code point of the escape range written as UTF-8: escape its bytes, so decoding stays reversible.
                for k in 0..<length { scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[i + k]))!) }
                i += length
                continue
            }
            scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[i]))!)
            i += 1
        }
        return String(scalars)
    }

    public static func string(cString: UnsafePointer<CChar>) -> String {
        string(
            UnsafeBufferPointer(
                start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), count: strlen(cString)))
    }

    /// Calls `body` with the exact bytes of `path` as a C string.
    public static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        // The escape range is EF 9E 80 – EF 9F BF in UTF-8.
        var escaped = false
        var previous: UInt8 = 0
        for b in path.utf8 {
            if previous == 0xEF && (b == 0x9E || b == 0x9F) {
                escaped = true
                break
            }
            previous = b
        }
        guard escaped else { return try path.withCString(body) }
        var out: [CChar] = []
        out.reserveCapacity(path.utf8.count + 1)
        for scalar in path.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                out.append(CChar(bitPattern: UInt8(scalar.value - escapeBase)))
            } else {
                for b in String(scalar).utf8 { out.append(CChar(bitPattern: b)) }
            }
        }
        out.append(0)
        return try out.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Valid UTF-8 with no sequence starting EF 9E / EF 9F: the common case, decoded as it is.
    private static func isPlain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            if b[i] < 0x80 {
                i += 1
                continue
            }
            let length = validSequenceLength(b, at: i)
            if length == 0 || (b[i] == 0xEF && (b[i + 1] == 0x9E || b[i + 1] == 0x9F)) { return false }
            i += length
        }
        return true
    }

    /// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, at most
    /// U+10FFFF), or 0.
    private static func validSequenceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
        let n = b.count
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { k < n && b[k] >= lo && b[k] <= hi }
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(i + 1) ? 2 : 0
        case 0xE0: return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED: return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0
        case 0xF0: return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4: return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0
        default: return 0
        }
    }
}
