import Foundation
import FuzzHarness
import TestSupport
import Testing

/// Every input that once made a fuzz target crash, replayed through the same harness: `Fixtures/fuzz/<target>/`
/// holds them, named after what they broke. A fixed crash stays fixed.
@Suite struct FuzzRegressionTests {
    static let fixtures = Corpus.packageRoot.appendingPathComponent("Tests/AdversarialTests/Fixtures/fuzz")

    static var cases: [String] {
        var out: [String] = []
        for target in FuzzHarness.targets.keys.sorted() {
            let dir = fixtures.appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") { out.append("\(target)/\(name)") }
        }
        return out
    }

    @Test(arguments: cases)
    func replay(_ path: String) throws {
        let target = String(path.prefix { $0 != "/" })
        let run = try #require(FuzzHarness.targets[target])
        let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(path)))
        run(bytes)
    }

    /// Each harness on inputs that reach its deeper paths, so a harness that stops working is seen here too.
    @Test func everyHarnessRunsOnTheExamples() throws {
        let root = Corpus.packageRoot.appendingPathComponent("examples/spool").path
        var files: [String] = []
        let e = FileManager.default.enumerator(atPath: root)
        while let rel = e?.nextObject() as? String, files.count < 40 {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                files.append(root + "/" + rel)
            }
        }
        #expect(files.count >= 20)
        for path in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(256 * 1024))
            for (_, run) in FuzzHarness.targets { run(bytes) }
        }
    }
}
