public import MailCore

/// What the origin decision needs from a message besides its Received headers.
public struct OriginContext: Sendable, Equatable {
    /// The message carries mailing-list headers (List-Id, List-Post, X-Mailing-List, Mailing-List, X-BeenThere,
    /// `Precedence: list`).
    public var isList: Bool
    /// Organisations of the mailing list (from List-Post and List-Id), when the message carries them.
    public var listDomains: [String]
    /// Envelope recipients named by the receiving side (Delivered-To, X-Original-To, Envelope-To), lower case.
    public var recipients: [String]
    /// The Date header, read tolerantly.
    public var date: ReceivedDate?
    /// The first X-Sender-IP / X-Originating-IP style header: its name and the address in it.
    public var originatingHeader: (name: String, ip: IPAddress)?
    /// The message passed Exchange Online's filter (it carries X-MS-Exchange-Organization-* headers).
    public var exchangeOnline: Bool

    public init(
        isList: Bool = false, listDomains: [String] = [], recipients: [String] = [], date: ReceivedDate? = nil,
        originatingHeader: (name: String, ip: IPAddress)? = nil, exchangeOnline: Bool = false
    ) {
        self.isList = isList
        self.listDomains = listDomains
        self.recipients = recipients
        self.date = date
        self.originatingHeader = originatingHeader
        self.exchangeOnline = exchangeOnline
    }

    public static func == (a: OriginContext, b: OriginContext) -> Bool {
        a.isList == b.isList && a.listDomains == b.listDomains && a.recipients == b.recipients && a.date == b.date
            && a.originatingHeader?.name == b.originatingHeader?.name
            && a.originatingHeader?.ip == b.originatingHeader?.ip && a.exchangeOnline == b.exchangeOnline
    }

    /// Header names whose value is the IP of a web or submission client, strongest first.
    static let originatingHeaderNames = [
        "x-sender-ip", "x-originating-ip", "x-source-ip", "x-aol-ip", "x-yahoo-post-ip", "x-originating-ipaddress",
    ]
    static let listHeaderNames = ["list-id", "list-post", "x-mailing-list", "mailing-list", "x-beenthere"]
    static let recipientHeaderNames = ["delivered-to", "x-original-to", "envelope-to"]

    /// Reads the context from a message's header block.
    public init(header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>) {
        self.init()
        var originating: (Int, String, IPAddress)? = nil
        for field in header.fields {
            let name = b[field.name]
            guard name.count >= 4, name.count <= 32 else { continue }
            let lower = String(decoding: name.map(ASCII.lower), as: UTF8.self)
            if OriginContext.listHeaderNames.contains(lower) {
                isList = true
                if lower == "list-id" || lower == "list-post", listDomains.count < 4 {
                    let v = String(lossyUTF8: field.unfoldedValue(in: b).prefix(512)).lowercased()
                    if let o = OriginContext.listDomain(v), !listDomains.contains(o) { listDomains.append(o) }
                }
            } else if lower == "precedence" {
                let v = field.unfoldedValue(in: b)
                if v.count <= 64,
                    v.map(ASCII.lower).split(separator: ASCII.space).contains(where: { Array($0) == Array("list".utf8) }
                    )
                {
                    isList = true
                }
            } else if OriginContext.recipientHeaderNames.contains(lower), recipients.count < 16 {
                var v = String(lossyUTF8: field.unfoldedValue(in: b).prefix(254)).lowercased()
                v = v.stripping(" <>\t")
                if !v.isEmpty { recipients.append(v) }
            } else if lower == "date", date == nil {
                date = ReceivedParser.date(field.unfoldedValue(in: b))
            } else if lower.hasPrefix("x-ms-exchange-organization-") {
                exchangeOnline = true
            } else if let rank = OriginContext.originatingHeaderNames.firstIndex(of: lower) {
                let v = field.unfoldedValue(in: b)
                if v.count <= 80, let ip = OriginContext.address(in: v), originating.map({ rank < $0.0 }) ?? true {
                    originating = (rank, String(lossyUTF8: name), ip)
                }
            }
        }
        if let o = originating { originatingHeader = (o.1, o.2) }
    }

    /// The organisation in `<mailto:list@example.org>` or `Name <list-name.example.org>`.
    static func listDomain(_ v: String) -> String? {
        guard let lt = v.lastIndex(of: "<"), let gt = v.lastIndex(of: ">"), lt < gt else { return nil }
        var inner = String(v[v.index(after: lt)..<gt])
        if inner.hasPrefix("mailto:") { inner.removeFirst(7) }
        if let q = inner.firstIndex(of: "?") { inner = String(inner[..<q]) }
        if let at = inner.lastIndex(of: "@") { inner = String(inner[inner.index(after: at)...]) }
        return OrgDomain.of(inner)
    }

    /// `1.2.3.4`, `[1.2.3.4]`, `1.2.3.4, 5.6.7.8` (the first), `2001:db8::1`.
    static func address(in v: [UInt8]) -> IPAddress? {
        var s = v[...]
        while let f = s.first, ASCII.isWhitespace(f) || f == ASCII.openBracket { s = s.dropFirst() }
        let end = s.firstIndex { ASCII.isWhitespace($0) || $0 == ASCII.closeBracket || $0 == 0x2C } ?? s.endIndex
        return IPAddress(bytes: s[s.startIndex..<end])
    }
}
