import Glibc

/// Byte search for the link scanners (`memchr` first, then a comparison); never reads outside the buffer.
enum ScanBytes {
    /// The first index `>= from` of `byte`, or nil.
    static func find(byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        guard let base = b.baseAddress, from >= 0, from < b.count else { return nil }
        guard let hit = memchr(base + from, Int32(byte), b.count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The first index `>= from` where `needle` starts, or nil.
    static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        guard let first = needle.first else { return nil }
        var i = from
        while let j = find(byte: first, in: b, from: i) {
            guard j + needle.count <= b.count else { return nil }
            var k = 1
            while k < needle.count && b[j + k] == needle[k] { k += 1 }
            if k == needle.count { return j }
            i = j + 1
        }
        return nil
    }
}
