import CCompression
import Glibc

/// One library's streaming decoder, driven by `LibraryDecompressingSource`.
protocol StreamDecoder: AnyObject {
    /// Why the decoder could not be set up, if it could not.
    var startError: String? { get }
    /// Whether the input given so far ends on a boundary: after a complete stream (or frame, or chunk), with no byte
    /// of another one consumed. At the end of the file, anything else means the file was cut.
    var atBoundary: Bool { get }
    /// Decodes from `input` into `output`; `finish` says no input will follow.
    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, finish: Bool)
        -> DecodeStep
}

struct DecodeStep {
    var consumed: Int
    var produced: Int
    /// What went wrong (the stream ends there).
    var error: String? = nil
    /// The error is bytes after complete streams that begin no stream (tape padding, a truncated copy): the
    /// stream ends there, cleanly, as gzip's does.
    var trailingGarbage = false
}

/// Decompresses a file through a `StreamDecoder` in bounded memory, with `GzipSource`'s rules: damage ends the
/// stream after what was decompressed before it, and a stream that decompresses to more than `GzipSource.maxRatio`
/// times the bytes read, once past `GzipSource.bombFloor`, is a bomb and is not read further.
final class LibraryDecompressingSource: DecompressingSource {
    private let file: ReadOnlyFile
    private let format: Compression
    private let decoder: any StreamDecoder
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var endOfFile = false
    private var finished = false
    private var compressedRead = 0
    private(set) var inflatedBytes = 0
    private(set) var damage: CompressionDamage? = nil

    init(file: ReadOnlyFile, format: Compression, decoder: any StreamDecoder) throws(FileError) {
        guard decoder.startError == nil else {
            throw FileError(path: file.path, operation: "\(format.rawValue) decoder", code: ENOMEM)
        }
        self.file = file
        self.format = format
        self.decoder = decoder
    }

    private func fail(_ kind: CompressionDamage.Kind, _ detail: String, at offset: Int) {
        finished = true
        damage = CompressionDamage(format: format, kind: kind, path: file.path, offset: offset, detail: detail)
    }

    private func refill() {
        input.removeAll(keepingCapacity: true)
        inputOffset = 0
        do {
            let n = try file.readAppending(into: &input, max: 256 * 1024)
            compressedRead += n
            if n == 0 { endOfFile = true }
        } catch {
            endOfFile = true
            fail(.readError, "\(error)", at: inflatedBytes)
        }
    }

    func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        guard !finished, max > 0 else { return 0 }
        let old = buffer.count
        buffer.appendZeros(max)
        var produced = 0
        while produced == 0 && !finished {
            if inputOffset >= input.count && !endOfFile {
                refill()
                if finished { break }
            }
            let finish = endOfFile
            let step = input.withUnsafeBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    decoder.decode(
                        UnsafeBufferPointer(rebasing: inBuf[inputOffset...]),
                        into: UnsafeMutableBufferPointer(rebasing: outBuf[(old + produced)...]), finish: finish)
                }
            }
            inputOffset += step.consumed
            produced += step.produced
            if let error = step.error {
                if step.trailingGarbage { finished = true } else { fail(.corrupt, error, at: inflatedBytes + produced) }
            } else if finish && inputOffset >= input.count && step.produced == 0 {
                // Everything was given and nothing more comes out.
                if decoder.atBoundary {
                    finished = true
                } else {
                    fail(.corrupt, "the file ends inside the compressed stream", at: inflatedBytes + produced)
                }
            } else if step.consumed == 0 && step.produced == 0 && inputOffset < input.count {
                fail(.corrupt, "no progress", at: inflatedBytes + produced)
            }
        }
        buffer.removeLast(max - produced)
        inflatedBytes += produced
        if !finished, inflatedBytes > GzipSource.bombFloor, inflatedBytes / GzipSource.maxRatio > compressedRead {
            fail(.bomb, "", at: inflatedBytes)
        }
        return produced
    }
}

private func chars(_ p: UnsafePointer<UInt8>?) -> UnsafeMutablePointer<CChar>? {
    p.map { UnsafeMutableRawPointer(mutating: $0).assumingMemoryBound(to: CChar.self) }
}

/// bzip2 (`BZh`), concatenated streams as `pbzip2` and `cat a.bz2 b.bz2` make.
final class Bzip2Decoder: StreamDecoder {
    // libbz2 checks that its stream has not moved since it was set up: it lives at a fixed address.
    private let stream = UnsafeMutablePointer<bz_stream>.allocate(capacity: 1)
    private var initialised = false
    private var streamsDone = 0
    private var inStream = false

