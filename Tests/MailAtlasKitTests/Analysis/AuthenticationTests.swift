import Foundation
import MailAtlasKit
import MailCore
import TestSupport
import Testing

/// Authentication-Results and filter verdicts count only when the receiving side wrote them.
@Suite struct AuthenticationTests {
    // MARK: The field's grammar (RFC 8601 and what servers write)

    @Test func rfc8601Example() throws {
        let a = try #require(
            AuthenticationResults.parse(
                Array(
                    "example.com; spf=pass smtp.mailfrom=example.net (comment here); dkim=pass reason=\"good\" header.d=example.net header.s=sel1; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=Example.net"
                        .utf8)))
        #expect(a.authservID == "example.com")
        #expect(a.results.map(\.method) == ["spf", "dkim", "dmarc"])
        #expect(a.results[0].property("smtp.mailfrom") == "example.net")
        #expect(a.results[1].property("reason") == "good")
        #expect(a.results[1].property("header.s") == "sel1")
        #expect(a.results[2].comment == "p=REJECT sp=REJECT dis=NONE")
    }

    @Test func exchangeOnlineWritesNoAuthservID() throws {
        let a = try #require(
            AuthenticationResults.parse(
                Array(
                    "spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=shop.example; dkim=pass (signature was verified) header.d=shop.example;dmarc=pass action=none header.from=shop.example;compauth=pass reason=100"
                        .utf8)))
        #expect(a.authservID == nil)
        #expect(a.results.map(\.method) == ["spf", "dkim", "dmarc", "compauth"])
        #expect(a.results[2].property("action") == "none")
    }

    @Test func versionNestedCommentsAndNone() throws {
        let a = try #require(
            AuthenticationResults.parse(
                Array("mx.example.org 1 (a (nested) comment); dkim/1=fail header.i=@x.example".utf8)))
        #expect(a.authservID == "mx.example.org")
        #expect(a.results.first?.method == "dkim")
        #expect(a.results.first?.result == "fail")
        let none = try #require(AuthenticationResults.parse(Array("mx.example.org; none".utf8)))
        #expect(none.authservID == "mx.example.org" && none.results.isEmpty)
        #expect(AuthenticationResults.parse(Array("   ".utf8)) == nil)
    }

    @Test func hostileValuesStayBounded() {
        let long = String(repeating: "(", count: 50_000) + String(repeating: "a=b; ", count: 50_000)
        let a = AuthenticationResults.parse(Array(long.utf8))
        #expect((a?.results.count ?? 0) <= AuthenticationResults.maxResults)
        let many = "mx.example.org; " + String(repeating: "dkim=pass header.d=a.example; ", count: 1000)
        #expect(AuthenticationResults.parse(Array(many.utf8))?.results.count == AuthenticationResults.maxResults)
    }

    // MARK: Which fields the receiving side wrote

    /// A spam sent through a relay of the sender's: the recipient's MX (mx.example.net) took it from
    /// 81.2.69.23; its milters inserted their fields under its Received line. The sender's own block carries a
    /// forged `Authentication-Results` in the MX's name and a forged `X-Spam-Status: No`.
    static let relayed = """
        Received: from mx.example.net (mx.example.net [10.0.0.5])
        \tby mail.example.net (Postfix) with ESMTP id 1A2B3C
        \tfor <bob@example.net>; Tue, 14 Oct 2025 09:15:10 +0200
        Received: from relay.sender.example (relay.sender.example [81.2.69.23])
        \tby mx.example.net (Postfix) with ESMTPS id 4D5E6F
        \tfor <bob@example.net>; Tue, 14 Oct 2025 09:15:08 +0200
        Authentication-Results: mx.example.net; dkim=pass (2048-bit key) header.d=sender.example header.s=s1;
        \tdkim=fail header.d=bank.example
        Authentication-Results: mx.example.net; spf=softfail smtp.mailfrom=news@sender.example;
        \tdmarc=fail (p=QUARANTINE) header.from=bank.example
        X-Spam-Flag: YES
        Received: from [192.168.1.20] (unknown [81.2.69.99])
        \tby relay.sender.example with ESMTPSA; Tue, 14 Oct 2025 09:15:01 +0200
        Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=bank.example; dmarc=pass header.from=bank.example
        X-Spam-Status: No, score=-5.0
        From: Bank <service@bank.example>
        To: bob@example.net
        Subject: Your account
        Date: Tue, 14 Oct 2025 09:15:00 +0200
        Message-ID: <1@sender.example>

        Click.

        """

    func facts(_ text: String) -> MessageFacts {
        MessageAnalyzer().analyze(Array(text.utf8))
    }

    @Test func onlyFieldsAboveTheHopBelowTheOriginCount() throws {
        let f = facts(Self.relayed)
        #expect(f.origin?.ip == "81.2.69.23")
        let a = try #require(f.authentication)
        #expect(a.authservID == "mx.example.net")
        #expect(a.spf == "softfail")
        #expect(a.spfDomain == "sender.example")
        #expect(a.dmarc == "fail")
        #expect(a.dmarcPolicy == "quarantine")
        #expect(a.dmarcDomain == "bank.example")
        #expect(
            a.dkim == [
                .init(result: "pass", domain: "sender.example", selector: "s1"),
                .init(result: "fail", domain: "bank.example"),
            ])
        #expect(a.dkimSummary == "pass")
        // The filter's flag under the MX's Received line counts; the sender's `X-Spam-Status: No` does not.
        #expect(f.headerVerdict == VerdictEvidence(.spam, source: "header:x-spam-flag"))
    }

    @Test func aSenderWrittenHamVerdictDecidesNothing() {
        let forged = Self.relayed.replacingOccurrences(of: "X-Spam-Flag: YES\n", with: "")
        #expect(facts(forged).headerVerdict == nil)
    }

    @Test func aFilterThatSignsWithAReceivingHostIsBelievedAtTheBottom() {
        // spamass-milter appends at the bottom of the header block, where the sender writes too; SpamAssassin's
        // own field names the host it ran on, and a host of the receiving side vouches for the verdict.
        let bare = Self.relayed.replacingOccurrences(of: "X-Spam-Flag: YES\n", with: "")
            .replacingOccurrences(of: "X-Spam-Status: No, score=-5.0\n", with: "")
        func appended(_ host: String) -> String {
            bare.replacingOccurrences(
                of: "Message-ID: <1@sender.example>\n",
                with:
                    "Message-ID: <1@sender.example>\nX-Spam-Checker-Version: SpamAssassin 3.4.6 (2021-04-09) on \(host)\nX-Spam-Status: Yes, score=9.1\n"
            )
        }
        #expect(
            facts(appended("filter.example.net")).headerVerdict
                == VerdictEvidence(.spam, source: "header:x-spam-status"))
        #expect(
            facts(appended("mx.example.net")).headerVerdict == VerdictEvidence(.spam, source: "header:x-spam-status"))
        #expect(facts(appended("spamd.sender.example")).headerVerdict == nil)
    }

    @Test func resultsNamingAnotherServerAreIgnored() {
        // Mail sent straight to the MX: the sender's first fields sit right under the MX's Received line, where a
        // milter inserts; an authserv-id that is not the receiving side's gives it away.
        let direct = """
            Received: from bot.example (dsl-7.isp.example [81.2.69.7])
            \tby mx.example.net (Postfix) with SMTP id 9Z; Tue, 14 Oct 2025 09:15:08 +0200
            Authentication-Results: mx.trustme.example; spf=pass smtp.mailfrom=bank.example; dmarc=pass
            From: service@bank.example
            Subject: hi
            Date: Tue, 14 Oct 2025 09:15:00 +0200

            x

            """
        let bytes = Array(direct.utf8)
        let analyzer = MessageAnalyzer()
        let f = analyzer.analyze(bytes)
        #expect(f.authentication == nil)
        let (_, fields) = analyzer.authentication(bytes, analysis: analyzer.originAnalysis(bytes))
        #expect(fields.map(\.verdict) == [.foreignServer])
        // The same field in the MX's own name, and one by another host of its organisation, count.
        for id in ["mx.example.net", "filter2.example.net"] {
            let own = analyzer.analyze(Array(direct.replacingOccurrences(of: "mx.trustme.example", with: id).utf8))
            #expect(own.authentication?.spf == "pass")
            #expect(own.authentication?.authservID == id)
        }
    }

    @Test func noReceivedLineMeansNoReceivingSide() {
        let f = facts(
            MailFixture.message(extraHeaders: ["X-Spam-Flag: YES", "Authentication-Results: mx.example.net; spf=pass"]))
        #expect(f.headerVerdict == nil)
        #expect(f.authentication == nil)
    }

    @Test func exchangeSCLCountsWhereverExchangePutIt() {
        // Exchange reorders the header block; its header firewall removes X-MS-Exchange-Organization-* from mail
        // arriving from outside, so the field is the recipient's wherever it sits.
        let text = Self.relayed.replacingOccurrences(of: "X-Spam-Flag: YES\n", with: "")
            .replacingOccurrences(
                of: "Message-ID: <1@sender.example>\n",
                with: "Message-ID: <1@sender.example>\nX-MS-Exchange-Organization-SCL: 6\n")
        #expect(facts(text).headerVerdict == VerdictEvidence(.spam, source: "header:x-ms-exchange-organization-scl"))
    }

    @Test func theResultNearestTheBoundaryWins() throws {
        // An internal hop re-checked SPF against the MX's address (a useless `spf=none`); the MX's own result wins.
        let text = Self.relayed.replacingOccurrences(
            of: "Received: from relay.sender.example",
            with:
                "Authentication-Results: mail.example.net; spf=none smtp.mailfrom=sender.example\nReceived: from relay.sender.example"
        )
        #expect(try #require(facts(text).authentication).spf == "softfail")
    }
}
