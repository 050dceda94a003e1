import MailCore

/// Damage in a header block that the parser reads through but a postmaster should hear about: a field longer than
/// any mail software writes, NUL bytes, a message that stops inside its headers. One pass over the header bytes.
enum HeaderChecks {
    /// A field (name, value and continuation lines) longer than this is reported; RFC 5322 allows 998 bytes a line.
    static let longFieldBytes = 64 * 1024

    static func diagnostics(_ header: HeaderBlock, _ b: UnsafeBufferPointer<UInt8>) -> [DiagnosticFacts] {
        var out: [DiagnosticFacts] = []
        var longest: HeaderField? = nil
        for field in header.fields where field.value.upperBound - field.name.lowerBound > longFieldBytes {
            if longest.map({ field.value.count > $0.value.count }) ?? true { longest = field }
        }
        if let f = longest {
            let name = String(decoding: b[f.name].prefix(64), as: UTF8.self)
            out.append(
                DiagnosticFacts(
                    .warning, "header.long-field",
                    "the \(name) field is \(f.value.upperBound - f.name.lowerBound) bytes long; stored values are cut"))
        }
        let end = min(header.bodyStart, b.count)
        if header.start < end, let base = b.baseAddress {
            var nuls = 0
            var i = header.start
            while i < end, let hit = memchrNUL(base + i, end - i) {
                nuls += 1
                i = base.distance(to: hit) + 1
            }
            if nuls > 0 {
                out.append(DiagnosticFacts(.warning, "header.nul", "\(nuls) NUL bytes in the header block"))
            }
        }
        if !header.hasSeparator, header.bodyStart >= b.count, let last = b.last, last != ASCII.lf, last != ASCII.cr {
            out.append(
                DiagnosticFacts(
                    .warning, "header.truncated", "the message ends in the middle of a header line (a cut copy?)"))
        }
        return out
    }

    private static func memchrNUL(_ p: UnsafePointer<UInt8>, _ n: Int) -> UnsafePointer<UInt8>? {
        ByteSearch.find(byte: 0, in: UnsafeBufferPointer(start: p, count: n)).map { p + $0 }
    }
}
