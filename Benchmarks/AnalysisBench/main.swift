// mailatlas-analysis-bench: the per-message content work of a scan, stage by stage, over the messages of a spool
// held in memory: MIME decoding (`MessageParser.parse`), attachment analysis (type detection, archive listing,
// flags) and link extraction (`LinkAnalysis`), as `MessageAnalyzer` runs them. Origin, geo and SQLite are not timed.
//
//     swift run -c release mailatlas-analysis-bench /tmp/corpus-2000/maildir [--iterations 5] [--stage all]
//
// Every regular file under the directory is one message (Maildir `cur/` and `new/`, dot-folders included; `tmp/`
// and dot-files skipped); a file starting with an mbox `From ` line holding several messages is split at `From `
// lines after a blank line. Each stage runs over all messages, `--iterations` times; the best time is reported.
// `--stage parse|attachments|links` runs one stage (plus the parsing it needs) for instruction counts:
//
//     valgrind --tool=callgrind ./mailatlas-analysis-bench DIR --iterations 1 --stage links
//     callgrind_annotate --inclusive=yes callgrind.out.* | grep Stage
//
// `--records FILE` writes what every message gives (the records behind AnalysisDigestTests) to diff two builds;
// `--fuzz-links N FILE` does the same for N seeded mutations of HTML and of the text bodies found under DIR.
import AnalysisRecords
import Crypto
import Glibc
import MailAtlasKit
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
        if name == "." || name == ".." || name == "tmp" || name == "_meta" || name == "labels" { continue }
        let path = dir + "/" + name
        var isDir = e.pointee.d_type == UInt8(DT_DIR)
        if e.pointee.d_type == UInt8(DT_UNKNOWN) {
            var st = stat()
            isDir = lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        }
        if !isDir && name.hasPrefix(".") { continue }
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

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// What a stage produced, summed, so the optimiser keeps the work and runs can be compared.
struct Tally {
    var parts = 0
    var textBytes = 0
    var attachments = 0
    var members = 0
    var flags = 0
    var links = 0
    var linkCount = 0
    var diagnostics = 0
}

enum Stage {
    @inline(never)
    static func parse(_ messages: [[UInt8]], limits: MessageParser.Limits, tally: inout Tally) -> [ParsedMessage] {
        var out: [ParsedMessage] = []
        out.reserveCapacity(messages.count)
        for m in messages {
            let p = MessageParser.parse(m, limits: limits)
            tally.parts += p.parts.count
            tally.textBytes += p.textBodies.reduce(0) { $0 + $1.utf8.count }
            tally.diagnostics += p.diagnostics.count
            out.append(p)
        }
        return out
    }

    @inline(never)
    static func attachments(_ parsed: [ParsedMessage], analysis: AttachmentAnalysis, tally: inout Tally) {
        for p in parsed {
            var budget = AttachmentAnalysis.MessageBudget()
            for a in p.attachments {
                let (facts, notes) = analysis.analyze(
                    partPath: a.partPath, filename: a.filename, declaredType: a.declaredType, isInline: a.isInline,
                    payload: a.payload, payloadIsPrefix: a.payloadTruncated, size: a.size, sha256: a.sha256,
                    budget: &budget)
                tally.attachments += 1
                tally.members += facts.members.count
                tally.flags += facts.flags.count
                tally.diagnostics += notes.count
            }
        }
    }

    @inline(never)
    static func links(_ parsed: [ParsedMessage], options: LinkExtractorOptions, tally: inout Tally) {
        for p in parsed {
            var links = LinkAnalysis(options: options)
            links.add(p)
            let (facts, notes) = links.facts()
            tally.links += facts.count
            tally.linkCount += facts.reduce(0) { $0 + $1.count }
            tally.diagnostics += notes.count
        }
    }
}

