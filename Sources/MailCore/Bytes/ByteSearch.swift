import Glibc

/// Substring search over bytes: `memchr` for the first byte, then a comparison. Linear for the needles parsers use
/// (short, with a rare first byte), and it never reads outside the buffer.
public enum ByteSearch {
    /// The first index `>= from` where `needle` occurs in `haystack`, or nil.
    public static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        guard let first = needle.first, let base = haystack.baseAddress, from >= 0 else { return nil }
        let n = haystack.count
        let m = needle.count
        var i = from
        while i + m <= n {
            guard let hit = memchr(base + i, Int32(first), n - m + 1 - i) else { return nil }
            let j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var k = 1
            while k < m && haystack[j + k] == needle[k] { k += 1 }
            if k == m { return j }
            i = j + 1
        }
        return nil
    }

    /// The first index `>= from` of `byte`, or nil.
    public static func find(byte: UInt8, in haystack: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        guard let base = haystack.baseAddress, from >= 0, from < haystack.count else { return nil }
        guard let hit = memchr(base + from, Int32(byte), haystack.count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}
