import MailAtlasKit
import MailCore
import Testing

/// The classes of origin mistakes seen on spools mailatlas had never seen (the origin issue), each as a hand-written
/// chain of its shape: the receiving side is decided by evidence in the message and the spool, not by names alone.
@Suite struct OriginEvidenceTests {
    static func analyze(_ headers: [String], profile: RelayProfile? = nil) -> OriginAnalysis {
        OriginDecisionTests.analyze(headers, profile: profile)
    }

    static func observe(_ headers: [String], into builder: inout RelayProfileBuilder) {
        let bytes = Array((headers.joined(separator: "\r\n") + "\r\n\r\nbody\r\n").utf8)
        bytes.withUnsafeBufferPointer { b in
            builder.add(OriginAnalyzer.observe(header: HeaderBlock(parsing: b), bytes: b))
        }
    }

    // MARK: Class 1: the recipient's inbound relay on a hosting provider's address

    /// The site's relay `gate` rents an address whose reverse DNS spells it out (the provider's generic name, which
    /// also looks like a customer pool). It presents itself as `gate.rcpt.example` and writes the hop below under
    /// that name; `k` varies the sender.
    static func rentedRelayChain(_ k: Int, sender: String? = nil, site: String = "rcpt.example") -> [String] {
        let ip = sender ?? "\(40 + k * 7).\(k * 3 + 1).\(k).\(k + 9)"
        return [
            "Received: from gate.\(site) (23-95-222-152-host.colo.example [23.95.222.152] (may be forged))\r\n\tby inbox.\(site) (8.18.1/8.18.1) with ESMTPS id 5AJ\(k)\r\n\tfor <user@rcpt.example>; Wed, 19 Nov 2025 19:01:0\(k % 10) GMT",
            "Received: from out\(k).sender\(k).example (out\(k).sender\(k).example [\(ip)])\r\n\tby gate.\(site) (8.16.1/8.16.1) with ESMTPS id 5AK\(k)\r\n\tfor <user@rcpt.example>; Wed, 19 Nov 2025 13:01:0\(k % 10) -0600",
        ]
    }

    @Test func aRentedRelayWithAGenericNameIsLearnedFromTheSpool() {
        // 20 messages, the size of a small folder: the relay handed over each, from 20 different networks.
        var builder = RelayProfileBuilder()
        for k in 1...20 { Self.observe(Self.rentedRelayChain(k), into: &builder) }
        let profile = builder.build()
        #expect(profile.contains(site: "rcpt.example", ip: IPAddress("23.95.222.152")!))
        let a = Self.analyze(Self.rentedRelayChain(7), profile: profile)
        #expect(a.origin.ip == "89.22.7.16")
        #expect(a.origin.rule == .ownRelays)
        #expect(a.origin.confidence == .medium)
    }

    @Test func aSiteNamedOutsideThePublicNamespaceStillHasItsRelayLearned() {
        // The same relay, in a site whose hosts have internal names (`.internal`, no registrable domain): the site is
        // what the names share, and the spool's evidence decides as before.
        func chain(_ k: Int) -> [String] { Self.rentedRelayChain(k, site: "mail.corp.internal") }
        var builder = RelayProfileBuilder()
        for k in 1...20 { Self.observe(chain(k), into: &builder) }
        let profile = builder.build()
        #expect(profile.contains(site: "mail.corp.internal", ip: IPAddress("23.95.222.152")!))
        let a = Self.analyze(chain(7), profile: profile)
        #expect(a.origin.ip == "89.22.7.16")
        #expect(a.origin.rule == .ownRelays)
        // With no spool and no public name, names alone do not reach outside the site's namespace either: the
        // relay's HELO is the site's host and wrote the hop below, so it is trusted with low confidence.
        let alone = Self.analyze(chain(7))
        #expect(alone.origin.ip == "89.22.7.16")
        #expect(alone.origin.confidence == .low)
    }

    @Test func withoutASpoolTheRelaysNamesDecideWithLowConfidence() {
        // One message (`trace` with no store): its names chain (HELO in the receiving organisation, the hop below
        // written under that very name), so the relay is skipped, and the answer says it rests on names only.
        let a = Self.analyze(Self.rentedRelayChain(3))
        #expect(a.origin.ip == "61.10.3.12")
        #expect(a.origin.rule == .ownRelays)
        #expect(a.origin.confidence == .low)
    }

