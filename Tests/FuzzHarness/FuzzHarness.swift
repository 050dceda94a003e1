import Glibc
import MailAtlasKit
import MailCore

/// The fuzz targets' bodies: bytes in, every reader the scanner has run over them, invariants checked with
/// `precondition` (a failed one is a crash the fuzzer reports, like a trap in the code under test).
///
/// The libFuzzer executables in `Fuzz/` call these; `AdversarialTests` replays every input that once crashed
/// one of them (`Tests/AdversarialTests/Fixtures/fuzz/<target>/`), so a fixed crash stays fixed.
public enum FuzzHarness {
    /// Target names, as `scripts/fuzz.sh` and the fixture folders spell them.
    public static let targets: [String: @Sendable ([UInt8]) -> Void] = [
        "header": header, "received": received, "mbox": mbox, "mime": mime, "decoders": decoders,
        "message": message, "gzip": gzip, "urls": urls, "zip": zip, "decompress": decompress,
    ]

    // MARK: header

    /// The header block reader and every header value decoder.
    public static func header(_ data: [UInt8]) {
        data.withUnsafeBufferPointer { b in
            let block = HeaderBlock(parsing: b, limits: .init(maxFields: 64))
            precondition(block.start <= block.bodyStart && block.bodyStart <= b.count, "header block out of bounds")
            precondition(block.fields.count <= 64)
            var previous = block.start
            for field in block.fields {
                precondition(field.name.lowerBound >= previous, "fields out of order")
                precondition(field.name.upperBound <= field.value.lowerBound, "name after value")
                precondition(field.value.upperBound <= block.bodyStart, "value past the header block")
                previous = field.value.upperBound
                let unfolded = field.unfoldedValue(in: b)
                precondition(!unfolded.contains(ASCII.lf) && !unfolded.contains(ASCII.cr), "unfolding left a break")
                let value = UnsafeBufferPointer(rebasing: b[field.value])
                _ = HeaderText.decode(value)
                _ = AddressParser.parse(value)
                _ = MailDate.iso8601UTC(value)
                _ = MIMEHeader.parse(value)
                _ = TransferEncoding(label: unfolded)
            }
            _ = block.first("received", in: b)
            // File names are bytes: any byte string (without NUL) survives the trip to a String and back.
            let name = data.prefix(255).filter { $0 != 0 }
            let text = name.withUnsafeBufferPointer { PathBytes.string($0) }
            let back = PathBytes.withCString(text) { c in
                Array(UnsafeRawBufferPointer(start: c, count: strlen(c)))
            }
            precondition(back == name, "file name bytes changed on the way")
            _ = ContentSniffer.sniff(Array(data.prefix(ContentSniffer.headLength)), fileSize: Int64(data.count))
        }
    }

    // MARK: received

    /// One Received value, as bytes and as the String overload reads it, and the date reader alone.
    public static func received(_ data: [UInt8]) {
        let hop = ReceivedParser.parse(data)
        let again = ReceivedParser.parse(data)
        precondition(hop.ip == again.ip && hop.helo == again.helo && hop.by == again.by, "parse not deterministic")
        precondition(data.count > ReceivedParser.Limits().maxBytes || !hop.truncated, "truncated a short value")
        _ = ReceivedParser.parse(String(decoding: data, as: UTF8.self))
        _ = ReceivedParser.parse(data, limits: .init(maxBytes: 64, maxTokens: 8))
        _ = ReceivedParser.date(data)
        _ = IPAddress(bytes: data.prefix(64)[...])
    }

    // MARK: mbox

    /// The mbox framer over the input served in chunks of a size the first byte chooses, with a small message
    /// limit so the streaming path runs; framed again in one piece, it must cut the same messages.
    public static func mbox(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let rest = Array(data.dropFirst())
        let chunk = Int(first & 0x3F) + 1
        let limit = first & 0x40 != 0 ? 4096 : 1 << 20
        let chunked = frame(MemorySource(rest, chunk: chunk), limit: limit, total: rest.count)
        let whole = frame(MemorySource(rest), limit: limit, total: rest.count)
        precondition(chunked.count == whole.count, "framing depends on read sizes")
        for (a, b) in Swift.zip(chunked, whole) {
            precondition(a.offset == b.offset && a.endOffset == b.endOffset, "framing depends on read sizes")
            precondition(a.size == b.size && a.bytes == b.bytes, "framing depends on read sizes")
        }
        _ = ContentSniffer.sniff(Array(rest.prefix(ContentSniffer.headLength)), fileSize: Int64(rest.count))
    }

