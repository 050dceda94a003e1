public import GRDB
public import MailCore

/// A stored message's origin decision and what the scan that made it decided with (its origin settings and the
/// relays it had learned from the spool): what `trace --db` needs to decide the message again exactly as the scan
/// did, and to say so when the two differ.
public struct StoredDecision: Sendable {
    public var messageID: Int64
    /// The scan that stored (and decided) the message.
    public var scanID: Int64
    public var sourcePath: String
    public var sourceIndex: Int
    public var sha256: String
    /// The stored decision; nil when the message row has no origin decision.
    public var origin: OriginFacts?
    /// The scan's origin settings; nil for scans from before the store kept them (migration `v6`).
    public var config: OriginConfig?
    /// The relays the scan had learned.
    public var profile: RelayProfile

    /// The stored message `id`.
    public static func read(_ reader: some DatabaseReader, messageID id: Int64) throws -> StoredDecision? {
        try reader.read { db in try read(db, where: "m.id = ?", [id.databaseValue]) }
    }

    /// The stored message whose bytes hash to `sha256`: the one still in the spool, the newest first.
    public static func read(_ reader: some DatabaseReader, sha256: String) throws -> StoredDecision? {
        try reader.read { db in
            try read(
                db, where: "m.sha256 = ? ORDER BY m.removed_scan_id IS NOT NULL, m.id DESC", [sha256.databaseValue])
        }
    }

    static func read(_ db: Database, where clause: String, _ args: [DatabaseValue]) throws -> StoredDecision? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT m.id, m.scan_id, m.source_path, m.source_index, m.sha256, m.origin_ip, m.origin_hop,
                        m.origin_rule, m.origin_confidence, m.handover_ip, m.claimed_first_ip, m.originating_ip_header,
                        s.origin_config
                    FROM messages m LEFT JOIN scans s ON s.id = m.scan_id
                    WHERE \(clause) LIMIT 1
                    """, arguments: StatementArguments(args))
        else { return nil }
        let scanID: Int64 = row[1]
        var origin: OriginFacts? = nil
        if let ruleText: String = row[7], let rule = OriginRule(rawValue: ruleText) {
            let confidenceText: String? = row[8]
            origin = OriginFacts(
                ip: row[5], hop: row[6], rule: rule,
                confidence: confidenceText.flatMap(OriginConfidence.init(rawValue:)) ?? .high,
                handoverIP: row[9], claimedFirstIP: row[10], originatingIPHeader: row[11])
        }
        let configText: String? = row[12]
        let config = try configText.map { text in
            do { return try OriginConfigFile.parse(text) } catch {
                throw DatabaseError(message: "scan \(scanID) has origin settings that cannot be read: \(error)")
            }
        }
        var relays: [RelayProfile.Relay: RelayProfile.Evidence] = [:]
        for r in try Row.fetchAll(
            db, sql: "SELECT site, network, messages, forwarded, sources FROM scan_relays WHERE scan_id = ?",
            arguments: [scanID])
        {
            guard let network = IPNetwork(r[1]) else { continue }
            relays[RelayProfile.Relay(site: r[0], network: network)] = RelayProfile.Evidence(
                messages: r[2], forwarded: r[3], sources: r[4])
        }
        return StoredDecision(
            messageID: row[0], scanID: scanID, sourcePath: row[2], sourceIndex: row[3], sha256: row[4],
            origin: origin, config: config, profile: RelayProfile(relays: relays))
    }

    /// Where a decision made now differs from the stored one, a line per field (`rule: stored edge, now list`).
    public func differences(from now: OriginFacts) -> [String] {
        guard let o = origin else { return ["the store has no origin decision for this message"] }
        var out: [String] = []
        func compare(_ name: String, _ a: String?, _ b: String?) {
            if a != b { out.append("\(name): stored \(a ?? "none"), now \(b ?? "none")") }
        }
        compare("origin_ip", o.ip, now.ip)
        compare("origin_hop", o.hop.map { "\($0)" }, now.hop.map { "\($0)" })
        compare("origin_rule", o.rule.rawValue, now.rule.rawValue)
        compare("origin_confidence", o.confidence.rawValue, now.confidence.rawValue)
        compare("handover_ip", o.handoverIP, now.handoverIP)
        compare("claimed_first_ip", o.claimedFirstIP, now.claimedFirstIP)
        compare("originating_ip_header", o.originatingIPHeader, now.originatingIPHeader)
        return out
    }
}