    init() {
        stream.initialize(to: bz_stream())
        initialised = BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK
    }

    deinit {
        if initialised { BZ2_bzDecompressEnd(stream) }
        stream.deallocate()
    }

    var startError: String? { initialised ? nil : "cannot set up the bzip2 decoder" }
    var atBoundary: Bool { streamsDone > 0 && !inStream }

    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, finish: Bool)
        -> DecodeStep
    {
        guard initialised else { return DecodeStep(consumed: 0, produced: 0, error: "the bzip2 decoder failed") }
        if input.isEmpty && !inStream { return DecodeStep(consumed: 0, produced: 0) }
        stream.pointee.next_in = chars(input.baseAddress)
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress.map {
            UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)
        }
        stream.pointee.avail_out = UInt32(output.count)
        let rc = BZ2_bzDecompress(stream)
        let step = DecodeStep(
            consumed: input.count - Int(stream.pointee.avail_in), produced: output.count - Int(stream.pointee.avail_out)
        )
        if rc == BZ_STREAM_END {
            streamsDone += 1
            inStream = false
            // Another stream may follow: a fresh decoder for it.
            BZ2_bzDecompressEnd(stream)
            stream.pointee = bz_stream()
            initialised = BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK
            return step
        }
        if rc == BZ_OK {
            if step.consumed > 0 { inStream = true }
            return step
        }
        if rc == BZ_DATA_ERROR_MAGIC && !inStream && streamsDone > 0 {
            return DecodeStep(consumed: step.consumed, produced: 0, error: "trailing bytes", trailingGarbage: true)
        }
        let what =
            switch rc {
            case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: "corrupt data"
            case BZ_MEM_ERROR: "out of memory"
            default: "bzip2 error \(rc)"
            }
        return DecodeStep(consumed: step.consumed, produced: step.produced, error: what)
    }
}

/// xz (`.xz`), concatenated streams and padding included, with the decoder's memory bounded.
final class XZDecoder: StreamDecoder {
    /// The most memory the decoder may take: `xz -9` needs 65 MiB; a stream declaring more is refused, not trusted.
    static let memoryLimit: UInt64 = 128 << 20
    private let stream = UnsafeMutablePointer<lzma_stream>.allocate(capacity: 1)
    private var initialised = false
    private var ended = false

    init() {
        stream.initialize(to: lzma_stream())
        // LZMA_CONCATENATED (0x08): decode streams one after another until LZMA_FINISH.
        initialised = lzma_stream_decoder(stream, XZDecoder.memoryLimit, 0x08) == LZMA_OK
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
    }

    var startError: String? { initialised ? nil : "cannot set up the xz decoder" }
    var atBoundary: Bool { ended }

    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, finish: Bool)
        -> DecodeStep
    {
        guard !ended else { return DecodeStep(consumed: input.count, produced: 0) }
        stream.pointee.next_in = input.baseAddress
        stream.pointee.avail_in = input.count
        stream.pointee.next_out = output.baseAddress
        stream.pointee.avail_out = output.count
        let rc = lzma_code(stream, finish ? LZMA_FINISH : LZMA_RUN)
        var step = DecodeStep(
            consumed: input.count - stream.pointee.avail_in, produced: output.count - stream.pointee.avail_out)
        switch rc {
        case LZMA_OK, LZMA_BUF_ERROR:
            break
        case LZMA_STREAM_END:
            ended = true
        case LZMA_MEMLIMIT_ERROR:
            step.error = "the stream needs more than \(XZDecoder.memoryLimit >> 20) MiB of memory to decode"
        case LZMA_FORMAT_ERROR:
            step.error = "not an xz stream"
        default:
            step.error = "corrupt data (liblzma error \(rc.rawValue))"
        }
        return step
    }
}

/// Zstandard (`.zst`), several frames one after another, with the window bounded (128 MiB, zstd's default).
final class ZstdDecoder: StreamDecoder {
    private let stream: OpaquePointer?
    private var frameOpen = false
    private var framesDone = 0

    init() {
        stream = ZSTD_createDStream()
        if let stream {
            _ = ZSTD_initDStream(stream)
            _ = ZSTD_DCtx_setParameter(stream, ZSTD_d_windowLogMax, 27)
        }
    }

