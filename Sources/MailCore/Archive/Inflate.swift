import CZlib

/// How many bytes an analysis may still inflate. Shared by every member of an attachment (and its nested
/// archives), so a zip bomb costs at most `remaining` bytes of output, whatever its headers claim.
public struct InflateBudget: Sendable {
    public private(set) var remaining: Int
    /// Bytes produced so far.
    public private(set) var used: Int = 0

    public init(_ bytes: Int) {
        remaining = max(0, bytes)
    }

    mutating func spend(_ n: Int) {
        used += n
        remaining = max(0, remaining - n)
    }
}

/// Bounded DEFLATE decoding through the system zlib.
public enum Inflate {
    public enum Format: Sendable {
        /// Raw DEFLATE (ZIP members).
        case raw
        /// gzip member (header and trailer).
        case gzip
    }

    /// Inflates at most `maxOutput` bytes (and never more than the budget allows) from `input`. Returns what was
    /// produced before the limit, the end of the stream or an error; nil when nothing could be decoded.
    public static func inflate(
        _ input: UnsafeBufferPointer<UInt8>, format: Format, maxOutput: Int, budget: inout InflateBudget
    ) -> [UInt8]? {
        let limit = min(maxOutput, budget.remaining)
        guard limit > 0, let inBase = input.baseAddress, input.count > 0 else { return nil }
        var stream = z_stream()
        let windowBits: Int32 = format == .raw ? -15 : 31
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: limit)
        var produced = 0
        var consumed = 0
        output.withUnsafeMutableBufferPointer { out in
            guard let outBase = out.baseAddress else { return }
            while produced < limit {
                let inChunk = min(input.count - consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: inBase + consumed)
                stream.avail_in = UInt32(truncatingIfNeeded: inChunk)
                stream.next_out = outBase + produced
                stream.avail_out = UInt32(truncatingIfNeeded: min(limit - produced, Int(UInt32.max)))
                let beforeIn = stream.avail_in
                let beforeOut = stream.avail_out
                let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += Int(beforeIn - stream.avail_in)
                produced += Int(beforeOut - stream.avail_out)
                if rc == Z_STREAM_END || rc < 0 || rc == Z_NEED_DICT { break }
                if beforeIn == stream.avail_in && beforeOut == stream.avail_out { break }
                if consumed >= input.count && stream.avail_out > 0 { break }
            }
        }
        budget.spend(produced)
        guard produced > 0 else { return nil }
        output.removeSubrange(produced...)
        return output
    }
}
