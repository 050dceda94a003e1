/// uuencode, as `x-uuencode` bodies and as `begin 644 name` … `end` blocks inside text bodies.
public enum UUEncode {
    /// One uuencoded block found in a text: its file name, mode and where it lies.
    public struct Block: Sendable, Equatable {
        /// The name on the `begin` line, as bytes (not decoded: uuencode names carry no charset).
        public var name: [UInt8]
        /// From the start of the `begin` line to the end of the `end` line (or of the text when it is missing).
        public var range: Range<Int>
        /// The encoded lines, between the `begin` and `end` lines.
        public var dataRange: Range<Int>
        /// Whether the `end` line was found.
        public var terminated: Bool
    }

    /// Decodes a body: skips to the first `begin MODE name` line when there is one, decodes until `end`.
    public static func decodeBody(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], report: DecodeReport) {
        var start = 0
        var lineStart = 0
        let n = input.count
        while lineStart < n {
            let end = lineEnd(input, from: lineStart)
            if isBeginLine(input, lineStart..<end) != nil {
                start = next(input, after: end)
                break
            }
            lineStart = next(input, after: end)
        }
        return decodeLines(UnsafeBufferPointer(rebasing: input[start..<n]))
    }

    /// Decodes uuencoded lines up to an `end` line or the end of the input.
    public static func decodeLines(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], report: DecodeReport) {
        var report = DecodeReport()
        report.truncated = true
        let n = input.count
        let bytes = [UInt8](unsafeUninitializedCapacity: n) { out, written in
            var o = 0
            var i = 0
            while i < n {
                let e = lineEnd(input, from: i)
                var t = e
                while t > i && ASCII.isSpaceOrTab(input[t - 1]) { t -= 1 }
                if t - i == 3, input[i] == 0x65, input[i + 1] == 0x6E, input[i + 2] == 0x64 {
                    report.truncated = false
                    break
                }
                if t > i {
                    // Each line: a length character, then groups of four characters for three bytes.
                    let count = Int((input[i] &- 0x20) & 0x3F)
                    var k = i + 1
                    var produced = 0
                    while produced < count {
                        var group: UInt32 = 0
                        for g in 0..<4 {
                            let c: UInt8 = k + g < t ? input[k + g] : 0x20
                            group = group << 6 | UInt32((c &- 0x20) & 0x3F)
                        }
                        if k + 4 > t { report.invalidBytes += 1 }
                        k += 4
                        for shift in [16, 8, 0] where produced < count && o < n {
                            out[o] = UInt8(truncatingIfNeeded: group >> UInt32(shift))
                            o += 1
                            produced += 1
                        }
                        if o >= n { break }
                    }
                }
                i = next(input, after: e)
            }
            written = o
        }
        return (bytes, report)
    }

    /// The uuencoded blocks in a text: a `begin` line with an octal mode and a name, at least one data line whose
    /// length character agrees with its length, and (normally) an `end` line. At most `limit` blocks.
    public static func findBlocks(in text: UnsafeBufferPointer<UInt8>, limit: Int = 64) -> [Block] {
        var blocks: [Block] = []
        let n = text.count
        var i = 0
        // "begin " can only start a block at a line start; memchr-style search for "begin ".
        let needle = Array(ascii: "begin ")
        while i < n, blocks.count < limit, let hit = MemScan.find(needle, in: text, from: i) {
            let atLineStart = hit == 0 || text[hit - 1] == ASCII.lf || text[hit - 1] == ASCII.cr
            let e = lineEnd(text, from: hit)
            guard atLineStart, let name = isBeginLine(text, hit..<e) else {
                i = hit + needle.count
                continue
            }
            let dataStart = next(text, after: e)
            var j = dataStart
            var dataLines = 0
            var terminated = false
            var dataEnd = dataStart
            var blockEnd = n
            while j < n {
                let le = lineEnd(text, from: j)
                var t = le
                while t > j && ASCII.isSpaceOrTab(text[t - 1]) { t -= 1 }
                if t - j == 3, text[j] == 0x65, text[j + 1] == 0x6E, text[j + 2] == 0x64 {
                    terminated = true
                    dataEnd = j
                    blockEnd = le
                    break
                }
                if !isDataLine(text, j..<t) {
                    dataEnd = j
                    blockEnd = j
                    break
                }
                dataLines += 1
                j = next(text, after: le)
                dataEnd = j
            }
            if j >= n && !terminated { dataEnd = n }
            if dataLines > 0 {
                blocks.append(
                    Block(
                        name: name, range: hit..<max(hit, blockEnd), dataRange: dataStart..<max(dataStart, dataEnd),
                        terminated: terminated))
            }
            i = max(next(text, after: e), blockEnd)
        }
        return blocks
    }

    /// `begin` SP 3–4 octal digits SP name: returns the name.
    static func isBeginLine(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> [UInt8]? {
        var i = r.lowerBound + 6
        guard r.count > 6, b[r.lowerBound] == 0x62 else { return nil }
        let modeStart = i
        while i < r.upperBound && b[i] >= 0x30 && b[i] <= 0x37 { i += 1 }
        guard i - modeStart >= 3, i - modeStart <= 4, i < r.upperBound, b[i] == ASCII.space else { return nil }
        i += 1
        var e = r.upperBound
        while e > i && ASCII.isWhitespace(b[e - 1]) { e -= 1 }
        guard e > i else { return nil }
        return Array(b[i..<e])
    }

    /// A line whose length character matches its length (a final line may be padded or short by one group).
    static func isDataLine(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard let first = r.first.map({ b[$0] }), first >= 0x20, first <= 0x60 else { return false }
        let count = Int((first &- 0x20) & 0x3F)
        let expected = (count + 2) / 3 * 4
        let have = r.count - 1
        if count == 0 { return have <= 1 }
        guard have >= expected - 4, have <= expected + 2 else { return false }
        for k in r.dropFirst() where b[k] < 0x20 || b[k] > 0x60 { return false }
        return true
    }

    @inline(__always)
    static func lineEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < b.count && b[j] != ASCII.lf && b[j] != ASCII.cr { j += 1 }
        return j
    }

    @inline(__always)
    static func next(_ b: UnsafeBufferPointer<UInt8>, after e: Int) -> Int {
        guard e < b.count else { return b.count }
        if b[e] == ASCII.cr && e + 1 < b.count && b[e + 1] == ASCII.lf { return e + 2 }
        return e + 1
    }
}
