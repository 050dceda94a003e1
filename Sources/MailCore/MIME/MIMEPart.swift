/// One entity of the MIME tree: the message itself, a part of a multipart, or a message embedded in a
/// `message/rfc822` part. Values are kept as ranges into the message bytes.
public struct MIMEPart: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A part with content (text, an attachment, or a multipart/message that could not be opened).
        case leaf
        /// `multipart/*` whose parts were found; `children` are its parts.
        case multipart
        /// `message/rfc822` or `message/global`: `children` holds the one embedded message.
        case message
    }

    /// The IMAP part specifier (`1`, `1.2`, `2.1.3`); the top-level multipart is `""`.
    public var path: String
    /// Index of the parent in `ParsedMessage.parts`; nil for the message itself.
    public var parent: Int?
    /// Nesting depth: 0 for the message, 1 for its parts…
    public var depth: Int
    public var kind: Kind
    /// The entity's header block (for the message and embedded messages: the message headers).
    public var headers: HeaderBlock
    /// The body: from after the header block to the end of the entity (transfer-encoded).
    public var bodyRange: Range<Int>
    /// The Content-Type, with `value` defaulted (`text/plain`, or `message/rfc822` in a digest) when absent or
    /// invalid.
    public var contentType: MIMEHeader
    /// Whether the part declared a usable Content-Type.
    public var hasContentType: Bool
    public var disposition: MIMEHeader?
    public var transferEncoding: TransferEncoding
    /// Indexes of the parts inside this one.
    public var children: [Int]

    /// `attachment`, `inline`, or nil when there is no Content-Disposition.
    public var dispositionType: String? {
        guard let d = disposition, !d.value.isEmpty else { return nil }
        return d.value
    }

    /// The file name: Content-Disposition `filename`, else Content-Type `name`; blanks around it removed.
    public var filename: String? {
        let raw = disposition?.parameter("filename") ?? contentType.parameter("name")
        guard let r = raw else { return nil }
        let t = r.trimmingWhitespace()
        return t
    }

    /// The charset parameter of the Content-Type.
    public var charset: String? { contentType.parameter("charset") }
}

extension String {
    /// Without leading and trailing white space (blanks, tabs, line breaks).
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
