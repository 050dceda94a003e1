import AnalysisRecords
import Foundation
import MailAtlasKit
import MailCore
import TestSupport
import Testing

/// Everything the parser, the link extraction and the attachment analysis say about each message of the
/// development corpus, as one digest per message, compared with a fixture recorded from a known-good build.
/// Speed work must leave it unchanged; a change of behaviour re-records it and says why in the commit.
///
/// Re-record: `MAILATLAS_RECORD=1 swift test --filter AnalysisDigestTests`. To see what changed, write the full
/// records with `MAILATLAS_DIGEST_DUMP=/tmp/records.txt` before and after the change and diff them.
/// The origin analysis (Received hops, origin, `received.*` diagnostics) is left out: it has its own tests.
@Suite(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
struct AnalysisDigestTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/analysis-digests.tsv")

    @Test func everyMessageKeepsItsDigest() throws {
        let rows = try Corpus.jsonLines("dev.jsonl")
        try #require(!rows.isEmpty)
        let analyzer = MessageAnalyzer()
        var defangedOptions = LinkExtractorOptions()
        defangedOptions.recoverDefanged = true
        var lines: [String] = []
        var dump: [String] = []
        let dumping = ProcessInfo.processInfo.environment["MAILATLAS_DIGEST_DUMP"]
        for row in rows {
            guard let src = row["src"] as? String, let bytes = Corpus.messageBytes(src: src) else { continue }
            let record = AnalysisRecords.record(bytes, analyzer: analyzer, defanged: defangedOptions)
            lines.append(src + "\t" + AnalysisRecords.digest(record))
            if dumping != nil { dump.append("=== " + src + "\n" + record) }
        }
        if let path = dumping {
            try dump.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let text = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["MAILATLAS_RECORD"] != nil {
            try FileManager.default.createDirectory(
                at: Self.fixture.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: Self.fixture, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n")
        let actual = text.split(separator: "\n")
        #expect(actual.count == expected.count)
        var differing: [Substring] = []
        for (a, e) in zip(actual, expected) where a != e { differing.append(e) }
        #expect(differing.isEmpty, "\(differing.count) messages differ, first: \(differing.prefix(5))")
    }
}