    static func frame(_ source: some ByteSource, limit: Int, total: Int) -> [FramedMessage] {
        // A small head with the small limit, so inputs of fuzzing size reach the streaming path.
        let framer = MboxFramer(source: source, maxMessageSize: limit, maxHeadSize: limit <= 4096 ? 2048 : 1 << 20)
        var out: [FramedMessage] = []
        var lastEnd: Int64 = 0
        while let m = try? framer.next() {
            precondition(m.offset >= lastEnd, "messages overlap")
            precondition(m.endOffset > m.offset, "empty message span")
            precondition(m.endOffset <= Int64(total), "message past the end")
            precondition(m.truncated || m.bytes.count == m.size, "size of a whole message")
            precondition(m.bytes.count <= m.size, "more bytes than the message has")
            lastEnd = m.endOffset
            out.append(m)
            precondition(out.count <= total, "more messages than bytes")
        }
        return out
    }

    // MARK: mime

    /// The whole message parser, with limits the first byte makes small so every limit is reached.
    public static func mime(_ data: [UInt8]) {
        guard let first = data.first else { return }
        var limits = MessageParser.Limits()
        if first & 1 != 0 {
            limits = MessageParser.Limits(
                maxDepth: 3, maxParts: 8, maxHeaderFields: 16, maxTextBytes: 256, maxPayloadBytes: 128,
                maxDecodedBytes: 512, maxUUBlocks: 2, maxDiagnostics: 8)
        }
        let parsed = MessageParser.parse(Array(data.dropFirst()), limits: limits)
        precondition(parsed.parts.count <= limits.maxParts + 1, "more parts than the limit")
        precondition(parsed.diagnostics.count <= limits.maxDiagnostics, "more diagnostics than the limit")
        for a in parsed.attachments {
            precondition(a.payload.count <= min(a.size, limits.maxPayloadBytes), "payload larger than the part")
        }
        for t in parsed.textBodies {
            t.utf8.withUnsafeBufferPointer { precondition(CharsetDecoder.isValidUTF8($0), "text is not UTF-8") }
        }
    }

    // MARK: decoders

    /// Transfer decoders and charset conversion: the first byte picks the encoding and a charset.
    public static func decoders(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        let encodings: [TransferEncoding] = [.base64, .quotedPrintable, .uuencode, .sevenBit, .binary]
        let charsets = [
            "utf-8", "iso-8859-1", "windows-1252", "utf-16", "utf-16be", "utf-7", "iso-2022-jp", "gb18030", "koi8-r",
            "shift_jis", "euc-kr", "big5", "x-unknown", "utf-32", "us-ascii", "cp1251",
        ]
        let body = Array(data.dropFirst(2))
        body.withUnsafeBufferPointer { b in
            let (decoded, _) = TransferDecoder.decode(b, encodings[Int(data[0]) % encodings.count])
            _ = UUEncode.findBlocks(in: b, limit: 4)
            _ = UUEncode.decodeLines(b)
            _ = BinHex.findBlocks(in: b, limit: 4)
            if let file = BinHex.decode(b, maxDataBytes: 1 << 16) {
                precondition(file.data.count <= 1 << 16, "BinHex data fork beyond its limit")
            }
            _ = SevenBitCharset.utf7Runs(in: b)
            _ = SevenBitCharset.iso2022(in: b)
            var utf8: [UInt8] = []
            let charset = Charset.resolve(charsets[Int(data[1]) % charsets.count])
            decoded.withUnsafeBufferPointer { d in
                _ = CharsetDecoder.decode(d, charset: charset, into: &utf8)
            }
            utf8.withUnsafeBufferPointer { precondition(CharsetDecoder.isValidUTF8($0), "charset output not UTF-8") }
            _ = HeaderText.decode(b)
            _ = CharsetGuess.legacy(b)
        }
    }

    // MARK: message

    /// What a scan does with one message: parse, origin analysis, verdict, header checks.
    public static func message(_ data: [UInt8]) {
        let facts = MessageAnalyzer().analyze(data)
        precondition(facts.size == data.count, "size")
        precondition(facts.hops.count <= OriginAnalyzer.maxHops, "hops over the limit")
        if let o = facts.origin, let hop = o.hop { precondition(hop >= 0 && hop < max(1, facts.hops.count), "hop") }
    }

    // MARK: urls

    /// Link extraction from text and HTML, the URL parser, host normalisation, IDNs and the Public Suffix List.
    public static func urls(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let body = Array(data.dropFirst())
        var options = LinkExtractorOptions(recoverDefanged: first & 1 != 0, maxURLBytes: 256, maxLinks: 64)
        options.maxCandidateBytes = first & 2 != 0 ? 64 : 16 << 10
        var collector = LinkCollector(options: options)
        if first & 4 == 0 { collector.addText(body) } else { collector.addHTML(body, inAttachment: first & 8 != 0) }
        precondition(collector.links.count <= options.maxLinks, "more links than the limit")
        for link in collector.links {
            precondition(link.url.utf8.count <= options.maxURLBytes, "URL over the length limit")
            precondition(link.count >= 1, "count")
            let match = PublicSuffixList.embedded.match(host: link.host.ascii)
            _ = match.registrableDomain
        }
        _ = URLParser.parse(body, defaultScheme: first & 16 != 0 ? "http" : nil, allowDefanged: first & 1 != 0)
        if let host = HostName.normalize(body.prefix(300)) {
            _ = PublicSuffixList.embedded.registrableDomain(of: host.ascii)
        }
        if let scalars = Punycode.decode(body.prefix(128)) { _ = Punycode.encode(scalars) }
        _ = HTMLEntities.decode(body.prefix(4096))
        _ = FileName(String(decoding: body.prefix(512), as: UTF8.self))
    }

