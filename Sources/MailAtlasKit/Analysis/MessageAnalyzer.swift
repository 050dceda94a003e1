import Crypto
import MailCore

/// Turns the bytes of one message into `MessageFacts`. Pure: no files, no database; safe to call from any task.
public struct MessageAnalyzer: Sendable {
    public struct Options: Sendable {
        public var maxHeaderFields: Int
        public init(maxHeaderFields: Int = 10_000) { self.maxHeaderFields = maxHeaderFields }
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
        bytes.withUnsafeBufferPointer { b in
            let header = HeaderBlock(parsing: b, limits: .init(maxFields: options.maxHeaderFields))
            if header.droppedFields > 0 {
                facts.diagnostics.append(
                    DiagnosticFacts(
                        .warning, "header.field-limit",
                        "\(header.droppedFields) header fields beyond the limit of \(options.maxHeaderFields) ignored"))
            }
            if header.fields.isEmpty {
                facts.diagnostics.append(DiagnosticFacts(.warning, "header.none", "no header fields found"))
            }
            for field in header.fields {
                let name = b[field.name]
                if facts.messageID == nil, name.equalsLowercasedASCII(Names.messageID) {
                    facts.messageID = MessageAnalyzer.text(field.unfoldedValue(in: b), limit: 998)
                } else if facts.subject == nil, name.equalsLowercasedASCII(Names.subject) {
                    facts.subject = MessageAnalyzer.text(field.unfoldedValue(in: b), limit: 4096)
                } else if facts.fromAddress == nil, name.equalsLowercasedASCII(Names.from) {
                    let (address, display) = MessageAnalyzer.simpleAddress(field.unfoldedValue(in: b))
                    facts.fromAddress = address
                    facts.fromName = display
                } else if facts.dateUTC == nil, name.equalsLowercasedASCII(Names.date) {
                    facts.dateUTC = SimpleDate.parse(field.unfoldedValue(in: b))
                }
            }
            facts.headerVerdict = VerdictRules.verdict(header: header, bytes: b)
            let o = OriginAnalyzer.analyze(header: header, bytes: b, config: origin, profile: relayProfile)
            facts.hops = o.hops
            facts.origin = o.origin
            facts.diagnostics += o.diagnostics
        }
        if streamedSHA256 != nil {
            facts.diagnostics.append(
                DiagnosticFacts(
                    .warning, "message.too-large",
                    "message of \(facts.size) bytes is over --max-message-size: stored from its headers only"))
        }
        return facts
    }

    enum Names {
        static let messageID = Array("message-id".utf8)
        static let subject = Array("subject".utf8)
        static let from = Array("from".utf8)
        static let date = Array("date".utf8)
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

    /// A stored text value: UTF-8 (invalid sequences replaced), at most `limit` bytes.
    static func text(_ bytes: [UInt8], limit: Int) -> String? {
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes.prefix(limit), as: UTF8.self)
    }

    /// `Name <local@domain>` or `local@domain (Name)` or a bare address.
    static func simpleAddress(_ value: [UInt8]) -> (String?, String?) {
        let s = String(decoding: value, as: UTF8.self)
        if let open = s.lastIndex(of: "<"), let close = s[open...].firstIndex(of: ">") {
            let address = s[s.index(after: open)..<close].trimmingSpaces()
            var name = s[..<open].trimmingSpaces()
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast())
            }
            return (address.isEmpty ? nil : address.lowercasedDomain(), name.isEmpty ? nil : name)
        }
        let token = s.split(whereSeparator: { $0 == " " || $0 == "\t" }).first { $0.contains("@") }
        return (token.map { String($0).lowercasedDomain() }, nil)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    /// `Local@Example.COM` → `Local@example.com` (the local part is case-sensitive by RFC 5321; the domain is not).
    func lowercasedDomain() -> String {
        guard let at = lastIndex(of: "@") else { return self }
        return String(self[..<at]) + self[at...].lowercased()
    }
}

/// RFC 5322 dates and the common broken forms, to UTC ISO 8601. Nil when hopeless.
enum SimpleDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420,
        "mdt": -360, "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "bst": 60, "jst": 540, "kst": 540,
    ]

    static func parse(_ value: [UInt8]) -> String? {
        let text = String(decoding: value.prefix(200), as: UTF8.self).lowercased()
        let tokens = text.split(whereSeparator: { " \t,".contains($0) }).map(String.init)
        var day: Int? = nil
        var month: Int? = nil
        var year: Int? = nil
        var time: (Int, Int, Int)? = nil
        var offset = 0
        for token in tokens {
            if month == nil, let m = months.firstIndex(where: { token.hasPrefix($0) }) {
                month = m + 1
            } else if time == nil, token.contains(":") {
                let parts = token.split(separator: ":").map { Int($0) }
                if parts.count >= 2, let h = parts[0], let mi = parts[1] {
                    time = (h, mi, parts.count > 2 ? (parts[2] ?? 0) : 0)
                }
            } else if token.first == "+" || token.first == "-", token.count == 5, let v = Int(token.dropFirst()) {
                offset = (token.first == "-" ? -1 : 1) * ((v / 100) * 60 + v % 100)
            } else if let v = Int(token) {
                if day == nil && v >= 1 && v <= 31 && token.count <= 2 {
                    day = v
                } else if year == nil {
                    year = token.count <= 2 ? (v < 50 ? 2000 + v : 1900 + v) : (token.count == 3 ? 1900 + v : v)
                }
            } else if let z = zones[token.trimmingCharacters(in: "()")] {
                offset = z
            }
        }
        guard let d = day, let m = month, let y = year, y >= 1970, y < 2200, let t = time, t.0 < 24, t.1 < 60,
            t.2 <= 60
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = days * 86400 + t.0 * 3600 + t.1 * 60 + min(t.2, 59) - offset * 60
        return ISO8601.format(epochSeconds: seconds)
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

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
