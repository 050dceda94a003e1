import Foundation
import GRDB
import Glibc
import TestSupport
import Testing

@testable import MailAtlasKit

/// Files that vanish, are renamed, grow, shrink or turn into FIFOs while a scan reads them. The scan is driven step
/// by step here (the producer, the analysis and the writer of `SpoolScanner`, without the task group) so that each
/// change lands at a chosen moment: between the listing of a directory and the reading of its files, between two
/// chunks of an mbox. Whatever happens, the scan finishes, says what it met, and a rescan ends with the store a
/// clean scan of the final spool makes.
@Suite(.serialized) struct ChangingSpoolTests {
    /// A scan with a hook called before each unit of work is analysed.
    static func scan(_ roots: [String], store: String, hook: (WorkUnit) -> Void = { _ in }) throws {
        let options = ScanOptions(roots: roots, jobs: 1, filesPerUnit: 4, messagesPerUnit: 2, messagesPerTransaction: 3)
        let lock = try ScanLock(storePath: store)
        defer { withExtendedLifetime(lock) {} }
        let mailStore = try MailStore.openForWriting(path: store)
        let scanID = try ScanWriter.beginScan(store: mailStore, roots: roots, options: [:])
        let writer = ScanWriter(
            store: mailStore, scanID: scanID, messagesPerTransaction: 3, geo: GeoCache(resolver: options.geo))
        let producer = SpoolProducer(options: options, store: mailStore)
        let processor = UnitProcessor(analyzer: MessageAnalyzer(), maxMessageSize: options.maxMessageSize)
        while let unit = producer.next() {
            hook(unit)
            if case .control(let action) = unit.payload {
                try writer.accept(UnitResult(seq: unit.seq, control: action))
            } else {
                try writer.accept(processor.process(unit))
            }
        }
        writer.addUnchanged(messages: producer.messagesUnchanged)
        try writer.finish(status: "completed", prune: false)
    }

