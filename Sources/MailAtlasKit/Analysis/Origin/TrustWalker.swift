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

/// Why a hop's sending host is on the receiving side (or where the walk stopped), made into a sentence only when
/// asked (`TrustWalker.text`).
enum TrustReason: Sendable, Equatable {
    case internalNetwork(IPAddress)
    case trustedNetwork(IPAddress)
    case inside(IPAddress)
    case authenticated(String)
    case microsoftInternal
    case localStep(String?)
    /// A hop with no address from a host named in the receiving organisation, written by one of its hosts.
    case internalHop(String)
    /// The sender's name and the receiving organisation it is in.
    case sameOrganisation(String, String)
    case heloNearby(String, IPAddress)
    case forwarder(String)
    /// Hop, address and the organisation it relays into.
    case learned(Int, IPAddress, String)
    /// The name the relay gave, which is in the receiving organisation and under which it wrote the hop below.
    case namedRelay(String)
    /// Steps the walk takes over hops that record no network sender.
    case unreadable
    case qmailQueueStep
    case incomplete
    case localSubmission
    case internalStep
    /// Retrieved over POP or IMAP (the protocol as written, the address retrieved from).
    case retrieved(String?, IPAddress?)
    /// Where the walk stopped, and what the list walk made of it.
    case firstOutside
    case listServer
    case handedToList

    /// How much a decision that leans on this step can be trusted.
    var confidence: OriginConfidence {
        switch self {
        case .heloNearby, .forwarder, .learned, .unreadable, .incomplete: return .medium
        case .namedRelay: return .low
        default: return .high
        }
    }

    /// A public relay known by its relaying (not by its organisation's name, which the site's own servers share
    /// when they write a bounce themselves).
    var isRelaying: Bool {
        switch self {
        case .learned, .namedRelay, .forwarder: return true
        default: return false
        }
    }
}

struct TrustStep: Sendable, Equatable {
    var position: Int
    var trusted: Bool
    var reason: TrustReason
}

/// What one walk down the chain found: where it stopped and what it stepped over on the way.
struct Walk: Sendable, Equatable {
    /// The first hop whose sending host is not on the receiving side; nil when the chain ended first.
    var boundary: Int?
    /// It trusted a public relay of the site.
    var usedOwnRelay = false
    /// It stepped over a mailbox provider's internal hop.
    var usedProvider = false
    /// It passed a POP/IMAP retrieval: the chain restarted at a mailbox provider.
    var fetched = false
    /// The weakest evidence it leaned on.
    var confidence: OriginConfidence = .high
    /// The last hop it trusted as a public relay known by its relaying (learned, named, forwarder).
    var lastPublicRelay: Int? = nil

    /// Takes in what a further walk (the list site's) leaned on.
    mutating func absorb(_ other: Walk) {
        usedOwnRelay = usedOwnRelay || other.usedOwnRelay
        usedProvider = usedProvider || other.usedProvider
        fetched = fetched || other.fetched
        confidence = min(confidence, other.confidence)
        lastPublicRelay = other.lastPublicRelay ?? lastPublicRelay
    }
}

/// Reads a Received chain from the top down and finds where it crosses from the sending side into the receiving
/// side (ORIGIN-RULE.md). Pure: the hops, the message context, the configuration and the learned relays in,
/// a `Walk` and the reasons out.
struct TrustWalker {
    let hops: [ReceivedHop]
    let context: OriginContext
    let config: OriginConfig
    let profile: RelayProfile?
    /// Answers about the hops, shared with the other walks over the same chain.
    let memo: ChainMemo

    /// Whether to record the reasons (`steps`): `trace` and the tests want them, a scan does not.
    let explain: Bool

    var steps: [TrustStep] = []
    /// Whether a relay's names alone may put it on the receiving side. The walk that observes relays for the
    /// profile sets this to false: it must see the relay itself as the handover, not trust it already.
    var trustNamedRelays = true

