import Foundation
import TestSupport
import Testing

/// The committed man page and shell completions (scripts/generate-manual-and-completions) still describe the
/// built binary's commands: run the script and commit its output when one of these fails.
@Suite struct ManualAndCompletionsTests {
    static let root = Corpus.packageRoot

    static func committed(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test(arguments: [
        ("bash", "contrib/completions/mailatlas.bash"), ("zsh", "contrib/completions/_mailatlas"),
        ("fish", "contrib/completions/mailatlas.fish"),
    ])
    func completionScriptIsTheOneTheBinaryPrints(shell: String, path: String) throws {
        let printed = try Binary.run(["--generate-completion-script", shell])
        #expect(printed.status == 0)
        let file = try Self.committed(path)
        #expect(
            printed.stdout == file,
            "\(path) is stale: run scripts/generate-manual-and-completions and commit the result")
    }

    /// Every command, with its abstract, and every option the binary shows in its help is in the man page.
    @Test func manPageHasEveryCommandAndOption() throws {
        let dump = try Binary.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let page = try Self.committed("docs/man/mailatlas.1")
        let lines = Set(page.split(separator: "\n").map(String.init))
        var commands = 0
        var options = 0
        func visit(_ command: [String: Any], top: Bool) {
            guard command["shouldDisplay"] as? Bool ?? true else { return }
            let name = command["commandName"] as? String ?? "?"
            if !top {
                commands += 1
                #expect(lines.contains(".It Em \(name)"), "command \(name) missing from docs/man/mailatlas.1")
                if let abstract = command["abstract"] as? String, !abstract.isEmpty {
                    #expect(page.contains(abstract), "the abstract of \(name) differs in docs/man/mailatlas.1")
                }
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard argument["shouldDisplay"] as? Bool ?? true else { continue }
                for n in argument["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" {
                    let long = "-" + (n["name"] as? String ?? "?")
                    options += 1
                    let found = lines.contains { line in
                        line.hasPrefix(".It Fl ")
                            && (line.contains("Fl \(long) ") || line.contains(", \(long) ")
                                || line.hasSuffix("Fl \(long)") || line.hasSuffix(", \(long)"))
                    }
                    #expect(found, "option -\(long) of \(name) missing from docs/man/mailatlas.1")
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { visit(sub, top: false) }
        }
        visit(try #require(json["command"] as? [String: Any]), top: true)
        // The walk saw the command line (scan, sql, report, trace, relays, geo and its subcommands).
        #expect(commands >= 8)
        #expect(options >= 40)
    }
}
