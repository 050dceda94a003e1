import Foundation
import GRDB
import Glibc
import MailAtlasKit
import TestSupport
import Testing

/// One scan of a generated spool by the built binary, and what it left in the store.
struct HostileScan {
    let result: Child.Result
    let store: String
    /// Bytes of spool the scan was given.
    let inputBytes: Int

    func rows(_ sql: String) throws -> [Row] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: store, configuration: config)
        return try queue.read { try Row.fetchAll($0, sql: sql) }
    }

    func int(_ sql: String) throws -> Int { try rows(sql).first?[0] ?? -1 }

    /// Diagnostic codes and how often each was written.
    func diagnosticCodes() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try rows("SELECT code, count(*) FROM diagnostics GROUP BY code") { out[row[0]] = row[1] }
        return out
    }

    /// Runs `mailatlas scan ROOTS --db STORE --quiet ARGS` (optionally through a wrapper such as `setpriv …`).
    static func run(
        _ roots: [String], store: String, args: [String] = [], wrapper: [String] = [], timeout: Double = 120
    ) throws -> HostileScan {
        let bin = Binary.url.path
        let argv = wrapper + [bin, "scan"] + roots + ["--db", store, "--quiet"] + args
        let result = try Child.run(argv, timeout: timeout)
        return HostileScan(result: result, store: store, inputBytes: roots.map(HostileScan.size).reduce(0, +))
    }

    /// The bytes under a path (regular files only, symlinks not followed; names that are not UTF-8 included).
    static func size(_ path: String) -> Int {
        var st = stat()
        guard PathBytes.withCString(path, { lstat($0, &st) }) == 0 else { return 0 }
        if (st.st_mode & S_IFMT) == S_IFREG { return Int(st.st_size) }
        guard (st.st_mode & S_IFMT) == S_IFDIR, let d = PathBytes.withCString(path, { opendir($0) }) else { return 0 }
        defer { closedir(d) }
        var total = 0
        while let e = readdir(d) {
            let name = withUnsafePointer(to: &e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { PathBytes.string(cString: $0) }
            }
            if name != "." && name != ".." { total += size(path + "/" + name) }
        }
        return total
    }

    /// CPU seconds of scanning an empty spool: process start, store creation, migration. Measured once.
    nonisolated(unsafe) static var baselineCache: Child.Result? = nil
    static let baselineLock = NSLock()
    static func baseline() throws -> Child.Result {
        baselineLock.lock()
        defer { baselineLock.unlock() }
        if let b = baselineCache { return b }
        let t = TempDirectory("baseline")
        t.mkdir("empty")
        // Best of three: the machine is shared.
        var best: Child.Result? = nil
        for k in 0..<3 {
            let r = try run([t.path + "/empty"], store: t.path + "/s\(k).sqlite").result
            if best == nil || r.cpuSeconds < best!.cpuSeconds { best = r }
        }
        baselineCache = best
        return best!
    }
}

/// The checks every adversarial case makes: a clean finish (no signal, no timeout, the expected exit status), and
/// CPU time that grows linearly with the input — the 4× input may cost at most `slack` × 4 times the 1× input's
/// work above the cost of an empty scan (a quadratic loop costs 16×).
struct Linearity {
    var small: HostileScan
    var large: HostileScan
    var scale: Double = 4

    func check(slack: Double = 2, floorSeconds: Double = 0.3, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let base = try HostileScan.baseline().cpuSeconds
        let w1 = max(0, small.result.cpuSeconds - base)
        let w4 = max(0, large.result.cpuSeconds - base)
        let bound = w1 * scale * slack + floorSeconds
        #expect(
            w4 <= bound,
            """
            not linear: \(String(format: "%.2f", w1))s of work for \(small.inputBytes) bytes, \
            \(String(format: "%.2f", w4))s for \(large.inputBytes) bytes (bound \(String(format: "%.2f", bound))s)
            """, sourceLocation: sourceLocation)
    }
}

extension Child.Result {
    /// A line for the test log: what a case cost.
    func cost(_ label: String, bytes: Int) -> String {
        "\(label): \(bytes) bytes, cpu \(String(format: "%.3f", cpuSeconds))s, wall \(String(format: "%.3f", wallSeconds))s, "
            + "peak RSS \(maxRSS >> 20) MiB"
    }
}
