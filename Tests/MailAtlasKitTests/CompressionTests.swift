import CCompression
import Foundation
import GRDB
import MailAtlasKit
import TestSupport
import Testing

/// Files compressed the way Dovecot's compression plugin writes Maildir messages (`zlib_save = bz2 | xz | zstd |
/// lz4`; gzip has its own tests), made here with the same libraries.
enum Compressed {
    static func make(_ format: Compression, _ data: [UInt8]) -> [UInt8] {
        switch format {
        case .bzip2: bzip2(data)
        case .xz: xz(data)
        case .zstd: zstd(data)
        case .lz4: dovecotLZ4(data)
        case .gzip: fatalError("gzip fixtures are made elsewhere")
        }
    }

    static func bzip2(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: data.count + data.count / 100 + 600)
        var length = UInt32(out.count)
        var input = data
        let rc = input.withUnsafeMutableBytes { src in
            out.withUnsafeMutableBytes { dst in
                BZ2_bzBuffToBuffCompress(
                    dst.baseAddress!.assumingMemoryBound(to: CChar.self), &length,
                    src.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(src.count), 9, 0, 0)
            }
        }
        precondition(rc == BZ_OK)
        return Array(out.prefix(Int(length)))
    }

    static func xz(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: data.count + data.count / 2 + 1024)
        var position = 0
        let rc = data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                lzma_easy_buffer_encode(
                    6, LZMA_CHECK_CRC64, nil, src.baseAddress, src.count, dst.baseAddress, &position, dst.count)
            }
        }
        precondition(rc == LZMA_OK)
        return Array(out.prefix(position))
    }

    static func zstd(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let n = data.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, 3)
            }
        }
        precondition(ZSTD_isError(n) == 0)
        return Array(out.prefix(n))
    }

    /// Dovecot's container: magic, the largest chunk (64 KiB, big-endian), then length-prefixed LZ4 blocks.
    static func dovecotLZ4(_ data: [UInt8]) -> [UInt8] {
        let chunk = 64 * 1024
        var out = Array("Dovecot-LZ4".utf8) + [0x0D, 0x2A, 0x9B, 0xC5] + bigEndian(chunk)
        var offset = 0
        while offset < data.count {
            let piece = Array(data[offset..<min(data.count, offset + chunk)])
            var block = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(piece.count))))
            let n = piece.withUnsafeBytes { src in
                block.withUnsafeMutableBytes { dst in
                    LZ4_compress_default(
                        src.baseAddress!.assumingMemoryBound(to: CChar.self),
                        dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(src.count), Int32(dst.count))
                }
            }
            precondition(n > 0)
            out += bigEndian(Int(n)) + block.prefix(Int(n))
            offset += piece.count
        }
        return out
    }

    static func bigEndian(_ n: Int) -> [UInt8] {
        [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
    }
}

@Suite struct CompressionTests {
    static let formats: [Compression] = [.bzip2, .xz, .zstd, .lz4]

    /// Reads a compressed file whole (in small reads), returning the bytes and the damage.
    func decompress(_ bytes: [UInt8], _ format: Compression, limit: Int = 256 << 20) throws -> (
        [UInt8], CompressionDamage?
    ) {
        let t = TempDirectory("compression")
        let path = t.write("file", bytes)
        #expect(Compression.detect(bytes) == format)
        let source = try format.open(ReadOnlyFile(path: path))
        var out: [UInt8] = []
        while out.count < limit, try source.read(into: &out, max: 7_777) > 0 {}
        #expect(source.inflatedBytes == out.count)
        return (out, source.damage)
    }

    /// A message bigger than one input read and one LZ4 chunk, with text that does not compress to nothing.
    static let message: [UInt8] = {
        var body = ""
        for i in 0..<12_000 { body += "line \(i) of the body, \(i * 7919 % 1000) and more words\n" }
        return Array(MailFixture.message(subject: "compressed", body: body).utf8)
    }()

    @Test(arguments: formats) func roundTripAndConcatenatedStreams(_ format: Compression) throws {
        let (out, damage) = try decompress(Compressed.make(format, Self.message), format)
        #expect(out == Self.message)
        #expect(damage == nil)
        guard format != .lz4 else { return }
        // Two streams one after the other (`cat a b`, pbzip2, zstd frames) read as one.
        let two = Compressed.make(format, Array("first half\n".utf8)) + Compressed.make(format, Array("second\n".utf8))
        let (both, none) = try decompress(two, format)
        #expect(String(decoding: both, as: UTF8.self) == "first half\nsecond\n")
        #expect(none == nil)
    }

