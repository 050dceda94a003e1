import Foundation
import GRDB
import MailAtlasKit
import TestSupport
import Testing

/// Every file of a spool is accounted for: stored as mail, or recorded in `files` with the reason it is not
/// (`files.skip_reason`), counted by reason in the scan's summary.
@Suite struct SkippedFilesTests {
    typealias Spool = ScanTests.Spool

    func reasons(_ s: Spool) throws -> [String: String] {
        let rows = try s.rows(
            "SELECT source_path, skip_reason FROM files WHERE skip_reason IS NOT NULL AND removed_scan_id IS NULL")
        var out: [String: String] = [:]
        for row in rows {
            let path: String = row[0]
            out[String(path.dropFirst(s.root.count + 1))] = row[1]
        }
        return out
    }

    @Test func everyFileNotStoredAsMailHasAReason() async throws {
        let s = Spool()
        s.dir.write("spool/eml/zeros.bin", [UInt8](repeating: 0, count: 100))
        // A gzip header and then nothing that inflates.
        s.dir.write("spool/eml/cut.eml.gz", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF])
        s.dir.write("spool/Maildir/cur/1005.M6.host:2,S", [0x00, 0x01, 0x02] + [UInt8](repeating: 0, count: 61))
        let first = try await s.scan()
        #expect(first.counts.added == 8)
        #expect(
            try reasons(s) == [
                "LICENSE": "text-not-mail", "eml/empty": "empty", "eml/zeros.bin": "binary",
                "eml/cut.eml.gz": "damaged-compression", "Maildir/cur/1005.M6.host:2,S": "binary",
            ])
        #expect(try s.int("SELECT count(*) FROM files WHERE messages > 0 AND skip_reason IS NOT NULL") == 0)
        let byReason = try #require(first.account).skippedByReason.map { "\($0.count) \($0.reason.rawValue)" }
        #expect(byReason == ["2 binary", "1 damaged-compression", "1 empty", "1 text-not-mail"])
        // A rescan reads none of them again and still counts them: the account is the spool's, not the scan's.
        let again = try await s.scan()
        #expect(again.counts.filesRead == 0)
        #expect(try #require(again.account).skipped.count == 5)
        #expect(try #require(again.account).rootsWithoutMail.isEmpty)
    }

    /// Files a store recorded as not mail before `v5` have no reason: the scan that migrates the store reads them
    /// again (in Maildir directories too, which it would otherwise skip as unchanged) and records one.
    @Test func aStoreFromBeforeV5GetsReasonsFromTheScanThatMigratesIt() async throws {
        let s = Spool()
        s.dir.write("spool/Maildir/cur/1005.M6.host:2,S", [UInt8](repeating: 0, count: 64))
        try await s.scan()
        let queue = try DatabaseQueue(path: s.store)
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP INDEX files_skipped;
                    ALTER TABLE files DROP COLUMN skip_reason;
                    DELETE FROM grdb_migrations WHERE identifier = 'v5';
                    """)
        }
        try queue.close()
        let again = try await s.scan()
        #expect(again.counts.added == 0 && again.counts.updated == 0)
        #expect(again.counts.filesRead == 2)
        #expect(
            try reasons(s) == [
                "LICENSE": "text-not-mail", "eml/empty": "empty", "Maildir/cur/1005.M6.host:2,S": "binary",
            ])
        #expect(try s.int("SELECT count(*) FROM grdb_migrations WHERE identifier = 'v5'") == 1)
    }
}
