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

    /// What the filters that handled the message wrote, the topmost (last added, the recipient's own) first.
    ///
    /// Spam: `X-Spam-Flag: YES`, `X-Spam-Status: Yes…`, `X-Rspamd-Action` other than `no action`/`greylist`,
    /// `X-MS-Exchange-Organization-SCL` ≥ 5, `X-Gmail-Labels` containing `Spam`. Ham: `X-Spam-Flag: NO`,
    /// `X-Spam-Status: No…`, `X-Rspamd-Action: no action` — a filter that looked and said no.
    public static func verdict(header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>) -> VerdictEvidence? {
        for field in header.fields {
            let name = b[field.name]
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
