import MailCore
import Testing

/// Hand-written Received headers in the shape each MTA writes them, with every field the parser must find.
@Suite struct ReceivedParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var header: String
        var helo: String? = nil
        var heloIP: String? = nil
        var rdns: String? = nil
        var rdnsStatus: ReceivedHop.RDNSStatus = .absent
        var ip: String? = nil
        var port: Int? = nil
        var ident: String? = nil
        var by: String? = nil
        var byIP: String? = nil
        var with: String? = nil
        var kind: ReceivedHop.ProtocolKind = .unknown
        var via: String? = nil
        var id: String? = nil
        var forAddress: String? = nil
        var tls: String? = nil
        var auth: String? = nil
        var date: String? = nil
        var mta: ReceivedHop.MTAFamily? = nil
        var local = false
        var queueStep = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "Postfix",
            header:
                "from mail.sender.example (mail.sender.example [81.2.69.142]) by mx.rcpt.example (Postfix) with ESMTPS id 4Fq2Kx1Z for <bob@rcpt.example>; Tue, 3 Jan 2023 16:08:45 +0100 (CET)",
            helo: "mail.sender.example", rdns: "mail.sender.example", rdnsStatus: .name, ip: "81.2.69.142",
            by: "mx.rcpt.example", with: "ESMTPS", kind: .esmtp, id: "4Fq2Kx1Z", forAddress: "bob@rcpt.example",
            tls: "ESMTPS", date: "2023-01-03T15:08:45Z", mta: .postfix),
        Case(
            name: "Postfix unknown rDNS, IPv6, TLS comment, authenticated",
            header:
                "from laptop (unknown [IPv6:2a02:c7f:1::5]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) (Authenticated sender: alice) by smtp.sender.example (Postfix) with ESMTPSA id 12AB; Mon, 2 Jan 2023 09:00:00 +0000",
            helo: "laptop", rdnsStatus: .failed, ip: "2a02:c7f:1::5", by: "smtp.sender.example", with: "ESMTPSA",
            kind: .esmtp, id: "12AB",
            tls: "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", auth: "Authenticated sender: alice",
            date: "2023-01-02T09:00:00Z", mta: .postfix),
        Case(
            name: "Postfix local pickup",
            header: "by mail.example.org (Postfix, from userid 889) id 2F1B61B4; Fri, 4 May 2001 14:05:44 -0400 (EDT)",
            ident: "uid 889", by: "mail.example.org", id: "2F1B61B4", date: "2001-05-04T18:05:44Z", mta: .postfix,
            local: true),
        Case(
            name: "Sendmail ident and forged",
            header:
                "from spoof.example (IDENT:root@host-4.dsl.example.net [62.210.1.4] (may be forged)) by relay.rcpt.example (8.11.6/8.11.6) with ESMTP id g6J7RhJ02577 for <jo@rcpt.example>; Fri, 19 Jul 2002 08:27:45 +0100",
            helo: "spoof.example", rdns: "host-4.dsl.example.net", rdnsStatus: .name, ip: "62.210.1.4",
            ident: "root", by: "relay.rcpt.example", with: "ESMTP", kind: .esmtp, id: "g6J7RhJ02577",
            forAddress: "jo@rcpt.example", date: "2002-07-19T07:27:45Z", mta: .sendmail),
        Case(
            name: "Sendmail without reverse DNS",
            header:
                "from lists.example ([66.187.233.211]) by dogma.rcpt.example (8.11.6/8.11.6) with ESMTP id g7SDekZ26573 for <jm@rcpt.example>; Wed, 28 Aug 2002 14:40:47 +0100",
            helo: "lists.example", ip: "66.187.233.211", by: "dogma.rcpt.example", with: "ESMTP", kind: .esmtp,
            id: "g7SDekZ26573", forAddress: "jm@rcpt.example", date: "2002-08-28T13:40:47Z", mta: .sendmail),
        Case(
            name: "Sendmail local",
            header:
                "(from daemon@localhost) by europe.example.com (8.9.3/8.9.3) id RAA09630 for tbtf-outgoing; Fri, 20 Apr 2001 17:31:18 -0400 (EDT)",
            ident: "daemon@localhost", by: "europe.example.com", id: "RAA09630", forAddress: "tbtf-outgoing",
            date: "2001-04-20T21:31:18Z", mta: .sendmail, local: true),
        Case(
            name: "qmail forged HELO literal",
            header:
                "from unknown (HELO ?39.33.4.85?) (39.33.27.49) by mail.rcpt.example with SMTP; 26 May 2016 04:32:45 +0900",
            helo: "39.33.4.85", heloIP: "39.33.4.85", rdnsStatus: .failed, ip: "39.33.27.49", by: "mail.rcpt.example",
            with: "SMTP", kind: .smtp, date: "2016-05-25T19:32:45Z"),
        Case(
            name: "qmail rDNS and ident",
            header:
                "from mx.sender.example (HELO sender.example) (joe@81.2.69.160) by churchill.rcpt.example with SMTP; 6 May 2005 10:58:39 -0000",
            helo: "sender.example", rdns: "mx.sender.example", rdnsStatus: .name, ip: "81.2.69.160", ident: "joe",
            by: "churchill.rcpt.example", with: "SMTP", kind: .smtp, date: "2005-05-06T10:58:39Z"),
        Case(
            name: "qmail invoked by uid", header: "(qmail 7415 invoked by uid 30); 26 May 2016 04:32:45 +0900",
            date: "2016-05-25T19:32:45Z", mta: .qmail, local: true),
        Case(
            name: "qmail invoked from network", header: "(qmail 7411 invoked from network); 26 May 2016 04:32:45 +0900",
            date: "2016-05-25T19:32:45Z", mta: .qmail, queueStep: true),
        Case(
            name: "Exim with rDNS and port",
            header:
                "from ik-out-11.sender.example ([66.249.90.180]:17562 helo=ik-out-11) by monty.rcpt.example with esmtp (Exim 4.60) (envelope-from <a@sender.example>) id 1KQq4k-0001fk-OW for help@rcpt.example; Wed, 06 Aug 2008 16:57:42 -0400",
            helo: "ik-out-11", rdns: "ik-out-11.sender.example", rdnsStatus: .name, ip: "66.249.90.180", port: 17562,
            by: "monty.rcpt.example", with: "esmtp", kind: .esmtp, id: "1KQq4k-0001fk-OW",
            forAddress: "help@rcpt.example", date: "2008-08-06T20:57:42Z", mta: .exim),
        Case(
            name: "Exim without rDNS, ident",
            header:
                "from [199.232.76.173] (port=46438 helo=monty.sender.example ident=mailer) by lists.rcpt.example with esmtps (TLS1.2) (Exim 4.43) id 1KQq4k-0001Un-V2; Wed, 06 Aug 2008 16:57:42 -0400",
            helo: "monty.sender.example", ip: "199.232.76.173", port: 46438, ident: "mailer", by: "lists.rcpt.example",
            with: "esmtps", kind: .esmtp, id: "1KQq4k-0001Un-V2", tls: "TLS1.2", date: "2008-08-06T20:57:42Z",
            mta: .exim),
        Case(
            name: "Exim local",
            header:
                "from mailman by lists.example.org with local (Exim 4.43) id 1KQq4n-0001Z9-06 for list@example.org; Wed, 06 Aug 2008 16:57:45 -0400",
            helo: "mailman", by: "lists.example.org", with: "local", kind: .local, id: "1KQq4n-0001Z9-06",
            forAddress: "list@example.org", date: "2008-08-06T20:57:45Z", mta: .exim, local: true),
        Case(
            name: "Exchange 2000 RDNS failed",
            header:
                "from endeavors.example ([66.161.8.83] RDNS failed) by mail.rcpt.example with Microsoft SMTPSVC(5.0.2195.5329); Wed, 9 Oct 2002 18:50:05 -0700",
            helo: "endeavors.example", rdnsStatus: .failed, ip: "66.161.8.83", by: "mail.rcpt.example",
            with: "Microsoft SMTPSVC", kind: .smtp, date: "2002-10-10T01:50:05Z", mta: .exchange),
        Case(
            name: "Exchange Online frontend",
            header:
                "from mail-qk1-f198.sender.example (209.85.222.198) by BN8NAM11FT067.mail.protection.outlook.com (10.13.177.159) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5880.14 via Frontend Transport; Mon, 5 Dec 2022 18:33:03 +0000",
            helo: "mail-qk1-f198.sender.example", ip: "209.85.222.198", by: "BN8NAM11FT067.mail.protection.outlook.com",
            byIP: "10.13.177.159", with: "Microsoft SMTP Server", kind: .esmtp, via: "Frontend Transport",
            id: "15.20.5880.14", tls: "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            date: "2022-12-05T18:33:03Z", mta: .exchangeOnline),
        Case(
            name: "Exchange mapi with zone id",
            header:
                "from SA0PR04MB7370.namprd04.prod.outlook.com ([fe80::6be0:2de4:9316:c0fb]) by SA0PR04MB7370.namprd04.prod.outlook.com ([fe80::6be0:2de4:9316:c0fb%9]) with mapi id 15.20.5986.023; Mon, 16 Jan 2023 17:02:26 +0000",
            helo: "SA0PR04MB7370.namprd04.prod.outlook.com", ip: "fe80::6be0:2de4:9316:c0fb",
            by: "SA0PR04MB7370.namprd04.prod.outlook.com", byIP: "fe80::6be0:2de4:9316:c0fb", with: "mapi",
            kind: .mapi, id: "15.20.5986.023", date: "2023-01-16T17:02:26Z", mta: .exchangeOnline),
        Case(
            name: "Google MX",
            header:
                "from mail.sender.example (mail.sender.example. [88.99.142.95]) by mx.google.com with ESMTPS id a5si123.2023.01.16 for <x@gmail.example> (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128); Mon, 16 Jan 2023 09:02:28 -0800 (PST)",
            helo: "mail.sender.example", rdns: "mail.sender.example", rdnsStatus: .name, ip: "88.99.142.95",
            by: "mx.google.com", with: "ESMTPS", kind: .esmtp, id: "a5si123.2023.01.16", forAddress: "x@gmail.example",
            tls: "version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128", date: "2023-01-16T17:02:28Z",
            mta: .google),
        Case(
            name: "Google IPv4-mapped HELO",
            header:
                "from [IPv6:::ffff:10.0.0.7] (dsl-5.sender.example [81.2.69.150]) by smtp.gmail.com with ESMTPSA id x1sm2 for <y@rcpt.example>; Tue, 01 Mar 2016 10:00:00 -0800 (PST)",
            helo: "[IPv6:::ffff:10.0.0.7]", heloIP: "10.0.0.7", rdns: "dsl-5.sender.example", rdnsStatus: .name,
            ip: "81.2.69.150",
            by: "smtp.gmail.com", with: "ESMTPSA", kind: .esmtp, id: "x1sm2", forAddress: "y@rcpt.example",
            tls: "ESMTPSA", auth: "ESMTPSA", date: "2016-03-01T18:00:00Z", mta: .google),
        Case(
            name: "Google internal by-only",
            header:
                "by 2002:a05:612c:711:b0:381:73ac:3a65 with SMTP id ft17csp1633125vqb; Mon, 16 Jan 2023 09:02:28 -0800 (PST)",
            by: "2002:a05:612c:711:b0:381:73ac:3a65", byIP: "2002:a05:612c:711:b0:381:73ac:3a65", with: "SMTP",
            kind: .smtp, id: "ft17csp1633125vqb", date: "2023-01-16T17:02:28Z"),
        Case(
            name: "Yahoo webmail via HTTP",
            header: "from [41.222.192.69] by web82107.mail.mud.yahoo.com via HTTP; Thu, 03 Dec 2009 10:50:22 PST",
            ip: "41.222.192.69", by: "web82107.mail.mud.yahoo.com", kind: .http, via: "HTTP",
            date: "2009-12-03T18:50:22Z", mta: .yahoo),
        Case(
            name: "Courier softdnserr",
            header:
                "FROM relay.sender.example (softdnserr [::ffff:81.2.69.170]) BY mx.rcpt.example WITH ESMTP; Sat, 11 Dec 2010 12:19:17 +0900 ID 0EFECD4E.4D02EDD9.0000C5BA",
            helo: "relay.sender.example", rdnsStatus: .failed, ip: "81.2.69.170", by: "mx.rcpt.example", with: "ESMTP",
            kind: .esmtp, id: "0EFECD4E.4D02EDD9.0000C5BA", date: "2010-12-11T03:19:17Z"),
        Case(
            name: "Courier AUTH",
            header:
                "from yoda (12-231-69-107.client.example.net [::ffff:12.231.69.107]) (AUTH: CRAM-MD5 hosting@rcpt.example) by mail.rcpt.example with esmtp; Mon, 23 Sep 2002 08:49:17 -0700",
            helo: "yoda", rdns: "12-231-69-107.client.example.net", rdnsStatus: .name, ip: "12.231.69.107",
            by: "mail.rcpt.example", with: "esmtp", kind: .esmtp, auth: "AUTH: CRAM-MD5 hosting@rcpt.example",
            date: "2002-09-23T15:49:17Z"),
        Case(
            name: "CommuniGate",
            header:
                "from [172.191.136.24] (HELO mx1.mail.sender.example) by pccity.rcpt.example (CommuniGate Pro SMTP 3.4.3) with ESMTP id 2075992; Wed, 28 Aug 2002 10:24:55 -0400",
            helo: "mx1.mail.sender.example", ip: "172.191.136.24", by: "pccity.rcpt.example", with: "ESMTP",
            kind: .esmtp, id: "2075992", date: "2002-08-28T14:24:55Z", mta: .communigate),
        Case(
            name: "CommuniGate account",
            header:
                "from [10.5.1.119] (account kguest HELO tuatha.example) by stock.rcpt.example (CommuniGate Pro SMTP 3.5.9) with ESMTP id 53327; Wed, 04 Dec 2002 11:22:18 +0000",
            helo: "tuatha.example", ip: "10.5.1.119", ident: "kguest", by: "stock.rcpt.example", with: "ESMTP",
            kind: .esmtp, id: "53327", auth: "account kguest", date: "2002-12-04T11:22:18Z", mta: .communigate),
        Case(
            name: "MDaemon",
            header:
                "from [10.0.0.3] [200.173.221.24] by interlize.rcpt.example [200.244.92.2] with SMTP (MDaemon.PRO.v5.0.5.R) for <rpm-list@rcpt.example>; Mon, 23 Sep 2002 14:43:47 -0300",
            helo: "[10.0.0.3]", heloIP: "10.0.0.3", ip: "200.173.221.24", by: "interlize.rcpt.example",
            byIP: "200.244.92.2", with: "SMTP",
            kind: .smtp, forAddress: "rpm-list@rcpt.example", date: "2002-09-23T17:43:47Z", mta: .mdaemon),
        Case(
            name: "Lotus Domino",
            header:
                "from mail2.sender.example ([81.2.69.8]) by mx.rcpt.example (Lotus Domino Release 7.0.1) with ESMTP id 2012070800000000-000000 ; Thu, 8 Jul 2012 00:00:00 +0900",
            helo: "mail2.sender.example", ip: "81.2.69.8", by: "mx.rcpt.example", with: "ESMTP", kind: .esmtp,
            id: "2012070800000000-000000", date: "2012-07-07T15:00:00Z", mta: .domino),
        Case(
            name: "amavis loop",
            header:
                "from localhost (localhost [127.0.0.1]) by mx.rcpt.example (amavisd-new, port 10024) with ESMTP id abc123 for <u@rcpt.example>; Sun, 1 Jan 2017 00:00:05 +0000 (UTC)",
            helo: "localhost", rdns: "localhost", rdnsStatus: .name, ip: "127.0.0.1", by: "mx.rcpt.example",
            with: "ESMTP", kind: .esmtp, id: "abc123", forAddress: "u@rcpt.example", date: "2017-01-01T00:00:05Z",
            mta: .amavis),
        Case(
            name: "Amazon SES outbound",
            header:
                "from a27-7.smtp-out.us-west-2.amazonses.com (a27-7.smtp-out.us-west-2.amazonses.com [54.240.27.7]) by mx.rcpt.example (V8/cf) with ESMTP id u9BD2ecK024078 for <s@rcpt.example>; Tue, 11 Oct 2016 22:02:40 +0900",
            helo: "a27-7.smtp-out.us-west-2.amazonses.com", rdns: "a27-7.smtp-out.us-west-2.amazonses.com",
            rdnsStatus: .name, ip: "54.240.27.7", by: "mx.rcpt.example", with: "ESMTP", kind: .esmtp,
            id: "u9BD2ecK024078", forAddress: "s@rcpt.example", date: "2016-10-11T13:02:40Z", mta: .sendmail),
        Case(
            name: "Amazon SES submission",
            header:
                "from app.sender.example (ec2-3-8-1-1.compute.example [3.8.1.1]) by email-smtp.amazonaws.com with SMTP (SimpleEmailService-d-ABC123) id q9kDv; Tue, 11 Oct 2016 13:02:39 +0000 (UTC)",
            helo: "app.sender.example", rdns: "ec2-3-8-1-1.compute.example", rdnsStatus: .name, ip: "3.8.1.1",
            by: "email-smtp.amazonaws.com", with: "SMTP", kind: .smtp, id: "q9kDv", date: "2016-10-11T13:02:39Z",
            mta: .ses),
        Case(
            name: "SendGrid",
            header:
                "from app.sender.example (unknown [81.2.69.20]) by ismtpd0001p1lon1.sendgrid.net (SG) with ESMTP id 5090f373.15fb.5e72c3 Wed, 31 Oct 2012 04:46:27 -0500 (CST)",
            helo: "app.sender.example", rdnsStatus: .failed, ip: "81.2.69.20", by: "ismtpd0001p1lon1.sendgrid.net",
            with: "ESMTP", kind: .esmtp, id: "5090f373.15fb.5e72c3", date: "2012-10-31T09:46:27Z", mta: .sendgrid),
        Case(
            name: "Mailgun HTTP API", header: "by luna.mailgun.net with HTTP; Mon, 31 Oct 2022 07:03:56 +0000",
            by: "luna.mailgun.net", with: "HTTP", kind: .http, date: "2022-10-31T07:03:56Z", mta: .mailgun),
        Case(
            name: "fetchmail",
            header:
                "from gmail-imap.l.google.com [66.249.91.109] by mindcrime with IMAP (fetchmail-6.3.8) for <xxxx@localhost> (single-drop); Thu, 07 Aug 2008 08:10:10 +0300 (EEST)",
            helo: "gmail-imap.l.google.com", ip: "66.249.91.109", by: "mindcrime", with: "IMAP", kind: .imap,
            forAddress: "xxxx@localhost", date: "2008-08-07T05:10:10Z", mta: .fetchmail),
        Case(
            name: "dotted port and broken year",
            header:
                "from relay.sender.example (81.2.69.33.4125) by mx.rcpt.example with SMTP; Sun, 25 Aug 0102 02:03:20 +0500",
            helo: "relay.sender.example", rdns: "relay.sender.example", rdnsStatus: .name, ip: "81.2.69.33", port: 4125,
            by: "mx.rcpt.example", with: "SMTP", kind: .smtp, date: "2002-08-24T21:03:20Z"),
        Case(
            name: "asctime date, no zone",
            header: "from x.sender.example ([81.2.69.34]) by y.rcpt.example; Thu Dec  3 10:50:45 2009",
            helo: "x.sender.example", ip: "81.2.69.34", by: "y.rcpt.example", date: "2009-12-03T10:50:45Z"),
        Case(
            // A `with` that is not ASCII is classified by its bytes like any other: the ASCII prefix names the
            // protocol, the unknown word does not make it authenticated, and the TLS after the slash is kept.
            name: "non-ASCII with",
            header:
                "from x.sender.example ([81.2.69.35]) by y.rcpt.example with ESMTPSAé/TLS1.2é; "
                + "Thu, 3 Dec 2009 10:50:45 +0000",
            helo: "x.sender.example", ip: "81.2.69.35", by: "y.rcpt.example", with: "ESMTPSAé/TLS1.2é", kind: .esmtp,
            tls: "TLS1.2é", date: "2009-12-03T10:50:45Z"),
        Case(
            // The word is the HELO claim, the glued literal the connecting address; `unknown`: no reverse DNS.
            name: "address claim, glued unknown[IP]",
            header:
                "from 1.2.3.4 (unknown[211.94.164.65]) by mx.rcpt.example (Postfix) with SMTP id 5A1B2C; "
                + "Tue, 4 Mar 2008 11:22:33 +0800",
            helo: "1.2.3.4", heloIP: "1.2.3.4", rdnsStatus: .failed, ip: "211.94.164.65", by: "mx.rcpt.example",
            with: "SMTP", kind: .smtp, id: "5A1B2C", date: "2008-03-04T03:22:33Z", mta: .postfix),
        Case(
            name: "glued rdns[IP]",
            header:
                "from mail.example.com (host.example.net[198.51.7.9]) by mx.rcpt.example (Postfix) with ESMTP "
                + "id 3F2E1D; Wed, 5 Mar 2008 09:10:11 +0000",
            helo: "mail.example.com", rdns: "host.example.net", rdnsStatus: .name, ip: "198.51.7.9",
            by: "mx.rcpt.example", with: "ESMTP", kind: .esmtp, id: "3F2E1D", date: "2008-03-05T09:10:11Z",
            mta: .postfix),
        Case(
            name: "glued unknown[IP] after a name",
            header: "from helo (unknown[203.0.114.5]) by mx.rcpt.example with SMTP; Wed, 5 Mar 2008 09:10:11 +0000",
            helo: "helo", rdnsStatus: .failed, ip: "203.0.114.5", by: "mx.rcpt.example", with: "SMTP", kind: .smtp,
            date: "2008-03-05T09:10:11Z"),
        Case(
            // XMail: `(ip:port)`, the word is the HELO domain; the `with` is a bracketed literal, so no protocol.
            name: "XMail ip:port",
            header:
                "from mail.sender.example (64.15.22.10:38402) by mx.recv.example with [XMail 1.27 ESMTP Server] "
                + "id <S1A2> for <u@recv.example> from <a@sender.example>; Mon, 3 Mar 2008 10:00:00 +0100",
            helo: "mail.sender.example", ip: "64.15.22.10", port: 38402, by: "mx.recv.example", id: "S1A2",
            forAddress: "u@recv.example", date: "2008-03-03T09:00:00Z"),
        Case(
            // Momentum (ecelerity): the port inside the literal, the HELO as `helo=`; the word is no HELO claim.
            name: "Momentum [IP] ([IP:port] helo=)",
            header:
                "from [64.15.22.10] ([64.15.22.10:51234] helo=mta.sender.example) by mx.recv.example "
                + "(envelope-from <b@sender.example>) (ecelerity 4.2.38.62370 r(:)) with ESMTP "
                + "id 12/34-01234-567890AB; Tue, 4 Mar 2008 12:00:00 -0500",
            helo: "mta.sender.example", ip: "64.15.22.10", port: 51234, by: "mx.recv.example", with: "ESMTP",
            kind: .esmtp, id: "12/34-01234-567890AB", date: "2008-03-04T17:00:00Z"),
        Case(
            name: "Momentum RDNS ([IP:port] helo=)",
            header:
                "from mta.sender.example ([64.15.22.10:51234] helo=mta.sender.example) by mx.recv.example "
                + "(envelope-from <b@sender.example>) (ecelerity 4.2.38.62370 r(:)) with ESMTP "
                + "id 12/34-01234-567890AB; Tue, 4 Mar 2008 12:00:00 -0500",
            helo: "mta.sender.example", rdns: "mta.sender.example", rdnsStatus: .name, ip: "64.15.22.10", port: 51234,
            by: "mx.recv.example", with: "ESMTP", kind: .esmtp, id: "12/34-01234-567890AB",
            date: "2008-03-04T17:00:00Z"),
        Case(
            // Between two hosts of one site, Sendmail records no address at all.
            name: "internal hop without an address",
            header:
                "from a.maths.example.ie by b.maths.example.ie (8.12.9/8.12.9) with ESMTP id h1; "
                + "Thu, 6 Mar 2003 10:00:00 GMT",
            helo: "a.maths.example.ie", by: "b.maths.example.ie", with: "ESMTP", kind: .esmtp, id: "h1",
            date: "2003-03-06T10:00:00Z", mta: .sendmail),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) {
        let h = ReceivedParser.parse(c.header)
        #expect(h.helo == c.helo)
        #expect(h.heloIP.map { "\($0)" } == c.heloIP)
        #expect(h.rdns == c.rdns)
        #expect(h.rdnsStatus == c.rdnsStatus)
        #expect(h.ip.map { "\($0)" } == c.ip)
        #expect(h.port == c.port)
        #expect(h.ident == c.ident)
        #expect(h.by == c.by)
        #expect(h.byIP.map { "\($0)" } == c.byIP)
        #expect(h.with == c.with)
        #expect(h.protocolKind == c.kind)
        #expect(h.via == c.via)
        #expect(h.id == c.id)
        #expect(h.forAddress == c.forAddress)
        #expect(h.tls == c.tls)
        #expect(h.auth == c.auth)
        #expect(h.date?.iso8601UTC == c.date)
        #expect(h.mta == c.mta)
        #expect(h.isLocal == c.local)
        #expect(h.isQmailQueueStep == c.queueStep)
        #expect(!h.isJunk)
    }

    /// Some MTAs put a comma after the host name of `by` (`by mx.example.org, with SMTP`): it is no part of it.
    @Test(arguments: [
        "from a.example.net ([192.0.2.7]) by mx.rcpt.example, with SMTP id 1; Tue, 3 Jan 2023 16:08:45 +0100",
        "from a.example.net ([192.0.2.7]) by mx.rcpt.example,, id 1; Tue, 3 Jan 2023 16:08:45 +0100",
        "from a.example.net ([192.0.2.7]) by mx.rcpt.example, (8.12.9/8.12.9); Tue, 3 Jan 2023 16:08:45 +0100",
    ])
    func byHostLosesATrailingComma(_ header: String) {
        let h = ReceivedParser.parse(header)
        #expect(h.by == "mx.rcpt.example")
        #expect(h.ip.map { "\($0)" } == "192.0.2.7")
    }

    /// The internal hop keeps its `from` word and has no address: the walk must not take anything for one.
    @Test func internalHopHasNoAddress() {
        let h = ReceivedParser.parse(
            "from a.maths.example.ie by b.maths.example.ie (8.12.9/8.12.9) with ESMTP id h1; Thu, 6 Mar 2003 10:00:00 GMT"
        )
        #expect(h.fromWord == "a.maths.example.ie")
        #expect(h.ip == nil)
        #expect(h.unparsedIP == nil)
        #expect(h.heloIP == nil)
        #expect(h.rdnsStatus == .absent)
        #expect(h.by == "b.maths.example.ie")
    }

    @Test func junkIsRecognised() {
        let h = ReceivedParser.parse("apparently / or is it")
        #expect(h.isJunk)
        #expect(h.ip == nil)
    }

    @Test func emptyLiteralIsNotAnAddress() {
        let h = ReceivedParser.parse("from mail.example ([]) by mx.example with ESMTP; Mon, 1 Jan 2018 00:00:00 +0000")
        #expect(h.ip == nil)
        #expect(h.unparsedIP == "")
    }

    @Test func hostileInputStaysBounded() {
        // Unterminated comments, huge values and odd bytes never trap and are cut at the limit.
        let huge = "from " + String(repeating: "(", count: 20_000) + " by x"
        let h = ReceivedParser.parse(huge)
        #expect(h.truncated)
        let bytes: [UInt8] = Array(repeating: 0x5B, count: 5000) + [0xFF, 0x00, 0x28, 0x3B]
        _ = ReceivedParser.parse(bytes)
        _ = ReceivedParser.parse("from [999.1.1.1] (x [::ffff:1.2.3]) by ; 99 Foo 99999 99:99:99 +9999")
    }

    @Test(arguments: [
        ("Wed, 06 Aug 2008 16:58:14 -0400", "2008-08-06T20:58:14Z"),
        ("6 May 2005 10:58:40 -0000", "2005-05-06T10:58:40Z"),
        ("Mon,  2 Sep 2002 11:26:09 EDT", "2002-09-02T15:26:09Z"),
        ("21-Sep-2002 12:25:55 -0400", "2002-09-21T16:25:55Z"),
        ("26/09/2002 09:04:14", "2002-09-26T09:04:14Z"),
        ("Tue, 27 Aug 02 12:31 +0200", "2002-08-27T10:31:00Z"),
        ("Sun, 29 Feb 2004 23:59:59 +05:30", "2004-02-29T18:29:59Z"),
    ])
    func readsDates(_ text: String, _ iso: String) {
        #expect(ReceivedParser.date(Array(text.utf8))?.iso8601UTC == iso)
    }

    @Test(arguments: ["", "Foo", "31 Feb 2004 10:00:00 +0000", "12 Jan 2004", "1 Jan 2004 25:00:00"])
    func rejectsDates(_ text: String) {
        #expect(ReceivedParser.date(Array(text.utf8)) == nil)
    }
}
