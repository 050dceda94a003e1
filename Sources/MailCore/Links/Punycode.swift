/// RFC 3492 Punycode for one IDN label (without the `xn--` prefix), with the overflow checks the RFC asks for.
///
/// Both directions are total: input that cannot be encoded or decoded gives nil, never a trap.
public enum Punycode {
    static let base: UInt32 = 36
    static let tMin: UInt32 = 1
    static let tMax: UInt32 = 26
    static let skew: UInt32 = 38
    static let damp: UInt32 = 700
    static let initialBias: UInt32 = 72
    static let initialN: UInt32 = 128
    /// Labels longer than this are refused before any work (DNS labels are at most 63 bytes once encoded).
    public static let maxInputScalars = 256

    static func adapt(_ deltaIn: UInt32, _ numPoints: UInt32, _ firstTime: Bool) -> UInt32 {
        var delta = firstTime ? deltaIn / damp : deltaIn / 2
        delta += delta / numPoints
        var k: UInt32 = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    static func digit(_ d: UInt32) -> UInt8 {
        d < 26 ? UInt8(truncatingIfNeeded: d) &+ 0x61 : UInt8(truncatingIfNeeded: d) &- 26 &+ 0x30
    }

    static func digitValue(_ c: UInt8) -> UInt32? {
        if c &- 0x30 < 10 { return UInt32(c &- 0x30) + 26 }
        let l = c | 0x20
        if l &- 0x61 < 26 { return UInt32(l &- 0x61) }
        return nil
    }

    /// Encodes the scalars of one label. ASCII scalars are copied as they are (callers lower-case first).
    public static func encode(_ input: [Unicode.Scalar]) -> String? {
        guard input.count <= maxInputScalars else { return nil }
        var output: [UInt8] = []
        for s in input where s.isASCII { output.append(UInt8(truncatingIfNeeded: s.value)) }
        let basicCount = UInt32(truncatingIfNeeded: output.count)
        var handled = basicCount
        if basicCount > 0 { output.append(ASCII.hyphen) }
        var n = initialN
        var delta: UInt32 = 0
        var bias = initialBias
        let total = UInt32(truncatingIfNeeded: input.count)
        while handled < total {
            var m = UInt32.max
            for s in input where s.value >= n && s.value < m { m = s.value }
            let (step, o1) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !o1 else { return nil }
            let (d1, o2) = delta.addingReportingOverflow(step)
            guard !o2 else { return nil }
            delta = d1
            n = m
            for s in input {
                if s.value < n {
                    let (d2, o3) = delta.addingReportingOverflow(1)
                    guard !o3 else { return nil }
                    delta = d2
                }
                if s.value == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            let (d3, o4) = delta.addingReportingOverflow(1)
            guard !o4 else { return nil }
            delta = d3
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes one label's Punycode (the part after `xn--`). Nil when malformed or when it decodes to nothing
    /// but ASCII (which no conforming encoder produces).
    public static func decode(_ input: some Collection<UInt8>) -> [Unicode.Scalar]? {
        let bytes = Array(input)
        guard bytes.count <= maxInputScalars * 4, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var output: [UInt32] = []
        var pos = 0
        if let lastHyphen = bytes.lastIndex(of: ASCII.hyphen) {
            for b in bytes[..<lastHyphen] { output.append(UInt32(b)) }
            pos = lastHyphen + 1
        }
        var n = initialN
        var i: UInt32 = 0
        var bias = initialBias
        while pos < bytes.count {
            let oldI = i
            var w: UInt32 = 1
            var k = base
            while true {
                guard pos < bytes.count, let d = digitValue(bytes[pos]) else { return nil }
                pos += 1
                let (dw, o1) = d.multipliedReportingOverflow(by: w)
                guard !o1 else { return nil }
                let (ni, o2) = i.addingReportingOverflow(dw)
                guard !o2 else { return nil }
                i = ni
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if d < t { break }
                let (nw, o3) = w.multipliedReportingOverflow(by: base - t)
                guard !o3 else { return nil }
                w = nw
                k += base
            }
            let count = UInt32(truncatingIfNeeded: output.count) + 1
            bias = adapt(i - oldI, count, oldI == 0)
            let (nn, o4) = n.addingReportingOverflow(i / count)
            guard !o4 else { return nil }
            n = nn
            i %= count
            guard output.count < maxInputScalars else { return nil }
            output.insert(n, at: Int(i))
            i += 1
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(output.count)
        for v in output {
            guard let s = Unicode.Scalar(v) else { return nil }
            scalars.append(s)
        }
        guard scalars.contains(where: { !$0.isASCII }) else { return nil }
        return scalars
    }
}