    init(
        hops: [ReceivedHop], context: OriginContext, config: OriginConfig, profile: RelayProfile?, explain: Bool = true,
        memo: ChainMemo? = nil
    ) {
        self.hops = hops
        self.context = context
        self.config = config
        self.profile = profile
        self.explain = explain
        self.memo = memo ?? ChainMemo(hops: hops, context: context)
    }

    mutating func note(_ i: Int, _ trusted: Bool, _ reason: TrustReason) {
        if explain { steps.append(TrustStep(position: i, trusted: trusted, reason: reason)) }
    }

    /// The reasons recorded, as sentences by hop (a later reason for a hop replaces an earlier one).
    func reasons() -> [Int: String] {
        var out: [Int: String] = [:]
        for s in steps { out[s.position] = text(s.reason) }
        return out
    }

    enum Mode { case recipient, relay }

    /// Walks down from `start` to the first hop whose sending host is not on the receiving side. `site` holds the
    /// organisations of the receiving side and grows as the walk goes down.
    mutating func walk(from start: Int, site: inout OrgSet, nearby: inout [IPAddress], mode: Mode) -> Walk {
        let hops = self.hops
        var walk = Walk()
        var i = start
        func step(_ reason: TrustReason) {
            note(i, true, reason)
            walk.confidence = min(walk.confidence, reason.confidence)
            i += 1
        }
        while i < hops.count {
            if let o = memo.byOrg(i) { site.insert(o) }
            if let bip = memo.byAddress(i), bip.isPublic {
                nearby.append(bip)
            }
            let h = hops[i]
            if h.isJunk {
                step(.unreadable)
                continue
            }
            if h.isQmailQueueStep {
                step(.qmailQueueStep)
                continue
            }
            if h.ip == nil, h.unparsedIP == nil, h.by == nil, h.fromWord != nil {
                step(.incomplete)
                continue
            }
            if h.ip == nil, h.unparsedIP == nil, h.fromWord == nil {
                step(h.isLocal ? .localSubmission : .internalStep)
                continue
            }
            if h.protocolKind == .pop || h.protocolKind == .imap, mode == .recipient {  // isRetrieval
                walk.fetched = true
                site.removeAll()
                nearby.removeAll()
                step(.retrieved(h.with, h.ip))
                continue
            }
            guard let (kind, reason) = receivingSide(i, site: site, nearby: nearby, mode: mode) else {
                walk.boundary = i
                return walk
            }
            switch kind {
            case .ownRelay:
                if h.ip?.isPublic == true {
                    walk.usedOwnRelay = true
                    if reason.isRelaying { walk.lastPublicRelay = i }
                }
            case .provider: walk.usedProvider = true
            case .inside, .authenticated: break
            }
            if let ip = h.ip, ip.isPublic { nearby.append(ip) }
            step(reason)
        }
        return walk
    }

