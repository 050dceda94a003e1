import Foundation
import Testing

/// `--recover-defanged` and `--public-suffix-list` reach the analysis (through `trace`).
@Suite struct LinkOptionsTests {
    static func tempFile(_ name: String, _ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "mailatlas-\(UUID().uuidString)-\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let message = """
        From: analyst@example.org
        To: abuse@example.org
        Subject: IOC report

        Seen: hxxp://evil[.]example/gate and http://shop.hosting.example/x

        """

    @Test func defangedLinksOnlyWhenAsked() throws {
        let mail = try Self.tempFile("ioc.eml", Self.message)
        defer { try? FileManager.default.removeItem(atPath: mail) }
        let plain = try TraceGoldenTests.run(["trace", mail])
        #expect(plain.status == 0)
        #expect(!plain.output.contains("evil.example"))
        let recovered = try TraceGoldenTests.run(["trace", mail, "--recover-defanged"])
        #expect(recovered.output.contains("http://evil.example/gate  (text, defanged)"))
    }

    @Test func aNewerPublicSuffixListIsUsed() throws {
        let mail = try Self.tempFile("psl.eml", Self.message)
        let list = try Self.tempFile("psl.dat", "example\n// ===BEGIN PRIVATE DOMAINS===\nhosting.example\n")
        defer {
            try? FileManager.default.removeItem(atPath: mail)
            try? FileManager.default.removeItem(atPath: list)
        }
        let embedded = try TraceGoldenTests.run(["trace", mail])
        #expect(embedded.output.contains("hosting.example: http://shop.hosting.example/x"))
        let newer = try TraceGoldenTests.run(["trace", mail, "--public-suffix-list", list])
        #expect(newer.output.contains("shop.hosting.example: http://shop.hosting.example/x"))
        let missing = try TraceGoldenTests.run(["trace", mail, "--public-suffix-list", list + ".missing"])
        #expect(missing.status != 0)
    }
}
