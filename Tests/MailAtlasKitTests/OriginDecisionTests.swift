import MailAtlasKit
import MailCore
import Testing

/// Hand-written messages, one per situation of ORIGIN-RULE.md, with the decision the rule gives.
@Suite struct OriginDecisionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var headers: [String]
        var origin: String?
        var rule: OriginRule
        var handover: String? = nil
        var config = OriginConfig()
        var testDescription: String { name }
    }

    static func analyze(_ headers: [String], config: OriginConfig = OriginConfig(), profile: RelayProfile? = nil)
        -> OriginAnalysis
    {
        let bytes = Array((headers.joined(separator: "\r\n") + "\r\n\r\nbody\r\n").utf8)
        return bytes.withUnsafeBufferPointer { b in
            OriginAnalyzer.analysis(header: HeaderBlock(parsing: b), bytes: b, config: config, profile: profile)
        }
    }

    static let cases: [Case] = [
        Case(
            name: "qmail: forged HELO literal, origin is the connecting IP",
            headers: [
                "Received: (qmail 7415 invoked by uid 30); 26 May 2016 04:32:45 +0900",
                "Received: (qmail 7411 invoked from network); 26 May 2016 04:32:45 +0900",
                "Received: from unknown (HELO ?39.33.4.85?) (39.33.27.49)\r\n  by mail.rcpt.example with SMTP; 26 May 2016 04:32:44 +0900",
            ], origin: "39.33.27.49", rule: .edge, handover: "39.33.27.49"),
        Case(
            name: "Postfix behind a private relay; forged hops below are ignored",
            headers: [
                "Received: from mail1.rcpt.example (mail1.rcpt.example [10.23.1.4])\r\n\tby spanky.rcpt.example (Postfix) with ESMTP id DA2E for <u@rcpt.example>; Sun, 20 Mar 2005 20:16:12 -0500 (EST)",
                "Received: from 10.23.1.4 (unknown [82.230.1.163])\r\n\tby mail1.rcpt.example (Postfix) with SMTP id AB8D for <u@rcpt.example>; Sun, 20 Mar 2005 20:16:02 -0500 (EST)",
                "Received: from [160.22.180.192] by 10.23.1.4 with ESMTP id <1464>; Mon, 21 Mar 2005 02:13:02 +0100",
            ], origin: "82.230.1.163", rule: .edge, handover: "82.230.1.163"),
        Case(
            name: "amavis loop through localhost, then the edge",
            headers: [
                "Received: from localhost (localhost [127.0.0.1]) by mx.rcpt.example (Postfix) with ESMTP id 1; Sun, 1 Jan 2017 00:00:06 +0000",
                "Received: from mx.rcpt.example ([127.0.0.1]) by localhost (amavisd-new, port 10024) with ESMTP id 2; Sun, 1 Jan 2017 00:00:05 +0000",
                "Received: from out.sender.example (out.sender.example [81.2.69.142]) by mx.rcpt.example (Postfix) with ESMTP id 3; Sun, 1 Jan 2017 00:00:04 +0000",
            ], origin: "81.2.69.142", rule: .edge, handover: "81.2.69.142"),
        Case(
            name: "Exchange Online: internals skipped, client of the protection frontend",
            headers: [
                "Received: from IA1PR19MB6451.namprd19.prod.outlook.com (::1) by MN0PR19MB6312.namprd19.prod.outlook.com with HTTPS; Mon, 5 Dec 2022 18:33:04 +0000",
                "Received: from BN0PR04CA0157.namprd04.prod.outlook.com (2603:10b6:408:eb::12) by IA1PR19MB6451.namprd19.prod.outlook.com (2603:10b6:208:389::6) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5880.11; Mon, 5 Dec 2022 18:33:03 +0000",
                "Received: from BN8NAM11FT067.eop-nam11.prod.protection.outlook.com (2a01:111:f400:7e0d::202) by BN0PR04CA0157.outlook.office365.com (2603:10b6:408:eb::12) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5880.14 via Frontend Transport; Mon, 5 Dec 2022 18:33:03 +0000",
                "Received: from mail-qk1-f198.google.com (209.85.222.198) by BN8NAM11FT067.mail.protection.outlook.com (10.13.177.159) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5880.14 via Frontend Transport; Mon, 5 Dec 2022 18:33:03 +0000",
                "Received: by mail-qk1-f198.google.com with SMTP id de43so17495930qkb.6 for <p@rcpt.example>; Mon, 05 Dec 2022 10:33:03 -0800 (PST)",
                "X-MS-Exchange-Organization-SCL: 1",
                "X-Sender-IP: 209.85.222.198",
            ], origin: "209.85.222.198", rule: .providerInternal, handover: "209.85.222.198"),
        Case(
            name: "Gmail: internal top hop, then mx.google.com's client",
            headers: [
                "Received: by 2002:a05:612c:711:b0:381:73ac:3a65 with SMTP id ft17csp1633125vqb; Mon, 16 Jan 2023 09:02:28 -0800 (PST)",
                "Received: from mail.sender.example (mail.sender.example. [88.99.142.95]) by mx.google.com with ESMTPS id z7si28 for <x@gmail.com> (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128); Mon, 16 Jan 2023 09:02:28 -0800 (PST)",
                "Received: from [10.0.0.2] (dsl-7.client.example [81.2.69.7]) (Authenticated sender: a) by mail.sender.example (Postfix) with ESMTPSA id 5; Mon, 16 Jan 2023 18:02:20 +0100",
            ], origin: "88.99.142.95", rule: .providerInternal, handover: "88.99.142.95"),
        Case(
            name: "fetchmail from a POP3 mailbox restarts the chain at its provider",
            headers: [
                "Received: from localhost (localhost [127.0.0.1]) by home.rcpt.example (Postfix) with ESMTP id 1439 for <z@localhost>; Mon, 26 Aug 2002 10:13:02 -0400 (EDT)",
                "Received: from mail.isp.example [193.120.211.219] by localhost with POP3 (fetchmail-5.9.0) for z@localhost (single-drop); Mon, 26 Aug 2002 15:13:02 +0100 (IST)",
                "Received: from usa.example (unknown [61.157.85.117]) by mail.isp.example (8.9.3/8.9.3) with SMTP id QAA21963 for <z@isp.example>; Sun, 25 Aug 2002 16:29:10 +0100",
                "Received: from unknown (HELO mx.forged.example) (114.106.224.38) by rly.forged.example with SMTP; Sun, 25 Aug 0102 02:03:20 +0500",
            ], origin: "61.157.85.117", rule: .fetch, handover: "61.157.85.117"),
        Case(
            name: "mailing list: origin is the poster's relay, handover the list server",
            headers: [
                "Received: from lists.example.org (lists.example.org [199.232.76.165]) by mx.rcpt.example (Postfix) with ESMTP id d34; Wed, 06 Aug 2008 13:58:16 -0700 (PDT)",
                "Received: from localhost ([127.0.0.1]:33418 helo=lists.example.org) by lists.example.org with esmtp (Exim 4.43) id 1KQq5G-0001aY-Cr for u@rcpt.example; Wed, 06 Aug 2008 16:58:14 -0400",
                "Received: from mailman by lists.example.org with local (Exim 4.43) id 1KQq4n-0001Z9-06 for help@example.org; Wed, 06 Aug 2008 16:57:45 -0400",
                "Received: from out-1.poster.example ([66.249.90.180]:17562) by lists.example.org with esmtp (Exim 4.60) id 1KQq4k-0001fk-OW for help@example.org; Wed, 06 Aug 2008 16:57:42 -0400",
                "Received: by out-1.poster.example with SMTP id c21so94956ika.2 for <help@example.org>; Wed, 06 Aug 2008 13:57:41 -0700 (PDT)",
                "List-Id: Help list <help.example.org>",
                "List-Post: <mailto:help@example.org>",
            ], origin: "66.249.90.180", rule: .list, handover: "199.232.76.165"),
        Case(
            name: "list server with its own host below it: it is the origin; the rule says how it was reached",
            headers: [
                "Received: from localhost (localhost [127.0.0.1]) by home.rcpt.example (Postfix) with ESMTP id 9D; Thu, 22 Aug 2002 09:23:38 -0400",
                "Received: from pop.isp.example [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for u@localhost (single-drop); Thu, 22 Aug 2002 14:23:38 +0100",
                "Received: from hawk.uni.example (mail.uni.example [136.206.1.5]) by mx.isp.example (8.11.6/8.11.6) with ESMTP id g7MF for <u@isp.example>; Thu, 22 Aug 2002 16:59:11 +0100",
                "Received: from uni.example (uni.example [136.206.21.115]) by hawk.uni.example; Thu, 22 Aug 2002 16:59:17 +0100",
                "List-Id: <talk.uni.example>",
            ], origin: "136.206.1.5", rule: .fetch, handover: "136.206.1.5"),
        Case(
            name: "mailing list not trusted: the list server is the origin",
            headers: [
                "Received: from lists.example.org (lists.example.org [199.232.76.165]) by mx.rcpt.example (Postfix) with ESMTP id d34; Wed, 06 Aug 2008 13:58:16 -0700 (PDT)",
                "Received: from out-1.poster.example ([66.249.90.180]:17562) by lists.example.org with esmtp (Exim 4.60) id 1KQq4k-0001fk-OW for help@example.org; Wed, 06 Aug 2008 16:57:42 -0400",
                "List-Id: Help list <help.example.org>",
            ], origin: "199.232.76.165", rule: .edge, handover: "199.232.76.165",
            config: OriginConfig(trustListServers: false)),
        Case(
            name: "same organisation with public addresses: the site's MX is skipped",
            headers: [
                "Received: (qmail 26559 invoked from network); 21 Aug 2016 10:49:40 -0000",
                "Received: from mx03.hosting.example (mx03.hosting.example [69.5.6.174])\r\n  by pt02.hosting.example ([69.5.6.173])\r\n  with FQDP via TCP; 21 Aug 2016 10:49:40 -0000",
                "Received: (qmail 19675 invoked from network); 21 Aug 2016 10:49:40 -0000",
                "Received: from localhost.localdomain.com (mail.sender.example [208.74.72.248])\r\n  by mx03.hosting.example ([69.5.6.174])\r\n  with ESMTP via TCP; 21 Aug 2016 10:49:39 -0000",
                "Received: from host86.dsl.example ([86.187.174.57]:45321 helo=User) by localhost.localdomain.com with esmtpa (Exim 4.87) id 1bakrE-000291-LF; Fri, 19 Aug 2016 20:34:52 +0600",
            ], origin: "208.74.72.248", rule: .ownRelays, handover: "208.74.72.248"),
        Case(
            name: "a dial-up customer of the recipient's ISP is not one of its relays",
            headers: [
                "Received: from ppp0c199.isp.example (ppp0c199.isp.example [208.192.102.199]) by mail.isp.example (8.9.3/8.9.3) with ESMTP id RAA1 for <u@isp.example>; Fri, 20 Apr 2001 17:12:04 -0400 (EDT)"
            ], origin: "208.192.102.199", rule: .edge, handover: "208.192.102.199"),
        Case(
            name: "forwarder: the relay accepted the message for its own domain's mailbox",
            headers: [
                "Received: from mail1.rcpt.example (mail1.rcpt.example [10.23.1.4]) by spanky.rcpt.example (Postfix) with ESMTP id DA2 for <u@login.rcpt.example>; Sun, 20 Mar 2005 20:16:12 -0500 (EST)",
                "Received: from spam.geek.example (dsl093-012-142.dsl.example [66.93.12.142]) by mail1.rcpt.example (Postfix) with ESMTP id AB8 for <u@rcpt.example>; Sun, 20 Mar 2005 20:02:41 -0500 (EST)",
                "Received: from eBay483.example (host-193-108-235-10.hfc.example [193.108.235.10]) by spam.geek.example (8.10.1/8.9.3) with SMTP id j2L2 for <u@spam.geek.example>; Sun, 20 Mar 2005 21:04:30 -0500 (EST)",
            ], origin: "193.108.235.10", rule: .ownRelays, handover: "193.108.235.10"),
        Case(
            name: "authenticated submission only: no origin",
            headers: [
                "Received: from [192.0.2.31] (c222.kyoto.example.ne.jp [81.2.69.222]) (authenticated bits=0) by mx.rcpt.example (8.14.3/8.14.3) with ESMTP id n3S0 for <a@rcpt.example>; Tue, 28 Apr 2009 09:27:56 +0900 (JST)"
            ], origin: nil, rule: .noneInternal),
        Case(
            name: "local pickup only: no origin",
            headers: [
                "Received: by mail.example.org (Postfix, from userid 889) id 2F1B; Fri, 4 May 2001 14:05:44 -0400 (EDT)"
            ],
            origin: nil, rule: .noneInternal),
        Case(
            name: "documentation address: no real origin",
            headers: [
                "Received: from mx.example.jp (mx.example.jp [192.0.2.25]) by mail.rcpt.example (8.14.4/8.14.4) with ESMTP id oBB3; Sat, 11 Dec 2010 12:20:00 +0900 (JST)"
            ], origin: nil, rule: .noneNonpublic),
        Case(
            name: "sender-side by-only hop: nothing recorded",
            headers: ["Received: by mail-wr1.sender.example with SMTP id a1; Mon, 05 Dec 2022 10:33:03 -0800 (PST)"],
            origin: nil, rule: .noneInternal),
        Case(
            name: "names only, no address literal anywhere",
            headers: ["Received: from venus.sender.example by mars.rcpt.example; Mon, 7 Oct 1991 10:00:00 -0400"],
            origin: nil, rule: .noneUnclear),
        Case(
            name: "webmail via HTTP at the recipient's own provider: the web client",
            headers: [
                "Received: from [41.222.192.69] by web82107.mail.provider.example via HTTP; Thu, 03 Dec 2009 10:50:22 PST"
            ], origin: "41.222.192.69", rule: .edge, handover: "41.222.192.69"),
        Case(
            name: "configured internal network: a public MX of the site is skipped",
            headers: [
                "Received: from mx2.site.example (mx2.site.example [81.2.70.1]) by store.other.example (Postfix) with ESMTP id 1; Mon, 1 Jan 2018 00:00:02 +0000",
                "Received: from out.sender.example (out.sender.example [81.2.69.142]) by mx2.site.example (Postfix) with ESMTP id 2; Mon, 1 Jan 2018 00:00:01 +0000",
            ], origin: "81.2.69.142", rule: .ownRelays, handover: "81.2.69.142",
            config: OriginConfig(internalNetworks: OriginConfig.networks("81.2.70.0/24").networks)),
    ]

    @Test(arguments: cases)
    func decides(_ c: Case) {
        let a = Self.analyze(c.headers, config: c.config)
        #expect(a.origin.ip == c.origin)
        #expect(a.origin.rule == c.rule)
        #expect(a.origin.handoverIP == c.handover)
        if let o = a.origin.hop {
            #expect(a.hops[o].trusted == false)
            #expect(a.hops.prefix(o).allSatisfy { $0.trusted })
        }
    }

    @Test func provenanceOfEachHop() {
        let a = Self.analyze(Self.cases[0].headers)
        #expect(a.hops.count == 3)
        #expect(a.origin.hop == 2)
        #expect(a.origin.claimedFirstIP == "39.33.27.49")
        #expect(a.hops[2].fromIP == "39.33.27.49")
        #expect(a.hops[2].heloIP == "39.33.4.85")
        #expect(a.hops[2].delaySeconds == nil)
        #expect(a.hops[1].delaySeconds == 1)
        #expect(a.reasons[0] != nil && a.reasons[2] != nil)
    }

    @Test func originatingHeaderIsKeptApart() {
        let a = Self.analyze(Self.cases[3].headers)
        #expect(a.origin.originatingIPHeader == "209.85.222.198")
        let b = Self.analyze([
            "Received: from web.provider.example (web.provider.example [81.2.69.10]) by mx.rcpt.example (Postfix) with ESMTP id 1; Mon, 1 Jan 2018 00:00:01 +0000",
            "X-Originating-IP: [162.156.202.84]",
        ])
        #expect(b.origin.ip == "81.2.69.10")
        #expect(b.origin.originatingIPHeader == "162.156.202.84")
    }

    @Test func dateSkewAgainstTheDateHeader() {
        let a = Self.analyze([
            "Received: from out.sender.example (out.sender.example [81.2.69.142]) by mx.rcpt.example (Postfix) with ESMTP id 3; Sun, 1 Jan 2017 00:10:00 +0000",
            "Date: Sun, 1 Jan 2017 00:00:00 +0000",
        ])
        #expect(a.hops[0].dateOffsetSeconds == 600)
    }

    @Test func learnedRelaysAreSkipped() {
        // A relay that forwarded mail from many unrelated senders into the site is learned as the site's own.
        var builder = RelayProfileBuilder()
        var last: [String] = []
        for k in 1...6 {
            last = [
                "Received: from relay.forwarder.example (relay.forwarder.example [193.120.211.219]) by home.rcpt.example (8.11.6/8.11.6) with ESMTP id g\(k); Sun, 25 Aug 2002 16:03:24 +0100",
                "Received: from sender\(k).example (host.sender\(k).example [\(20 + k * 10).\(k).1.1]) by relay.forwarder.example (8.9.3/8.9.3) with SMTP id Q\(k) for <u@rcpt.example>; Sun, 25 Aug 2002 16:03:30 +0100",
            ]
            let bytes = Array((last.joined(separator: "\r\n") + "\r\n\r\n").utf8)
            bytes.withUnsafeBufferPointer { b in
                builder.add(OriginAnalyzer.observe(header: HeaderBlock(parsing: b), bytes: b))
            }
        }
        let profile = builder.build()
        #expect(profile.relays.count == 1)
        #expect(Self.analyze(last).origin.ip == "193.120.211.219")
        let a = Self.analyze(last, profile: profile)
        #expect(a.origin.ip == "80.6.1.1")
        #expect(a.origin.rule == .ownRelays)
        #expect(a.origin.confidence == .medium)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.1.2.3", true), ("10.0.0.0/8", "11.0.0.1", false), ("2001:db8::/32", "2001:db8:1::1", true),
        ("192.168.1.7", "192.168.1.7", true), ("0.0.0.0/0", "8.8.8.8", true), ("2603:1000::/24", "2603:10b6::1", true),
    ])
    func networksMatch(_ net: String, _ ip: String, _ inside: Bool) throws {
        let n = try #require(IPNetwork(net))
        #expect(n.contains(try #require(IPAddress(ip))) == inside)
    }

    @Test func badNetworksAreReported() {
        let r = OriginConfig.networks("10.0.0.0/8, 300.1.1.1, 10.0.0.0/33 ::1")
        #expect(r.networks.count == 2)
        #expect(r.invalid == ["300.1.1.1", "10.0.0.0/33"])
    }

    @Test func clockSkewBlamesTheHopOutOfLineWithTheOthers() {
        // The sender's own hop is two hours ahead of the receiving side's two hops.
        let a = Self.analyze([
            "Received: from localhost (localhost [127.0.0.1]) by mail.rcpt.example with LMTP; Wed, 5 Nov 2025 10:00:00 +0000",
            "Received: from out.sender.example (out.sender.example [64.15.22.10]) by mail.rcpt.example with ESMTP id A1; Wed, 5 Nov 2025 09:59:00 +0000",
            "Received: from pc (pc [192.168.1.5]) by out.sender.example with ESMTP id B1; Wed, 5 Nov 2025 12:00:00 +0000",
        ])
        let note = a.diagnostics.first { $0.code == "received.clock-skew" }
        #expect(
            note?.message == "hop 2 is dated 7260 s after the hop above it: its clock is out of line with the others")
    }

    @Test func exchangeOnlinesSenderIPIsTheRecipientsProvidersWord() {
        let a = Self.analyze([
            "Received: from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2100.outbound.protection.outlook.com [40.107.22.100]) by mx.rcpt.example with ESMTPS id C1; Wed, 5 Nov 2025 10:00:00 +0000",
            "X-MS-Exchange-Organization-SCL: 1",
            "X-Sender-IP: 64.15.22.10",
        ])
        #expect(a.context.exchangeOnline)
        #expect(a.explanation.contains { $0.contains("written by the recipient's provider (Exchange Online)") })
        // The longer organisation headers (33 bytes and more) say so too.
        let authAs = Self.analyze([
            "Received: from out.sender.example (out.sender.example [64.15.22.10]) by mx.rcpt.example with ESMTPS id C2; Wed, 5 Nov 2025 10:00:00 +0000",
            "X-MS-Exchange-Organization-AuthAs: Anonymous",
        ])
        #expect(authAs.context.exchangeOnline)
        let plain = Self.analyze([
            "Received: from web.sender.example (web.sender.example [64.15.22.11]) by mx.rcpt.example with ESMTP id D1; Wed, 5 Nov 2025 10:00:00 +0000",
            "X-Originating-IP: [64.15.22.99]",
        ])
        #expect(plain.context.originatingHeader?.ip.description == "64.15.22.99")
        #expect(plain.explanation.contains { $0.contains("written by the sender's provider") })
    }
}