    /// A file cut short keeps what was decompressed before the cut and says where the stream broke.
    @Test(arguments: formats) func aTruncatedFileIsDamageNotAnError(_ format: Compression) throws {
        let whole = Compressed.make(format, Self.message)
        let (out, damage) = try decompress(Array(whole.prefix(whole.count * 2 / 3)), format)
        let found = try #require(damage)
        #expect(found.kind == .corrupt)
        #expect(found.code == "spool.compression")
        #expect(out.count < Self.message.count)
        #expect(out.elementsEqual(Self.message.prefix(out.count)))
    }

    @Test(arguments: formats) func corruptBytesEndTheStream(_ format: Compression) throws {
        var bytes = Compressed.make(format, Self.message)
        for k in stride(from: 40, to: bytes.count, by: 97) { bytes[k] ^= 0x5A }
        let (out, damage) = try decompress(bytes, format)
        #expect(damage != nil)
        #expect(out.count <= Self.message.count + 64 * 1024)
    }

    /// Past 64 MiB, more than 300 times the compressed size is a bomb: the stream stops there.
    @Test(arguments: [Compression.zstd, .xz, .bzip2]) func bombsStop(_ format: Compression) throws {
        let zeros = [UInt8](repeating: 0x41, count: 80 << 20)
        let (out, damage) = try decompress(Compressed.make(format, zeros), format)
        let found = try #require(damage)
        #expect(found.kind == .bomb)
        #expect(found.code == "spool.compression-bomb")
        #expect(out.count < 70 << 20)
    }

    /// Maildir files compressed by Dovecot's plugin, in every format, are read decompressed; so are compressed
    /// mbox files in a tree. A file of which nothing decompresses is skipped as `damaged-compression`.
    @Test func compressedMaildirFilesAndMboxesAreRead() async throws {
        let s = ScanTests.Spool()
        for (k, format) in Self.formats.enumerated() {
            let message = MailFixture.message(subject: "dovecot \(format.rawValue)")
            s.dir.write(
                "spool/Maildir/cur/20\(k).M\(k).host,S=\(message.utf8.count):2,S",
                Compressed.make(format, Array(message.utf8)))
        }
        s.dir.write(
            "spool/archive.mbox.xz",
            Compressed.xz(
                Array(
                    MailFixture.mbox([MailFixture.message(subject: "xz 1"), MailFixture.message(subject: "xz 2")]).utf8)
            ))
        s.dir.write("spool/eml/one.eml.zst", Compressed.zstd(Array(MailFixture.message(subject: "zstd eml").utf8)))
        s.dir.write(
            "spool/Maildir/cur/299.M9.host:2,S", Array(Compressed.zstd(Array(MailFixture.message().utf8)).prefix(6)))
        let first = try await s.scan()
        #expect(first.counts.added == 8 + 4 + 3)
        let rows = try s.rows(
            "SELECT m.subject, m.folder, f.kind FROM messages m JOIN files f ON f.id = m.file_id "
                + "WHERE m.subject LIKE 'dovecot %' OR m.subject LIKE 'xz %' OR m.subject = 'zstd eml' ORDER BY 1")
        #expect(
            rows.map { "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)" } == [
                "dovecot bzip2|INBOX|compressed-message", "dovecot lz4|INBOX|compressed-message",
                "dovecot xz|INBOX|compressed-message", "dovecot zstd|INBOX|compressed-message",
                "xz 1|archive|compressed-mbox", "xz 2|archive|compressed-mbox", "zstd eml|eml|compressed-message",
            ])
        #expect(
            try s.int("SELECT count(*) FROM files WHERE path LIKE '%299.M9%' AND skip_reason = 'damaged-compression'")
                == 1)
        #expect(try s.int("SELECT count(*) FROM diagnostics WHERE code = 'spool.compression'") == 1)
        let again = try await s.scan()
        #expect(again.counts.added == 0 && again.counts.updated == 0 && again.counts.filesRead == 0)
    }
}
