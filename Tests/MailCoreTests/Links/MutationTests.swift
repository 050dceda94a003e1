import MailCore
import Testing

/// A small deterministic generator (SplitMix64), so a failure names its seed.
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

/// Seeded mutations of rich inputs (bytes flipped, inserted, deleted, spliced with markup) go through the link
/// scanners, the type detector and the archive lister without a trap, within their limits.
@Suite struct MutationTests {
    static let html = Array(
        """
        <html><head><base href="http://b.example/x/"><style>a{background:url('http://c.example/i.png')}</style>
        <meta http-equiv=refresh content="0;url=http://m.example/"></head><body background=//bg.example/b.gif>
        <a href="http&#58;//paypal.com@0x7f000001/a?b=1&amp;c=2">https://www.paypal.com/</a> www.w.example/p
        <!--[if mso]><v:rect href="http://v.example/"></v:rect><![endif]--><img srcset="a.png 1x, http://s.example/b.png 2x">
        <form action="/post"><input type=image src="http://i.example/x"></form> http://мойсайт.рф/ example.co.uk
        </body></html>
        """.utf8)
    static let markup: [[UInt8]] = [
        "<", ">", "\"", "'", "&#", "&amp;", "<!--", "-->", "://", "www.", "@", "[.]", "\u{202E}", "\u{200B}",
        "\u{3002}", "%", "\\", "<a href=", "<style>", "</",
    ].map { Array($0.utf8) }

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

    @Test(arguments: 0..<8)
    func linkScannersSurviveMutations(_ seed: Int) {
        var rng = SplitMix(state: UInt64(seed) &* 7919)
        for _ in 0..<250 {
            let input = Self.mutate(Self.html, &rng)
            var c = LinkCollector(options: LinkExtractorOptions(recoverDefanged: rng.below(2) == 0, maxLinks: 50))
            c.addHTML(input)
            c.addText(input)
            #expect(c.links.count <= 50)
            #expect(c.links.allSatisfy { $0.url.utf8.count <= 2048 && !$0.host.ascii.isEmpty })
        }
    }

    @Test(arguments: 0..<4)
    func detectorAndListerSurviveMutations(_ seed: Int) {
        var rng = SplitMix(state: UInt64(seed) &+ 1)
        let seeds: [[UInt8]] = [
            Fixtures.zip([
                .init(name: "a.exe", data: Fixtures.pe(dll: false)),
                .init(name: "in.zip", data: Fixtures.zip([.init(name: "b.js", data: Array("var a;".utf8))])),
            ]),
            Fixtures.ole2(streams: ["WordDocument", "1Table"]), Fixtures.rar5(name: "x.exe"), Fixtures.rar4(name: "y"),
            Fixtures.gzip(Fixtures.pe(dll: true), name: "d.dll"), Fixtures.sevenZip(encrypted: true),
            Fixtures.iso9660(),
        ]
        for s in seeds {
            for _ in 0..<60 {
                let input = Self.mutate(s, &rng)
                input.withUnsafeBufferPointer { b in
                    let t = FileTypeDetector.detect(b)
                    let limits = ArchiveLimits(maxMembers: 20, maxInflatedBytes: 1 << 20)
                    for type in [t.type, .zip, .rar4, .rar5, .gzip] {
                        if let l = ArchiveLister.list(b, type: type, limits: limits) {
                            #expect(l.members.count <= 20)
                            #expect(l.inflatedBytes <= 1 << 20)
                        }
                    }
                }
            }
        }
    }
}
