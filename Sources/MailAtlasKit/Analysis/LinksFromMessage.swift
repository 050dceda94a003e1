public import MailCore

extension LinkAnalysis {
    /// Report parts that are text to a reader but not `text/plain`: delivery reports name the hosts that refused
    /// or relayed a message (`Reporting-MTA: dns; mx.example.jp`), and the returned headers name the rest.
    static let reportTypes: Set<String> = [
        "message/delivery-status", "message/global-delivery-status", "message/disposition-notification",
        "message/feedback-report", "text/rfc822-headers", "text/enriched", "text/richtext",
    ]
    static let maxReportBytes = 256 << 10

    /// Every body of a parsed message: its decoded text and HTML bodies, its report parts (transfer-decoded, read as
    /// UTF-8: they are ASCII by their RFCs), and its subject.
    public mutating func add(_ message: ParsedMessage) {
        for body in message.textBodies {
            addBody(body.utf8, isHTML: body.isHTML, fromAttachment: body.fromAttachment)
        }
        message.bytes.withUnsafeBufferPointer { b in
            for part in message.parts where part.kind == .leaf && Self.reportTypes.contains(part.contentType.value) {
                guard part.bodyRange.lowerBound >= 0, part.bodyRange.upperBound <= b.count else { continue }
                let raw = UnsafeBufferPointer(rebasing: b[part.bodyRange])
                let decoded = TransferDecoder.decode(raw, part.transferEncoding).bytes
                addBody(Array(decoded.prefix(Self.maxReportBytes)), isHTML: false, fromAttachment: false)
            }
        }
        if let subject = message.subject { addSubject(subject) }
    }
}
