import Foundation
import TestSupport
import Testing

/// An adversarial case built at two scales (1× and 4×) and scanned by the built binary at each.
struct HostileCase {
    let name: String
    let small: HostileScan
    let large: HostileScan
    /// Kept alive so the stores can be read.
    let dirs: [TempDirectory]

    /// Builds the spool with `build(dir, scale)` (it returns the roots to scan) and scans it at scale 1 and 4.
    /// Every scan must end by itself, without a signal, within `timeout`, with exit status `status`.
    static func run(
        _ name: String, args: [String] = [], wrapper: [String] = [], status: Int32 = 0, timeout: Double = 120,
        build: (TempDirectory, Int) throws -> [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> HostileCase {
        var scans: [HostileScan] = []
        var dirs: [TempDirectory] = []
        for scale in [1, 4] {
            let dir = TempDirectory("hostile-\(name)")
            dirs.append(dir)
            let roots = try build(dir, scale)
            // A generator gone wrong must not fill the disk or run for an hour.
            let size = roots.map(HostileScan.size).reduce(0, +)
            guard size <= 600 << 20 else {
                Issue.record("\(name) ×\(scale): the generated spool is \(size) bytes", sourceLocation: sourceLocation)
                throw POSIXError(.EFBIG)
            }
            let scan = try HostileScan.run(
                roots, store: dir.path + "/store.sqlite", args: args, wrapper: wrapper, timeout: timeout)
            print(scan.result.cost("\(name) ×\(scale)", bytes: scan.inputBytes))
            #expect(scan.result.finishedCleanly, "\(name) ×\(scale): \(scan.result)", sourceLocation: sourceLocation)
            #expect(scan.result.status == status, "\(name) ×\(scale): \(scan.result)", sourceLocation: sourceLocation)
            scans.append(scan)
        }
        return HostileCase(name: name, small: scans[0], large: scans[1], dirs: dirs)
    }

    /// CPU time linear in the input (see `Linearity`).
    func checkLinear(slack: Double = 2, floorSeconds: Double = 0.3, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        try Linearity(small: small, large: large).check(
            slack: slack, floorSeconds: floorSeconds, sourceLocation: sourceLocation)
    }

    /// Peak memory of the larger scan at most `bytes`.
    func checkMemory(atMost bytes: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            large.result.maxRSS <= bytes,
            "\(name): peak RSS \(large.result.maxRSS >> 20) MiB over \(bytes >> 20) MiB for \(large.inputBytes) bytes",
            sourceLocation: sourceLocation)
    }

    /// Each scan wrote at least one diagnostic with each of these codes.
    func checkDiagnostics(_ codes: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for scan in [small, large] {
            let found = try scan.diagnosticCodes()
            for code in codes {
                #expect(
                    found[code, default: 0] > 0, "\(name): no \(code) diagnostic in \(found)",
                    sourceLocation: sourceLocation)
            }
        }
    }
}

/// The memory a debug build of the scanner needs with nothing to do, plus room for its worker tasks.
let baseMemory = 96 << 20
