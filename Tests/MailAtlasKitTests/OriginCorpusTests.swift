import Foundation
import MailAtlasKit
import MailCore
import TestSupport
import Testing

/// The corpus conformance figures of issue 4: origin IPs against the expert labels, handover IPs with list servers
/// not trusted, Exchange Online's X-Sender-IP, and SpamAssassin's first untrusted relay. Each test prints its
/// figures (run `swift test --filter OriginCorpus` to see them) and fails below its threshold.
@Suite(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
struct OriginCorpusTests {
    /// Every message of dev.jsonl, parsed once, and the relay profile learned from all of them (the spool).
    struct Spool: Sendable {
        struct Message: Sendable {
            var src: String
            var received: [ReceivedHop]
            var context: OriginContext
            var saOrigin: String?
            var xSenderIP: String?
        }
        var messages: [String: Message]
        var order: [String]
        var profile: RelayProfile
    }

    static let spool: Spool = {
        var messages: [String: Spool.Message] = [:]
        var order: [String] = []
        var builder = RelayProfileBuilder()
        for row in (try? Corpus.jsonLines("dev.jsonl")) ?? [] {
            guard let src = row["src"] as? String, let bytes = Corpus.messageBytes(src: src) else { continue }
            let m = bytes.withUnsafeBufferPointer { b -> Spool.Message in
                let header = HeaderBlock(parsing: b)
                let received = OriginAnalyzer.receivedHops(header: header, bytes: b).0
                let context = OriginContext(header: header, bytes: b)
                var xs: String? = nil
                if let list = row["x_sender_ip"] as? [[String: Any]] {
                    xs = list.first { ($0["header"] as? String)?.lowercased() == "x-sender-ip" }?["value"] as? String
                }
                return Spool.Message(
                    src: src, received: received, context: context, saOrigin: row["sa_origin_ip"] as? String,
                    xSenderIP: xs)
            }
            builder.add(OriginAnalyzer.observe(received: m.received, context: m.context))
            messages[src] = m
            order.append(src)
        }
        let profile = builder.build()
        for (relay, e) in profile.relays.sorted(by: { $0.key < $1.key }) {
            print("learned relay \(relay): \(e.forwarded)/\(e.messages) forwarded from \(e.sources) networks")
        }
        return Spool(messages: messages, order: order, profile: profile)
    }()

    /// `MAILATLAS_ORIGIN_DUMP=FILE swift test --filter OriginCorpus` writes every message's decision
    /// (`src, origin_ip, rule, confidence`), to compare two builds message by message.
    @Test func dumpDecisionsWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["MAILATLAS_ORIGIN_DUMP"] else { return }
        var lines: [String] = []
        for src in Self.spool.order {
            guard let m = Self.spool.messages[src] else { continue }
            let o = Self.decide(m).origin
            lines.append("\(src)\t\(o.ip ?? "-")\t\(o.rule)\t\(o.confidence)")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func decide(_ m: Spool.Message, trustLists: Bool = true) -> OriginAnalysis {
        OriginAnalyzer.decide(
            received: m.received, context: m.context, config: OriginConfig(trustListServers: trustLists),
            profile: spool.profile)
    }

    static func normalized(_ s: String?) -> String? {
        s.flatMap { IPAddress($0) }.map { "\($0)" }
    }

    struct Tally {
        var total = 0
        var agree = 0
        var rate: Double { total == 0 ? 0 : Double(agree) / Double(total) }
    }

    /// Sources added to the corpus after the thresholds were set, whose agreement is below them today: their
    /// figures are measured and printed, and they stay outside the thresholds until the origin issue closes them
    /// (docs/origin.md, "Known gaps"). A gap that closes fails the test so that the list never goes stale.
    static let knownGaps: [String: String] = [:]

    /// Agreement of `decide` with one label field, per source and per labelled rule, with the misses.
    struct LabelTally {
        var all = Tally()
        var byRule: [String: Tally] = [:]
        var bySource: [String: Tally] = [:]
        /// By the confidence mailatlas assigned: what a user filtering on `origin_confidence` gets.
        var byConfidence: [String: Tally] = [:]
        var misses: [String] = []
        /// Over the sources that are not known gaps: what the threshold applies to.
        var gated = Tally()
    }

    static func tallyLabels(field: String, trustLists: Bool) throws -> LabelTally {
        var t = LabelTally()
        for row in try Corpus.jsonLines("origin-expert.jsonl") {
            let src = row["src"] as? String ?? ""
            let rule = row["rule"] as? String ?? "?"
            let source = String(src.prefix { $0 != "/" })
            guard let m = Self.spool.messages[src] else {
                Issue.record("missing message \(src)")
                continue
            }
            let a = Self.decide(m, trustLists: trustLists)
            let ok = a.origin.ip == Self.normalized(row[field] as? String)
            let gated = knownGaps[source] == nil
            t.all.total += 1
            t.byRule[rule, default: Tally()].total += 1
            t.bySource[source, default: Tally()].total += 1
            t.byConfidence[a.origin.confidence.rawValue, default: Tally()].total += 1
            if gated { t.gated.total += 1 }
            if ok {
                t.all.agree += 1
                t.byRule[rule, default: Tally()].agree += 1
                t.bySource[source, default: Tally()].agree += 1
                t.byConfidence[a.origin.confidence.rawValue, default: Tally()].agree += 1
                if gated { t.gated.agree += 1 }
            } else {
                t.misses.append(
                    "\(src): label \(row[field] as? String ?? "null") (\(rule)), got \(a.origin.ip ?? "null") (\(a.origin.rule))"
                )
            }
        }
        return t
    }

    static func printTally(_ title: String, _ t: LabelTally) {
        func pct(_ x: Tally) -> String { "\(x.agree)/\(x.total) = \(String(format: "%.1f", x.rate * 100))%" }
        print("\(title): \(pct(t.all)); outside the known gaps \(pct(t.gated))")
        for (rule, x) in t.byRule.sorted(by: { $0.key < $1.key }) { print("  rule \(rule): \(x.agree)/\(x.total)") }
        for (source, x) in t.bySource.sorted(by: { $0.key < $1.key }) {
            print("  source \(source): \(pct(x))\(knownGaps[source].map { " (known gap: \($0))" } ?? "")")
        }
        for (level, x) in t.byConfidence.sorted(by: { $0.key < $1.key }) { print("  confidence \(level): \(pct(x))") }
        for m in t.misses { print("  miss \(m)") }
    }

    /// A known gap whose source now meets the per-source bar is no longer a gap: say so.
    static func expectGapsStillOpen(_ t: LabelTally) {
        for source in knownGaps.keys.sorted() {
            guard let x = t.bySource[source] else { continue }
            #expect(x.rate < 0.90, "\(source) reaches \(x.rate): remove it from knownGaps")
        }
    }

    @Test func originMatchesExpertLabels() throws {
        let t = try Self.tallyLabels(field: "origin_ip", trustLists: true)
        #expect(t.all.total == 273)
        Self.printTally("origin_ip vs origin-expert.jsonl", t)
        #expect(t.gated.rate >= 0.95)
        // The origin issue's bars: 97% overall, and 90% on every source with 20 or more labels, so that one
        // receiving infrastructure cannot hide behind the others.
        #expect(t.all.rate >= 0.97)
        for (source, x) in t.bySource where x.total >= 20 {
            #expect(x.rate >= 0.90, "\(source): \(x.agree)/\(x.total)")
        }
        Self.expectGapsStillOpen(t)
    }

    @Test func handoverMatchesExpertLabelsWhenListsAreNotTrusted() throws {
        let t = try Self.tallyLabels(field: "handover_ip", trustLists: false)
        Self.printTally("origin_ip (lists not trusted) vs handover_ip", t)
        #expect(t.gated.rate >= 0.95)
    }

    @Test func originMatchesExchangeOnlineSenderIP() {
        var t = Tally()
        var misses: [String] = []
        for src in Self.spool.order {
            guard let m = Self.spool.messages[src], m.context.exchangeOnline, let xs = Self.normalized(m.xSenderIP)
            else { continue }
            let a = Self.decide(m)
            t.total += 1
            if a.origin.ip == xs {
                t.agree += 1
            } else {
                misses.append("\(src): X-Sender-IP \(xs), got \(a.origin.ip ?? "null") (\(a.origin.rule))")
            }
        }
        print(
            "origin_ip vs Exchange Online X-Sender-IP: \(t.agree)/\(t.total) = \(String(format: "%.2f", t.rate * 100))%"
        )
        for m in misses { print("  miss \(m)") }
        #expect(t.total >= 300)
        #expect(t.rate >= 0.99)
    }
}

extension OriginCorpusTests {
    /// SpamAssassin's first untrusted relay over all of dev.jsonl: how often we agree, and what the differences are.
    /// SpamAssassin is a floor to beat: against the expert labels we must agree more often than it does.
    @Test func agreementWithSpamAssassin() throws {
        var classes: [String: Int] = [:]
        var agree = 0
        var total = 0
        for src in Self.spool.order {
            guard let m = Self.spool.messages[src] else { continue }
            let a = Self.decide(m)
            let sa = Self.normalized(m.saOrigin)
            total += 1
            if a.origin.ip == sa {
                agree += 1
                continue
            }
            let ips = a.hops.map(\.fromIP)
            let originHop = a.origin.hop ?? a.hops.count
            let kind: String
            if let s = sa, let k = ips.firstIndex(of: s), k < originHop, a.origin.ip != nil {
                kind = "SA stops at a receiving-side relay (provider internal, own relay, list, fetch)"
            } else if let s = sa, let k = ips.firstIndex(of: s), k > originHop {
                kind = "SA names a hop below the boundary (sender's claim)"
            } else if let s = sa, let ip = IPAddress(s), !ip.isPublic {
                kind = "SA names a non-public address (\(ip.scope.rawValue))"
            } else if sa != nil, a.origin.ip == nil {
                kind = "no origin here (\(a.origin.rule)), SA names one"
            } else if sa == nil, a.origin.ip != nil {
                kind = "SA found no untrusted relay (e.g. CR-only line ends), origin here"
            } else if let s = sa, let k = ips.firstIndex(of: s), k < originHop {
                kind = "SA names a receiving-side relay, no origin here"
            } else {
                kind = "other"
            }
            classes[kind, default: 0] += 1
        }
        print(
            "origin_ip vs SpamAssassin sa_origin_ip over dev.jsonl: \(agree)/\(total) = \(String(format: "%.1f", Double(agree) * 100 / Double(max(1, total))))%"
        )
        for (k, n) in classes.sorted(by: { $0.value > $1.value }) { print("  \(n)  \(k)") }

        // The floor: SpamAssassin's agreement with the expert labels.
        let labels = try Corpus.jsonLines("origin-expert.jsonl")
        var saHits = 0
        var ours = 0
        for row in labels {
            guard let src = row["src"] as? String, let m = Self.spool.messages[src] else { continue }
            let label = Self.normalized(row["origin_ip"] as? String)
            if Self.normalized(m.saOrigin) == label { saHits += 1 }
            if Self.decide(m).origin.ip == label { ours += 1 }
        }
        print("expert labels: SpamAssassin \(saHits)/\(labels.count), mailatlas \(ours)/\(labels.count)")
        #expect(ours > saHits)
        #expect(total > 5000)
    }
}
