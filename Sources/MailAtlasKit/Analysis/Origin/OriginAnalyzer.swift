public import MailCore

/// The whole origin analysis of one message, with the reasons, for `mailatlas trace` and for tests.
public struct OriginAnalysis: Sendable {
    /// The parsed Received headers, position 0 = topmost.
    public var received: [ReceivedHop]
    /// The same hops as stored (`received_hops` rows).
    public var hops: [HopFacts]
    public var origin: OriginFacts
    /// Per hop, whether its sending host is on the receiving side and why (hops the walk never reached are absent).
    public var reasons: [Int: String]
    /// How the decision was reached, in sentences.
    public var explanation: [String]
    public var diagnostics: [DiagnosticFacts]
    public var context: OriginContext
}

/// Finds where a message came from: parses its Received headers, walks them from the top down to the first hop
/// whose sender is not on the receiving side (ORIGIN-RULE.md, docs/origin.md), and records the provenance.
///
/// Pure: the header bytes, a configuration and an optional learned `RelayProfile` in; values out.
public enum OriginAnalyzer {
    /// Received headers read per message; more become one `received.hop-limit` diagnostic.
    public static let maxHops = 100

    /// The entry point the message analyzer calls: the stored facts and, from the same parsed hops, what the
    /// message says about the site's relays.
    public static func analyze(
        header: HeaderBlock, bytes: UnsafeBufferPointer<UInt8>, config: OriginConfig = OriginConfig(),
        profile: RelayProfile? = nil
    ) -> (
        hops: [HopFacts], origin: OriginFacts?, diagnostics: [DiagnosticFacts], observations: [RelayObservation]
    ) {
        let (received, diagnostics) = receivedHops(header: header, bytes: bytes)
        let context = OriginContext(header: header, bytes: bytes)
        let memo = ChainMemo(hops: received, context: context)
        let a = decide(
            received: received, context: context, config: config, profile: profile, explain: false, memo: memo)
        let observations = observe(received: received, context: context, memo: memo)
        return (a.hops, a.origin, diagnostics + a.diagnostics, observations)
    }

    /// The parsed Received headers of a message, top first, and the diagnostics of reading them.
    public static func receivedHops(header: HeaderBlock, bytes: UnsafeBufferPointer<UInt8>) -> (
        [ReceivedHop], [DiagnosticFacts]
    ) {
        var hops: [ReceivedHop] = []
        var diagnostics: [DiagnosticFacts] = []
        var extra = 0
        // Every value is unfolded into the same buffer and parsed there.
        var value: [UInt8] = []
        for field in header.fields where isReceived(field.name, bytes) {
            if hops.count >= maxHops {
                extra += 1
                continue
            }
            // Unfold no more than the parser reads (folding removes at most two bytes of every three), so a
            // 10 MB Received line costs what an 8 KiB one does.
            let limit = ReceivedParser.Limits().maxBytes
            var clipped = field
            clipped.value = field.value.lowerBound..<min(field.value.upperBound, field.value.lowerBound + 3 * limit + 3)
            unfold(clipped, in: bytes, into: &value)
            let hop = value.withUnsafeBufferPointer { ReceivedParser.parse($0) }
            if hop.truncated {
                diagnostics.append(
                    DiagnosticFacts(
                        .warning, "received.truncated",
                        "Received header \(hops.count) is longer than \(ReceivedParser.Limits().maxBytes) bytes; the rest was not read"
                    ))
            }
            if hop.isJunk {
                diagnostics.append(
                    DiagnosticFacts(
                        .info, "received.unreadable", "Received header \(hops.count) has no from, by or date"))
            } else if hop.badDate {
                diagnostics.append(
                    DiagnosticFacts(
                        .info, "received.bad-date", "Received header \(hops.count) has a date that cannot be read"))
            }
            hops.append(hop)
        }
        if extra > 0 {
            diagnostics.append(
                DiagnosticFacts(
                    .warning, "received.hop-limit",
                    "\(extra) Received headers beyond the first \(maxHops) were not read"))
        }
        return (hops, diagnostics)
    }

    /// Whether a field name is `Received` (any case).
    @inline(__always)
    static func isReceived(_ r: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard r.count == 8, ASCII.lower(b[r.lowerBound]) == 0x72 else { return false }
        return b[r].equalsLowercasedASCII("received".utf8)
    }

