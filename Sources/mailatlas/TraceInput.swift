import Foundation
import MailAtlasKit

/// The one message `trace` reads: a message file, the N-th message of an mbox file (plain or gzip), or standard input.
enum TraceInput {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Largest input read (a message, or the mbox that holds it).
    static let maxBytes = 512 << 20

    static func message(path: String, index: Int) throws -> [UInt8] {
        var bytes = try read(path)
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            guard path != "-" else { throw Failure(description: "gzip on standard input: pipe it through gunzip") }
            do {
                let source = try GzipSource(file: ReadOnlyFile(path: path))
                bytes = []
                while bytes.count < maxBytes, try source.read(into: &bytes, max: 1 << 20) > 0 {}
                if let damage = source.damage { throw damage }
            } catch { throw Failure(description: "\(error)") }
        }
        switch ContentSniffer.sniff(Array(bytes.prefix(ContentSniffer.headLength)), fileSize: Int64(bytes.count)) {
        case .empty:
            throw Failure(description: "\(path): empty")
        case .notMail(let reason):
            throw Failure(description: "\(path): not a mail message (\(reason))")
        case .gzip:
            throw Failure(description: "\(path): gzip inside gzip is not read")
        case .message:
            guard index == 0 else { throw Failure(description: "\(path) holds one message; --index must be 0") }
            return bytes
        case .mbox:
            let framer = MboxFramer(source: MemorySource(bytes), maxMessageSize: maxBytes)
            var k = 0
            while let m = try framer.next() {
                if k == index { return m.bytes }
                k += 1
            }
            throw Failure(description: "\(path) holds \(k) message\(k == 1 ? "" : "s"); there is no index \(index)")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" {
            var out: [UInt8] = []
            while out.count < maxBytes {
                let chunk = FileHandle.standardInput.readData(ofLength: 1 << 20)
                if chunk.isEmpty { break }
                out.append(contentsOf: chunk)
            }
            return out
        }
        let file: ReadOnlyFile
        do { file = try ReadOnlyFile(path: path) } catch { throw Failure(description: "\(error)") }
        var out: [UInt8] = []
        do {
            while out.count < maxBytes, try file.read(into: &out, max: 1 << 20) > 0 {}
        } catch { throw Failure(description: "\(error)") }
        return out
    }
}

/// Bytes already in memory, as a `ByteSource`.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        let n = Swift.min(max, bytes.count - position)
        guard n > 0 else { return 0 }
        buffer.append(contentsOf: bytes[position..<position + n])
        position += n
        return n
    }
}