/// Seeded mutations (bytes flipped, markup inserted, spans deleted or copied) of HTML and of the corpus's text
/// bodies through the link scanners, and random spans of them through `HostName` and `URLParser`: what they give,
/// written out to diff two builds (`--fuzz-links N FILE`).
enum Fuzz {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    static let html = Array(
        """
        <html><head><base href="http://b.example/x/"><style>a{background:url('http://c.example/i.png')}</style>
        <meta http-equiv=refresh content="0;url=http://m.example/"></head><body background=//bg.example/b.gif>
        <a href="http&#58;//paypal.com@0x7f000001/a?b=1&amp;c=2">https://www.paypal.com/</a> www.w.example/p
        <!--[if mso]><v:rect href="http://v.example/"></v:rect><![endif]--><img srcset="a.png 1x, http://s.example/b.png 2x">
        <form action="/post"><input type=image src="http://i.example/x"></form> http://мойсайт.рф/ example.co.uk
        <a href=www.bare.example/x>see example.org/y</a><link rel=stylesheet href=//f.example/c.css><a href="javascript:
        window.open('http://j.example/')">x</a><iframe src="hxxp://d[.]example/"></iframe> <http://fold.example/a
         /b> (https://en.wikipedia.org/wiki/Foo_(bar)). WWW.Upper.Example, 0177.0.0.1/x http://[::1]:8080/ ftp://u:p@
        ex%61mple.com:21/ https://xn--mnchen-3ya.de/ http://münchen.de./ https://ｅｘａｍｐｌｅ．ｃｏｍ/ <a href="data:image/png;base64,AAAA">
        <img src="cid:x@y"> <object data="http://o.example/"></object> <area href=/rel><base href="https://z.example/d/f?q">
        <a href="?q=1">q</a><a href="#f">f</a><a href="rel/x">r</a> setup.py c.l.py you.Regards sf.net dns;mx.example.org
        </body></html>
        """.utf8)
    static let markup: [[UInt8]] =
        [
            "<", ">", "\"", "'", "&#", "&amp;", "<!--", "-->", "://", "www.", "@", "[.]", "\u{202E}", "\u{200B}",
            "\u{3002}", "%", "\\", "<a href=", "<style>", "</", "&#x2F;", "&colon;", "http://", "\t", "\r\n", ".com",
            "xn--", "0x", "[", "]", "(", ")", " ", "\u{A0}", "\u{FF0E}", "Ｅ", "é", ":8080", "/", "?", "#", "&nbsp;",
            "url(", "@import '", "<base href=", "<meta http-equiv=refresh content='0;url=", "srcset=", " style='",
        ].map { Array($0.utf8) }
        + [
            "\u{2019}", "\u{201C}", "«", "»", "\u{3001}", "\u{FF08}", "\u{FF1A}", "\u{2026}", "\u{3000}", "\u{2003}",
            "\u{2028}", "hxxps://", "(dot)", "[:]", "\u{FEFF}", "\u{2060}", "%2e", "%5B", "0x7f.1", ".1", "::",
        ].map { Array($0.utf8) }
        + [[0xE2, 0x80], [0xC2], [0xE3, 0x80], [0xEF, 0xBC], [0x80], [0xE2, 0x80, 0x80], [0xFF], [0xC3]]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(8)) {
            guard !b.isEmpty else { break }
            let at = rng.below(b.count)
            switch rng.below(4) {
            case 0: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.insert(contentsOf: markup[rng.below(markup.count)], at: at)
            case 2: b.removeSubrange(at..<min(b.count, at + rng.below(40)))
            default: b.insert(contentsOf: b[at..<min(b.count, at + rng.below(200))], at: rng.below(b.count))
            }
        }
        return b
    }

    static func host(_ h: HostName?) -> String {
        guard let h else { return "nil" }
        return
            "\(h.ascii.debugDescription) \(h.unicode?.debugDescription ?? "-") \(h.ip?.description ?? "-") \(h.tricks.rawValue)"
    }

    static func url(_ u: ParsedURL?) -> String {
        guard let u else { return "nil" }
        return "\(u.text.debugDescription) \(u.scheme) \(u.userInfo?.debugDescription ?? "-") \(host(u.host)) "
            + "\(u.port.map(String.init) ?? "-") \(u.rest.debugDescription) \(u.defanged)"
    }

    static func run(_ count: Int, bodies: [[UInt8]], into out: inout [UInt8]) {
        var rng = SplitMix(state: 0x5EED)
        let psl = PublicSuffixList.embedded
        for k in 0..<count {
            let base = k % 3 == 0 || bodies.isEmpty ? html : bodies[rng.below(bodies.count)]
            let input = k % 7 == 6 ? base : mutate(base, &rng)
            var lines: [String] = ["=== \(k)"]
            for defanged in [false, true] {
                let options = LinkExtractorOptions(recoverDefanged: defanged, maxLinks: 200)
                var c = LinkCollector(options: options)
                c.addHTML(input, inAttachment: k % 5 == 4)
                c.addText(input, source: k % 11 == 10 ? .subject : .text)
                for l in c.links {
                    let m = psl.match(host: l.host.ascii)
                    lines.append(
                        "link \(l.url.debugDescription) \(host(l.host)) \(l.source) x\(l.count) "
                            + "\(l.displayHost?.debugDescription ?? "-") \(l.truncated) \(l.defanged) "
                            + "psl \(m.publicSuffix) \(m.icannSuffix ?? "-") \(m.registrableDomain ?? "-") \(m.knownTLD)"
                    )
                }
                lines.append("dropped \(c.dropped) cut \(c.cutBodies)")
            }
            for _ in 0..<8 where !input.isEmpty {
                let s = rng.below(input.count)
                let span = Array(input[s..<min(input.count, s + 1 + rng.below(80))])
                lines.append("host \(host(HostName.normalize(span)))")
                lines.append("url \(url(URLParser.parse(span)))")
                lines.append("url-d \(url(URLParser.parse(span, allowDefanged: true)))")
                lines.append("url-h \(url(URLParser.parse(span, defaultScheme: "http")))")
                lines.append("entities \(HTMLEntities.decode(span))")
            }
            out += Array(lines.joined(separator: "\n").utf8)
            out.append(0x0A)
        }
    }
}

