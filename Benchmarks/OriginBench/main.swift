import Foundation
import MailAtlasKit
import MailCore

// origin-bench: the origin analysis alone, or the relay pre-pass alone, over the messages of a spool read into
// memory first. Run it under valgrind for instruction counts, which repeat exactly on a shared machine
// (Benchmarks/origin-instructions does it, and measures a whole `mailatlas scan` too):
//
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*BenchTimed*' \
//       .build/release/origin-bench analyze SPOOL
//
// Modes (SPOOL: a directory of message files, e.g. a Maildir, read recursively):
//   analyze SPOOL [--repeat N]   the origin analysis of every message, with the relay profile learned from them
//                                (files read, header blocks parsed and the profile learned first, untimed)
//   learn SPOOL                  the relay pre-pass's work: the observations of every message, then the profile

func readMessages(_ root: String) -> [[UInt8]] {
    var paths: [String] = []
    if let e = FileManager.default.enumerator(atPath: root) {
        while let p = e.nextObject() as? String {
            let full = root + "/" + p
            let parts = p.split(separator: "/")
            var isDir: ObjCBool = false
            guard !parts.contains("tmp"), parts.last?.hasPrefix(".") == false,
                FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue
            else { continue }
            paths.append(full)
        }
    }
    paths.sort()
    return paths.compactMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } }
}

/// The measured part of `analyze`: never inlined, so callgrind can toggle collection on it by name.
@inline(never)
func originBenchTimedAnalyze(_ messages: [[UInt8]], _ headers: [HeaderBlock], profile: RelayProfile?) -> UInt64 {
    var check: UInt64 = 0
    for (k, m) in messages.enumerated() {
        m.withUnsafeBufferPointer { b in
            let r = OriginAnalyzer.analyze(header: headers[k], bytes: b, profile: profile)
            check &+= UInt64(r.hops.count) &+ UInt64(r.origin?.ip?.utf8.count ?? 0)
        }
    }
    return check
}

@inline(never)
func originBenchTimedLearn(_ messages: [[UInt8]], _ headers: [HeaderBlock]) -> RelayProfile {
    learn(messages, headers)
}

func learn(_ messages: [[UInt8]], _ headers: [HeaderBlock]) -> RelayProfile {
    var builder = RelayProfileBuilder()
    for (k, m) in messages.enumerated() {
        m.withUnsafeBufferPointer { b in builder.add(OriginAnalyzer.observe(header: headers[k], bytes: b)) }
    }
    return builder.build()
}

func option(_ name: String, _ args: [String]) -> Int? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return Int(args[i + 1])
}

let args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first, args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: origin-bench analyze|learn SPOOL [--repeat N]\n".utf8))
    exit(64)
}
switch mode {
case "analyze", "learn":
    let messages = readMessages(args[1])
    let headers = messages.map { HeaderBlock(parsing: $0) }
    if mode == "learn" {
        let p = originBenchTimedLearn(messages, headers)
        print("messages: \(messages.count), learned relays: \(p.relays.count)")
    } else {
        let repeats = option("--repeat", args) ?? 1
        let profile = learn(messages, headers)
        var check: UInt64 = 0
        for _ in 0..<repeats { check &+= originBenchTimedAnalyze(messages, headers, profile: profile) }
        print("messages: \(messages.count) x \(repeats), check \(check)")
    }
default:
    exit(64)
}
