public import MailCore

/// Rows for `mailatlas trace`: what the receiving side's checks said, every `Authentication-Results` field with
/// whether it was believed and why, and which filter header decided the verdict.
public enum AuthenticationTrace {
    public static let title = "Authentication and filter verdict"

    public static func rows(
        facts: AuthenticationFacts?, fields: [AuthenticationField], verdict: VerdictEvidence?
    ) -> [(String, String)] {
        var rows: [(String, String)] = []
        if let a = facts {
            rows.append(
                ("written by", a.authservID ?? "a server that names none (Exchange Online writes no authserv-id)"))
            if let spf = a.spf { rows.append(("SPF", spf + (a.spfDomain.map { " (\($0))" } ?? ""))) }
            for d in a.dkim {
                var notes: [String] = []
                if let domain = d.domain { notes.append("d=\(domain)") }
                if let s = d.selector { notes.append("s=\(s)") }
                rows.append(("DKIM", d.result + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")))
            }
            if let dmarc = a.dmarc {
                var notes: [String] = []
                if let domain = a.dmarcDomain { notes.append(domain) }
                if let p = a.dmarcPolicy { notes.append("policy \(p)") }
                rows.append(("DMARC", dmarc + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")))
            }
        } else {
            rows.append(("results", "none written by the receiving side"))
        }
        for f in fields where f.verdict != .used {
            let who = f.parsed.authservID ?? "no authserv-id"
            let why: String
            switch f.verdict {
            case .belowBoundary:
                why =
                    "ignored: below the Received line of the hop that took the message in; the sender could have written it"
            case .foreignServer:
                why = "ignored: names a server that is not the receiving side's"
            case .used: why = ""
            }
            rows.append(("field \(f.fieldIndex + 1)", "\(who): \(why)"))
        }
        if let v = verdict {
            rows.append(
                ("filter verdict", "\(v.verdict.rawValue), from \(v.source.replacingPrefix("header:", with: ""))"))
        } else {
            rows.append(("filter verdict", "none among the headers the receiving side wrote"))
        }
        return rows
    }
}

extension String {
    fileprivate func replacingPrefix(_ p: String, with r: String) -> String {
        hasPrefix(p) ? r + dropFirst(p.count) : self
    }
}
