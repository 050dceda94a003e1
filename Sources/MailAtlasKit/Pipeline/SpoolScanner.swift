import Foundation
import GRDB
import Glibc
import Synchronization

/// Set from a signal handler (or a test) to stop a scan cleanly: no new work is started, work in flight is
/// committed, and the scan is recorded as interrupted.
public final class StopFlag: Sendable {
    private let flag = Atomic<Int32>(0)
    public init() {}
    /// Requests a stop; `signal` is recorded for the exit status (0 when not a signal).
    public func request(signal: Int32 = 0) { flag.store(signal == 0 ? -1 : signal, ordering: .relaxed) }
    public var isRequested: Bool { flag.load(ordering: .relaxed) != 0 }
    /// The signal that asked for the stop, if any.
    public var signal: Int32? {
        let v = flag.load(ordering: .relaxed)
        return v > 0 ? v : nil
    }
}

/// A snapshot for the progress line.
public struct ScanProgress: Sendable {
    public var filesDone: Int
    public var messages: Int
    public var bytesDone: Int64
    /// Estimated bytes to read in all (nil until known).
    public var bytesTotal: Int64?
    public var elapsed: Double
}

/// The outcome of a scan, for the summary line and the exit status.
public struct ScanSummary: Sendable {
    public var scanID: Int64
    public var status: String
    public var counts: ScanCounts
    public var filesUnchanged: Int
    /// The files under the roots that are not stored as mail, and the roots that hold no mail (nil when the store
    /// could not be read back).
    public var account: SpoolAccount?
    public var rootErrors: [String]
    public var seconds: Double
    public var interruptedBy: Int32?

    public var messagesPerSecond: Double {
        seconds > 0 ? Double(counts.added + counts.updated) / seconds : 0
    }
}

/// The parallel scan: one producer walking the spool, a bounded task group analysing units of work, and one
/// writer committing results in order in batched transactions.
public struct SpoolScanner {
    public let storePath: String
    public let options: ScanOptions

    public init(storePath: String, options: ScanOptions) {
        self.storePath = storePath
        self.options = options
    }

    public func run(
        stop: StopFlag = StopFlag(), estimate: Bool = false, progress: (@Sendable (ScanProgress) -> Void)? = nil
    ) async throws -> ScanSummary {
        do {
            return try await scan(stop: stop, estimate: estimate, progress: progress)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StoreError.diskFull(storePath, error.message ?? "\(error)")
        } catch let error as FileError where error.code == ENOSPC {
            throw StoreError.diskFull(storePath, "\(error)")
        }
    }

    /// The options a scan records in `scans.options`.
    var recordedOptions: [String: String] {
        [
            "jobs": "\(options.jobs)", "label": options.label?.rawValue ?? "",
            "follow_symlinks": "\(options.followSymlinks)", "max_message_size": "\(options.maxMessageSize)",
        ]
    }