var args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, in args: inout [String]) -> String? {
    guard let k = args.firstIndex(of: name), k + 1 < args.count else { return nil }
    let v = args[k + 1]
    args.removeSubrange(k...(k + 1))
    return v
}
let iterations = max(1, option("--iterations", in: &args).flatMap { Int($0) } ?? 5)
let stage = option("--stage", in: &args) ?? "all"
let recordsPath = option("--records", in: &args)
let fuzzCount = option("--fuzz-links", in: &args).flatMap { Int($0) }
guard let root = args.first, ["all", "parse", "attachments", "links"].contains(stage) else {
    print("usage: mailatlas-analysis-bench DIRECTORY [--iterations N] [--stage all|parse|attachments|links]")
    exit(2)
}
var files: [String] = []
walk(root, into: &files)
var messages: [[UInt8]] = []
for f in files {
    if let b = readFile(f) { messages.append(contentsOf: split(b)) }
}
let bytes = messages.reduce(0) { $0 + $1.count }
let count = Double(max(1, messages.count))

let options = MessageAnalyzer.Options()
let limits = MessageParser.Limits(maxHeaderFields: options.maxHeaderFields)
// The embedded Public Suffix List is read on first use: not part of any stage.
print("public suffix rules: \(options.links.publicSuffixList.ruleCount)")

if let n = fuzzCount, let path = args.dropFirst().first {
    var bodies: [[UInt8]] = []
    for m in messages {
        for t in MessageParser.parse(m).textBodies where !t.utf8.isEmpty { bodies.append(Array(t.utf8.prefix(4096))) }
    }
    var out: [UInt8] = []
    Fuzz.run(n, bodies: bodies, into: &out)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = out.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    print("\(n) mutated inputs written to \(path)")
    exit(0)
}
if let path = recordsPath {
    let analyzer = MessageAnalyzer()
    var defanged = LinkExtractorOptions()
    defanged.recoverDefanged = true
    var out: [UInt8] = []
    for (k, m) in messages.enumerated() {
        out += Array("=== \(k)\n".utf8)
        out += Array(AnalysisRecords.record(m, analyzer: analyzer, defanged: defanged).utf8)
        out.append(0x0A)
    }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = out.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    print("records of \(messages.count) messages written to \(path)")
    exit(0)
}

var best: [String: Double] = [:]
var tally = Tally()
for _ in 0..<iterations {
    tally = Tally()
    var t0 = cpuNow()
    let parsed = Stage.parse(messages, limits: limits, tally: &tally)
    best["parse", default: .infinity] = min(best["parse", default: .infinity], cpuNow() - t0)
    if stage == "all" || stage == "attachments" {
        t0 = cpuNow()
        Stage.attachments(parsed, analysis: options.attachments, tally: &tally)
        best["attachments", default: .infinity] = min(best["attachments", default: .infinity], cpuNow() - t0)
    }
    if stage == "all" || stage == "links" {
        t0 = cpuNow()
        Stage.links(parsed, options: options.links, tally: &tally)
        best["links", default: .infinity] = min(best["links", default: .infinity], cpuNow() - t0)
    }
}

func format(_ v: Double) -> String {
    let scaled = (v * 100).rounded() / 100
    return "\(scaled)"
}
print("files: \(files.count)  messages: \(messages.count)  bytes: \(bytes)")
print(
    "parts: \(tally.parts)  text bytes: \(tally.textBytes)  attachments: \(tally.attachments)  "
        + "members: \(tally.members)  flags: \(tally.flags)  links: \(tally.links) (\(tally.linkCount) occurrences)  "
        + "diagnostics: \(tally.diagnostics)")
var total = 0.0
for name in ["parse", "attachments", "links"] {
    guard let t = best[name] else { continue }
    total += t
    print("\(name): \(format(t / count * 1e6)) µs/message (CPU, best of \(iterations))")
}
print("total: \(format(total / count * 1e6)) µs/message")
