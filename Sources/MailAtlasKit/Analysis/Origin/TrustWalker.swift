import MailCore

/// Why a hop's sending host is on the receiving side.
enum TrustKind: Sendable, Equatable {
    /// Private, loopback or local: inside the site, whoever's site it is.
    case inside
    /// A public relay of the receiving site (same organisation, forwarder, learned relay, configured network).
    case ownRelay
    /// A mailbox provider's internal hop (Exchange Online, Google).
    case provider
    /// Authenticated submission.
    case authenticated
}

struct TrustStep: Sendable, Equatable {
    var position: Int
    var trusted: Bool
    var reason: String
}

/// Reads a Received chain from the top down and finds where it crosses from the sending side into the receiving
/// side (ORIGIN-RULE.md). Pure: the hops, the message context, the configuration and the learned relays in,
/// a boundary and the reasons out.
struct TrustWalker {
    let hops: [ReceivedHop]
    let context: OriginContext
    let config: OriginConfig
    let profile: RelayProfile?

    var steps: [TrustStep] = []
    var usedOwnRelay = false
    var usedProvider = false
    var fetched = false
    var medium = false

    init(hops: [ReceivedHop], context: OriginContext, config: OriginConfig, profile: RelayProfile?) {
        self.hops = hops
        self.context = context
        self.config = config
        self.profile = profile
    }

    mutating func note(_ i: Int, _ trusted: Bool, _ reason: String) {
        steps.append(TrustStep(position: i, trusted: trusted, reason: reason))
    }

    enum Mode { case recipient, relay }

    /// The index of the first hop, at or below `start`, whose sending host is not on the receiving side; nil when
    /// the chain ends first. `site` holds the organisations of the receiving side and grows as the walk goes down.
    mutating func boundary(from start: Int, site: inout Set<String>, nearby: inout [IPAddress], mode: Mode) -> Int? {
        var i = start
        while i < hops.count {
            let h = hops[i]
            if let o = OrgDomain.of(h.by) { site.insert(o) }
            if let bip = h.byIP ?? h.by.flatMap({ IPAddress($0.stripping("[]")) }), bip.isPublic {
                nearby.append(bip)
            }
            if h.isJunk {
                note(i, true, "not a Received header anyone could read: skipped")
                medium = true
                i += 1
                continue
            }
            if h.isQmailQueueStep {
                note(i, true, "qmail queue step (the network hop is the header below)")
                i += 1
                continue
            }
            if h.ip == nil, h.unparsedIP == nil, h.by == nil, h.fromWord != nil {
                note(i, true, "incomplete header (no address, no writing host): skipped")
                medium = true
                i += 1
                continue
            }
            if h.ip == nil, h.unparsedIP == nil, h.fromWord == nil {
                note(i, true, h.isLocal ? "local submission" : "internal step with no sending host")
                i += 1
                continue
            }
            if h.isRetrieval, mode == .recipient {
                let server = h.ip.map { " from \($0)" } ?? ""
                note(
                    i, true,
                    "retrieved with \(h.with ?? "POP/IMAP")\(server): the chain restarts at that mailbox's provider")
                fetched = true
                site.removeAll()
                nearby.removeAll()
                i += 1
                continue
            }
            if let (kind, reason) = receivingSide(i, site: site, nearby: nearby, mode: mode) {
                note(i, true, reason)
                switch kind {
                case .ownRelay: if h.ip?.isPublic == true { usedOwnRelay = true }
                case .provider: usedProvider = true
                case .inside, .authenticated: break
                }
                if let ip = h.ip, ip.isPublic { nearby.append(ip) }
                i += 1
                continue
            }
            return i
        }
        return nil
    }

