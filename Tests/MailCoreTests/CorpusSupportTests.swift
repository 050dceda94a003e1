import Crypto
import Foundation
import TestSupport
import Testing

/// The label lookup helper must find the exact bytes the labels were computed from, or every corpus test lies.
@Suite(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
struct CorpusSupportTests {
    @Test func everyLabelledMessageIsFoundByHash() throws {
        let rows = try Corpus.jsonLines("dev.jsonl")
        #expect(rows.count > 5000)
        var mismatched: [String] = []
        for row in rows {
            guard let src = row["src"] as? String, let sha = row["sha256"] as? String else { continue }
            guard let bytes = Corpus.messageBytes(src: src) else {
                mismatched.append(src)
                continue
            }
            let hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            if hex != sha { mismatched.append(src) }
        }
        #expect(mismatched.isEmpty, "\(mismatched.prefix(5))")
    }
}
