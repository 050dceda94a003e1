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
    /// The mailbox an automatic forward came from: the first address of `X-Forwarded-For: from@a to@b` (Gmail and
    /// other providers write it when they forward a mailbox on), lower case. Nil when absent, or when the header
    /// holds addresses of the HTTP kind (IPs), as some webmail writes.
    public var forwardedFrom: String?

    public init(
        isList: Bool = false, listDomains: [String] = [], recipients: [String] = [], date: ReceivedDate? = nil,
        originatingHeader: (name: String, ip: IPAddress)? = nil, exchangeOnline: Bool = false,
        forwardedFrom: String? = nil
    ) {
        self.isList = isList
        self.listDomains = listDomains
        self.recipients = recipients
        self.date = date
        self.originatingHeader = originatingHeader
        self.exchangeOnline = exchangeOnline
        self.forwardedFrom = forwardedFrom
    }

    public static func == (a: OriginContext, b: OriginContext) -> Bool {
        a.isList == b.isList && a.listDomains == b.listDomains && a.recipients == b.recipients && a.date == b.date
            && a.originatingHeader?.name == b.originatingHeader?.name
            && a.originatingHeader?.ip == b.originatingHeader?.ip && a.exchangeOnline == b.exchangeOnline
            && a.forwardedFrom == b.forwardedFrom
    }

    /// Header names whose value is the IP of a web or submission client, strongest first.
    static let originatingHeaderNames = [
        "x-sender-ip", "x-originating-ip", "x-source-ip", "x-aol-ip", "x-yahoo-post-ip", "x-originating-ipaddress",
    ]
    static let listHeaderNames = ["list-id", "list-post", "x-mailing-list", "mailing-list", "x-beenthere"]
    static let recipientHeaderNames = ["delivered-to", "x-original-to", "envelope-to"]

    /// What a header field is to the origin analysis.
    enum FieldKind: Equatable {
        case listID, listPost, list, precedence, recipient, date, exchangeOnline, forwardedFor, none
        /// An `originatingHeaderNames` entry, by rank.
        case originating(Int)
    }

    /// Classifies a field name (ASCII, any case) without making text of it.
    static func kind(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> FieldKind {
        func eq(_ lowered: StaticString) -> Bool {
            let n = lowered.utf8CodeUnitCount
            guard r.count == n else { return false }
            let q = lowered.utf8Start
            for k in 0..<n where ASCII.lower(b[r.lowerBound + k]) != q[k] { return false }
            return true
        }
        switch r.count {
        case 4: if eq("date") { return .date }
        case 7: if eq("list-id") { return .listID }
        case 8: if eq("x-aol-ip") { return .originating(3) }
        case 9: if eq("list-post") { return .listPost }
        case 10: if eq("precedence") { return .precedence }
        case 11:
            if eq("x-beenthere") { return .list }
            if eq("envelope-to") { return .recipient }
            if eq("x-sender-ip") { return .originating(0) }
            if eq("x-source-ip") { return .originating(2) }
        case 12:
            if eq("mailing-list") { return .list }
            if eq("delivered-to") { return .recipient }
        case 13: if eq("x-original-to") { return .recipient }
        case 14: if eq("x-mailing-list") { return .list }
        case 15:
            if eq("x-yahoo-post-ip") { return .originating(4) }
            if eq("x-forwarded-for") { return .forwardedFor }
        case 16: if eq("x-originating-ip") { return .originating(1) }
        case 23: if eq("x-originating-ipaddress") { return .originating(5) }
        default: break
        }
        if r.count >= 27 {
            let prefix: StaticString = "x-ms-exchange-organization-"
            let q = prefix.utf8Start
            var same = true
            for k in 0..<27 where ASCII.lower(b[r.lowerBound + k]) != q[k] {
                same = false
                break
            }
            if same { return .exchangeOnline }
        }
        return .none
    }

    /// Reads the context from a message's header block.
    public init(header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>) {
        self.init()
        var originating: (Int, Range<Int>, IPAddress)? = nil
        for field in header.fields {
            let n = field.name.count
            guard n >= 4, n <= 64 else { continue }
            switch OriginContext.kind(b, field.name) {
            case .listID, .listPost:
                isList = true
                if listDomains.count < 4 {
                    let v = field.unfoldedValue(in: b)
                    if let o = OriginContext.listDomain(v), !listDomains.contains(o) { listDomains.append(o) }
                }
            case .list:
                isList = true
            case .precedence:
                let v = field.unfoldedValue(in: b)
                if v.count <= 64,
                    v.split(separator: ASCII.space).contains(where: { $0.equalsLowercasedASCII("list".utf8) })
                {
                    isList = true
                }
            case .recipient:
                if recipients.count < 16, let v = OriginContext.recipient(field.unfoldedValue(in: b)) {
                    recipients.append(v)
                }
            case .date:
                if date == nil { date = ReceivedParser.date(field.unfoldedValue(in: b)) }
            case .exchangeOnline:
                exchangeOnline = true
            case .forwardedFor:
                if forwardedFrom == nil { forwardedFrom = OriginContext.forwardedFrom(field.unfoldedValue(in: b)) }
            case .originating(let rank):
                let v = field.unfoldedValue(in: b)
                if v.count <= 80, let ip = OriginContext.address(in: v), originating.map({ rank < $0.0 }) ?? true {
                    originating = (rank, field.name, ip)
                }
            case .none:
                break
            }
        }
        if let o = originating { originatingHeader = (String(lossyUTF8: b[o.1]), o.2) }
    }

    /// An envelope recipient as stored: lower case, without blanks and angle brackets around it; nil when empty.
    static func recipient(_ value: [UInt8]) -> String? {
        let v = value.prefix(254)
        if v.allSatisfy({ $0 < 0x80 }) {
            var lo = v.startIndex
            var hi = v.endIndex
            func trim(_ c: UInt8) -> Bool {
                c == ASCII.space || c == ASCII.openAngle || c == ASCII.closeAngle || c == ASCII.tab
            }
            while lo < hi, trim(v[lo]) { lo += 1 }
            while hi > lo, trim(v[hi - 1]) { hi -= 1 }
            guard hi > lo else { return nil }
            return v[lo..<hi].withUnsafeBufferPointer { OrgDomain.lowered($0) }
        }
        let s = String(lossyUTF8: v).lowercased().stripping(" <>\t")
        return s.isEmpty ? nil : s
    }

    /// The forwarding mailbox in `X-Forwarded-For: from@a to@b`: the first of at least two addresses.
    static func forwardedFrom(_ value: [UInt8]) -> String? {
        guard value.count <= 512 else { return nil }
        let words = value.split { ASCII.isWhitespace($0) || $0 == 0x2C }.filter { $0.contains(ASCII.at) }
        guard words.count >= 2 else { return nil }
        return recipient(Array(words[0]))
    }

    /// The organisation of a List-Id or List-Post value.
    static func listDomain(_ value: [UInt8]) -> String? {
        let v = value.prefix(512)
        guard v.allSatisfy({ $0 < 0x80 }) else { return listDomain(String(lossyUTF8: v).lowercased()) }
        // ASCII: the same steps on bytes, ignoring case.
        guard let lt = v.lastIndex(of: ASCII.openAngle), let gt = v.lastIndex(of: ASCII.closeAngle), lt < gt else {
            return nil
        }
        var lo = lt + 1
        var hi = gt
        if hi - lo >= 7, v[lo..<lo + 7].equalsLowercasedASCII("mailto:".utf8) { lo += 7 }
        if let q = v[lo..<hi].firstIndex(of: ASCII.question) { hi = q }
        if let at = v[lo..<hi].lastIndex(of: ASCII.at) { lo = at + 1 }
        return v[lo..<hi].withUnsafeBufferPointer { p -> String? in
            switch OrgDomain.range(in: p) {
            case .org(let r): return OrgDomain.lowered(UnsafeBufferPointer(rebasing: p[r]))
            case .none: return nil
            case .notASCII: return OrgDomain.ofText(String(lossyUTF8: p))
            }
        }
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
