import Foundation
import TestSupport
import Testing

@testable import MailAtlasKit

/// The resolver against a real authoritative server (nsd) on loopback, and against a responder that misbehaves.
@Suite(.serialized) struct DNSResolverTests {
    static let zone = """
        $ORIGIN shop.test.
        $TTL 300
        @     IN SOA ns.shop.test. hostmaster.shop.test. 1 3600 600 86400 300
        @     IN NS  ns.shop.test.
        ns    IN A   127.0.0.1
        @     IN A   192.0.2.10
        www   IN CNAME edge.shop.test.
        edge  IN CNAME cdn.shop.test.
        cdn   IN A   192.0.2.11
        cdn   IN AAAA 2001:db8::11
        six   IN AAAA 2001:db8::6
        loop1 IN CNAME loop2.shop.test.
        loop2 IN CNAME loop1.shop.test.
        mail  IN MX  10 mx.elsewhere.test.
        xn--bcher-kva IN A 192.0.2.12

        """

    func resolveAll(_ hosts: [String], server: String, timeout: Int = 500, tries: Int = 1, deadline: Duration? = nil)
        throws -> [String: DNSAnswer]
    {
        let r = try DNSResolver(options: .init(server: server, timeoutMilliseconds: timeout, tries: tries))
        var out: [String: DNSAnswer] = [:]
        r.resolve(hosts, deadline: deadline.map { ContinuousClock.now + $0 }) { out[$0.host] = $0 }
        return out
    }

    @Test func answersChainsAndFailures() throws {
        guard let server = try DNSTestServer.start(zones: ["shop.test": Self.zone]) else { return }
        defer { server.stop() }
        let a = try resolveAll(
            [
                "shop.test", "www.shop.test", "six.shop.test", "nothere.shop.test", "mail.shop.test",
                "xn--bcher-kva.shop.test",
                "loop1.shop.test", "bad..name", "other.example",
            ],
            server: server.address)
        #expect(a.count == 9)
        #expect(a["shop.test"]?.status == .answer)
        #expect(a["shop.test"]?.addresses == ["192.0.2.10"])
        // A CNAME chain is followed and recorded.
        #expect(a["www.shop.test"]?.status == .answer)
        #expect(Set(a["www.shop.test"]?.addresses ?? []) == ["192.0.2.11", "2001:db8::11"])
        #expect(a["www.shop.test"]?.cnames == ["edge.shop.test", "cdn.shop.test"])
        #expect(a["six.shop.test"]?.addresses == ["2001:db8::6"])
        #expect(a["nothere.shop.test"]?.status == .nxdomain)
        #expect(a["mail.shop.test"]?.status == .nodata)
        #expect(a["xn--bcher-kva.shop.test"]?.addresses == ["192.0.2.12"])
        // A CNAME loop ends without addresses; a name DNS cannot carry is not sent.
        #expect(a["loop1.shop.test"]?.addresses == [])
        #expect(a["loop1.shop.test"]?.status != .answer)
        #expect(a["bad..name"]?.status == .error)
        // Outside the server's zones: it refuses (nsd answers REFUSED for zones it does not serve).
        #expect(a["other.example"]?.status == .refused)
        #expect(a.values.allSatisfy { $0.resolvedAt > 1_700_000_000 })
    }

    @Test func servfailAndRefusedFromTheServer() throws {
        for (code, status) in [(UInt8(2), DNSStatus.servfail), (5, .refused)] {
            let responder = try MisbehavingDNSResponder(mode: .rcode(code))
            defer { responder.stop() }
            let a = try resolveAll(["x.shop.test"], server: responder.address)
            #expect(a["x.shop.test"]?.status == status)
        }
    }

    @Test func aSilentServerTimesOutPerQueryAndTheRunEndsAtItsDeadline() throws {
        let responder = try MisbehavingDNSResponder(mode: .silent)
        defer { responder.stop() }
        // Each query's own timeout: 200 ms, one try.
        let start = ContinuousClock.now
        let a = try resolveAll(["a.test", "b.test", "c.test"], server: responder.address, timeout: 200)
        #expect(a.values.map(\.status) == [.timeout, .timeout, .timeout])
        #expect(ContinuousClock.now - start < .seconds(5))
        // A run deadline shorter than the queries' timeouts: every host is still marked.
        let hosts = (0..<500).map { "h\($0).test" }
        let b = try resolveAll(hosts, server: responder.address, timeout: 5000, tries: 3, deadline: .milliseconds(300))
        #expect(b.count == 500)
        #expect(b.values.allSatisfy { $0.status == .timeout })
    }

    @Test func aTruncatedAnswerIsAskedAgainOverTCP() throws {
        let responder = try MisbehavingDNSResponder(mode: .truncated(address: [192, 0, 2, 99]))
        defer { responder.stop() }
        let a = try resolveAll(["big.test"], server: responder.address)
        #expect(a["big.test"]?.addresses == ["192.0.2.99"])
        #expect(a["big.test"]?.status == .answer)
    }

    @Test func tenThousandHostsInOneRun() throws {
        var zone = """
            $ORIGIN many.test.
            $TTL 300
            @ IN SOA ns.many.test. hostmaster.many.test. 1 3600 600 86400 300
            @ IN NS ns.many.test.
            ns IN A 127.0.0.1

            """
        for i in 0..<10_000 { zone += "h\(i) IN A 10.\(i / 65536).\(i / 256 % 256).\(i % 256)\n" }
        guard let server = try DNSTestServer.start(zones: ["many.test": zone]) else { return }
        defer { server.stop() }
        let hosts = (0..<10_000).map { "h\($0).many.test" }
        let start = ContinuousClock.now
        let a = try resolveAll(hosts, server: server.address, timeout: 2000, tries: 3)
        let elapsed = ContinuousClock.now - start
        #expect(a.count == 10_000)
        let answered = a.values.filter { $0.status == .answer }.count
        #expect(answered == 10_000, "\(answered) answered in \(elapsed)")
        #expect(a["h4242.many.test"]?.addresses == ["10.0.16.146"])
        print("dns: 10,000 hosts resolved in \(elapsed) against nsd on loopback, 64 in flight")
    }

    @Test func serverAddresses() {
        #expect(DNSResolver.serverCSV("127.0.0.1") == "127.0.0.1")
        #expect(DNSResolver.serverCSV("127.0.0.1:5353") == "127.0.0.1:5353")
        #expect(DNSResolver.serverCSV("::1") == "[::1]")
        #expect(DNSResolver.serverCSV("[::1]:53") == "[::1]:53")
        #expect(DNSResolver.serverCSV("resolver.example") == nil)
        #expect(DNSResolver.serverCSV("127.0.0.1:99999") == nil)
    }
}
