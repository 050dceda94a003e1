/// Everything MailCore reads from one message: decoded header values, the MIME tree, the text the links come
/// from, the attachments, and the repairs made on the way.
public struct ParsedMessage: Sendable {
    /// The message bytes; header fields and parts are ranges into them.
    public var bytes: [UInt8]
    /// The top-level header block.
    public var headers: HeaderBlock
    /// The Subject as a reader sees it: encoded words and 8-bit bytes decoded, folding removed, other white space
    /// kept as written. Nil when there is no Subject field.
    public var subject: String?
    /// The first mailbox of the first From field.
    public var from: MailAddress?
    /// Every mailbox of every To field.
    public var to: [MailAddress]
    /// The Date in UTC, `2026-10-01T12:34:56Z`; nil when absent or unreadable.
    public var dateUTC: String?
    /// The Message-ID with its angle brackets (`<id@host>`), or the trimmed raw value when it has none.
    public var messageID: String?
    /// The MIME tree, parents before children; part 0 is the message itself.
    public var parts: [MIMEPart]
    /// Decoded text/plain and text/html parts (and HTML attachments), in tree order.
    public var textBodies: [TextBody]
    /// Attachment-like parts, in tree order.
    public var attachments: [MIMEAttachment]
    /// The charset used for raw 8-bit header bytes that are not UTF-8 (the message's declared charset, or a guess).
    public var headerCharset: String?
    public var diagnostics: [MailDiagnostic]

    /// The raw value bytes of the first header field with this (lower-case) name, folding included.
    public func rawHeader(_ lowercasedName: String) -> ArraySlice<UInt8>? {
        bytes.withUnsafeBufferPointer { b in headers.first(lowercasedName, in: b) }.map { bytes[$0.value] }
    }
}

/// The decoded text of a text/plain or text/html part, for link extraction.
public struct TextBody: Sendable {
    /// The IMAP part specifier (`1`, `2.1`).
    public var partPath: String
    /// Index into `ParsedMessage.parts`.
    public var partIndex: Int
    public var isHTML: Bool
    /// The part is an attachment (a `.html` file, a text file with a name or `Content-Disposition: attachment`).
    public var fromAttachment: Bool
    /// Valid UTF-8 (uuencoded blocks removed: they are attachments).
    public var utf8: [UInt8]
    /// The charset that decoded the text.
    public var charset: String
    /// The text was longer than `Limits.maxTextBytes` and was cut.
    public var truncated: Bool

    public var text: String { String(decoding: utf8, as: UTF8.self) }
}

/// An attachment-like part: a part with a file name or `Content-Disposition: attachment`, a non-text part, an
/// embedded message, or a uuencoded or BinHex block in a text part.
public struct MIMEAttachment: Sendable {
    public enum Source: Sendable, Equatable {
        /// A MIME part with content.
        case part
        /// A `message/rfc822` or `message/global` part: the payload is the embedded message.
        case embeddedMessage
        /// A `begin 644 name` … `end` block inside the text of the part.
        case uuencoded
        /// A BinHex 4.0 block inside the text of the part (its data fork, under the name of its header).
        case binhex
    }

    /// The IMAP part specifier; for uuencoded blocks, the part holding the text.
    public var partPath: String
    /// Index into `ParsedMessage.parts`.
    public var partIndex: Int
    public var source: Source
    /// Decoded file name, nil when the part has none.
    public var filename: String?
    /// The declared Content-Type (`application/pdf`), lower case; nil for uuencoded blocks.
    public var declaredType: String?
    /// `attachment`, `inline`, or nil when the part has no Content-Disposition.
    public var disposition: String?
    /// Size of the decoded payload in bytes.
    public var size: Int
    /// SHA-256 of the whole decoded payload, lower-case hex.
    public var sha256: String
    /// The decoded payload, at most `Limits.maxPayloadBytes` (and within `Limits.maxDecodedBytes` for the
    /// message); `payloadTruncated` says when it is shorter than `size`.
    public var payload: [UInt8]
    public var payloadTruncated: Bool

    /// Whether the part is shown in the message rather than as a file (`Content-Disposition: inline`, or none
    /// for a part without a file name).
    public var isInline: Bool {
        if let d = disposition { return d != "attachment" }
        return filename == nil && source != .uuencoded && source != .binhex
    }
}