    /// Whether hop `i`'s sending host is on the receiving side, and why.
    mutating func receivingSide(_ i: Int, site: Set<String>, nearby: [IPAddress], mode: Mode) -> (TrustKind, String)? {
        let h = hops[i]
        if let ip = h.ip {
            if config.internalNetworks.contains(where: { $0.contains(ip) }) {
                return (.ownRelay, "\(ip) is in the configured internal networks")
            }
            if config.trustedNetworks.contains(where: { $0.contains(ip) }) {
                return (.ownRelay, "\(ip) is in the configured trusted networks")
            }
            switch ip.scope {
            case .loopback, .private, .linkLocal, .sharedCGNAT, .uniqueLocal:
                return (.inside, "\(ip) is a \(ip.scope.rawValue) address: inside the site")
            default: break
            }
        }
        if let a = h.auth {
            return (.authenticated, "authenticated submission (\(a)): the sender is a user of this site")
        }
        if TrustWalker.isExchangeOnlineFrontend(h.by) {
            return nil
        }
        if TrustWalker.isMicrosoftInternal(h) {
            return (.provider, "Exchange Online internal hop")
        }
        guard let ip = h.ip else {
            if h.unparsedIP == nil, isLocalName(h) {
                return (.inside, "local step (\(h.fromWord ?? "no host"), no network address)")
            }
            return nil
        }
        let names = TrustWalker.names(h)
        if h.rdnsStatus == .name, let o = OrgDomain.of(h.rdns), site.contains(o), !TrustWalker.looksDynamic(h.rdns, ip)
        {
            return (.ownRelay, "\(h.rdns ?? o) is in the receiving organisation (\(o))")
        }
        if h.rdnsStatus != .name, let o = OrgDomain.of(h.helo), site.contains(o), !TrustWalker.looksDynamic(h.helo, ip),
            nearby.contains(where: { TrustWalker.near($0, ip) })
        {
            medium = true
            return (.ownRelay, "HELO \(h.helo ?? o) is in the receiving organisation and \(ip) sits next to its relays")
        }
        if mode == .recipient, !context.isList || !context.listDomains.isEmpty, let fwd = forwarder(i) {
            medium = true
            return (.ownRelay, "forwarder: it accepted the message for <\(fwd)> in its own domain and passed it on")
        }
        if let p = profile, let by = OrgDomain.of(h.by), p.contains(site: by, ip: ip),
            mode == .relay || !isListServer(i)
        {
            medium = true
            return (
                .ownRelay, "\(names.first ?? "\(ip)") [\(ip)] recurs as a forwarding relay into \(by) across the spool"
            )
        }
        return nil
    }

    /// In list mail: whether hop `i`'s sender is the list server (its names, or the recipient of the hop below, are
    /// in the list's domain).
    func isListServer(_ i: Int) -> Bool {
        guard context.isList else { return false }
        if context.listDomains.isEmpty { return true }
        let h = hops[i]
        if TrustWalker.names(h).contains(where: { OrgDomain.of($0).map(context.listDomains.contains) ?? false }) {
            return true
        }
        if let j = nextWritten(after: i), let f = hops[j].forAddress?.lowercased(), let at = f.lastIndex(of: "@"),
            let o = OrgDomain.of(String(f[f.index(after: at)...]).stripping("<>")), context.listDomains.contains(o)
        {
            return true
        }
        return false
    }

    func isLocalName(_ h: ReceivedHop) -> Bool {
        guard let w = h.fromWord?.lowercased() else { return true }
        if !w.contains(".") || w.contains("@") || w.hasPrefix("localhost") { return true }
        if h.isLocal || h.protocolKind == .local || h.protocolKind == .lmtp { return true }
        if let by = h.by?.lowercased(), by.hasPrefix("localhost") || by == w || !by.contains(".") { return true }
        return false
    }

