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
///
/// Damage ends the stream instead of failing the read: what was inflated before it is handed out, then the stream
/// ends and `damage` says what went wrong (a truncated or corrupt stream, a read error, or a gzip bomb). Readers
/// keep the messages that came before the damage and report it.
public final class GzipSource: DecompressingSource {
    /// Inflated bytes allowed per compressed byte once past `bombFloor`: real mail, even an mbox of identical
    /// copies of a small message, stays under about 160:1; deflate reaches 1032:1 on a run of one byte. Beyond it
    /// the stream is a gzip bomb and is not read further, so the work stays linear in the compressed size with a
    /// small constant.
    public static let maxRatio = 300
    /// Inflated bytes always allowed whatever the ratio (a small file of blanks is no bomb).
    public static let bombFloor = 64 << 20

    public typealias Damage = CompressionDamage

    private let file: ReadOnlyFile
    private var stream = z_stream()
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var finished = false
    private var initialised = false
    private var membersDone = 0
    private var compressedRead = 0
    /// Inflated bytes handed out so far.
    public private(set) var inflatedBytes = 0
    /// Why the stream ended early, if it did.
    public private(set) var damage: Damage? = nil

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

    private func refill() -> Bool {
        input.removeAll(keepingCapacity: true)
        inputOffset = 0
        do {
            let n = try file.readAppending(into: &input, max: 256 * 1024)
            compressedRead += n
            return n > 0
        } catch {
            damage = Damage(kind: .readError, path: file.path, offset: inflatedBytes, detail: "\(error)")
            return false
        }
    }

    public func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        guard !finished, max > 0 else { return 0 }
        let old = buffer.count
        buffer.appendZeros(max)
        var produced = 0
        while produced == 0 && !finished {
            if inputOffset >= input.count {
                if !refill() {
                    finished = true
                    // Input ended inside a member: the file was cut.
                    if damage == nil, membersDone == 0 || stream.total_in > 0 {
                        damage = Damage(
                            kind: .corrupt, path: file.path, offset: inflatedBytes + produced,
                            detail: "the file ends inside the compressed stream")
                    }
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
                if inputOffset >= input.count, !refill() {
                    // Peeked: no more input, so the stream ended cleanly after a complete member.
                    finished = true
                }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                // Trailing garbage after complete members (tape padding, a truncated copy) ends the stream.
                finished = true
                if membersDone == 0 || made > 0 || stream.total_in > UInt(consumed) {
                    let message = stream.msg.map { String(cString: $0) } ?? "inflate error \(rc)"
                    damage = Damage(
                        kind: .corrupt, path: file.path, offset: inflatedBytes + produced, detail: message)
                }
            } else if rc == Z_BUF_ERROR && consumed == 0 && made == 0 && inputOffset < input.count {
                finished = true
                damage = Damage(
                    kind: .corrupt, path: file.path, offset: inflatedBytes + produced, detail: "no progress")
            }
        }
        buffer.removeLast(max - produced)
        inflatedBytes += produced
        if !finished, inflatedBytes > GzipSource.bombFloor, inflatedBytes / GzipSource.maxRatio > compressedRead {
            finished = true
            damage = Damage(kind: .bomb, path: file.path, offset: inflatedBytes, detail: "")
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
