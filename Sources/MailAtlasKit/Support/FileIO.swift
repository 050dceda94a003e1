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
        let rc = followSymlinks ? stat(path, &s) : lstat(path, &s)
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
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
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
