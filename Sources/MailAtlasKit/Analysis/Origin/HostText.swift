import MailCore

/// Byte-level versions of the few `String` operations the origin walk makes on host names and addresses. Each
/// answers from the UTF-8 bytes when the text is ASCII, where `Character` and Unicode case mapping agree with bytes,
/// and returns nil otherwise so the caller runs the `String` code.
enum HostText {
    /// The UTF-8 bytes of an ASCII string, or nil.
    @inline(__always)
    static func withASCII<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        let r: T?? = s.utf8.withContiguousStorageIfAvailable { p in
            for c in p where c >= 0x80 { return nil }
            return body(p)
        }
        return r ?? nil
    }

    /// `s.lowercased().hasSuffix(suffix)` for a lower-case ASCII suffix.
    static func lowerHasSuffix(_ s: String, _ suffix: StaticString) -> Bool {
        if let r = withASCII(
            s,
            { p -> Bool in
                let n = suffix.utf8CodeUnitCount
                guard p.count >= n else { return false }
                let q = suffix.utf8Start
                let base = p.count - n
                for k in 0..<n where ASCII.lower(p[base + k]) != q[k] { return false }
                return true
            })
        {
            return r
        }
        return s.lowercased().hasSuffix(suffix.description)
    }

    /// `s.lowercased() == lowered` for a lower-case ASCII literal.
    static func lowerEquals(_ s: String, _ lowered: StaticString) -> Bool {
        if let r = withASCII(
            s,
            { p -> Bool in
                let n = lowered.utf8CodeUnitCount
                guard p.count == n else { return false }
                let q = lowered.utf8Start
                for k in 0..<n where ASCII.lower(p[k]) != q[k] { return false }
                return true
            })
        {
            return r
        }
        return s.lowercased() == lowered.description
    }

    /// `s.lowercased().hasPrefix(prefix)` for a lower-case ASCII prefix.
    static func lowerHasPrefix(_ s: String, _ prefix: StaticString) -> Bool {
        if let r = withASCII(
            s,
            { p -> Bool in
                let n = prefix.utf8CodeUnitCount
                guard p.count >= n else { return false }
                let q = prefix.utf8Start
                for k in 0..<n where ASCII.lower(p[k]) != q[k] { return false }
                return true
            })
        {
            return r
        }
        return s.lowercased().hasPrefix(prefix.description)
    }

    /// The range left after removing, at both ends, bytes of `set` (ASCII, no CR or LF).
    @inline(__always)
    static func trimmed(_ p: UnsafeBufferPointer<UInt8>, _ set: StaticString) -> Range<Int> {
        let q = UnsafeBufferPointer(start: set.utf8Start, count: set.utf8CodeUnitCount)
        var lo = 0
        var hi = p.count
        while lo < hi, q.contains(p[lo]) { lo += 1 }
        while hi > lo, q.contains(p[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// `IPAddress(s.stripping(set))`.
    static func address(_ s: String, stripping set: StaticString) -> IPAddress? {
        if let r = withASCII(s, { p in IPAddress.parse(p, trimmed(p, set)) }) { return r }
        return IPAddress(s.stripping(set.description))
    }

    /// `s.lowercased()` without trailing dots: how the walk compares host names.
    static func lowerWithoutTrailingDots(_ s: String) -> String {
        if let r = withASCII(
            s,
            { p -> String in
                var hi = p.count
                while hi > 0, p[hi - 1] == ASCII.dot { hi -= 1 }
                var upper = false
                for k in 0..<hi where p[k] &- 0x41 < 26 { upper = true }
                if !upper && hi == p.count { return s }
                return OrgDomain.lowered(UnsafeBufferPointer(rebasing: p[0..<hi]))
            })
        {
            return r
        }
        var l = s.lowercased()
        while l.hasSuffix(".") { l.removeLast() }
        return l
    }
}

extension String {
    func stripping(_ set: String) -> String {
        if set.utf8.allSatisfy({ $0 < 0x80 && $0 != ASCII.cr && $0 != ASCII.lf }),
            let r = HostText.withASCII(
                self,
                { p -> Range<Int> in
                    var lo = 0
                    var hi = p.count
                    while lo < hi, set.utf8.contains(p[lo]) { lo += 1 }
                    while hi > lo, set.utf8.contains(p[hi - 1]) { hi -= 1 }
                    return lo..<hi
                })
        {
            if r.count == utf8.count { return self }
            let u = utf8
            return String(
                u[u.index(u.startIndex, offsetBy: r.lowerBound)..<u.index(u.startIndex, offsetBy: r.upperBound)])!
        }
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
