import Crypto

/// SHA-256 over data that arrives in pieces, as lower-case hex at the end.
struct IncrementalSHA256 {
    private var hasher = SHA256()

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    mutating func finalizeHex() -> String {
        hasher.finalize().map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined()
    }
}
