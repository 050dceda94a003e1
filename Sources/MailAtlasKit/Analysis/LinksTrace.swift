/// Rows for `mailatlas trace`: one per distinct link, labelled by registrable domain.
public enum LinksTrace {
    public static let title = "Links"

    public static func rows(_ links: [LinkFacts]) -> [(String, String)] {
        links.map { l in
            var notes = [l.source]
            if l.count > 1 { notes.append("×\(l.count)") }
            if l.isIP { notes.append("IP host") }
            if let u = l.unicodeHost { notes.append("IDN \(u)") }
            if let shown = l.displayHost { notes.append("text shows \(shown)") }
            if l.truncated { notes.append("truncated") }
            if l.defanged { notes.append("defanged") }
            return (l.domain, "\(l.url)  (\(notes.joined(separator: ", ")))")
        }
    }
}