    /// Whether hop `i`'s sending host is on the receiving side, and why.
    func receivingSide(_ i: Int, site: OrgSet, nearby: [IPAddress], mode: Mode) -> (TrustKind, TrustReason)? {
        if let ip = hops[i].ip {
            if config.internalNetworks.contains(where: { $0.contains(ip) }) {
                return (.ownRelay, .internalNetwork(ip))
            }
            if config.trustedNetworks.contains(where: { $0.contains(ip) }) {
                return (.ownRelay, .trustedNetwork(ip))
            }
            switch ip.scope {
            case .loopback, .private, .linkLocal, .sharedCGNAT, .uniqueLocal:
                return (.inside, .inside(ip))
            default: break
            }
        }
        if let a = hops[i].auth {
            return (.authenticated, .authenticated(a))
        }
        if TrustWalker.isExchangeOnlineFrontend(hops[i].by) {
            return nil
        }
        if TrustWalker.isMicrosoftInternal(by: hops[i].by, helo: hops[i].helo ?? hops[i].fromWord, ip: hops[i].ip) {
            return (.provider, .microsoftInternal)
        }
        guard let ip = hops[i].ip else {
            if hops[i].unparsedIP == nil, isLocalName(hops[i]) {
                return (.inside, .localStep(hops[i].fromWord))
            }
            // Between two hosts of the site, some MTAs record no address (Sendmail: `from a.maths.example.ie by
            // b.maths.example.ie`). The writer is the site's (the walk trusted the hop above, whose sender it is)
            // and names a sender in the site's organisation: a step inside the site, not the crossing.
            if hops[i].unparsedIP == nil, let w = hops[i].fromWord, let o = OrgDomain.of(w), site.contains(o),
                let by = memo.byOrg(i), site.contains(by)
            {
                return (.inside, .internalHop(w))
            }
            return nil
        }
        if hops[i].rdnsStatus == .name, let o = memo.rdnsOrg(i), site.contains(o),
            !TrustWalker.looksDynamic(hops[i].rdns, ip)
        {
            return (.ownRelay, .sameOrganisation(hops[i].rdns ?? o, o))
        }
        if hops[i].rdnsStatus != .name, let o = memo.heloOrg(i), site.contains(o),
            !TrustWalker.looksDynamic(hops[i].helo, ip),
            nearby.contains(where: { TrustWalker.near($0, ip) })
        {
            return (.ownRelay, .heloNearby(hops[i].helo ?? o, ip))
        }
        if mode == .recipient, !context.isList || !context.listDomains.isEmpty, let fwd = forwarder(i) {
            return (.ownRelay, .forwarder(fwd))
        }
        if let p = profile, !p.relays.isEmpty, let by = memo.byOrg(i), p.contains(site: by, ip: ip),
            mode == .relay || !isListServer(i)
        {
            return (.ownRelay, .learned(i, ip, by))
        }
        // Names only: the relay calls itself a host of the receiving organisation and wrote the hop below under that
        // very name. A spool's evidence outranks names: where the profile has learned relays into this site, a host
        // that is not one of them is not trusted on its names alone (a sender can claim any HELO).
        if trustNamedRelays, mode == .recipient, let name = namedRelay(i, site: site),
            profile.map({ p in !(memo.byOrg(i).map { p.knowsSite($0) } ?? false) }) ?? true
        {
            return (.ownRelay, .namedRelay(name))
        }
        return nil
    }

    /// The name under which hop `i`'s sender presented itself (HELO, or the `from` word) when that name is in the
    /// receiving organisation and the hop below was written by a host of exactly that name, which itself received
    /// the message from a network sender: the chain of names a relay of the site leaves. Nil otherwise.
    func namedRelay(_ i: Int, site: OrgSet) -> String? {
        guard let j = nextWritten(after: i), let below = hops[j].by.map(HostText.lowerWithoutTrailingDots) else {
            return nil
        }
        // The hop below recorded a network sender, or is itself an internal hop of the site with no address (the
        // relay received the message from another of the site's hosts, which recorded the network sender).
        let recordsSender = hops[j].ip != nil || hops[j].unparsedIP != nil
        for claimed in [hops[i].helo, hops[i].fromWord] {
            guard let c = claimed.map(HostText.lowerWithoutTrailingDots), c == below, c.contains("."),
                HostText.address(c, stripping: "[]?") == nil, let o = OrgDomain.site(of: c), site.contains(o)
            else { continue }
            if recordsSender || (hops[j].fromWord.flatMap { OrgDomain.of($0) } == o) { return c }
        }
        return nil
    }