    private func scan(
        stop: StopFlag, estimate: Bool, progress: (@Sendable (ScanProgress) -> Void)?
    ) async throws -> ScanSummary {
        let lock = try ScanLock(storePath: storePath)
        defer { withExtendedLifetime(lock) {} }
        if let summary = UnchangedRescan(scanner: self).run() {
            progress?(
                ScanProgress(filesDone: 0, messages: 0, bytesDone: 0, bytesTotal: nil, elapsed: summary.seconds))
            return summary
        }
        let store = try MailStore.openForWriting(path: storePath, keepingBulkLoad: true)
        // Into an empty store (or one a killed fresh scan left), rows go in without the readers' indexes, which
        // `finish` builds.
        let bulkLoad = try DeferredIndexes.beginBulkLoad(store)
        let started = ContinuousClock.now
        let scanID = try ScanWriter.beginScan(
            store: store, roots: options.roots, options: recordedOptions, geoDatabases: options.geo.databasesJSON,
            originConfig: options.origin)
        let geo = GeoCache(resolver: options.geo)
        try store.placeLinkedAddressesAfterV4(geo: geo)
        let writer = ScanWriter(
            store: store, scanID: scanID, messagesPerTransaction: options.messagesPerTransaction, geo: geo)
        writer.bulkLoad = bulkLoad
        let producer = SpoolProducer(options: options, store: store)
        let total: Int64? = estimate ? SpoolEstimator.bytes(roots: options.roots, store: store, options: options) : nil
        // Made when the first message needs analysing: a rescan that finds nothing new never pays for the
        // relay-learning pre-pass.
        var processor: UnitProcessor? = nil
        func makeProcessor() throws -> UnitProcessor {
            var relayProfile = options.relayProfile
            if relayProfile == nil, options.learnRelays > 0 {
                relayProfile = RelayProfilePrepass.build(
                    roots: options.roots, followSymlinks: options.followSymlinks, maxMessages: options.learnRelays,
                    stop: stop)
            }
            // What the messages of this scan are decided with, kept for `trace --db`.
            try writer.recordRelays(relayProfile)
            return UnitProcessor(
                analyzer: MessageAnalyzer(
                    options: .init(links: options.links), origin: options.origin, relayProfile: relayProfile),
                maxMessageSize: options.maxMessageSize)
        }
        var lastReport = ContinuousClock.now
        writer.onCommit = { counts in
            guard let progress else { return }
            let now = ContinuousClock.now
            guard now - lastReport > .milliseconds(100) else { return }
            lastReport = now
            progress(
                ScanProgress(
                    filesDone: counts.filesRead, messages: counts.added + counts.updated, bytesDone: counts.bytes,
                    bytesTotal: total, elapsed: (now - started).seconds))
        }

        let maxInFlight = options.jobs * 3
        var status = "completed"
        var account: SpoolAccount? = nil
        do {
            try await withThrowingTaskGroup(of: UnitResult.self) { group in
                var inFlight = 0
                while !stop.isRequested, let unit = producer.next() {
                    if case .control(let action) = unit.payload {
                        try writer.accept(UnitResult(seq: unit.seq, control: action))
                        continue
                    }
                    let work = try processor ?? makeProcessor()
                    processor = work
                    group.addTask { work.process(unit) }
                    inFlight += 1
                    while inFlight >= maxInFlight, let result = try await group.next() {
                        inFlight -= 1
                        try writer.accept(result)
                    }
                }
                while let result = try await group.next() { try writer.accept(result) }
            }
            writer.addUnchanged(messages: producer.messagesUnchanged)
            if stop.isRequested { status = "interrupted" }
            if let label = options.label, status == "completed" { try writer.relabel(roots: options.roots, as: label) }
            try writer.finish(status: status, prune: options.prune)
            account = try? SpoolAccount.read(store.pool, roots: options.roots, scanID: scanID)
            store.closeAtRest()
        } catch {
            // Record the failure if the store still accepts writes; the original error is what the user sees.
            try? writer.finish(status: "failed", prune: false)
            throw error
        }
        let seconds = (ContinuousClock.now - started).seconds
        progress?(
            ScanProgress(
                filesDone: writer.counts.filesRead, messages: writer.counts.added + writer.counts.updated,
                bytesDone: writer.counts.bytes, bytesTotal: total, elapsed: seconds))
        return ScanSummary(
            scanID: scanID, status: status, counts: writer.counts, filesUnchanged: producer.filesUnchanged,
            account: account, rootErrors: producer.rootErrors.map { "\($0.path): \($0.message)" },
            seconds: seconds, interruptedBy: stop.signal)
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

/// A quick pre-walk that sums the sizes of the files a scan will read, for the progress line's ETA.
enum SpoolEstimator {
    static func bytes(roots: [String], store: MailStore, options: ScanOptions) -> Int64 {
        let walker = SpoolWalker(roots: roots, options: .init(followSymlinks: options.followSymlinks))
        var total: Int64 = 0
        while let batch = walker.next(skip: { key, mtime in
            SpoolProducer.storedDirectory(store.pool, key: key)?.mtimeNs == mtime
        }) {
            for entry in batch.files {
                if let st = FileStat.of(SpoolWalker.join(batch.path, entry.name), followSymlinks: false) {
                    total += st.size
                }
            }
        }
        return total
    }
}
