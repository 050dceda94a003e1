/// Rows for `mailatlas trace`: one per attachment, then one per archive member (indented by depth).
public enum AttachmentsTrace {
    public static let title = "Attachments"

    public static func rows(_ attachments: [AttachmentFacts]) -> [(String, String)] {
        var rows: [(String, String)] = []
        for a in attachments {
            var value = "\(a.detectedType ?? "?")"
            if let d = a.declaredType { value += ", declared \(d)" }
            value += ", \(a.size) bytes"
            if a.isInline { value += ", inline" }
            if !a.flags.isEmpty { value += "; flags: \(a.flags.joined(separator: ","))" }
            rows.append(("\(a.partPath) \(a.filename ?? "(no name)")", value))
            for m in a.members {
                let indent = String(repeating: "  ", count: m.depth + 1)
                var mv = "\(m.detectedType ?? (m.encrypted ? "encrypted" : "not read")), \(m.size) bytes"
                if m.compressedSize != m.size { mv += " (\(m.compressedSize) stored)" }
                if m.encrypted, m.detectedType != nil { mv += ", encrypted" }
                rows.append(("\(indent)└ \(m.name)", mv))
            }
        }
        return rows
    }
}