    /// The sentence for a reason.
    func text(_ r: TrustReason) -> String {
        switch r {
        case .internalNetwork(let ip): return "\(ip) is in the configured internal networks"
        case .trustedNetwork(let ip): return "\(ip) is in the configured trusted networks"
        case .inside(let ip): return "\(ip) is a \(ip.scope.rawValue) address: inside the site"
        case .authenticated(let a): return "authenticated submission (\(a)): the sender is a user of this site"
        case .microsoftInternal: return "Exchange Online internal hop"
        case .localStep(let name): return "local step (\(name ?? "no host"), no network address)"
        case .internalHop(let name):
            return "internal hop from \(name), a host of the receiving organisation (no address recorded)"
        case .sameOrganisation(let name, let o): return "\(name) is in the receiving organisation (\(o))"
        case .heloNearby(let helo, let ip):
            return "HELO \(helo) is in the receiving organisation and \(ip) sits next to its relays"
        case .forwarder(let fwd):
            return "forwarder: it accepted the message for <\(fwd)> in its own domain and passed it on"
        case .learned(let i, let ip, let by):
            let names = memo.names(i)
            return "\(names.first ?? "\(ip)") [\(ip)] recurs as a forwarding relay into \(by) across the spool"
        case .namedRelay(let name):
            return
                "\(name) is a name of the receiving organisation and wrote the hop below under it (names only: low confidence)"
        case .unreadable: return "not a Received header anyone could read: skipped"
        case .qmailQueueStep: return "qmail queue step (the network hop is the header below)"
        case .incomplete: return "incomplete header (no address, no writing host): skipped"
        case .localSubmission: return "local submission"
        case .internalStep: return "internal step with no sending host"
        case .retrieved(let with, let ip):
            return
                "retrieved with \(with ?? "POP/IMAP")\(ip.map { " from \($0)" } ?? ""): the chain restarts at that mailbox's provider"
        case .firstOutside: return "first hop from outside the receiving side"
        case .listServer:
            return "mailing-list server: the message carries list headers and the list's hops below are consistent"
        case .handedToList: return "handed the message to the mailing-list server"
        }
    }

    /// In list mail: whether hop `i`'s sender is the list server (its names, or the recipient of the hop below, are
    /// in the list's domain).
    func isListServer(_ i: Int) -> Bool {
        // With no list domain to compare (an empty List-Id, only `Precedence: list`) nothing points at this host as the
        // list server: the spool's evidence about it stands.
        guard context.isList, !context.listDomains.isEmpty else { return false }
        if memo.names(i).contains(where: { OrgDomain.of($0).map(context.listDomains.contains) ?? false }) {
            return true
        }
        if let j = nextWritten(after: i), let f = hops[j].forAddress?.lowercased(), let at = f.lastIndex(of: "@"),
            let o = OrgDomain.of(String(f[f.index(after: at)...]).stripping("<>")), context.listDomains.contains(o)
        {
            return true
        }
        return false
    }

    /// In list mail, whether the list site goes on below hop `b` (whose sender would be the list server) into hop
    /// `j`, the next hop written below it (ORIGIN-RULE.md rule 4). When the message names its list's domain, the
    /// list evidence must point at these hops: the sender's names, the writer of the hop below, or the recipient of a
    /// hop below are in the list's domain. A list header left over from a list the message crossed further down
    /// does not make the hosts above it a list site. Then the hop below must belong to the same site: written by the
    /// sender's own name or organisation, or, for a list server named in the list's domain, an internal hop
    /// (loopback or private sender) of the site that sent the message on under another name.
    func listSiteContinues(_ b: Int, _ j: Int) -> Bool {
        let domains = context.listDomains
        if domains.isEmpty { return memo.consistentWithNext(b) }
        let named = memo.nameOrgs(b).contains { domains.contains($0) }
        func forOrg(_ k: Int) -> String? {
            guard let f = hops[k].forAddress?.lowercased(), let at = f.lastIndex(of: "@") else { return nil }
            return OrgDomain.of(String(f[f.index(after: at)...]).stripping("<>"))
        }
        var pointed = named || (memo.byOrg(j).map { domains.contains($0) } ?? false)
        // The list's own address as the recipient of the hop below, or of the site's internal hops under it (the
        // list server received the post for the list's address); the search stops at the first public sender and
        // after a handful of hops.
        var k = j
        while !pointed, k < hops.count, k < j + 6 {
            if let o = forOrg(k), domains.contains(o) {
                pointed = true
                break
            }
            if let ip = hops[k].ip, ip.isPublic { break }
            k += 1
        }
        guard pointed else { return false }
        if memo.consistentWithNext(b) { return true }
        if named, let ip = hops[j].ip, ip.scope == .loopback || ip.scope == .private || ip.scope == .uniqueLocal {
            return true
        }
        return false
    }

