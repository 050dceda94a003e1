import MailCore

/// One message's origin decision (ORIGIN-RULE.md): where the walks stopped, the rule, the confidence and the
/// addresses, before it becomes stored facts (`facts`) and sentences (`explanation`).
struct OriginDecision {
    let received: [ReceivedHop]
    /// What the walks found: the recipient's, and the list site's when it went on.
    var walk: Walk
    /// The first hop from outside the receiving side.
    var boundary: Int?
    /// The hop whose sender is the origin (or would be, were its address public).
    var originHop: Int?
    var ip: IPAddress?
    var rule: OriginRule
    var confidence: OriginConfidence
    /// The origin is the host that posted to a mailing list the recipient reads through.
    var viaList = false
    /// The message is list mail, but nothing below the list server names another sender.
    var listFallback = false
    /// The IP that handed the message over when list servers are not trusted.
    var handover: IPAddress?
    /// The earliest public address the chain claims.
    var claimed: IPAddress?

    /// Walks `walker`'s chain and decides.
    init(received: [ReceivedHop], context: OriginContext, config: OriginConfig, walker: inout TrustWalker) {
        self.received = received
        var site = OrgSet()
        var nearby: [IPAddress] = []
        walk = walker.walk(from: 0, site: &site, nearby: &nearby, mode: .recipient)
        boundary = walk.boundary
        originHop = boundary
        if let b = boundary {
            walker.note(b, false, .firstOutside)
            if context.isList, config.trustListServers, let j = walker.nextWritten(after: b),
                walker.listSiteContinues(b, j), received[b].ip != nil
            {
                var listSite = OrgSet(walker.memo.nameOrgs(b))
                var listNearby = received[b].ip.map { [$0] } ?? []
                let before = walker.steps.count
                let listWalk = walker.walk(from: j, site: &listSite, nearby: &listNearby, mode: .relay)
                if let b2 = listWalk.boundary, let ip = received[b2].ip, ip.isPublic {
                    walk.absorb(listWalk)
                    originHop = b2
                    viaList = true
                    if walker.explain { walker.steps[before - 1].reason = .listServer }
                    walker.note(b2, false, .handedToList)
                } else {
                    // The list server is the origin: what the walk below it stepped over says nothing about it.
                    walker.steps.removeSubrange(before..<walker.steps.count)
                    listFallback = true
                    walk.confidence = min(walk.confidence, .medium)
                }
            }
        }

        if let o = originHop {
            let h = received[o]
            if let a = h.ip, a.isPublic {
                ip = a
                if viaList {
                    rule = .list
                } else if walk.usedOwnRelay {
                    rule = .ownRelays
                } else if walk.fetched {
                    rule = .fetch
                } else if walk.usedProvider || TrustWalker.isExchangeOnlineFrontend(h.by)
                    || OriginAnalyzer.isGoogleMX(h.by)
                {
                    rule = .providerInternal
                } else {
                    rule = .edge
                }
            } else if h.ip != nil || h.unparsedIP != nil {
                rule = .noneNonpublic
            } else {
                rule = .noneUnclear
            }
        } else if let k = walk.lastPublicRelay, !received[(k + 1)...].contains(where: { $0.recordsSender }) {
            // The walk ended on a public relay of the site with no header below it: that relay received the message
            // from somebody, but the header that says from whom is missing. The relay is not the origin.
            rule = .noneUnclear
            walk.confidence = .low
        } else {
            rule = .noneInternal
        }
        confidence = walk.confidence

        if let b = boundary, let a = received[b].ip, a.isPublic { handover = a }
        if !config.trustListServers || !viaList, rule != .noneNonpublic, rule != .noneUnclear {
            handover = handover ?? ip
        }
        claimed = received.reversed().lazy.compactMap { $0.ip }.first { $0.isPublic }
    }

    /// The stored origin facts.
    func facts(context: OriginContext) -> OriginFacts {
        OriginFacts(
            ip: ip?.description, hop: ip == nil ? nil : originHop, rule: rule, confidence: confidence,
            handoverIP: handover?.description, claimedFirstIP: claimed?.description,
            originatingIPHeader: context.originatingHeader?.ip.description)
    }

    /// How the decision was reached, in sentences: every sentence `trace` prints about it is written here.
    func explanation(context: OriginContext) -> [String] {
        var out: [String] = []
        if let o = originHop, let ip {
            let h = received[o]
            out.append(
                "Origin \(ip): the sending host of hop \(o) (\(h.fromWord ?? "no name")), as recorded by \(h.by ?? "the receiving host")."
            )
            if viaList, let b = boundary, let l = received[b].ip {
                out.append(
                    "The mailing-list server \(l) handed the message over (handover IP); the origin is the host that posted to the list."
                )
            }
            if listFallback {
                out.append(
                    "The message carries list headers, but nothing below the list server names another sender: the list server is the origin."
                )
            }
        } else {
            switch rule {
            case .noneNonpublic:
                if let o = originHop, let a = received[o].ip {
                    out.append(
                        "The first hop from outside records \(a), a \(a.scope.rawValue) address: no real origin.")
                } else if let o = originHop, let u = received[o].unparsedIP {
                    out.append("The first hop from outside records the address \"\(u)\", which is not an address.")
                }
            case .noneUnclear:
                if let o = originHop {
                    out.append(
                        "The first hop from outside (\(received[o].fromWord ?? "no name")) records no connecting address."
                    )
                } else if let k = walk.lastPublicRelay {
                    out.append(
                        "The last hop is the site's own relay \(received[k].ip.map { "\($0)" } ?? "-"), and the header that recorded who handed it the message is missing: the origin is unknown."
                    )
                }
            case .noneInternal:
                out.append(
                    received.isEmpty
                        ? "The message has no Received headers."
                        : "Every hop is on the receiving side: the message never crossed from outside.")
            default: break
            }
        }
        if let h = context.originatingHeader {
            // Exchange Online writes X-Sender-IP on the recipient's side, when it accepts the message; the other
            // headers are the sender's webmail or submission server's.
            let writer =
                context.exchangeOnline && h.name.lowercased() == "x-sender-ip"
                ? "written by the recipient's provider (Exchange Online) when it accepted the message"
                : "written by the sender's provider"
            out.append("\(h.name) says \(h.ip) (weaker evidence: \(writer), not verified here).")
        }
        return out
    }
}
