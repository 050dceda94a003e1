import Foundation
import TestSupport
import Testing

@testable import MailAtlasKit

/// The report's top origin IPs: ties by messages go to the most recently seen, then to the lower address as a
/// number, not as text.
@Suite struct ReportTiesTests {
    @Test func tiedOriginIPsAreOrderedByLastSeenThenNumerically() async throws {
        let dir = TempDirectory("ties")
        dir.maildir("spool/Maildir")
        var k = 0
        for (ip, day) in [
            ("101.67.236.172", 10), ("101.67.86.5", 10), ("9.9.9.9", 12), ("101.67.236.172", 3),
            ("101.67.86.5", 3), ("9.9.9.9", 3),
        ] {
            k += 1
            let text = [
                "Received: from sender.example (sender.example [\(ip)]) by mx.rcpt.example with ESMTP id A\(k); \(day) Nov 2025 10:00:00 +0000",
                "Subject: s\(k)", "Message-ID: <t\(k)@sender.example>", "X-Spam-Flag: YES",
            ].joined(separator: "\r\n")
            dir.write("spool/Maildir/cur/\(1000 + k).M\(k).host:2,S", text + "\r\n\r\nbody\r\n")
        }
        let store = dir.path + "/store.sqlite"
        _ = try await SpoolScanner(storePath: store, options: ScanOptions(roots: [dir.path + "/spool"])).run()
        let report = try ReportQueries.build(
            MailStore.openReadOnly(path: store),
            request: ReportRequest(
                verdict: nil, folders: [], period: ReportPeriod.month("2025-11")!, top: 2,
                generatedAt: "2025-12-01T00:00:00Z", storeName: "store.sqlite"))
        #expect(report.topIPs.map(\.ip) == ["9.9.9.9", "101.67.86.5"])
        #expect(ReportQueries.Builder.numericallyBefore("101.67.86.5", "101.67.236.172"))
        #expect(ReportQueries.Builder.numericallyBefore("203.0.113.9", "2001:db8::1"))
    }
}