    /// The live messages of a store, the way the kill trials compare stores.
    static func snapshot(_ store: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: store, configuration: config)
        return try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sha256, source_path, source_index, folder FROM messages WHERE removed_scan_id IS NULL
                    ORDER BY 1, 2, 3
                    """
            ).map { "\($0[0] as String) \($0[1] as String) \($0[2] as Int) \($0[3] as String? ?? "-")" }
        }
    }

    static func codes(_ store: String) throws -> [String: Int] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: store, configuration: config)
        return try queue.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT code, count(*) FROM diagnostics GROUP BY code") {
                out[row[0]] = row[1]
            }
            return out
        }
    }

    /// After the disturbed scan and a rescan, the store equals a clean scan of the spool as it ends up.
    static func expectConverges(_ dir: TempDirectory, root: String, store: String) throws {
        try scan([root], store: store)
        let clean = dir.path + "/clean.sqlite"
        try scan([root], store: clean)
        #expect(try snapshot(store) == snapshot(clean))
    }

    static func envelope(_ i: Int) -> [UInt8] { HostileMail.bytes("From s\(i)@example.org Tue Oct 14 09:15:02 2025\n") }

    @Test func maildirFilesVanishOrMoveBeforeTheyAreRead() throws {
        let dir = TempDirectory("changing")
        let root = dir.path + "/spool"
        dir.maildir("spool/Maildir")
        for i in 0..<12 { dir.write("spool/Maildir/new/\(i).m", HostileMail.plain(i)) }
        let store = dir.path + "/store.sqlite"
        var done = false
        try Self.scan([root], store: store) { unit in
            guard !done, case .files = unit.payload else { return }
            done = true
            // The client deletes two messages and reads (moves to cur/ with a flag) two others.
            dir.remove("spool/Maildir/new/0.m")
            dir.remove("spool/Maildir/new/3.m")
            dir.move("spool/Maildir/new/1.m", "spool/Maildir/cur/1.m:2,S")
            dir.move("spool/Maildir/new/2.m", "spool/Maildir/cur/2.m:2,S")
        }
        let codes = try Self.codes(store)
        #expect(codes["spool.vanished"] == 4, "\(codes)")
        #expect(codes["spool.unreadable"] == nil)
        try Self.expectConverges(dir, root: root, store: store)
    }

    @Test func aFileTurnsIntoAFIFOBeforeItIsRead() throws {
        let dir = TempDirectory("changing")
        let root = dir.path + "/spool"
        dir.maildir("spool/Maildir")
        for i in 0..<6 { dir.write("spool/Maildir/cur/\(i).m:2,", HostileMail.plain(i)) }
        let store = dir.path + "/store.sqlite"
        var done = false
        try Self.scan([root], store: store) { unit in
            guard !done, case .files = unit.payload else { return }
            done = true
            dir.remove("spool/Maildir/cur/1.m:2,")
            #expect(mkfifo(root + "/Maildir/cur/1.m:2,", 0o644) == 0)
        }
        #expect(try Self.codes(store)["spool.not-regular"] == 1)
        dir.remove("spool/Maildir/cur/1.m:2,")
        try Self.expectConverges(dir, root: root, store: store)
    }

    @Test func anMboxGrowsWhileItIsRead() throws {
        let dir = TempDirectory("changing")
        let root = dir.path + "/spool"
        var mbox: [UInt8] = []
        for i in 0..<10 { mbox += Self.envelope(i) + HostileMail.plain(i) + HostileMail.bytes("\n") }
        dir.write("spool/inbox.mbox", mbox)
        let store = dir.path + "/store.sqlite"
        var done = false
        // The delivery agent appends five messages and half of a sixth between two chunks.
        let late = HostileMail.plain(15, body: String(repeating: "a longer body line\n", count: 50))
        try Self.scan([root], store: store) { unit in
            guard !done, case .messages = unit.payload else { return }
            done = true
            var more: [UInt8] = []
            for i in 10..<15 { more += Self.envelope(i) + HostileMail.plain(i) + HostileMail.bytes("\n") }
            more += Self.envelope(15) + late.prefix(late.count / 2)
            dir.append("spool/inbox.mbox", String(decoding: more, as: UTF8.self))
        }
        // The sixth message is finished after the scan.
        dir.append("spool/inbox.mbox", String(decoding: late.dropFirst(late.count / 2), as: UTF8.self) + "\n")
        try Self.expectConverges(dir, root: root, store: store)
        #expect(try Self.snapshot(store).count == 16)
    }

    @Test func anMboxIsRewrittenShorterWhileItIsRead() throws {
        let dir = TempDirectory("changing")
        let root = dir.path + "/spool"
        var mbox: [UInt8] = []
        for i in 0..<12 { mbox += Self.envelope(i) + HostileMail.plain(i) + HostileMail.bytes("\n") }
        let path = dir.write("spool/inbox.mbox", mbox)
        let store = dir.path + "/store.sqlite"
        var done = false
        try Self.scan([root], store: store) { unit in
            guard !done, case .messages = unit.payload else { return }
            done = true
            // A client expunges in place: the same inode, truncated and rewritten with messages 4 to 7 only.
            var kept: [UInt8] = []
            for i in 4..<8 { kept += Self.envelope(i) + HostileMail.plain(i) + HostileMail.bytes("\n") }
            let fd = open(path, O_WRONLY | O_TRUNC)
            _ = kept.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        try Self.expectConverges(dir, root: root, store: store)
        #expect(try Self.snapshot(store).count == 4)
    }

    /// The same through the built binary, with a thread changing the spool as fast as it can while the scan runs:
    /// no interleaving may crash it, hang it, or leave a store a rescan does not repair.
    @Test func aSpoolChangingUnderARunningScan() throws {
        let dir = TempDirectory("changing")
        let root = dir.path + "/spool"
        dir.maildir("spool/Maildir")
        for i in 0..<400 { dir.write("spool/Maildir/new/\(i).m", HostileMail.plain(i)) }
        var mbox: [UInt8] = []
        for i in 0..<400 { mbox += Self.envelope(i) + HostileMail.plain(10_000 + i) + HostileMail.bytes("\n") }
        dir.write("spool/inbox.mbox", mbox)
        let store = dir.path + "/store.sqlite"
        let stop = Atomic(false)
        let churn = Thread {
            var i = 0
            while !stop.load() {
                let k = i % 400
                switch i % 4 {
                case 0: dir.move("spool/Maildir/new/\(k).m", "spool/Maildir/cur/\(k).m:2,S")
                case 1: dir.move("spool/Maildir/cur/\(k).m:2,S", "spool/Maildir/cur/\(k).m:2,RS")
                case 2:
                    dir.append(
                        "spool/inbox.mbox",
                        String(decoding: Self.envelope(i) + HostileMail.plain(20_000 + i) + [0x0A], as: UTF8.self))
                default: dir.remove("spool/Maildir/cur/\((k + 200) % 400).m:2,RS")
                }
                i += 1
                usleep(200)
            }
        }
        churn.start()
        let scan = try HostileScan.run([root], store: store, timeout: 120)
        stop.store(true)
        while !churn.isFinished { usleep(1000) }
        #expect(scan.result.finishedCleanly, "\(scan.result)")
        #expect(scan.result.status == 0, "\(scan.result)")
        let again = try HostileScan.run([root], store: store)
        #expect(again.result.status == 0, "\(again.result)")
        let clean = try HostileScan.run([root], store: dir.path + "/clean.sqlite")
        #expect(clean.result.status == 0)
        #expect(try Self.snapshot(store) == Self.snapshot(dir.path + "/clean.sqlite"))
    }
}

/// A flag two threads share.
final class Atomic<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func load() -> T { lock.withLock { value } }
    func store(_ v: T) { lock.withLock { value = v } }
}