    @Test func aHostThatOnlyClaimsTheSitesNameIsNotTrustedWhereTheSpoolKnowsTheRelays() {
        var builder = RelayProfileBuilder()
        for k in 1...20 { Self.observe(Self.rentedRelayChain(k), into: &builder) }
        let profile = builder.build()
        // A spammer connecting straight to the inbox host, presenting the relay's name and forging a hop below.
        let forged = [
            "Received: from gate.rcpt.example (dsl-77-1-2-3.isp.example [77.1.2.3])\r\n\tby inbox.rcpt.example (8.18.1/8.18.1) with ESMTPS id 5AJ1\r\n\tfor <user@rcpt.example>; Wed, 19 Nov 2025 19:01:01 GMT",
            "Received: from trusted.bank.example (trusted.bank.example [12.1.1.1])\r\n\tby gate.rcpt.example (8.16.1/8.16.1) with ESMTPS id 5AK1\r\n\tfor <user@rcpt.example>; Wed, 19 Nov 2025 13:01:00 -0600",
        ]
        let a = Self.analyze(forged, profile: profile)
        #expect(a.origin.ip == "77.1.2.3")
        #expect(a.origin.rule == .edge)
    }

    @Test func theClaimAloneIsNotEnoughWithoutTheChain() {
        // The HELO is in the receiving organisation but nothing below was written under it: no evidence at all.
        let a = Self.analyze([
            "Received: from gate.rcpt.example (23-95-222-152-host.colo.example [23.95.222.152])\r\n\tby inbox.rcpt.example (8.18.1/8.18.1) with ESMTPS id 5AJ1; Wed, 19 Nov 2025 19:01:01 GMT",
            "Received: from out.sender.example (out.sender.example [89.22.7.16])\r\n\tby mail.elsewhere.example (8.16.1/8.16.1) with ESMTPS id 5AK1; Wed, 19 Nov 2025 13:01:00 -0600",
        ])
        #expect(a.origin.ip == "23.95.222.152")
    }

    // MARK: Class 2: a list site that spans domains

    static let spanningListSite = [
        "Received: from lists.example.net (lists.example.net [216.105.38.7])\r\n\tby mail.subscriber.example (Postfix) with ESMTPS id 217EF\r\n\tfor <lists+dev@subscriber.example>; Thu, 20 Jun 2024 23:24:47 +0200 (CEST)",
        "Received: from [127.0.0.1] (helo=ml-3.v29.example.com)\r\n\tby ml-3.v29.example.com with esmtp (Exim 4.95)\r\n\t(envelope-from <dev-bounces@lists.example.net>)\r\n\tid 1sKPGw-0000wW-I0\r\n\tfor lists+dev@subscriber.example; Thu, 20 Jun 2024 21:24:45 +0000",
        "Received: from [172.30.29.66] (helo=mx.example.net)\r\n\tby ml-3.v29.example.com with esmtps (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.95)\r\n\tid 1sKPGw-0000wQ-22 for dev@lists.example.net; Thu, 20 Jun 2024 21:24:45 +0000",
        "Received: from v150-95-82-189.static.hoster.example ([150.95.82.189])\r\n\tby mx-2.v28.example.com with esmtps (TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256) (Exim 4.95)\r\n\tid 1sKPGu-0005Gx-SQ for dev@lists.example.net; Thu, 20 Jun 2024 21:24:45 +0000",
        "Received: by v150-95-82-189.static.hoster.example (Postfix, from userid 33) id 724C3B4458; Fri, 21 Jun 2024 03:46:11 +0700 (+07)",
        "List-Id: Development <dev.lists.example.net>",
        "List-Post: <mailto:dev@lists.example.net>",
    ]

    @Test func aListSiteSpanningTwoDomainsIsOneSite() {
        let a = Self.analyze(Self.spanningListSite)
        #expect(a.origin.ip == "150.95.82.189")
        #expect(a.origin.rule == .list)
        #expect(a.origin.handoverIP == "216.105.38.7")
    }

    // MARK: Class 3: list headers from far below

