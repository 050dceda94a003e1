import Crypto
public import MailCore

/// Turns the bytes of one message into `MessageFacts`. Pure: no files, no database; safe to call from any task.
public struct MessageAnalyzer: Sendable {
    public struct Options: Sendable {
        public var maxHeaderFields: Int
        /// Link extraction: limits, defanged forms, the Public Suffix List.
        public var links: LinkExtractorOptions
        /// Attachment type detection and archive listing limits.
        public var attachments: AttachmentAnalysis
        public init(
            maxHeaderFields: Int = 10_000, links: LinkExtractorOptions = LinkExtractorOptions(),
            attachments: AttachmentAnalysis = AttachmentAnalysis()
        ) {
            self.maxHeaderFields = maxHeaderFields
            self.links = links
            self.attachments = attachments
        }
    }

    public var options: Options
    /// The trust-boundary settings for the origin analysis.
    public var origin: OriginConfig
    /// The site's relays learned from the spool, when a pre-pass built them.
    public var relayProfile: RelayProfile?

    public init(options: Options = Options(), origin: OriginConfig = OriginConfig(), relayProfile: RelayProfile? = nil)
    {
        self.options = options
        self.origin = origin
        self.relayProfile = relayProfile
    }

    /// Analyses a message. When the message was too large to keep whole, `bytes` holds its head, `fullSize` and
    /// `streamedSHA256` describe the whole, and the facts say so with a diagnostic.
    public func analyze(_ bytes: [UInt8], fullSize: Int? = nil, streamedSHA256: String? = nil) -> MessageFacts {
        let sha = streamedSHA256 ?? MessageAnalyzer.sha256Hex(bytes)
        var facts = MessageFacts(size: fullSize ?? bytes.count, sha256: sha)
        let parsed = MessageParser.parse(bytes, limits: .init(maxHeaderFields: options.maxHeaderFields))
        facts.subject = parsed.subject.map { MessageAnalyzer.clip($0, MessageAnalyzer.storedSubjectBytes) }
        if let length = parsed.subject?.utf8.count, length > MessageAnalyzer.storedSubjectBytes {
            facts.diagnostics.append(
                DiagnosticFacts(
                    .info, "header.subject-long",
                    "the Subject is \(length) bytes long (decoded): stored cut to \(MessageAnalyzer.storedSubjectBytes) "
                        + "bytes, links read from its first \(min(LinkAnalysis.maxSubjectBytes, options.links.maxBodyBytes))"
                ))
        }
        facts.messageID = parsed.messageID.map { MessageAnalyzer.clip($0, 998) }
        facts.dateUTC = parsed.dateUTC
        if let from = parsed.from {
            facts.fromAddress = from.address.isEmpty ? nil : MessageAnalyzer.clip(from.address.lowercasedDomain(), 998)
            facts.fromName = from.name.map { MessageAnalyzer.clip($0, 998) }
        }
        var attachmentBudget = AttachmentAnalysis.MessageBudget()
        for a in parsed.attachments {
            let (attachment, notes) = options.attachments.analyze(
                partPath: a.partPath, filename: a.filename, declaredType: a.declaredType, isInline: a.isInline,
                payload: a.payload, payloadIsPrefix: a.payloadTruncated, size: a.size, sha256: a.sha256,
                budget: &attachmentBudget)
            facts.attachments.append(attachment)
            facts.diagnostics += notes
        }
        var links = LinkAnalysis(options: options.links)
        links.add(parsed)
        let (linkFacts, linkNotes) = links.facts()
        facts.links = linkFacts
        facts.diagnostics += linkNotes
        if parsed.headers.fields.isEmpty {
            facts.diagnostics.append(DiagnosticFacts(.warning, "header.none", "no header fields found"))
        }
        for d in parsed.diagnostics {
            facts.diagnostics.append(DiagnosticFacts(DiagnosticFacts.Severity(d.severity), d.code, d.message))
        }
        bytes.withUnsafeBufferPointer { b in
            facts.diagnostics += HeaderChecks.diagnostics(parsed.headers, b)
            let o = OriginAnalyzer.analyze(header: parsed.headers, bytes: b, config: origin, profile: relayProfile)
            facts.hops = o.hops
            facts.origin = o.origin
            facts.diagnostics += o.diagnostics
            facts.relayObservations = o.observations
            let zoneEnd = ReceivingSideHeaders.zoneEnd(header: parsed.headers, bytes: b, hops: o.hops, origin: o.origin)
            facts.headerVerdict = VerdictRules.verdict(
                header: parsed.headers, bytes: b, zoneEnd: zoneEnd,
                receivingSide: { ReceivingSideHeaders.names(hops: o.hops, origin: o.origin) })
            facts.authentication =
                AuthenticationFacts.read(
                    header: parsed.headers, bytes: b, hops: o.hops, origin: o.origin, zoneEnd: zoneEnd
                ).0
        }
        facts.arrival = Arrival.of(hops: facts.hops, origin: facts.origin, dateUTC: facts.dateUTC)
        if streamedSHA256 != nil {
            facts.diagnostics.append(
                DiagnosticFacts(
                    .warning, "message.too-large",
                    "message of \(facts.size) bytes is over --max-message-size: stored from its headers only"))
        }
        return facts
    }

