import Foundation

/// One message read on its own, as `trace` reads it: a message file, the N-th message of an mbox file (plain or
/// compressed), or standard input. The bytes are those a scan stores the message from (the same framing, the same
/// SHA-256).
public enum MessageFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Largest input read (a message, or the mbox that holds it).
    public static let maxBytes = 512 << 20

    /// Message `index` (0 for single-message files) of the file at `path` (`-`: standard input).
    public static func message(path: String, index: Int) throws -> [UInt8] {
        var bytes = try read(path)
        if let compression = Compression.detect(bytes) {
            guard path != "-" else {
                throw Failure(description: "\(compression.rawValue) on standard input: decompress it first")
            }
            do {
                let source = try compression.open(ReadOnlyFile(path: path))
                bytes = []
                while bytes.count < maxBytes, try source.read(into: &bytes, max: 1 << 20) > 0 {}
                if let damage = source.damage { throw damage }
            } catch { throw Failure(description: "\(error)") }
        }
        switch ContentSniffer.sniff(Array(bytes.prefix(ContentSniffer.headLength)), fileSize: Int64(bytes.count)) {
        case .empty:
            throw Failure(description: "\(path): empty")
        case .notMail(let reason):
            throw Failure(description: "\(path): not a mail message (\(reason.rawValue))")
        case .compressed(let inner):
            throw Failure(description: "\(path): \(inner.rawValue) inside a compressed file is not read")
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