    @Test func aListHeaderFromFarBelowDoesNotMakeAForwarderAListServer() {
        // A user's private forwarder above a list the message crossed long ago: the list's domain points at none of
        // the hops right below the receiving side, so those hops are read as ordinary relays.
        let a = Self.analyze([
            "Received: from fwd.private.example (fwd.private.example [93.184.1.1]) by mx.rcpt.example (Postfix) with ESMTP id A1 for <me@rcpt.example>; Mon, 2 Mar 2026 10:00:05 +0000",
            "Received: from smtp.isp.example (smtp.isp.example [88.1.2.3]) by fwd.private.example (Postfix) with ESMTP id B1 for <me@rcpt.example>; Mon, 2 Mar 2026 10:00:04 +0000",
            "Received: from lists.far.example (lists.far.example [64.1.2.3]) by smtp.isp.example (Postfix) with ESMTP id C1 for <old@isp.example>; Mon, 2 Mar 2026 09:00:00 +0000",
            "Received: from poster.example (poster.example [71.5.6.7]) by lists.far.example (Postfix) with ESMTP id D1 for <talk@far.example>; Mon, 2 Mar 2026 08:59:00 +0000",
            "List-Post: <mailto:talk@far.example>",
            "List-Id: <talk.far.example>",
        ])
        #expect(a.origin.ip == "93.184.1.1")
        #expect(a.origin.rule == .edge)
    }

    @Test func anEmptyListIdDoesNotMakeTheSitesLearnedRelayAListServer() {
        var builder = RelayProfileBuilder()
        for k in 1...20 { Self.observe(Self.rentedRelayChain(k), into: &builder) }
        let profile = builder.build()
        let a = Self.analyze(Self.rentedRelayChain(4) + ["List-ID: "], profile: profile)
        #expect(a.origin.ip == "68.13.4.13")
        #expect(a.origin.rule == .ownRelays)
    }

    // MARK: A provider's automatic forward

    @Test func aMailboxForwardedByItsProviderIsFollowedToTheProvidersIntake() {
        // Gmail forwards user@webmail.example on to the site: the forwarding provider's outbound relay is the
        // recipient's forwarder, and the origin is the host that handed the message to the provider's intake.
        let a = Self.analyze([
            "Received: from mail-ed1-f53.mailer.example (mail-ed1-f53.mailer.example [209.85.208.53]) by mx.rcpt.example (8.16.1/8.16.1) with ESMTPS id 5AAI for <user@rcpt.example>; Mon, 10 Nov 2025 12:03:11 -0600",
            "Received: by mail-ed1-f53.mailer.example with SMTP id 4fb4d7f45d1cf for <user@rcpt.example>; Mon, 10 Nov 2025 10:03:11 -0800 (PST)",
            "X-Forwarded-To: user@rcpt.example",
            "X-Forwarded-For: user@webmail.example user@rcpt.example",
            "Delivered-To: user@webmail.example",
            "Received: by 2002:a54:2285:0:b0:2ba:7552:a66c with SMTP id b5csp628457eco; Mon, 10 Nov 2025 10:03:07 -0800 (PST)",
            "Received: from vmta187.sender.example (vmta187.sender.example. [142.0.84.187]) by mx.mailer.example with ESMTPS id 6a18 for <user@webmail.example>; Mon, 10 Nov 2025 10:03:06 -0800 (PST)",
        ])
        #expect(a.origin.ip == "142.0.84.187")
        #expect(a.origin.rule == .ownRelays)
        #expect(a.origin.confidence == .medium)
    }

    @Test func anHTTPStyleForwardedForHeaderIsNotAForward() {
        let a = Self.analyze([
            "Received: from mail.sender.example (mail.sender.example [142.0.84.187]) by mx.rcpt.example (Postfix) with ESMTP id 5AAI for <user@rcpt.example>; Mon, 10 Nov 2025 12:03:11 -0600",
            "Received: from web (unknown [10.1.1.1]) by mail.sender.example with HTTP id 7 for <user@rcpt.example>; Mon, 10 Nov 2025 12:03:10 -0600",
            "X-Forwarded-For: 203.0.113.9, 10.1.1.1",
        ])
        #expect(a.origin.ip == "142.0.84.187")
        #expect(a.origin.rule == .edge)
    }

    // MARK: Class 5: no outside hop at all