    /// `field.unfoldedValue(in:)` into a reused buffer: line breaks removed, trailing blanks trimmed.
    static func unfold(_ field: HeaderField, in b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        let end = min(field.value.upperBound, b.count)
        var i = max(0, min(field.value.lowerBound, end))
        while i < end {
            var j = i
            while j < end, b[j] != ASCII.cr, b[j] != ASCII.lf { j += 1 }
            if j > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j])) }
            i = j + 1
        }
        while let last = out.last, ASCII.isSpaceOrTab(last) { out.removeLast() }
    }

    public static func analysis(
        header: HeaderBlock, bytes: UnsafeBufferPointer<UInt8>, config: OriginConfig = OriginConfig(),
        profile: RelayProfile? = nil
    ) -> OriginAnalysis {
        let (received, diagnostics) = receivedHops(header: header, bytes: bytes)
        let context = OriginContext(header: header, bytes: bytes)
        var a = decide(received: received, context: context, config: config, profile: profile)
        a.diagnostics = diagnostics + a.diagnostics
        return a
    }

    /// The decision over parsed hops.
    public static func decide(
        received: [ReceivedHop], context: OriginContext, config: OriginConfig = OriginConfig(),
        profile: RelayProfile? = nil
    ) -> OriginAnalysis {
        decide(received: received, context: context, config: config, profile: profile, explain: true, memo: nil)
    }

    /// The decision; without `explain` the reasons and the explanation are left empty (a scan stores neither).
    static func decide(
        received: [ReceivedHop], context: OriginContext, config: OriginConfig, profile: RelayProfile?, explain: Bool,
        memo: ChainMemo?
    ) -> OriginAnalysis {
        var walker = TrustWalker(
            hops: received, context: context, config: config, profile: profile, explain: explain, memo: memo)
        let d = OriginDecision(received: received, context: context, config: config, walker: &walker)
        let rows = hopRows(received, trustedAbove: d.originHop ?? received.count, context: context)
        return OriginAnalysis(
            received: received, hops: rows, origin: d.facts(context: context),
            reasons: walker.reasons(), explanation: explain ? d.explanation(context: context) : [],
            diagnostics: clockSkew(rows, received: received), context: context)
    }

    /// The stored rows of the hops; those above `trustedAbove` are on the receiving side.
    static func hopRows(_ received: [ReceivedHop], trustedAbove limit: Int, context: OriginContext) -> [HopFacts] {
        var rows: [HopFacts] = []
        rows.reserveCapacity(received.count)
        for k in received.indices {
            var f = HopFacts(position: k, trusted: k < limit)
            f.fromHelo = received[k].helo
            f.fromRDNS = received[k].rdns
            f.fromIP = received[k].ip?.description
            f.heloIP = received[k].heloIP?.description
            f.ident = received[k].ident
            f.byHost = received[k].by
            f.via = received[k].via
            f.protocolName = received[k].with
            f.smtpID = received[k].id
            f.forAddress = received[k].forAddress
            f.tls = received[k].tls
            f.auth = received[k].auth
            f.timestampUTC = received[k].date?.iso8601UTC
            if k + 1 < received.count, let t = received[k].date, let older = received[k + 1].date {
                f.delaySeconds = clampInt(t.secondsSince1970 - older.secondsSince1970)
            }
            if let t = received[k].date, let d = context.date {
                f.dateOffsetSeconds = clampInt(t.secondsSince1970 - d.secondsSince1970)
            }
            rows.append(f)
        }
        return rows
    }

    /// A hop dated more than an hour before the hop below it. The note names the hop whose clock is out of line
    /// with the others (the one of the pair further from the chain's median time), not the upper one by default.
    static func clockSkew(_ rows: [HopFacts], received: [ReceivedHop]) -> [DiagnosticFacts] {
        guard let t = rows.first(where: { ($0.delaySeconds ?? 0) < -3600 }) else { return [] }
        let times = received.compactMap { $0.date?.secondsSince1970 }.sorted()
        var culprit = t.position
        if times.count >= 3, t.position + 1 < received.count, let upper = received[t.position].date?.secondsSince1970,
            let lower = received[t.position + 1].date?.secondsSince1970
        {
            let median = times[times.count / 2]
            if abs(lower - median) > abs(upper - median) { culprit = t.position + 1 }
        }
        let gap = -(t.delaySeconds ?? 0)
        let message =
            times.count < 3
            ? "hop \(t.position) is dated \(gap) s before the hop below it: one of the two clocks is wrong"
            : culprit == t.position
                ? "hop \(t.position) is dated \(gap) s before the hop below it: its clock is out of line with the others"
                : "hop \(culprit) is dated \(gap) s after the hop above it: its clock is out of line with the others"
        return [DiagnosticFacts(.info, "received.clock-skew", message)]
    }

    static func isGoogleMX(_ by: String?) -> Bool {
        guard let b = by else { return false }
        return HostText.lowerEquals(b, "mx.google.com") || HostText.lowerHasSuffix(b, ".mx.google.com")
    }

    static func clampInt(_ v: Int64) -> Int {
        Int(max(Int64(Int32.min), min(Int64(Int32.max), v)))
    }

    // MARK: Learning the site's relays

    /// What this message says about the receiving site's relays: the relay that handed it over from outside
    /// (and, for list mail, the relay that handed it to the list server), and whether that relay had itself received
    /// it over SMTP from an unrelated public sender. Empty for messages with no public handover.
    public static func observe(received: [ReceivedHop], context: OriginContext) -> [RelayObservation] {
        observe(received: received, context: context, memo: nil)
    }

    static func observe(received: [ReceivedHop], context: OriginContext, memo: ChainMemo?) -> [RelayObservation] {
        var walker = TrustWalker(
            hops: received, context: context, config: OriginConfig(), profile: nil, explain: false, memo: memo)
        walker.trustNamedRelays = false
        var site = OrgSet()
        var nearby: [IPAddress] = []
        var out: [RelayObservation] = []
        guard let b = walker.walk(from: 0, site: &site, nearby: &nearby, mode: .recipient).boundary else { return out }
        if !context.isList {
            if let o = observation(at: b, walker: &walker) { out.append(o) }
            return out
        }
        // List mail: the list server is left to the list rule; look at what handed the message to it.
        guard let j = walker.nextWritten(after: b), walker.listSiteContinues(b, j) else { return out }
        var listSite = OrgSet(walker.memo.nameOrgs(b))
        var listNearby = received[b].ip.map { [$0] } ?? []
        if let b2 = walker.walk(from: j, site: &listSite, nearby: &listNearby, mode: .relay).boundary,
            let o = observation(at: b2, walker: &walker)
        {
            out.append(o)
        }
        return out
    }

    /// The observation for the relay that hop `b` records as its sender.
    static func observation(at b: Int, walker: inout TrustWalker) -> RelayObservation? {
        let received = walker.hops
        guard let ip = received[b].ip, ip.isPublic, let by = walker.memo.byOrg(b),
            !TrustWalker.isExchangeOnlineFrontend(received[b].by)
        else { return nil }
        // A relay's reverse DNS is what its provider chose: a rented host carries the provider's generic name, which
        // spells out the address like a customer pool's. Such a relay is still observed when its own names chain: it
        // presented a name of the receiving organisation and wrote the hop below under that name.
        let named = walker.namedRelay(b, site: OrgSet([by])) != nil
        guard named || (received[b].rdnsStatus == .name && !TrustWalker.looksDynamic(received[b].rdns, ip)) else {
            return nil
        }
        let relay = RelayProfile.Relay(site: by, network: RelayProfile.network(of: ip))
        var source: IPNetwork? = nil
        if let j = walker.nextWritten(after: b), walker.memo.consistentWithNext(b),
            let t0 = received[b].date, let t1 = received[j].date,
            abs(t0.secondsSince1970 - t1.secondsSince1970) <= 86_400
        {
            var relaySite = OrgSet(walker.memo.nameOrgs(b))
            var relayNearby = [ip]
            if let b3 = walker.walk(from: j, site: &relaySite, nearby: &relayNearby, mode: .relay).boundary,
                let s = received[b3].ip, s.isPublic, !TrustWalker.near(s, ip), received[b3].protocolKind != .http
            {
                var n = RelayProfile.network(of: s)
                n.prefix128 = s.isIPv4 ? 96 + 16 : 32
                if let v = s.ipv4Value { n.address = IPAddress(ipv4: v & 0xFFFF_0000) }
                source = n
            }
        }
        return RelayObservation(relay: relay, source: source)
    }

    public static func observe(header: HeaderBlock, bytes: UnsafeBufferPointer<UInt8>) -> [RelayObservation] {
        observe(
            received: receivedHops(header: header, bytes: bytes).0, context: OriginContext(header: header, bytes: bytes)
        )
    }
}
