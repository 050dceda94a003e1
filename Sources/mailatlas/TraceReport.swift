import Foundation
import MailAtlasKit
import MailCore

/// What `trace` shows for one message. Sections that later analyses add (the origin's country and provider, the
/// linked domains, the attachments) go in `sections`, after the origin: each is a title and label/value rows in
/// text, and a key with the same rows in JSON.
struct TraceReport {
    struct Section {
        var key: String
        var title: String
        var rows: [(String, String)]
    }

    var analysis: OriginAnalysis
    var config: OriginConfig
    var sections: [Section] = []

    init(analysis: OriginAnalysis, config: OriginConfig) {
        self.analysis = analysis
        self.config = config
    }

    // MARK: Text

    /// `width`: the terminal's columns, when known: the host names are shown whole as far as the width allows (cut
    /// to no less than 28 characters). Output that is not a terminal cuts them at 28, so it stays the same anywhere.
    func text(colour: Bool, width: Int? = nil) -> String {
        let paint = Paint(enabled: colour)
        // The name columns (HELO, rDNS, by): as wide as their longest value, then the widest given up first until
        // the table fits the terminal.
        var names = [28, 28, 28]
        if let width {
            // Every other column as wide as it will be, and two blanks before each column.
            let hops = analysis.hops
            let fixed =
                [
                    hops.map { "\($0.position)".count }.max() ?? 1, hops.map { ($0.fromIP ?? "-").count }.max() ?? 2,
                    hops.map { cell($0.protocolName, 14).count }.max() ?? 4, 19,
                    hops.map { $0.delaySeconds.map(delay)?.count ?? 1 }.max() ?? 5, 7,
                ].reduce(0, +) + 2 * 9 + 6
            names = [
                analysis.hops.map { Escape.terminal($0.fromHelo ?? "").count }.max() ?? 0,
                analysis.hops.map { Escape.terminal($0.fromRDNS ?? "").count }.max() ?? 0,
                analysis.hops.map { Escape.terminal($0.byHost ?? "").count }.max() ?? 0,
            ].map { max(4, min($0, 255)) }
            while fixed + names.reduce(0, +) > width, let k = names.indices.max(by: { names[$0] < names[$1] }),
                names[k] > 28
            {
                names[k] -= 1
            }
        }
        let o = analysis.origin
        var out = ""
        let hops = analysis.hops
        out += paint.bold("Received chain") + " (\(hops.count) hop\(hops.count == 1 ? "" : "s"), newest first)\n"
        if !hops.isEmpty {
            let header = ["#", "HELO", "rDNS", "IP", "by", "with", "time (UTC)", "delay", "trusted"]
            var rows: [[String]] = []
            for h in hops {
                rows.append([
                    "\(h.position)", cell(h.fromHelo, names[0]), cell(h.fromRDNS, names[1]), cell(h.fromIP, 39),
                    cell(h.byHost, names[2]),
                    cell(h.protocolName, 14),
                    h.timestampUTC.map { String($0.dropLast()).replacingOccurrences(of: "T", with: " ") } ?? "-",
                    h.delaySeconds.map(delay) ?? "-", h.trusted ? "yes" : "no",
                ])
            }
            var widths = header.map { $0.count }
            for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
            func line(_ cells: [String], style: (Int, String) -> String) -> String {
                var s = ""
                for (k, c) in cells.enumerated() {
                    let padded = k == cells.count - 1 ? c : c + String(repeating: " ", count: widths[k] - c.count)
                    s += (k == 0 ? "  " : "  ") + style(k, padded)
                }
                return s + "\n"
            }
            out += line(header) { _, s in paint.dim(s) }
            for (i, r) in rows.enumerated() {
                let isOrigin = o.hop == i
                out += line(r) { k, s in
                    if k == 8 { return hops[i].trusted ? paint.green(s) : paint.red(s) }
                    if k == 3, isOrigin { return paint.yellow(s) }
                    return s
                }
            }
        }
        out += "\n"
        if let ip = o.ip {
            out += paint.bold("Origin") + "  " + paint.yellow(paint.bold(ip))
            out += "  (rule \(o.rule), confidence \(o.confidence)\(o.hop.map { ", hop \($0)" } ?? ""))\n"
        } else {
            out += paint.bold("Origin") + "  none  (rule \(o.rule), confidence \(o.confidence))\n"
        }
        out += "  handover IP:          \(o.handoverIP ?? "-")\n"
        out += "  earliest claimed IP:  \(o.claimedFirstIP ?? "-")  (the chain's own claim, unverifiable)\n"
        let headerName = analysis.context.originatingHeader?.name ?? "X-Originating-IP"
        out +=
            "  \(Escape.terminal(headerName + ":"))\(String(repeating: " ", count: max(1, 22 - headerName.count - 1)))\(o.originatingIPHeader ?? "-")\n"
        if !config.trustListServers { out += "  (mailing-list servers not trusted)\n" }
        if !config.internalNetworks.isEmpty {
            out += "  internal networks: \(config.internalNetworks.map(\.description).joined(separator: ", "))\n"
        }
        if !config.trustedNetworks.isEmpty {
            out += "  trusted networks: \(config.trustedNetworks.map(\.description).joined(separator: ", "))\n"
        }
        out += "\n" + paint.bold("Why") + "\n"
        for k in analysis.reasons.keys.sorted() {
            out += "  hop \(k): \(Escape.terminal(analysis.reasons[k] ?? ""))\n"
        }
        for e in analysis.explanation { out += "  \(Escape.terminal(e))\n" }
        for s in sections {
            out += "\n" + paint.bold(s.title) + "\n"
            for (label, value) in s.rows { out += "  \(Escape.terminal(label)): \(Escape.terminal(value))\n" }
        }
        if !analysis.diagnostics.isEmpty {
            out += "\n" + paint.bold("Diagnostics") + "\n"
            for d in analysis.diagnostics {
                out += "  \(d.severity.rawValue) \(d.code): \(Escape.terminal(d.message))\n"
            }
        }
        return out
    }