    /// The origin analysis of a message with its reasons (for `trace`), read from the same header block the scan
    /// reads (`analyze`), with this analyzer's settings and learned relays: the decision `analyze` stores.
    public func originAnalysis(_ bytes: [UInt8]) -> OriginAnalysis {
        let parsed = MessageParser.parse(bytes, limits: .init(maxHeaderFields: options.maxHeaderFields))
        return bytes.withUnsafeBufferPointer { b in
            OriginAnalyzer.analysis(header: parsed.headers, bytes: b, config: origin, profile: relayProfile)
        }
    }

    /// The receiving side's `Authentication-Results` of a message (for `trace`): the facts `analyze` stores and
    /// every field with whether it was believed, read with the hops and origin of `analysis`.
    public func authentication(_ bytes: [UInt8], analysis: OriginAnalysis) -> (
        AuthenticationFacts?, [AuthenticationField]
    ) {
        let parsed = MessageParser.parse(bytes, limits: .init(maxHeaderFields: options.maxHeaderFields))
        return bytes.withUnsafeBufferPointer { b in
            AuthenticationFacts.read(header: parsed.headers, bytes: b, hops: analysis.hops, origin: analysis.origin)
        }
    }

    /// The SHA-256 of a message's bytes as the store keeps it (`messages.sha256`).
    public static func sha256(_ bytes: [UInt8]) -> String { sha256Hex(bytes) }

    /// At most `limit` UTF-8 bytes, cut before a character that would not fit.
    /// Bytes of the decoded Subject stored (cut at a character boundary); a longer one raises `header.subject-long`.
    public static let storedSubjectBytes = 4096

    static func clip(_ s: String, _ limit: Int) -> String {
        guard s.utf8.count > limit else { return s }
        var out = ""
        var used = 0
        for c in s.unicodeScalars {
            let n = String(c).utf8.count
            if used + n > limit { break }
            out.unicodeScalars.append(c)
            used += n
        }
        return out
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        var out = [UInt8]()
        out.reserveCapacity(64)
        let hex = Array("0123456789abcdef".utf8)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// `Local@Example.COM` → `Local@example.com` (the local part is case-sensitive by RFC 5321; the domain is not).
    func lowercasedDomain() -> String {
        guard let at = lastIndex(of: "@") else { return self }
        return String(self[..<at]) + self[at...].lowercased()
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` from seconds since the epoch, without Foundation.
public enum ISO8601 {
    public static func format(epochSeconds: Int) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
        let secs = epochSeconds - days * 86400
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))Z"
    }
}

extension DiagnosticFacts.Severity {
    /// MailCore's severities are the store's.
    init(_ s: MailDiagnostic.Severity) {
        switch s {
        case .info: self = .info
        case .warning: self = .warning
        case .error: self = .error
        }
    }
}
