import Foundation
import MailAtlasKit
import MailCore
import TestSupport
import Testing

/// The whole origin output for every corpus message, pinned: every field of every parsed Received header, the
/// stored hop rows, the origin facts, the walk's reasons, the explanation, the diagnostics, the message context and
/// the relay observations, with the profile learned from the corpus, lists trusted and not. Also every Received
/// value cut short and upper-cased, for the parser's odd corners. One 64-bit digest per message in
/// `Fixtures/origin-digests.tsv`, so a difference names the message; `mailatlas trace` shows what it is.
///
/// A change that means to change decisions re-records the fixture (`MAILATLAS_RECORD_ORIGIN_DIGESTS=1 swift test
/// --filter OriginDigest`) and says why in its commit; a change that only makes the analysis faster must not.
@Suite(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
struct OriginDigestTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/origin-digests.tsv")

    @Test func everyCorpusDecisionIsUnchanged() throws {
        var messages: [(String, [UInt8])] = []
        var builder = RelayProfileBuilder()
        for row in try Corpus.jsonLines("dev.jsonl") {
            guard let src = row["src"] as? String, let bytes = Corpus.messageBytes(src: src) else { continue }
            messages.append((src, bytes))
            bytes.withUnsafeBufferPointer { b in
                builder.add(OriginAnalyzer.observe(header: HeaderBlock(parsing: b), bytes: b))
            }
        }
        #expect(messages.count > 5000)
        let profile = builder.build()
        var lines: [String] = []
        var text = "profile"
        for (relay, e) in profile.relays.sorted(by: { $0.key < $1.key }) {
            text += " \(relay) \(e.messages)/\(e.forwarded)/\(e.sources)"
        }
        lines.append("#profile\t\(Self.digest(text))")
        for (src, bytes) in messages {
            let text = bytes.withUnsafeBufferPointer { b in Self.describe(b, profile: profile) }
            lines.append("\(src)\t\(Self.digest(text))")
        }
        let recorded = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["MAILATLAS_RECORD_ORIGIN_DIGESTS"] != nil {
            try FileManager.default.createDirectory(
                at: Self.fixture.deletingLastPathComponent(), withIntermediateDirectories: true)
            try recorded.write(to: Self.fixture, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: Self.fixture, encoding: .utf8)
        let want = expected.split(separator: "\n").map(String.init)
        #expect(want.count == lines.count)
        var differ: [String] = []
        for (a, b) in zip(lines, want) where a != b { differ.append(String(a.prefix { $0 != "\t" })) }
        if !differ.isEmpty {
            print("origin output differs for \(differ.count) messages, e.g.:")
            for d in differ.prefix(20) { print("  \(d)") }
        }
        #expect(differ.isEmpty)
    }

    /// FNV-1a, 64 bits: enough to notice a change.
    static func digest(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in s.utf8 { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The origin facts field by field, in the form the digests were first recorded in.
    static func describe(_ o: OriginFacts) -> String {
        func text(_ s: String?) -> String { s.map { "Optional(\"\($0)\")" } ?? "nil" }
        return
            "OriginFacts(ip: \(text(o.ip)), hop: \(o.hop.map { "Optional(\($0))" } ?? "nil"), rule: \"\(o.rule.rawValue)\", "
            + "confidence: \"\(o.confidence.rawValue)\", handoverIP: \(text(o.handoverIP)), "
            + "claimedFirstIP: \(text(o.claimedFirstIP)), originatingIPHeader: \(text(o.originatingIPHeader)))"
    }

    static func describe(_ b: UnsafeBufferPointer<UInt8>, profile: RelayProfile) -> String {
        let header = HeaderBlock(parsing: b)
        var out = ""
        for trust in [true, false] {
            let a = OriginAnalyzer.analysis(
                header: header, bytes: b, config: OriginConfig(trustListServers: trust), profile: profile)
            for h in a.received { out += describe(h) + "\n" }
            for f in a.hops { out += "\(f)\n" }
            out += describe(a.origin) + "\n"
            for (k, r) in a.reasons.sorted(by: { $0.key < $1.key }) { out += "reason \(k) \(r)\n" }
            for e in a.explanation { out += "explain \(e)\n" }
            for d in a.diagnostics { out += "diag \(d.severity) \(d.code) \(d.message)\n" }
            let c = a.context
            out += "context \(c.isList) \(c.listDomains) \(c.recipients) \(String(describing: c.date))"
            out += " \(c.originatingHeader.map { "\($0.name) \($0.ip)" } ?? "-") \(c.exchangeOnline)\n"
            // What a scan stores comes from the same decision made without the reasons.
            let scan = OriginAnalyzer.analyze(
                header: header, bytes: b, config: OriginConfig(trustListServers: trust), profile: profile)
            if scan.hops != a.hops || scan.origin != a.origin || scan.diagnostics != a.diagnostics
                || scan.observations != OriginAnalyzer.observe(header: header, bytes: b)
            {
                out += "scan differs\n"
            }
        }
        for o in OriginAnalyzer.observe(header: header, bytes: b) {
            out += "observe \(o.relay) \(o.source.map { "\($0)" } ?? "-")\n"
        }
        // The parser on every Received value cut at a third and at a half, and upper-cased.
        for field in header.fields where b[field.name].equalsLowercasedASCII("received".utf8) {
            let v = field.unfoldedValue(in: b)
            out += "cut3 " + describe(ReceivedParser.parse(Array(v.prefix(v.count / 3)))) + "\n"
            out += "cut2 " + describe(ReceivedParser.parse(Array(v.prefix(v.count / 2)))) + "\n"
            let upper = v.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            out += "upper " + describe(ReceivedParser.parse(upper)) + "\n"
        }
        return out
    }

    static func describe(_ h: ReceivedHop) -> String {
        func s(_ v: String?) -> String { v.map { "\"\($0)\"" } ?? "-" }
        func s(_ v: IPAddress?) -> String { v.map { "\($0)" } ?? "-" }
        let date = h.date.map { "\($0.secondsSince1970)/\($0.offsetMinutes)/\($0.zoneKnown)" } ?? "-"
        return [
            s(h.fromWord), s(h.helo), s(h.heloIP), s(h.rdns), h.rdnsStatus.rawValue, s(h.ip), s(h.unparsedIP),
            h.port.map { "\($0)" } ?? "-", s(h.ident), s(h.by), s(h.byIP), s(h.software), s(h.via), s(h.with),
            h.protocolKind.rawValue, s(h.id), s(h.forAddress), s(h.tls), s(h.auth), date, "\(h.badDate)",
            h.mta?.rawValue ?? "-", "\(h.isLocal)", "\(h.isQmailQueueStep)", "\(h.isJunk)", "\(h.truncated)",
        ].joined(separator: "|")
    }
}
