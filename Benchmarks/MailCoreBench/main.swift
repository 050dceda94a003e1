// mailcore-bench: parses every message under a directory with MessageParser and prints the time per message.
//
//     swift run -c release mailcore-bench ../shared/corpus [--iterations 5]
//
// Files are read into memory first (I/O is not timed); files that start with an mbox "From " line and hold
// more than one message are split at "From " lines that follow a blank line. Directories and files whose name
// starts with "." or "_" are skipped, and so is a "labels" directory. The best of the iterations is reported.
import Glibc
import MailCore

func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
    let size = Int(st.st_size)
    var out = [UInt8](repeating: 0, count: size)
    var got = 0
    while got < size {
        let r = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, size - got) }
        if r <= 0 { break }
        got += r
    }
    return got == size ? out : Array(out[0..<got])
}

func walk(_ dir: String, into files: inout [String]) {
    guard let d = opendir(dir) else { return }
    defer { closedir(d) }
    var entries: [(String, Bool)] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasPrefix(".") || name.hasPrefix("_") || name == "labels" { continue }
        let path = dir + "/" + name
        var isDir = e.pointee.d_type == UInt8(DT_DIR)
        if e.pointee.d_type == UInt8(DT_UNKNOWN) {
            var st = stat()
            isDir = lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        }
        entries.append((path, isDir))
    }
    for (path, isDir) in entries.sorted(by: { $0.0 < $1.0 }) {
        if isDir { walk(path, into: &files) } else { files.append(path) }
    }
}

/// mboxo splitting: a message starts at each "From " line at the top or after an empty line.
func split(_ b: [UInt8]) -> [[UInt8]] {
    let from: [UInt8] = Array("From ".utf8)
    guard b.starts(with: from) else { return [b] }
    var starts: [Int] = [0]
    var i = 0
    while i + 6 < b.count {
        if b[i] == 0x0A, b[i + 1] == 0x0A, b[(i + 2)...].starts(with: from) { starts.append(i + 2) }
        i += 1
    }
    if starts.count == 1 { return [b] }
    var out: [[UInt8]] = []
    for (k, s) in starts.enumerated() {
        let e = k + 1 < starts.count ? starts[k + 1] : b.count
        out.append(Array(b[s..<e]))
    }
    return out
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var args = Array(CommandLine.arguments.dropFirst())
var iterations = 5
if let k = args.firstIndex(of: "--iterations"), k + 1 < args.count, let n = Int(args[k + 1]) {
    iterations = max(1, n)
    args.removeSubrange(k...(k + 1))
}
guard let root = args.first else {
    print("usage: mailcore-bench DIRECTORY [--iterations N]")
    exit(2)
}
var files: [String] = []
walk(root, into: &files)
var messages: [[UInt8]] = []
for f in files {
    if let b = readFile(f) { messages.append(contentsOf: split(b)) }
}
let bytes = messages.reduce(0) { $0 + $1.count }
var sizes = messages.map(\.count).sorted()
let median = sizes.isEmpty ? 0 : sizes[sizes.count / 2]
sizes.removeAll()

var best = Double.infinity
var parts = 0
var attachments = 0
var diagnostics = 0
for _ in 0..<iterations {
    parts = 0
    attachments = 0
    diagnostics = 0
    let t0 = now()
    for m in messages {
        let p = MessageParser.parse(m)
        parts += p.parts.count
        attachments += p.attachments.count
        diagnostics += p.diagnostics.count
    }
    best = min(best, now() - t0)
}
// One more pass, timing each message alone, for the distribution.
var each: [Double] = []
each.reserveCapacity(messages.count)
for m in messages {
    let t0 = now()
    let p = MessageParser.parse(m)
    each.append((now() - t0) * 1e6)
    _ = p.parts.count
}
each.sort()
let sortedTimes = each
func percentile(_ q: Double) -> Double {
    sortedTimes.isEmpty ? 0 : sortedTimes[min(sortedTimes.count - 1, Int(Double(sortedTimes.count) * q))]
}
let perMessage = messages.isEmpty ? 0 : best / Double(messages.count) * 1e6
print("files: \(files.count)  messages: \(messages.count)  bytes: \(bytes)  median message: \(median) B")
print("parts: \(parts)  attachments: \(attachments)  diagnostics: \(diagnostics)")
print(
    "best of \(iterations): \(String(format3(best))) s  \(String(format3(perMessage))) µs/message  "
        + "\(String(format3(Double(bytes) / best / 1e6))) MB/s")
print(
    "per message: p50 \(format3(percentile(0.5))) µs  p90 \(format3(percentile(0.9))) µs  "
        + "p99 \(format3(percentile(0.99))) µs  max \(format3(each.last ?? 0)) µs")

func format3(_ v: Double) -> String {
    let scaled = (v * 1000).rounded() / 1000
    return "\(scaled)"
}