    // MARK: zip

    /// Type detection from bytes and archive listing (ZIP with nested archives, RAR 4 and 5, gzip), as the type
    /// detected says and as every archive type, within small limits.
    public static func zip(_ data: [UInt8]) {
        let limits = ArchiveLimits(
            maxMembers: 32, maxSniffedMembers: 8, sniffBytes: 4096, maxNestedArchiveBytes: 256 << 10,
            maxNestedArchives: 4, maxInflatedBytes: 1 << 20)
        data.withUnsafeBufferPointer { b in
            let detected = FileTypeDetector.detect(b)
            for type in Set([detected.type, .zip, .rar4, .rar5, .gzip]) {
                guard let listing = ArchiveLister.list(b, type: type, limits: limits) else { continue }
                precondition(listing.members.count <= limits.maxMembers, "more members than the limit")
                precondition(listing.nestedArchivesOpened <= limits.maxNestedArchives, "nested archives")
                precondition(listing.inflatedBytes <= limits.maxInflatedBytes + limits.sniffBytes, "inflate budget")
                for m in listing.members { precondition(m.depth == 0 || m.depth == 1, "depth") }
            }
            _ = ZipArchive.readDirectory(b, maxEntries: 32)
            _ = ZipArchive.localEntries(b, maxEntries: 32)
            _ = FileTypeDetector.detect(UnsafeBufferPointer(rebasing: b.prefix(64)), isPrefix: true)
        }
    }

    // MARK: gzip

    /// The gzip stream reader (members, damage, bombs) and the framer over what it inflates.
    public static func gzip(_ data: [UInt8]) {
        guard let file = scratchFile(data) else { return }
        guard let source = try? GzipSource(file: file) else { return }
        var out: [UInt8] = []
        while out.count < 4 << 20, let n = try? source.read(into: &out, max: 64 * 1024), n > 0 {}
        precondition(out.count == source.inflatedBytes || out.count >= 4 << 20, "inflated count")
        if let again = scratchReopen(), let g = try? GzipSource(file: again) {
            _ = frame(LimitedSource(g, limit: 1 << 20), limit: 4096, total: Int.max)
        }
    }

    // MARK: decompress

    /// The other decompressors (bzip2, xz, zstd, Dovecot's LZ4; gzip too): the first byte picks the format, the
    /// rest is the file. Bounded output, damage instead of errors, the count handed out kept exactly.
    public static func decompress(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let formats: [Compression] = [.bzip2, .xz, .zstd, .lz4, .gzip]
        let format = formats[Int(first) % formats.count]
        guard let file = scratchFile(Array(data.dropFirst())), let source = try? format.open(file) else { return }
        var out: [UInt8] = []
        while out.count < 4 << 20, let n = try? source.read(into: &out, max: 64 * 1024), n > 0 {}
        precondition(out.count == source.inflatedBytes || out.count >= 4 << 20, "decompressed count")
        if source.damage?.kind == .bomb { precondition(source.inflatedBytes > GzipSource.bombFloor, "bomb floor") }
    }

    /// One file in /dev/shm (or /tmp) per process, rewritten for each input.
    nonisolated(unsafe) static var scratchPath: String? = nil

    static func scratchFile(_ data: [UInt8]) -> ReadOnlyFile? {
        if scratchPath == nil {
            let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
            scratchPath = "\(dir)/mailatlas-fuzz-\(getpid()).gz"
        }
        guard let path = scratchPath else { return nil }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return nil }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return try? ReadOnlyFile(path: path)
    }

    static func scratchReopen() -> ReadOnlyFile? {
        scratchPath.flatMap { try? ReadOnlyFile(path: $0) }
    }
}

/// A source that ends after `limit` bytes (a gzip bomb is not the framer's test).
final class LimitedSource: ByteSource {
    private let inner: any ByteSource
    private var left: Int

    init(_ inner: any ByteSource, limit: Int) {
        self.inner = inner
        self.left = limit
    }

    func read(into buffer: inout [UInt8], max: Int) throws(FileError) -> Int {
        guard left > 0 else { return 0 }
        let n = try inner.read(into: &buffer, max: min(max, left))
        left -= n
        return n
    }
}