    func isLocalName(_ h: ReceivedHop) -> Bool {
        guard let w = h.fromWord?.lowercased() else { return true }
        // (Rare: only hops with no address get here.)
        if !w.contains(".") || w.contains("@") || w.hasPrefix("localhost") { return true }
        if h.isLocal || h.protocolKind == .local || h.protocolKind == .lmtp { return true }
        if let by = h.by?.lowercased(), by.hasPrefix("localhost") || by == w || !by.contains(".") { return true }
        return false
    }

    /// Host names a hop gives for its sending host, lower case, without trailing dots.
    static func names(_ h: ReceivedHop) -> [String] {
        names(rdns: h.rdns, helo: h.helo, fromWord: h.fromWord)
    }

    static func names(rdns: String?, helo: String?, fromWord: String?) -> [String] {
        var out: [String] = []
        out.reserveCapacity(3)
        for n in [rdns, helo, fromWord] {
            guard let n, !n.isEmpty else { continue }
            let s = HostText.lowerWithoutTrailingDots(n)
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    /// Whether `below` was written by the host that `h` records as its sender: the names agree, or the
    /// organisations do, or the addresses.
    static func consistent(_ h: ReceivedHop, _ below: ReceivedHop) -> Bool {
        consistent([h, below], 0, 1, names: TrustWalker.names(h))
    }

    /// `consistent(hops[i], hops[j])`, reading the two hops in place; `names` are `names(hops[i])`.
    static func consistent(_ hops: [ReceivedHop], _ i: Int, _ j: Int, names allNames: [String]) -> Bool {
        guard let belowBy = hops[j].by else { return false }
        let by = HostText.lowerWithoutTrailingDots(belowBy)
        let names = allNames.filter { HostText.address($0, stripping: "[]?") == nil }
        let byAddress = HostText.address(by, stripping: "[]")
        if let ip = hops[i].ip {
            if hops[j].byIP == ip || byAddress == ip { return true }
        }
        if byAddress != nil { return false }
        if names.contains(by) { return true }
        if let bo = OrgDomain.of(by), names.contains(where: { OrgDomain.of($0) == bo }) { return true }
        // The relay talking to itself over loopback under its own name (a content filter, a list manager).
        if let bip = hops[j].ip, bip.scope == .loopback || bip.scope == .private,
            let bh = (hops[j].helo ?? hops[j].fromWord)?.lowercased(), names.contains(bh)
        {
            return true
        }
        return false
    }

    /// The next hop below `i` that names its writer (`by`), skipping unreadable headers.
    func nextWritten(after i: Int) -> Int? {
        memo.nextWritten(after: i)
    }

    /// A forwarder of the recipient: the hop below was written by this sender and accepted the message for an
    /// address in the sender's own domain, a domain none of the recipients named above is in (an alias or a
    /// forwarding mailbox the recipient set up there), not for a mailing list, and recorded a network sender.
    func forwarder(_ i: Int) -> String? {
        memo.forwarder(i) { findForwarder(i) }
    }

    private func findForwarder(_ i: Int) -> String? {
        guard let j = nextWritten(after: i), memo.consistentWithNext(i) else { return nil }
        if let fwd = forwardedMailbox(below: i, first: j) { return fwd }
        guard hops[j].ip != nil, hops[j].auth == nil, var fa = hops[j].forAddress?.lowercased() else { return nil }
        fa = fa.stripping("<>")
        guard let at = fa.lastIndex(of: "@"), let forOrg = OrgDomain.of(String(fa[fa.index(after: at)...])) else {
            return nil
        }
        if context.listDomains.contains(forOrg) { return nil }
        // The forwarding mailbox is in the relay's own domain: the relay is that domain's mail host.
        let relayOrgs = Set((memo.names(i) + [hops[j].by?.lowercased() ?? ""]).compactMap { OrgDomain.of($0) })
        guard relayOrgs.contains(forOrg) else { return nil }
        var above = Set(context.recipients)
        for k in 0...i { if let f = hops[k].forAddress?.lowercased() { above.insert(f.stripping("<>")) } }
        let aboveOrgs = above.compactMap { a in
            a.lastIndex(of: "@").flatMap { OrgDomain.of(String(a[a.index(after: $0)...])) }
        }
        guard !aboveOrgs.isEmpty, !aboveOrgs.contains(forOrg) else { return nil }
        return fa
    }

    /// The mailbox a provider forwarded on, when the message names it (`X-Forwarded-For: from@a to@b`) and the
    /// chain shows the forward: below the relay, after hops that record no sender (the provider's own steps), a hop
    /// accepted the message for that mailbox. That hop's sender is where the message entered the forwarding
    /// mailbox's provider, which is the recipient's own forwarder (ORIGIN-RULE.md rule 1), whatever its domain.
    func forwardedMailbox(below i: Int, first j: Int) -> String? {
        // (The forwarding mailbox's own Delivered-To is in the message too: only the hops above must not be for it.)
        guard let from = context.forwardedFrom,
            !hops[0...i].contains(where: { $0.forAddress?.lowercased().stripping("<>") == from })
        else { return nil }
        var k = j
        // A provider writes a few steps between its intake and its outbound relay; look no further than that.
        while k < hops.count, k < j + 4 {
            if let f = hops[k].forAddress?.lowercased().stripping("<>"), f == from {
                return hops[k].recordsSender ? from : nil
            }
            if hops[k].recordsSender { return nil }
            k += 1
        }
        return nil
    }

    /// A reverse-DNS or HELO name of a dial-up, DSL, cable or other customer pool: it spells out the address or
    /// names the pool. Such hosts are an ISP's customers, never its relays.
    static func looksDynamic(_ name: String?, _ ip: IPAddress) -> Bool {
        guard let name else { return false }
        if let r = HostText.withASCII(name, { looksDynamic($0, ip) }) { return r }
        return looksDynamicText(name, ip)
    }

    static let pools: [StaticString] = [
        "ppp", "dsl", "dial", "dhcp", "dyn", "pool", "cable", "client", "cust", "broadband", "catv", "modem",
        "pppoe", "static", "host-", "user", "adsl", "ip-", "mobile", "wireless", "hfc",
    ]

    /// `looksDynamic` over ASCII bytes.
    static func looksDynamic(_ p: UnsafeBufferPointer<UInt8>, _ ip: IPAddress) -> Bool {
        let n = p.count
        if let v4 = ip.ipv4Value {
            // Octets written out in the name as whole runs of digits (`1-2-3-4`, `4.3.2.1`, `h1.2.3`).
            var hits = 0
            for o in [v4 >> 24, (v4 >> 16) & 0xFF, (v4 >> 8) & 0xFF, v4 & 0xFF] {
                var i = 0
                while i < n {
                    guard ASCII.isDigit(p[i]) else {
                        i += 1
                        continue
                    }
                    var j = i
                    var v: UInt32 = 0
                    while j < n, ASCII.isDigit(p[j]) {
                        if j - i < 4 { v = v * 10 + UInt32(p[j] &- 0x30) }
                        j += 1
                    }
                    let len = j - i
                    // The run is the octet's decimal text: no leading zero, at most three digits.
                    if len <= 3, v == o, len == 1 || p[i] != 0x30 {
                        hits += 1
                        break
                    }
                    i = j
                }
            }
            if hits >= 3 { return true }
        }
        // The first non-empty label (or the whole name when there is none).
        var lo = 0
        while lo < n, p[lo] == ASCII.dot { lo += 1 }
        var hi = lo
        while hi < n, p[hi] != ASCII.dot { hi += 1 }
        if lo == n { (lo, hi) = (0, n) }
        for pool in pools {
            let m = pool.utf8CodeUnitCount
            guard hi - lo >= m else { continue }
            let q = pool.utf8Start
            var i = lo
            while i + m <= hi {
                var k = 0
                while k < m, ASCII.lower(p[i + k]) == q[k] { k += 1 }
                if k == m { return true }
                i += 1
            }
        }
        return false
    }

    static func looksDynamicText(_ name: String, _ ip: IPAddress) -> Bool {
        let n = name.lowercased()
        let first = n.split(separator: ".").first.map(String.init) ?? n
        if let v4 = ip.ipv4Value {
            let octets = [v4 >> 24, (v4 >> 16) & 0xFF, (v4 >> 8) & 0xFF, v4 & 0xFF].map { String($0) }
            let numbers = n.split(whereSeparator: { !$0.isNumber }).map(String.init)
            var hits = 0
            for o in octets where numbers.contains(o) { hits += 1 }
            if hits >= 3 { return true }
        }
        return pools.contains { first.contains($0.description) }
    }

    /// Two addresses in the same /24 (IPv4) or /48 (IPv6).
    static func near(_ a: IPAddress, _ b: IPAddress) -> Bool {
        if a.isIPv4 != b.isIPv4 { return false }
        if a.isIPv4 { return a.low >> 8 == b.low >> 8 }
        return a.high >> 16 == b.high >> 16
    }

    /// `*.mail.protection.outlook.com`: Exchange Online Protection's frontends, where mail enters Microsoft.
    static func isExchangeOnlineFrontend(_ by: String?) -> Bool {
        guard let b = by else { return false }
        return HostText.lowerHasSuffix(b, ".mail.protection.outlook.com")
            || HostText.lowerHasSuffix(b, ".mail.eo.outlook.com")
    }

    static let microsoftSuffixes: [StaticString] = [
        ".prod.outlook.com", ".protection.outlook.com", ".outlook.office365.com", ".office365.com",
        ".prod.exchangelabs.com",
    ]

    /// A hop between Exchange Online servers: both ends named in Microsoft's datacenter scheme, and the sender's
    /// address (when given) Microsoft's internal IPv6 (2603:1000::/24), private or loopback.
    static func isMicrosoftInternal(_ h: ReceivedHop) -> Bool {
        isMicrosoftInternal(by: h.by, helo: h.helo ?? h.fromWord, ip: h.ip)
    }

    static func isMicrosoftInternal(by: String?, helo: String?, ip: IPAddress?) -> Bool {
        guard let by, microsoftSuffixes.contains(where: { HostText.lowerHasSuffix(by, $0) }) else {
            return false
        }
        guard let helo, microsoftSuffixes.contains(where: { HostText.lowerHasSuffix(helo, $0) }) else { return false }
        guard let ip else { return true }
        // Microsoft's IPv6 space used inside Exchange Online: 2603:1000::/24 and 2a01:111::/32.
        if !ip.isIPv4, ip.high >> 40 == 0x2603_10 || ip.high >> 32 == 0x2A01_0111 { return true }
        return !ip.isPublic
    }
}

extension ReceivedHop {
    /// Whether the hop records a sending host at all (an address, or at least a name): what a relay's inbound header
    /// does and a queue step, a local submission or an unreadable header does not.
    var recordsSender: Bool {
        !isJunk && !isQmailQueueStep && (ip != nil || unparsedIP != nil || fromWord != nil)
    }
}
