import MailCore

/// Learns the site's own relays (`RelayProfile`) before a scan: a quick walk over the spool that reads the header
/// blocks of up to `maxMessages` messages (single-message files: their first 64 KiB; mbox files: their first
/// messages; gzip files are skipped) and feeds `OriginAnalyzer.observe`. Every message is walked whatever the
/// incremental state, because a relay is learned from the whole spool, not from what changed.
enum RelayProfilePrepass {
    static let headBytes = 64 * 1024

    static func build(roots: [String], followSymlinks: Bool, maxMessages: Int, stop: StopFlag) -> RelayProfile {
        var builder = RelayProfileBuilder()
        var seen = 0
        let walker = SpoolWalker(roots: roots, options: .init(followSymlinks: followSymlinks))
        while seen < maxMessages, !stop.isRequested, let batch = walker.next(skip: { _, _ in false }) {
            for entry in batch.files where seen < maxMessages {
                let path = SpoolWalker.join(batch.absolutePath, entry.name)
                guard let file = try? ReadOnlyFile(path: path) else { continue }
                var head: [UInt8] = []
                _ = try? file.read(into: &head, max: headBytes)
                switch ContentSniffer.sniff(Array(head.prefix(ContentSniffer.headLength)), fileSize: Int64(head.count))
                {
                case .message:
                    observe(head, into: &builder)
                    seen += 1
                case .mbox:
                    guard let again = try? ReadOnlyFile(path: path) else { continue }
                    let framer = MboxFramer(source: again, maxMessageSize: headBytes)
                    while seen < maxMessages, let m = try? framer.next() {
                        observe(m.bytes, into: &builder)
                        seen += 1
                    }
                default:
                    continue
                }
            }
        }
        return builder.build()
    }

    static func observe(_ bytes: [UInt8], into builder: inout RelayProfileBuilder) {
        bytes.withUnsafeBufferPointer { b in
            builder.add(OriginAnalyzer.observe(header: HeaderBlock(parsing: b), bytes: b))
        }
    }
}