    /// A value for the table: escaped, cut to `width` characters.
    func cell(_ value: String?, _ width: Int) -> String {
        guard let v = value, !v.isEmpty else { return "-" }
        let e = Escape.terminal(v)
        return e.count <= width ? e : String(e.prefix(width - 1)) + "…"
    }

    func delay(_ s: Int) -> String {
        let a = abs(s)
        let text = a < 120 ? "\(a)s" : a < 7200 ? "\(a / 60)m" : a < 172_800 ? "\(a / 3600)h" : "\(a / 86_400)d"
        return s < 0 ? "-" + text + " (skew)" : text
    }

    // MARK: JSON

    func json() throws -> String {
        let o = analysis.origin
        let hops: [JSONHop] = analysis.hops.map { h in
            JSONHop(
                position: h.position, fromHelo: h.fromHelo, fromRDNS: h.fromRDNS, fromIP: h.fromIP, heloIP: h.heloIP,
                ident: h.ident, by: h.byHost, via: h.via, with: h.protocolName, id: h.smtpID, for: h.forAddress,
                tls: h.tls, auth: h.auth, timestampUTC: h.timestampUTC, delaySeconds: h.delaySeconds,
                dateOffsetSeconds: h.dateOffsetSeconds, trusted: h.trusted, reason: analysis.reasons[h.position])
        }
        let doc = JSONTrace(
            hops: hops,
            origin: JSONOrigin(
                ip: o.ip, hop: o.hop, rule: o.rule, confidence: o.confidence, handoverIP: o.handoverIP,
                claimedFirstIP: o.claimedFirstIP, originatingIPHeader: o.originatingIPHeader,
                originatingHeaderName: analysis.context.originatingHeader?.name),
            explanation: analysis.explanation,
            sections: sections.isEmpty
                ? nil
                : Dictionary(uniqueKeysWithValues: sections.map { s in (s.key, s.rows.map { [$0.0, $0.1] }) }),
            diagnostics: analysis.diagnostics.map {
                ["severity": $0.severity.rawValue, "code": $0.code, "message": $0.message]
            },
            settings: JSONSettings(
                internalNetworks: config.internalNetworks.map(\.description),
                trustedNetworks: config.trustedNetworks.map(\.description), trustListServers: config.trustListServers))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // The store's and the report's JSON use snake_case (`claimed_first_ip`, `timestamp_utc`); so does trace.
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(doc), as: UTF8.self)
    }

    struct JSONTrace: Encodable {
        var hops: [JSONHop]
        var origin: JSONOrigin
        var explanation: [String]
        var sections: [String: [[String]]]?
        var diagnostics: [[String: String]]
        var settings: JSONSettings
    }

    struct JSONHop: Encodable {
        var position: Int
        var fromHelo, fromRDNS, fromIP, heloIP, ident, by, via, with, id, `for`, tls, auth, timestampUTC: String?
        var delaySeconds, dateOffsetSeconds: Int?
        var trusted: Bool
        var reason: String?
    }

    struct JSONOrigin: Encodable {
        var ip: String?
        var hop: Int?
        var rule: OriginRule
        var confidence: OriginConfidence
        var handoverIP, claimedFirstIP, originatingIPHeader, originatingHeaderName: String?
    }

    struct JSONSettings: Encodable {
        var internalNetworks, trustedNetworks: [String]
        var trustListServers: Bool
    }
}

/// ANSI styles, or nothing when colour is off.
struct Paint {
    var enabled: Bool
    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { wrap(s, "1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
    func red(_ s: String) -> String { wrap(s, "31") }
    func green(_ s: String) -> String { wrap(s, "32") }
    func yellow(_ s: String) -> String { wrap(s, "33") }
}