    @Test func theSitesRelayWithItsInboundHeaderMissingIsNoOrigin() {
        var builder = RelayProfileBuilder()
        for k in 1...20 { Self.observe(Self.rentedRelayChain(k), into: &builder) }
        let profile = builder.build()
        let a = Self.analyze([Self.rentedRelayChain(5)[0]], profile: profile)
        #expect(a.origin.ip == nil)
        #expect(a.origin.rule == .noneUnclear)
        #expect(a.origin.confidence == .low)
        #expect(a.explanation.contains { $0.contains("missing") })
    }

    // MARK: Class 4: Received formats that were not read

    struct FormatCase: CustomTestStringConvertible, Sendable {
        var name: String
        var headers: [String]
        var origin: String
        var testDescription: String { name }
    }

    static let formats: [FormatCase] = [
        FormatCase(
            name: "from CLAIM (unknown[IP]): the claim is the HELO, the origin the glued address",
            headers: [
                "Received: from 1.2.3.4 (unknown[211.94.164.65]) by mx.rcpt.example (Postfix) with SMTP id 5A1B2C; Tue, 4 Mar 2008 11:22:33 +0800"
            ], origin: "211.94.164.65"),
        FormatCase(
            name: "glued name[IP]",
            headers: [
                "Received: from mail.example.com (host.example.net[198.51.7.9]) by mx.rcpt.example (Postfix) with ESMTP id 3F2E1D; Wed, 5 Mar 2008 09:10:11 +0000"
            ], origin: "198.51.7.9"),
        FormatCase(
            name: "XMail (ip:port)",
            headers: [
                "Received: from mail.sender.example (64.15.22.10:38402) by mx.rcpt.example with [XMail 1.27 ESMTP Server] id <S1A2> for <u@rcpt.example> from <a@sender.example>; Mon, 3 Mar 2008 10:00:00 +0100"
            ], origin: "64.15.22.10"),
        FormatCase(
            name: "Momentum ([ip:port] helo=)",
            headers: [
                "Received: from [64.15.22.10] ([64.15.22.10:51234] helo=mta.sender.example) by mx.rcpt.example (envelope-from <b@sender.example>) (ecelerity 4.2.38.62370 r(:)) with ESMTP id 12/34-01234-567890AB; Tue, 4 Mar 2008 12:00:00 -0500"
            ], origin: "64.15.22.10"),
        FormatCase(
            name: "an internal hop with no address between two hosts of the site is stepped over",
            headers: [
                "Received: from b.maths.rcpt.example (b.maths.rcpt.example [193.1.99.2]) by mail.rcpt.example (8.12.9/8.12.9) with ESMTP id h2; Thu, 6 Mar 2003 10:00:02 GMT",
                "Received: from a.maths.rcpt.example by b.maths.rcpt.example (8.12.9/8.12.9) with ESMTP id h1; Thu, 6 Mar 2003 10:00:01 GMT",
                "Received: from out.sender.example (out.sender.example [64.15.22.10]) by a.maths.rcpt.example (8.12.9/8.12.9) with ESMTP id h0; Thu, 6 Mar 2003 10:00:00 GMT",
            ], origin: "64.15.22.10"),
    ]

    @Test(arguments: formats) func aFormatThatWasNotReadDecidesOnItsAddress(_ c: FormatCase) {
        let a = Self.analyze(c.headers)
        #expect(a.origin.ip == c.origin)
        #expect(a.origin.rule == .edge || a.origin.rule == .ownRelays)
        #expect(a.origin.confidence == .high)
    }

    @Test func aNamedRelayAboveAnInternalHopOfTheSiteIsStillTheSites() {
        // The site's relay takes the message from another of its hosts over a hop that records no address; below
        // that, the site's intake recorded the sender.
        let a = Self.analyze([
            "Received: from mx6.rcpt.example by mail5.rcpt.example with esmtp; Tue, 10 Sep 2002 13:53:50 -0500",
            "Received: from mail.rcpt.example (relay.colo.example [209.196.123.141]) by mx6.rcpt.example with smtp; Tue, 10 Sep 2002 13:50:10 -0500",
            "Received: from mx4.rcpt.example by mail.rcpt.example with esmtp; Tue, 10 Sep 2002 13:49:58 -0500",
            "Received: from out.sender.example (out.sender.example [203.181.105.170]) by mx4.rcpt.example with esmtp; Tue, 10 Sep 2002 13:49:58 -0500",
        ])
        #expect(a.origin.ip == "203.181.105.170")
        #expect(a.origin.confidence == .low)
    }
}