    /// Host names a hop gives for its sending host, lower case, without trailing dots.
    static func names(_ h: ReceivedHop) -> [String] {
        var out: [String] = []
        for n in [h.rdns, h.helo, h.fromWord] {
            guard var s = n?.lowercased(), !s.isEmpty else { continue }
            while s.hasSuffix(".") { s.removeLast() }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    /// Whether `below` was written by the host that `h` records as its sender: the names agree, or the
    /// organisations do, or the addresses.
    static func consistent(_ h: ReceivedHop, _ below: ReceivedHop) -> Bool {
        guard var by = below.by?.lowercased() else { return false }
        while by.hasSuffix(".") { by.removeLast() }
        let names = TrustWalker.names(h).filter { IPAddress($0.stripping("[]?")) == nil }
        if let ip = h.ip {
            if below.byIP == ip || IPAddress(by.stripping("[]")) == ip { return true }
        }
        if IPAddress(by.stripping("[]")) != nil { return false }
        if names.contains(by) { return true }
        if let bo = OrgDomain.of(by), names.contains(where: { OrgDomain.of($0) == bo }) { return true }
        // The relay talking to itself over loopback under its own name (a content filter, a list manager).
        if let bip = below.ip, bip.scope == .loopback || bip.scope == .private,
            let bh = (below.helo ?? below.fromWord)?.lowercased(), names.contains(bh)
        {
            return true
        }
        return false
    }

    /// The next hop below `i` that names its writer (`by`), skipping unreadable headers.
    func nextWritten(after i: Int) -> Int? {
        var j = i + 1
        while j < hops.count {
            if !hops[j].isJunk, hops[j].by != nil { return j }
            j += 1
        }
        return nil
    }

    /// A forwarder of the recipient: the hop below was written by this sender and accepted the message for an
    /// address in the sender's own domain, a domain none of the recipients named above is in (an alias or a
    /// forwarding mailbox the recipient set up there), not for a mailing list, and recorded a network sender.
    func forwarder(_ i: Int) -> String? {
        let h = hops[i]
        guard let j = nextWritten(after: i), TrustWalker.consistent(h, hops[j]) else { return nil }
        let below = hops[j]
        guard below.ip != nil, !below.isAuthenticated, var fa = below.forAddress?.lowercased() else { return nil }
        fa = fa.stripping("<>")
        guard let at = fa.lastIndex(of: "@"), let forOrg = OrgDomain.of(String(fa[fa.index(after: at)...])) else {
            return nil
        }
        if context.listDomains.contains(forOrg) { return nil }
        // The forwarding mailbox is in the relay's own domain: the relay is that domain's mail host.
        let relayOrgs = Set((TrustWalker.names(h) + [below.by?.lowercased() ?? ""]).compactMap { OrgDomain.of($0) })
        guard relayOrgs.contains(forOrg) else { return nil }
        var above = Set(context.recipients)
        for k in 0...i { if let f = hops[k].forAddress?.lowercased() { above.insert(f.stripping("<>")) } }
        let aboveOrgs = above.compactMap { a in
            a.lastIndex(of: "@").flatMap { OrgDomain.of(String(a[a.index(after: $0)...])) }
        }
        guard !aboveOrgs.isEmpty, !aboveOrgs.contains(forOrg) else { return nil }
        return fa
    }

    /// A reverse-DNS or HELO name of a dial-up, DSL, cable or other customer pool: it spells out the address or
    /// names the pool. Such hosts are an ISP's customers, never its relays.
    static func looksDynamic(_ name: String?, _ ip: IPAddress) -> Bool {
        guard let n = name?.lowercased() else { return false }
        let first = n.split(separator: ".").first.map(String.init) ?? n
        if let v4 = ip.ipv4Value {
            let octets = [v4 >> 24, (v4 >> 16) & 0xFF, (v4 >> 8) & 0xFF, v4 & 0xFF].map { String($0) }
            let numbers = n.split(whereSeparator: { !$0.isNumber }).map(String.init)
            var hits = 0
            for o in octets where numbers.contains(o) { hits += 1 }
            if hits >= 3 { return true }
        }
        let pools = [
            "ppp", "dsl", "dial", "dhcp", "dyn", "pool", "cable", "client", "cust", "broadband", "catv", "modem",
            "pppoe", "static", "host-", "user", "adsl", "ip-", "mobile", "wireless", "hfc",
        ]
        return pools.contains { first.contains($0) }
    }

    /// Two addresses in the same /24 (IPv4) or /48 (IPv6).
    static func near(_ a: IPAddress, _ b: IPAddress) -> Bool {
        if a.isIPv4 != b.isIPv4 { return false }
        if a.isIPv4 { return a.low >> 8 == b.low >> 8 }
        return a.high >> 16 == b.high >> 16
    }

    /// `*.mail.protection.outlook.com`: Exchange Online Protection's frontends, where mail enters Microsoft.
    static func isExchangeOnlineFrontend(_ by: String?) -> Bool {
        guard let b = by?.lowercased() else { return false }
        return b.hasSuffix(".mail.protection.outlook.com") || b.hasSuffix(".mail.eo.outlook.com")
    }

    static let microsoftSuffixes = [
        ".prod.outlook.com", ".protection.outlook.com", ".outlook.office365.com", ".office365.com",
        ".prod.exchangelabs.com",
    ]

    /// A hop between Exchange Online servers: both ends named in Microsoft's datacenter scheme, and the sender's
    /// address (when given) Microsoft's internal IPv6 (2603:1000::/24), private or loopback.
    static func isMicrosoftInternal(_ h: ReceivedHop) -> Bool {
        guard let by = h.by?.lowercased(), microsoftSuffixes.contains(where: { by.hasSuffix($0) }) else { return false }
        guard let helo = (h.helo ?? h.fromWord)?.lowercased(), microsoftSuffixes.contains(where: { helo.hasSuffix($0) })
        else { return false }
        guard let ip = h.ip else { return true }
        // Microsoft's IPv6 space used inside Exchange Online: 2603:1000::/24 and 2a01:111::/32.
        if !ip.isIPv4, ip.high >> 40 == 0x2603_10 || ip.high >> 32 == 0x2A01_0111 { return true }
        return !ip.isPublic
    }
}

extension String {
    func stripping(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
