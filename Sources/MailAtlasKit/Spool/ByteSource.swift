import CZlib
import Glibc

/// A sequential stream of bytes: a spool file, or a gzip-compressed one inflated on the fly.
public protocol ByteSource: AnyObject {
    /// Appends up to `max` bytes to `buffer`; returns how many (0 at the end of the stream).
    func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int
}

extension ReadOnlyFile: ByteSource {
    public func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        try readAppending(into: &buffer, max: max)
    }
}

/// Inflates a gzip file (several members allowed, as `cat a.gz b.gz` makes) as a stream, in bounded memory.
public final class GzipSource: ByteSource {
    private let file: ReadOnlyFile
    private var stream = z_stream()
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var finished = false
    private var initialised = false
    private var membersDone = 0

    public init(file: ReadOnlyFile) throws(FileError) {
        self.file = file
        // 16 + MAX_WBITS: gzip wrapper only.
        let rc = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw FileError(path: file.path, operation: "inflateInit", code: EIO) }
        initialised = true
    }

    deinit {
        if initialised { inflateEnd(&stream) }
    }

    public func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        guard !finished, max > 0 else { return 0 }
        let old = buffer.count
        buffer.appendZeros(max)
        var produced = 0
        var failure: Int32 = 0
        while produced == 0 && !finished {
            if inputOffset >= input.count {
                input.removeAll(keepingCapacity: true)
                inputOffset = 0
                do {
                    if try file.readAppending(into: &input, max: 256 * 1024) == 0 {
                        finished = true
                        break
                    }
                } catch {
                    failure = error.code
                    break
                }
            }
            let (rc, consumed, made) = input.withUnsafeMutableBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int, Int) in
                    stream.next_in = inBuf.baseAddress! + inputOffset
                    stream.avail_in = UInt32(inBuf.count - inputOffset)
                    stream.next_out = outBuf.baseAddress! + old + produced
                    stream.avail_out = UInt32(max - produced)
                    let before = stream.avail_in
                    let beforeOut = stream.avail_out
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    return (rc, Int(before - stream.avail_in), Int(beforeOut - stream.avail_out))
                }
            }
            inputOffset += consumed
            produced += made
            if rc == Z_STREAM_END {
                membersDone += 1
                // Another member may follow.
                if inflateReset(&stream) != Z_OK { finished = true }
                if inputOffset >= input.count {
                    // Peek whether more input exists; if not, we are done.
                    input.removeAll(keepingCapacity: true)
                    inputOffset = 0
                    do {
                        if try file.readAppending(into: &input, max: 256 * 1024) == 0 { finished = true }
                    } catch {
                        failure = error.code
                        break
                    }
                }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                // Trailing garbage after complete members (tape padding, a truncated copy) ends the stream.
                if membersDone > 0 && made == 0 {
                    finished = true
                    break
                }
                failure = EILSEQ
                break
            } else if rc == Z_BUF_ERROR && consumed == 0 && made == 0 && inputOffset < input.count {
                failure = EILSEQ
                break
            }
        }
        buffer.removeLast(max - produced)
        if failure != 0 {
            finished = true
            throw FileError(path: file.path, operation: "gunzip", code: failure)
        }
        return produced
    }
}

/// Reads a whole stream into memory, up to `limit` bytes; the second value says whether more was left.
func readAll(_ source: some ByteSource, limit: Int) throws(FileError) -> ([UInt8], Bool) {
    var out: [UInt8] = []
    while out.count < limit {
        let n = try source.read(into: &out, max: min(1 << 20, limit - out.count))
        if n == 0 { return (out, false) }
    }
    var probe: [UInt8] = []
    return (out, try source.read(into: &probe, max: 1) > 0)
}

/// Bytes in memory as a stream, handed out at most `chunk` bytes per read (tests use small chunks to put every
/// boundary across a refill).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private let chunk: Int

    public init(_ bytes: [UInt8], chunk: Int = 1 << 20) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
    }

    public func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        let n = min(max, chunk, bytes.count - position)
        guard n > 0 else { return 0 }
        buffer.append(contentsOf: bytes[position..<position + n])
        position += n
        return n
    }
}
