import CZlib
import Foundation

/// Reading database and import files: whole files, gzip undone, with explicit size limits.
enum GeoFiles {
    /// Largest file read (compressed or not) and largest decompressed size accepted.
    static let maxFileBytes = 2 << 30
    static let maxInflatedBytes = 4 << 30

    static func read(_ path: String) throws(GeoError) -> [UInt8] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { throw GeoError("geo.io", "\(path): no such file or not readable") }
        if let size = attributes[.size] as? NSNumber, size.int64Value > Int64(maxFileBytes) {
            throw GeoError("geo.io", "\(path): larger than \(maxFileBytes >> 20) MiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoError("geo.io", "\(path): cannot be read")
        }
        return [UInt8](data)
    }

    /// The file's bytes, gunzipped when they start with the gzip magic.
    static func readMaybeGzip(_ path: String) throws(GeoError) -> [UInt8] {
        let bytes = try read(path)
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        do {
            return try gunzip(bytes, limit: maxInflatedBytes)
        } catch {
            throw GeoError("geo.io", "\(path): \(error.message)")
        }
    }

    /// Inflates one or more concatenated gzip members.
    static func gunzip(_ input: [UInt8], limit: Int) throws(GeoError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Swift.min(limit, input.count * 4))
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GeoError("geo.io", "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        var failure: String? = nil
        input.withUnsafeBufferPointer { inBuf in
            guard let base = inBuf.baseAddress else { return }
            var consumed = 0
            var ended = false
            while consumed < inBuf.count {
                ended = false
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = UInt32(truncatingIfNeeded: Swift.min(inBuf.count - consumed, Int(UInt32.max)))
                let before = Int(stream.avail_in)
                var status = Z_OK
                repeat {
                    status = buffer.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                        stream.next_out = outBuf.baseAddress
                        stream.avail_out = UInt32(chunk)
                        let s = inflate(&stream, Z_NO_FLUSH)
                        let produced = chunk - Int(stream.avail_out)
                        out.append(contentsOf: outBuf[0..<produced])
                        return s
                    }
                    if out.count > limit {
                        failure = "decompresses to more than \(limit >> 20) MiB"
                        return
                    }
                } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
                consumed += before - Int(stream.avail_in)
                if status == Z_STREAM_END {
                    ended = true
                    // Another member may follow (as `cat a.gz b.gz` makes); trailing zero padding ends it.
                    let rest = inBuf[consumed...]
                    if rest.allSatisfy({ $0 == 0 }) { return }
                    guard inflateReset(&stream) == Z_OK else {
                        failure = "zlib reset failed"
                        return
                    }
                } else if status != Z_OK {
                    failure = "damaged gzip data (zlib status \(status))"
                    return
                }
            }
            if !ended { failure = "truncated gzip data" }
        }
        if let failure { throw GeoError("geo.io", failure) }
        return out
    }
}