    deinit { ZSTD_freeDStream(stream) }

    var startError: String? { stream == nil ? "cannot set up the zstd decoder" : nil }
    var atBoundary: Bool { framesDone > 0 && !frameOpen }

    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, finish: Bool)
        -> DecodeStep
    {
        var inBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(input.baseAddress), size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: UnsafeMutableRawPointer(output.baseAddress), size: output.count, pos: 0)
        let rc = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
        var step = DecodeStep(consumed: inBuffer.pos, produced: outBuffer.pos)
        if ZSTD_isError(rc) != 0 {
            step.error = String(cString: ZSTD_getErrorName(rc))
        } else if rc == 0 {
            // A frame is decoded and flushed.
            if frameOpen || step.consumed > 0 { framesDone += 1 }
            frameOpen = false
        } else if step.consumed > 0 || step.produced > 0 {
            frameOpen = true
        }
        return step
    }
}

/// Dovecot's LZ4 files: the magic `Dovecot-LZ4\r\x2a\x9b\xc5`, the largest decompressed chunk (4 bytes,
/// big-endian), then chunks, each a 4-byte big-endian length and one LZ4 block of at most that many bytes once
/// decompressed (64 KiB as Dovecot writes them).
final class DovecotLZ4Decoder: StreamDecoder {
    /// The largest decompressed chunk accepted (Dovecot's reader refuses the same).
    static let maxChunk = 8 << 20
    private var header: [UInt8] = []
    private var maxUncompressed = 0
    private var lengthBytes: [UInt8] = []
    private var chunkLength: Int? = nil
    private var chunk: [UInt8] = []
    private var decoded: [UInt8] = []
    private var decodedOffset = 0

    var startError: String? { nil }
    var atBoundary: Bool {
        header.count == 19 && lengthBytes.isEmpty && chunkLength == nil && decodedOffset == decoded.count
    }

    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, finish: Bool)
        -> DecodeStep
    {
        var i = 0
        var o = 0
        while true {
            if decodedOffset < decoded.count {
                let n = min(decoded.count - decodedOffset, output.count - o)
                for k in 0..<n { output[o + k] = decoded[decodedOffset + k] }
                decodedOffset += n
                o += n
                if o == output.count { break }
            }
            if i == input.count { break }
            if header.count < 19 {
                let n = min(19 - header.count, input.count - i)
                header.append(contentsOf: input[i..<i + n])
                i += n
                if header.count == 19 {
                    guard header.starts(with: Compression.dovecotLZ4Magic) else {
                        return DecodeStep(consumed: i, produced: o, error: "not a Dovecot LZ4 file")
                    }
                    maxUncompressed = header[15...].reduce(0) { $0 << 8 | Int($1) }
                    guard maxUncompressed > 0 && maxUncompressed <= DovecotLZ4Decoder.maxChunk else {
                        return DecodeStep(consumed: i, produced: o, error: "chunk size \(maxUncompressed) out of range")
                    }
                }
                continue
            }
            guard let length = chunkLength else {
                let n = min(4 - lengthBytes.count, input.count - i)
                lengthBytes.append(contentsOf: input[i..<i + n])
                i += n
                if lengthBytes.count == 4 {
                    let length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
                    guard length > 0 && length <= Int(LZ4_compressBound(Int32(maxUncompressed))) else {
                        return DecodeStep(consumed: i, produced: o, error: "chunk length \(length) out of range")
                    }
                    chunkLength = length
                }
                continue
            }
            let n = min(length - chunk.count, input.count - i)
            chunk.append(contentsOf: input[i..<i + n])
            i += n
            guard chunk.count == length else { continue }
            decoded = [UInt8](repeating: 0, count: maxUncompressed)
            let made = chunk.withUnsafeBufferPointer { src in
                decoded.withUnsafeMutableBufferPointer { dst in
                    LZ4_decompress_safe(
                        UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: CChar.self),
                        UnsafeMutableRawPointer(dst.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(length),
                        Int32(maxUncompressed))
                }
            }
            guard made >= 0 else { return DecodeStep(consumed: i, produced: o, error: "corrupt LZ4 block") }
            decoded.removeLast(decoded.count - Int(made))
            decodedOffset = 0
            chunk.removeAll(keepingCapacity: true)
            lengthBytes.removeAll(keepingCapacity: true)
            chunkLength = nil
        }
        return DecodeStep(consumed: i, produced: o)
    }
}
