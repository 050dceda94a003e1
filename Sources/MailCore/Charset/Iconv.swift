import Glibc
import Synchronization

/// glibc iconv descriptors to UTF-8, pooled: opening one loads tables (microseconds), so each is reused, one
/// user at a time, across messages and threads.
enum Iconv {
    struct Handle: @unchecked Sendable {
        let cd: iconv_t
    }

    /// Per iconv name: idle handles, or nil when iconv does not know the name.
    private static let pool = Mutex<[String: [Handle]?]>([:])
    private static var failed: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: -1) }

    /// Converts `input` from the iconv charset `name` to UTF-8, appending to `out`. Returns nil when iconv does not
    /// know the name; otherwise the number of bytes that were invalid in that charset (each became U+FFFD).
    /// With `stopAtInvalid`, returns at the first invalid byte (-1) and leaves `out` as it was.
    static func convert(
        _ input: UnsafeBufferPointer<UInt8>, from name: String, into out: inout [UInt8], stopAtInvalid: Bool
    ) -> Int? {
        func convert(with cd: iconv_t) -> Int {
            let mark = out.count
            var result = run(cd, input, into: &out, stopAtInvalid: stopAtInvalid)
            if result < 0 {
                out.removeSubrange(mark...)
                return result
            }
            // glibc's output is not always well-formed: its UTF-8 reader (reached through labels it tidies into
            // UTF-8, like `utf8>`) passes F5–F7 lead bytes, code points above U+10FFFF, through as they are. Its
            // output counts as UTF-8 only once checked; what is not becomes U+FFFD here.
            let isValid = out.withUnsafeBufferPointer {
                CharsetDecoder.isValidUTF8(UnsafeBufferPointer(rebasing: $0[mark...]))
            }
            if !isValid {
                if stopAtInvalid {
                    out.removeSubrange(mark...)
                    return -1
                }
                let produced = Array(out[mark...])
                out.removeSubrange(mark...)
                result += produced.withUnsafeBufferPointer { CharsetDecoder.appendValidatingUTF8($0, into: &out) }
            }
            return result
        }
        if readsByteOrderMark(name) {
            // glibc reads the byte-order mark only on a descriptor's first use and keeps the byte order it found
            // across resets, so a reused descriptor would read this text in an earlier one's byte order.
            let cd = iconv_open("UTF-8", name)
            guard let cd, cd != failed else { return nil }
            defer { iconv_close(cd) }
            return convert(with: cd)
        }
        guard let handle = take(name) else { return nil }
        defer { give(back: handle, for: name) }
        return convert(with: handle.cd)
    }

    /// Converters whose byte order comes from a byte-order mark (`UTF-16LE` and the like have a fixed one).
    static func readsByteOrderMark(_ name: String) -> Bool {
        switch name.uppercased() {
        case "UTF-16", "UTF16", "UTF-32", "UTF32", "UCS-2", "UCS2", "UCS-4", "UCS4", "UNICODE": return true
        default: return false
        }
    }

    private static func take(_ name: String) -> Handle? {
        let cached: Handle?? = pool.withLock { map in
            guard let entry = map[name] else { return .none }
            guard var idle = entry else { return .some(nil) }
            if let h = idle.popLast() {
                map[name] = .some(idle)
                return .some(h)
            }
            return .none
        }
        switch cached {
        case .some(.some(let h)): return h
        case .some(.none): return nil  // known to be unknown to iconv
        case .none:
            let cd = iconv_open("UTF-8", name)
            if cd == nil || cd == failed {
                pool.withLock { map in if map[name] == nil { map[name] = .some(nil) } }
                return nil
            }
            return cd.map { Handle(cd: $0) }
        }
    }

    private static func give(back h: Handle, for name: String) {
        pool.withLock { map in
            var idle: [Handle] = (map[name] ?? nil) ?? []
            if idle.count < 8 {
                idle.append(h)
                map[name] = .some(idle)
            } else {
                iconv_close(h.cd)
            }
        }
    }

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    private static func run(
        _ cd: iconv_t, _ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], stopAtInvalid: Bool
    ) -> Int {
        _ = iconv(cd, nil, nil, nil, nil)
        guard let base = input.baseAddress, input.count > 0 else { return 0 }
        var invalid = 0
        var consumed = 0
        var chunk = [UInt8](repeating: 0, count: max(256, min(input.count * 3 + 16, 1 << 16)))
        let chunkSize = chunk.count
        while consumed < input.count {
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base + consumed)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = input.count - consumed
            var outLeft = chunkSize
            var err: Int32 = 0
            let produced: Int = chunk.withUnsafeMutableBytes { raw -> Int in
                var outPtr: UnsafeMutablePointer<CChar>? = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                if r == -1 { err = errno }
                return chunkSize - outLeft
            }
            consumed = input.count - inLeft
            out.append(contentsOf: chunk[0..<produced])
            if err == 0 {
                // Flush any shift state (ISO-2022, UTF-7).
                var outLeft2 = chunkSize
                let flushed: Int = chunk.withUnsafeMutableBytes { raw -> Int in
                    var outPtr: UnsafeMutablePointer<CChar>? = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
                    _ = iconv(cd, nil, nil, &outPtr, &outLeft2)
                    return chunkSize - outLeft2
                }
                out.append(contentsOf: chunk[0..<flushed])
                break
            }
            if err == E2BIG && produced > 0 { continue }
            // EILSEQ (invalid sequence), EINVAL (incomplete at the end), or no progress: one byte becomes U+FFFD.
            if stopAtInvalid { return -1 }
            invalid += 1
            out.append(contentsOf: replacement)
            consumed += 1
        }
        return invalid
    }
}
