public import MailCore

/// How a message's spam verdict is decided: a `--label` given for its root beats its folder, and the folder beats
/// what filter headers say. `verdict_source` records which one decided.
public enum VerdictRules {
    /// Folder names (last path component, compared case-insensitively) that hold spam in common mail systems.
    static let spamFolderNames: Set<String> = [
        "junk", "spam", "junk e-mail", "junk email", "junk-e-mail", "junkmail", "junk mail", "bulk mail", "bulk",
        "spambox", "spam mail", "courrier indésirable", "correo no deseado", "posta indesiderata", "ongewenste e-mail",
        "нежелательная почта", "спам", "unerwünscht", "pourriel", "lixo eletrônico",
    ]

    /// Spam when the folder's last component is a spam folder name (`.Junk`, `INBOX/Spam`, `[Gmail]/Spam`, `Bulk Mail`).
    public static func verdict(forFolder folder: String?) -> VerdictEvidence? {
        guard let folder, !folder.isEmpty else { return nil }
        let last = folder.split(separator: "/").last.map(String.init) ?? folder
        let name = last.trimmingPrefix(".").lowercased()
        return spamFolderNames.contains(name) ? VerdictEvidence(.spam, source: "folder") : nil
    }

    /// What the receiving side's filters wrote, the topmost (last added) first: only the fields before `zoneEnd`
    /// count (`ReceivingSideHeaders.zoneEnd`, the part of the header block the receiving side wrote), so a verdict
    /// the sender wrote (`X-Spam-Status: No` in a spam's own headers) decides nothing. The exception is Exchange's
    /// `X-MS-Exchange-Organization-SCL`, read wherever Exchange put it: Exchange's header firewall removes every
    /// `X-MS-Exchange-Organization-*` field from mail entering the organization from outside (and leaving it), so one
    /// that is there was written by the recipient's own Exchange, which reorders the header block.
    ///
    /// Below the zone, a filter's verdict also counts when the filter signed it with a host of the receiving side
    /// (`receivingSide`, `ReceivingSideHeaders.names`): SpamAssassin's `X-Spam-Checker-Version: … on HOST` or a
    /// report naming the host (`X-Spam-Report`) vouch for `X-Spam-Flag` and `X-Spam-Status`, `X-Rspamd-Server: HOST`
    /// for `X-Rspamd-Action`. Filters run as milters often append their fields at the bottom of the header block.
    ///
    /// Spam: `X-Spam-Flag: YES`, `X-Spam-Status: Yes…`, `X-Rspamd-Action` other than `no action`/`greylist`,
    /// `X-MS-Exchange-Organization-SCL` ≥ 5, `X-Gmail-Labels` containing `Spam`. Ham: `X-Spam-Flag: NO`,
    /// `X-Spam-Status: No…`, `X-Rspamd-Action: no action` — a filter that looked and said no.
    public static func verdict(
        header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>, zoneEnd: Int, receivingSide: () -> Set<String>
    ) -> VerdictEvidence? {
        var vouched: (spamAssassin: Bool, rspamd: Bool)? = nil
        for (k, field) in header.fields.enumerated() {
            let name = b[field.name]
            if k >= zoneEnd && !name.equalsLowercasedASCII(xSCL) {
                let spamAssassin = name.equalsLowercasedASCII(xSpamFlag) || name.equalsLowercasedASCII(xSpamStatus)
                guard spamAssassin || name.equalsLowercasedASCII(xRspamdAction) else { continue }
                if vouched == nil { vouched = filtersSigned(header: header, bytes: b, names: receivingSide()) }
                guard let v = vouched, spamAssassin ? v.spamAssassin : v.rspamd else { continue }
            }
            let value = field.unfoldedValue(in: b)
            if name.equalsLowercasedASCII(xSpamFlag) {
                if value.hasLowercasedASCIIPrefix(yes) { return VerdictEvidence(.spam, source: "header:x-spam-flag") }
                if value.hasLowercasedASCIIPrefix(no) { return VerdictEvidence(.ham, source: "header:x-spam-flag") }
            } else if name.equalsLowercasedASCII(xSpamStatus) {
                if value.hasLowercasedASCIIPrefix(yes) { return VerdictEvidence(.spam, source: "header:x-spam-status") }
                if value.hasLowercasedASCIIPrefix(no) { return VerdictEvidence(.ham, source: "header:x-spam-status") }
            } else if name.equalsLowercasedASCII(xRspamdAction) {
                let action = String(decoding: value, as: UTF8.self).lowercased()
                if action == "no action" { return VerdictEvidence(.ham, source: "header:x-rspamd-action") }
                if ["reject", "add header", "rewrite subject", "soft reject", "discard", "quarantine"].contains(action)
                {
                    return VerdictEvidence(.spam, source: "header:x-rspamd-action")
                }
            } else if name.equalsLowercasedASCII(xSCL) {
                let digits = value.drop { $0 == ASCII.hyphen }.prefix(while: ASCII.isDigit)
                let negative = value.first == ASCII.hyphen
                if !digits.isEmpty, digits.count < 4, !negative {
                    let scl = digits.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
                    if scl >= 5 { return VerdictEvidence(.spam, source: "header:x-ms-exchange-organization-scl") }
                }
            } else if name.equalsLowercasedASCII(xGmailLabels) {
                let labels = String(decoding: value, as: UTF8.self).lowercased()
                if labels.split(separator: ",").contains(where: { $0.trimmingCharacters(in: " \"") == "spam" }) {
                    return VerdictEvidence(.spam, source: "header:x-gmail-labels")
                }
            }
        }
        return nil
    }

    /// Whether SpamAssassin's and rspamd's identification fields name a host of the receiving side.
    static func filtersSigned(header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>, names: Set<String>) -> (
        spamAssassin: Bool, rspamd: Bool
    ) {
        var out = (spamAssassin: false, rspamd: false)
        guard !names.isEmpty else { return out }
        for field in header.fields {
            let name = b[field.name]
            let sa = name.equalsLowercasedASCII(xSpamCheckerVersion) || name.equalsLowercasedASCII(xSpamReport)
            let rs = name.equalsLowercasedASCII(xRspamdServer)
            guard (sa && !out.spamAssassin) || (rs && !out.rspamd) else { continue }
            // The host names written in the value (a report is long: its first 1 KiB names the system).
            let value = String(decoding: field.unfoldedValue(in: b).prefix(1024), as: UTF8.self)
            let words = value.split { " \t\"'()[]<>,;".contains($0) }
            let named = words.contains { w in
                var host = String(w)
                while host.hasSuffix(".") || host.hasSuffix(":") { host.removeLast() }
                return host.contains(".") && ReceivingSideHeaders.belongs(host, to: names)
            }
            if named {
                if sa { out.spamAssassin = true } else { out.rspamd = true }
            }
        }
        return out
    }

    static let xSpamCheckerVersion = Array("x-spam-checker-version".utf8)
    static let xSpamReport = Array("x-spam-report".utf8)
    static let xRspamdServer = Array("x-rspamd-server".utf8)
    static let xSpamFlag = Array("x-spam-flag".utf8)
    static let xSpamStatus = Array("x-spam-status".utf8)
    static let xRspamdAction = Array("x-rspamd-action".utf8)
    static let xSCL = Array("x-ms-exchange-organization-scl".utf8)
    static let xGmailLabels = Array("x-gmail-labels".utf8)
    static let yes = Array("yes".utf8)
    static let no = Array("no".utf8)
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = self[...]
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
