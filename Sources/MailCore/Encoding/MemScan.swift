import Glibc

/// `memchr`-based scans over byte buffers, for the parsers of this module: linear, and never outside the buffer.
enum MemScan {
    /// The first index in `from..<end` holding `byte`, or nil.
    @inline(__always)
    static func find(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int, to end: Int? = nil) -> Int? {
        let stop = min(end ?? b.count, b.count)
        guard let base = b.baseAddress, from >= 0, from < stop else { return nil }
        guard let hit = memchr(base + from, Int32(byte), stop - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The first index `>= from` where `needle` starts, or nil.
    static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first else { return nil }
        let m = needle.count
        var i = from
        while i + m <= b.count, let j = find(first, in: b, from: i, to: b.count - m + 1) {
            var k = 1
            while k < m && b[j + k] == needle[k] { k += 1 }
            if k == m { return j }
            i = j + 1
        }
        return nil
    }

    /// The end of the line containing `i`: the index of its CR or LF, or the buffer's end.
    @inline(__always)
    static func lineEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int, to end: Int? = nil) -> Int {
        let stop = min(end ?? b.count, b.count)
        var j = i
        while j < stop {
            let c = b[j]
            if c == ASCII.lf || c == ASCII.cr { return j }
            j += 1
        }
        return stop
    }

    /// The start of the next line after a line end at `e` (past CRLF, LF or CR).
    @inline(__always)
    static func nextLine(_ b: UnsafeBufferPointer<UInt8>, after e: Int, to end: Int? = nil) -> Int {
        let stop = min(end ?? b.count, b.count)
        guard e < stop else { return stop }
        if b[e] == ASCII.cr && e + 1 < stop && b[e + 1] == ASCII.lf { return e + 2 }
        return e + 1
    }
}
