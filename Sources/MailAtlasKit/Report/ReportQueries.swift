import Foundation
public import GRDB
import MailCore

/// Reads a report from the store through a read-only connection. Every figure is one aggregate SQL query over
/// `messages` restricted to the period (`received_utc` by arrival, the default, or `date_utc`) and the filters, joined to `links`, `attachments`,
/// `archive_members`, `received_hops` and `diagnostics` by their indexed keys; the `messages_report` index
/// (migration `v2`) covers the period scans, so a month out of millions of messages needs no table scan.
public enum ReportQueries {
    /// The messages a figure counts: their time (arrival or Date, `basis`) in `[from, to)` plus the verdict and
    /// folder filters.
    struct Filter {
        var verdict: String?
        var folders: [String]
        var basis: ReportTimeBasis = .arrival
        var timeZone: TimeZone? = nil

        /// The first instant of `day` where the report's days begin, as text that compares with the stored times:
        /// the day itself in UTC, else the UTC time of that local midnight.
        func bound(_ day: Day) -> String {
            guard let zone = timeZone else { return day.description }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            guard let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) else {
                return day.description
            }
            let seconds = Int(date.timeIntervalSince1970.rounded(.down))
            let d = Day(ordinal: Int((Double(seconds) / 86_400).rounded(.down)))
            let s = seconds - d.ordinal * 86_400
            return d.description + "T" + Day.pad(s / 3600, 2) + ":" + Day.pad(s / 60 % 60, 2) + ":"
                + Day.pad(s % 60, 2) + "Z"
        }

        func sql(_ period: ReportPeriod, alias: String = "m", verdict useVerdict: Bool = true) -> (
            String, [DatabaseValue]
        ) {
            let column = "\(alias).\(basis.column)"
            var clause = "\(column) >= ? AND \(column) < ?"
            var args = [bound(period.start).databaseValue, bound(period.end).databaseValue]
            if useVerdict, let verdict {
                clause += " AND \(alias).verdict = ?"
                args.append(verdict.databaseValue)
            }
            if !folders.isEmpty {
                clause += " AND \(alias).folder IN (" + folders.map { _ in "?" }.joined(separator: ", ") + ")"
                args += folders.map(\.databaseValue)
            }
            return (clause, args)
        }

        /// Verdict and folders only, for figures outside any period.
        func undatedSQL() -> (String, [DatabaseValue]) {
            var clause = "\(basis.column) IS NULL"
            var args: [DatabaseValue] = []
            if let verdict {
                clause += " AND verdict = ?"
                args.append(verdict.databaseValue)
            }
            if !folders.isEmpty {
                clause += " AND folder IN (" + folders.map { _ in "?" }.joined(separator: ", ") + ")"
                args += folders.map(\.databaseValue)
            }
            return (clause, args)
        }
    }

    /// The folder names of the store's messages, sorted.
    public static func folders(_ db: some DatabaseReader) throws -> [String] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT folder FROM messages WHERE folder IS NOT NULL ORDER BY 1")
        }
    }

    /// The default period: the last calendar month before `today`'s that holds a message matching the filters;
    /// the current month when none does.
    public static func defaultPeriod(
        _ db: some DatabaseReader, verdict: String?, folders: [String], today: Day, basis: ReportTimeBasis = .arrival
    ) throws -> ReportPeriod {
        let current = ReportPeriod.month(of: today)
        let column = basis.column
        var sql = "SELECT max(\(column)) FROM messages WHERE \(column) < ? AND \(column) IS NOT NULL"
        var args = [current.start.description]
        if let verdict {
            sql += " AND verdict = ?"
            args.append(verdict)
        }
        if !folders.isEmpty {
            sql += " AND folder IN (" + folders.map { _ in "?" }.joined(separator: ", ") + ")"
            args += folders
        }
        let latest = try db.read { db in try String.fetchOne(db, sql: sql, arguments: StatementArguments(args)) }
        guard let latest, let day = Day(String(latest.prefix(10))) else { return current }
        return ReportPeriod.month(of: day)
    }

    /// Builds the whole report in one read transaction (a consistent snapshot even while a scan writes).
    public static func build(_ reader: some DatabaseReader, request: ReportRequest) throws -> Report {
        try reader.read { db in try Builder(db: db, request: request).build() }
    }

    struct Builder {
        let db: Database
        let request: ReportRequest
        var filter: Filter {
            Filter(
                verdict: request.verdict, folders: request.folders, basis: request.basis, timeZone: request.timeZone)
        }
        /// The column of the report's time basis.
        var timeColumn: String { "m." + request.basis.column }
        var top: Int { max(1, request.top) }

        func rows(_ sql: String, _ args: [DatabaseValue]) throws -> [Row] {
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }

        func count(_ sql: String, _ args: [DatabaseValue]) throws -> Int {
            try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0
        }

        func build() throws -> Report {
            let period = request.period
            let totals = try self.totals(period)
            let previousTotals = try self.totals(period.previous)
            let byCountry = try self.byCountry(period, totals: totals)
            return Report(
                request: request, totals: totals, previousTotals: previousTotals, byCountry: byCountry,
                byProvider: try byProvider(period), topIPs: try topIPs(period), topDomains: try topDomains(period),
                countryTLD: try countryTLD(period, byCountry: byCountry), authentication: try authentication(period),
                blocklists: try blocklists(period), attachments: try attachments(period),
                trend: try trend(period, byCountry: byCountry), quality: try quality(period))
        }

        // MARK: Headline

        func totals(_ period: ReportPeriod) throws -> Report.Totals {
            var t = Report.Totals()
            let (clause, args) = filter.sql(period)
            if let row = try rows(
                """
                SELECT count(*), count(DISTINCT m.origin_ip), count(DISTINCT m.origin_asn),
                    coalesce(sum(m.origin_ip IS NULL), 0)
                FROM messages m WHERE \(clause)
                """, args
            ).first {
                t.messages = row[0]
                t.originIPs = row[1]
                t.providers = row[2]
                t.withoutOrigin = row[3]
            }
            // Countries only: a region code (EU, AP) or a made-up one is not a country of origin.
            t.countries = try rows(
                "SELECT DISTINCT m.origin_country FROM messages m WHERE (\(clause)) AND m.origin_country IS NOT NULL",
                args
            ).filter { row in
                let code: String = row[0]
                return CountryNames.isCountry(code)
            }.count
            let (allClause, allArgs) = filter.sql(period, verdict: false)
            if let row = try rows(
                "SELECT count(*), coalesce(sum(m.verdict = 'spam'), 0) FROM messages m WHERE \(allClause)", allArgs
            ).first {
                t.allMessages = row[0]
                t.spamMessages = row[1]
            }
            return t
        }

        // MARK: Countries and providers

        /// (country, asn) → messages and the AS name, for the period.
        func countryProviders(_ period: ReportPeriod) throws -> [(country: String?, share: Report.ProviderShare)] {
            let (clause, args) = filter.sql(period)
            return try rows(
                """
                SELECT m.origin_country, m.origin_asn, max(m.origin_as_org), count(*)
                FROM messages m WHERE \(clause) GROUP BY m.origin_country, m.origin_asn
                """, args
            ).map { ($0[0], Report.ProviderShare(asn: $0[1], asName: $0[2], messages: $0[3])) }
        }

        func byCountry(_ period: ReportPeriod, totals: Report.Totals) throws -> [Report.CountryRow] {
            let (clause, args) = filter.sql(period)
            let (prevClause, prevArgs) = filter.sql(period.previous)
            var previous: [String?: Int] = [:]
            for row in try rows(
                "SELECT m.origin_country, count(*) FROM messages m WHERE \(prevClause) GROUP BY m.origin_country",
                prevArgs)
            {
                previous[row[0] as String?] = row[1]
            }
            var providers: [String?: [Report.ProviderShare]] = [:]
            for (country, share) in try countryProviders(period) { providers[country, default: []].append(share) }
            return try rows(
                """
                SELECT m.origin_country, count(*), count(DISTINCT m.origin_ip)
                FROM messages m WHERE \(clause) GROUP BY m.origin_country
                """, args
            ).map { row in
                let country: String? = row[0]
                let shares = (providers[country] ?? []).filter { $0.asn != nil }.sorted(by: Self.providerOrder)
                return Report.CountryRow(
                    country: country, messages: row[1], originIPs: row[2], previousMessages: previous[country] ?? 0,
                    topProviders: Array(shares.prefix(3)))
            }.sorted { a, b in
                // Countries by size, then the codes that are not countries (EU, AP, …), then the unknown row,
                // whatever their size.
                let (ka, kb) = (Self.rowRank(a.country), Self.rowRank(b.country))
                if ka != kb { return ka < kb }
                return a.messages != b.messages ? a.messages > b.messages : (a.country ?? "") < (b.country ?? "")
            }
        }

        /// Where a row of `byCountry` goes: 0 a country, 1 a code that is not one, 2 no code.
        static func rowRank(_ code: String?) -> Int {
            guard let code else { return 2 }
            return CountryNames.isCountry(code) ? 0 : 1
        }

        static func providerOrder(_ a: Report.ProviderShare, _ b: Report.ProviderShare) -> Bool {
            a.messages != b.messages ? a.messages > b.messages : (a.asn ?? -1) < (b.asn ?? -1)
        }

        func byProvider(_ period: ReportPeriod) throws -> [Report.ProviderRow] {
            let (clause, args) = filter.sql(period)
            let (prevClause, prevArgs) = filter.sql(period.previous)
            var list = try rows(
                """
                SELECT m.origin_asn, max(m.origin_as_org), count(*), count(DISTINCT m.origin_ip),
                    min(\(timeColumn)), max(\(timeColumn))
                FROM messages m WHERE \(clause) GROUP BY m.origin_asn
                ORDER BY m.origin_asn IS NULL, 3 DESC, 1 LIMIT ?
                """, args + [top.databaseValue]
            ).map { row in
                Report.ProviderRow(
                    asn: row[0], asName: row[1], country: nil, messages: row[2], originIPs: row[3],
                    previousMessages: 0, firstSeen: row[4], lastSeen: row[5], exampleIPs: [])
            }
            var previous: [Int?: Int] = [:]
            for row in try rows(
                "SELECT m.origin_asn, count(*) FROM messages m WHERE \(prevClause) GROUP BY m.origin_asn", prevArgs)
            {
                previous[row[0] as Int?] = row[1]
            }
            for i in list.indices { list[i].previousMessages = previous[list[i].asn] ?? 0 }
            let known = list.compactMap(\.asn)
            guard !known.isEmpty else { return list }
            let marks = known.map { _ in "?" }.joined(separator: ", ")
            var countries: [Int: (String?, Int)] = [:]
            var examples: [Int: [String]] = [:]
            for row in try rows(
                """
                SELECT m.origin_asn, m.origin_ip, count(*) FROM messages m
                WHERE \(clause) AND m.origin_asn IN (\(marks)) AND m.origin_ip IS NOT NULL
                GROUP BY m.origin_asn, m.origin_ip ORDER BY 3 DESC, 2
                """, args + known.map(\.databaseValue)
            ) {
                let asn: Int = row[0]
                if examples[asn, default: []].count < 3 { examples[asn, default: []].append(row[1]) }
            }
            for row in try rows(
                """
                SELECT m.origin_asn, m.origin_country, count(*) FROM messages m
                WHERE \(clause) AND m.origin_asn IN (\(marks))
                GROUP BY m.origin_asn, m.origin_country ORDER BY 3 DESC, 2
                """, args + known.map(\.databaseValue)
            ) {
                let asn: Int = row[0]
                if countries[asn] == nil { countries[asn] = (row[1], row[2]) }
            }
            for i in list.indices {
                guard let asn = list[i].asn else { continue }
                list[i].country = countries[asn]?.0
                list[i].exampleIPs = examples[asn] ?? []
            }
            return list
        }

        // MARK: Origin IPs

        /// `a` before `b` as addresses (IPv4 before IPv6, then by value); text order for what is not an address.
        static func numericallyBefore(_ a: String, _ b: String) -> Bool {
            guard let x = IPAddress(a), let y = IPAddress(b) else { return a < b }
            if x.isIPv4 != y.isIPv4 { return x.isIPv4 }
            return x.high != y.high ? x.high < y.high : x.low < y.low
        }

        func topIPs(_ period: ReportPeriod) throws -> [Report.IPRow] {
            let (clause, args) = filter.sql(period)
            var list = try rows(
                """
                SELECT m.origin_ip, count(*), max(m.origin_country), max(m.origin_asn), min(\(timeColumn)),
                    max(\(timeColumn))
                FROM messages m WHERE \(clause) AND m.origin_ip IS NOT NULL
                GROUP BY m.origin_ip ORDER BY 2 DESC, 6 DESC, 1 LIMIT ?
                """, args + [(top * 2 + 16).databaseValue]
            ).map { row in
                Report.IPRow(
                    ip: row[0], messages: row[1], country: row[2], asn: row[3], asName: nil, firstSeen: row[4],
                    lastSeen: row[5], names: [], exampleSubject: nil)
            }
            // Ties: the most recently seen first, then by address as a number (`101.67.86.5` before
            // `101.67.236.172`), not as text.
            list.sort { a, b in
                if a.messages != b.messages { return a.messages > b.messages }
                if a.lastSeen != b.lastSeen { return (a.lastSeen ?? "") > (b.lastSeen ?? "") }
                return Self.numericallyBefore(a.ip, b.ip)
            }
            list = Array(list.prefix(top))
            guard !list.isEmpty else { return list }
            let marks = list.map { _ in "?" }.joined(separator: ", ")
            var names: [String: [Report.SeenName]] = [:]
            var asNames: [String: String] = [:]
            var subjects: [String: String] = [:]
            // The period's messages from these addresses are picked from the covering index `messages_report`
            // first, so only their rows are read from the table: filtering the table's rows of the whole period
            // read most of a large store from disk when it was not cached (5 s of a 1,000,000-message store).
            for row in try rows(
                """
                SELECT m.origin_ip, h.from_rdns, h.from_helo, count(*), max(m.origin_as_org), min(m.subject)
                FROM messages m LEFT JOIN received_hops h ON h.message_id = m.id AND h.position = m.origin_hop
                WHERE m.id IN (SELECT m.id FROM messages m WHERE \(clause) AND m.origin_ip IN (\(marks)))
                GROUP BY m.origin_ip, h.from_rdns, h.from_helo ORDER BY 4 DESC, 2, 3
                """, args + list.map(\.ip.databaseValue)
            ) {
                let ip: String = row[0]
                let rdns: String? = row[1]
                let helo: String? = row[2]
                if rdns != nil || helo != nil {
                    names[ip, default: []].append(Report.SeenName(rdns: rdns, helo: helo, messages: row[3]))
                }
                if let org: String = row[4], asNames[ip] == nil { asNames[ip] = org }
                if let subject: String = row[5], subjects[ip].map({ subject < $0 }) ?? true { subjects[ip] = subject }
            }
            for i in list.indices {
                list[i].names = Array((names[list[i].ip] ?? []).prefix(3))
                list[i].asName = asNames[list[i].ip]
                list[i].exampleSubject = subjects[list[i].ip]
            }
            return list
        }

        // MARK: Links

        /// The domains linked from the most messages, led by those no ham message of the store links to (the top
        /// `top` of them), then the top `top` of those ham links to as well (footers, font and image services).
        /// Whether ham links to a domain is an `EXISTS` that stops at the first ham message; the ham count is read
        /// for the rows shown only.
        func topDomains(_ period: ReportPeriod) throws -> [Report.DomainRow] {
            let (clause, args) = filter.sql(period)
            var out: [Report.DomainRow] = []
            for seenInHam in [false, true] {
                out += try rows(
                    """
                    SELECT * FROM (
                        SELECT l.domain, count(DISTINCT l.message_id), coalesce(sum(l.count), 0),
                            count(DISTINCT m.origin_country), group_concat(DISTINCT l.source), max(l.is_ip),
                            EXISTS (SELECT 1 FROM links h JOIN messages hm ON hm.id = h.message_id
                                    WHERE h.domain = l.domain AND hm.verdict = 'ham') AS seen_in_ham
                        FROM messages m JOIN links l ON l.message_id = m.id
                        WHERE \(clause) GROUP BY l.domain
                    )
                    WHERE seen_in_ham = ? ORDER BY 2 DESC, 1 LIMIT ?
                    """, args + [seenInHam.databaseValue, top.databaseValue]
                ).map { row in
                    let sources = ((row[4] as String?) ?? "").split(separator: ",").map(String.init).sorted()
                    return Report.DomainRow(
                        domain: row[0], messages: row[1], occurrences: row[2], countries: row[3], sources: sources,
                        isIP: (row[5] as Int? ?? 0) != 0)
                }
            }
            for k in out.indices {
                out[k].hamMessages = try count(
                    """
                    SELECT count(DISTINCT h.message_id) FROM links h JOIN messages hm ON hm.id = h.message_id
                    WHERE h.domain = ? AND hm.verdict = 'ham'
                    """, [out[k].domain.databaseValue])
            }
            return out
        }

        // MARK: Blocklists

        func blocklists(_ period: ReportPeriod) throws -> [Report.BlocklistRow] {
            guard try db.tableExists("dnsbl_results") else { return [] }
            let (clause, args) = filter.sql(period)
            return try rows(
                """
                SELECT r.zone,
                    count(DISTINCT CASE WHEN r.status IN ('listed', 'not-listed') THEN r.ip END),
                    count(DISTINCT CASE WHEN r.status = 'listed' THEN r.ip END),
                    count(DISTINCT CASE WHEN r.status NOT IN ('listed', 'not-listed') THEN r.ip END)
                FROM (SELECT DISTINCT m.origin_ip AS ip FROM messages m WHERE \(clause) AND m.origin_ip IS NOT NULL) p
                JOIN dnsbl_results r ON r.ip = p.ip
                GROUP BY r.zone ORDER BY r.zone
                """, args
            ).map { Report.BlocklistRow(zone: $0[0], checked: $0[1], listed: $0[2], unanswered: $0[3]) }
        }

        // MARK: Authentication

        func authentication(_ period: ReportPeriod) throws -> Report.Authentication {
            var out = Report.Authentication()
            let columns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(messages)").map { $0["name"] as String })
            guard columns.contains("auth_dmarc") else {
                out.known = false
                return out
            }
            let (clause, args) = filter.sql(period)
            func counts(_ column: String) throws -> [Report.AuthCount] {
                try rows(
                    """
                    SELECT m.\(column), count(*) FROM messages m WHERE \(clause)
                    GROUP BY 1 ORDER BY 2 DESC, m.\(column) IS NULL, 1
                    """, args
                ).map { Report.AuthCount(result: $0[0], messages: $0[1]) }
            }
            out.spf = try counts("auth_spf")
            out.dkim = try counts("auth_dkim")
            out.dmarc = try counts("auth_dmarc")
            out.passedDKIMDomains = try rows(
                """
                SELECT d.domain, count(DISTINCT m.id), count(DISTINCT CASE WHEN m.auth_dmarc = 'pass' THEN m.id END),
                    (SELECT count(DISTINCT h.message_id) FROM auth_dkim h JOIN messages hm ON hm.id = h.message_id
                     WHERE h.domain = d.domain AND h.result = 'pass' AND hm.verdict = 'ham')
                FROM messages m JOIN auth_dkim d ON d.message_id = m.id
                WHERE \(clause) AND d.result = 'pass' AND d.domain IS NOT NULL
                GROUP BY d.domain ORDER BY 2 DESC, 1 LIMIT ?
                """, args + [top.databaseValue]
            ).map { Report.SigningDomainRow(domain: $0[0], messages: $0[1], dmarcPass: $0[2], hamMessages: $0[3]) }
            return out
        }

        func countryTLD(_ period: ReportPeriod, byCountry: [Report.CountryRow]) throws -> Report.CrossTable {
            let (clause, args) = filter.sql(period)
            var cells: [String?: [String: Int]] = [:]
            var tldTotals: [String: Int] = [:]
            var countryTotals: [String?: Int] = [:]
            for row in try rows(
                """
                SELECT m.origin_country, coalesce(l.tld, ''), count(DISTINCT m.id)
                FROM messages m JOIN links l ON l.message_id = m.id
                WHERE \(clause) GROUP BY 1, 2
                """, args
            ) {
                let country: String? = row[0]
                let tld: String = row[1]
                let n: Int = row[2]
                cells[country, default: [:]][tld] = n
                tldTotals[tld, default: 0] += n
                countryTotals[country, default: 0] += n
            }
            let withLinks: Int = try count(
                """
                SELECT count(*) FROM messages m
                WHERE \(clause) AND EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id)
                """, args)
            let countries = countryTotals.sorted { a, b in
                a.value != b.value ? a.value > b.value : (a.key ?? "~") < (b.key ?? "~")
            }.prefix(min(top, 12)).map(\.key)
            let tlds = tldTotals.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
                .prefix(min(top, 10)).map(\.key)
            var table = Report.CrossTable(
                countries: countries, tlds: tlds,
                cells: countries.map { c in tlds.map { t in cells[c]?[t] ?? 0 } }, messagesWithLinks: withLinks)
            // Links to IP addresses (a store from before v4 has no linked-host countries).
            table.ipHostsKnown = try db.columns(in: "links").contains { $0.name == "host_country" }
            if table.ipHostsKnown {
                table.ipHosts = try rows(
                    """
                    SELECT m.origin_country, l.host_country, count(DISTINCT m.id), count(DISTINCT l.host)
                    FROM messages m JOIN links l ON l.message_id = m.id
                    WHERE \(clause) AND l.is_ip = 1
                    GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC, 1 IS NULL, 1, 2 IS NULL, 2 LIMIT ?
                    """, args + [top.databaseValue]
                ).map { row in
                    Report.IPHostRow(country: row[0], hostCountry: row[1], messages: row[2], addresses: row[3])
                }
                if try db.tableExists("dns_addresses") {
                    table.resolvedHosts = try count("SELECT count(*) FROM (SELECT 1 FROM dns_hosts LIMIT 1)", []) > 0
                    table.hostedThere = try rows(
                        """
                        SELECT origin_country, host_country, count(DISTINCT message_id), count(DISTINCT host),
                            min(days), max(days) FROM (
                            SELECT m.id AS message_id, m.origin_country, l.host, l.host_country, NULL AS days
                            FROM messages m JOIN links l ON l.message_id = m.id
                            WHERE \(clause) AND l.is_ip = 1
                            UNION ALL
                            SELECT m.id, m.origin_country, l.host, a.country,
                                CAST(julianday((SELECT h.resolved_at FROM dns_hosts h WHERE h.host = a.host))
                                    - julianday((SELECT x.received_utc FROM messages x WHERE x.id = m.id)) AS INTEGER)
                            FROM messages m JOIN links l ON l.message_id = m.id
                            JOIN dns_addresses a ON a.host = CASE
                                WHEN EXISTS (SELECT 1 FROM dns_hosts h WHERE h.host = l.host AND h.addresses > 0)
                                THEN l.host ELSE l.domain END
                            WHERE \(clause) AND l.is_ip = 0
                        )
                        GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC, 1 IS NULL, 1, 2 IS NULL, 2 LIMIT ?
                        """, args + args + [top.databaseValue]
                    ).map { row in
                        Report.IPHostRow(
                            country: row[0], hostCountry: row[1], messages: row[2], addresses: row[3],
                            minDaysAfterArrival: row[4], maxDaysAfterArrival: row[5])
                    }
                    table.hostingProviders = try rows(
                        """
                        SELECT asn, max(as_org), max(country), count(DISTINCT message_id), count(DISTINCT host) FROM (
                            SELECT m.id AS message_id, l.host, l.host_country AS country, l.host_asn AS asn,
                                NULL AS as_org
                            FROM messages m JOIN links l ON l.message_id = m.id
                            WHERE \(clause) AND l.is_ip = 1 AND l.host_asn IS NOT NULL
                            UNION ALL
                            SELECT m.id, l.host, a.country, a.asn, a.as_org
                            FROM messages m JOIN links l ON l.message_id = m.id
                            JOIN dns_addresses a ON a.host = CASE
                                WHEN EXISTS (SELECT 1 FROM dns_hosts h WHERE h.host = l.host AND h.addresses > 0)
                                THEN l.host ELSE l.domain END
                            WHERE \(clause) AND l.is_ip = 0 AND a.asn IS NOT NULL
                        )
                        GROUP BY asn ORDER BY 4 DESC, 5 DESC, asn LIMIT ?
                        """, args + args + [top.databaseValue]
                    ).map { row in
                        Report.HostingProviderRow(
                            asn: row[0], asName: row[1], country: row[2], messages: row[3], hosts: row[4])
                    }
                }
            }
            return table
        }

        // MARK: Attachments

        func attachments(_ period: ReportPeriod) throws -> Report.Attachments {
            let (clause, args) = filter.sql(period)
            var a = Report.Attachments()
            let from = "FROM messages m JOIN attachments a ON a.message_id = m.id WHERE \(clause)"
            if let row = try rows("SELECT count(*), count(DISTINCT a.message_id) \(from)", args).first {
                a.attachments = row[0]
                a.messages = row[1]
            }
            guard a.attachments > 0 else { return a }
            func counts(_ column: String) throws -> [Report.CountRow] {
                try rows(
                    """
                    SELECT \(column), count(*), count(DISTINCT a.message_id) \(from)
                    GROUP BY 1 ORDER BY 2 DESC, 1 IS NULL, 1 LIMIT ?
                    """, args + [top.databaseValue]
                ).map { Report.CountRow(key: $0[0], attachments: $0[1], messages: $0[2]) }
            }
            a.detectedTypes = try counts("a.detected_type")
            a.extensions = try counts("a.extension")
            var flagAttachments: [String: Int] = [:]
            var flagMessages: [String: Set<Int64>] = [:]
            for row in try rows(
                "SELECT a.message_id, a.flags \(from) AND a.flags IS NOT NULL AND a.flags <> ''", args)
            {
                let id: Int64 = row[0]
                let flags: String = row[1]
                for flag in Set(flags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                where !flag.isEmpty {
                    flagAttachments[flag, default: 0] += 1
                    flagMessages[flag, default: []].insert(id)
                }
            }
            a.flags = flagAttachments.map { key, n in
                Report.CountRow(key: key, attachments: n, messages: flagMessages[key]?.count ?? 0)
            }.sorted { x, y in x.attachments != y.attachments ? x.attachments > y.attachments : x.key! < y.key! }
            a.mismatches = try rows(
                """
                SELECT a.extension, a.detected_type, a.declared_type, a.flags, min(a.filename), count(*),
                    count(DISTINCT a.message_id)
                \(from) AND (a.flags LIKE '%mismatch%' OR a.flags LIKE '%double-extension%'
                    OR a.flags LIKE '%rtl-override%')
                GROUP BY 1, 2, 3, 4 ORDER BY 6 DESC, 1, 2, 3, 4 LIMIT ?
                """, args + [top.databaseValue]
            ).map { row in
                Report.MismatchRow(
                    extensionName: row[0], detectedType: row[1], declaredType: row[2], flags: row[3],
                    exampleFilename: row[4], attachments: row[5], messages: row[6])
            }
            let risky = RiskyTypes.all.map(\.databaseValue).map { _ in "?" }.joined(separator: ", ")
            let riskyFrom = """
                FROM messages m JOIN attachments a ON a.message_id = m.id
                JOIN archive_members am ON am.attachment_id = a.id
                WHERE \(clause) AND am.detected_type IN (\(risky))
                """
            if let row = try rows(
                "SELECT count(DISTINCT a.id), count(DISTINCT a.message_id) \(riskyFrom)",
                args + RiskyTypes.all.map(\.databaseValue)
            ).first {
                a.riskyArchives = row[0]
                a.riskyArchiveMessages = row[1]
            }
            a.riskyMembers = try rows(
                """
                SELECT am.name, am.detected_type, min(a.filename), max(am.encrypted), count(DISTINCT a.message_id)
                \(riskyFrom) GROUP BY am.name, am.detected_type ORDER BY 5 DESC, 1, 2 LIMIT ?
                """, args + RiskyTypes.all.map(\.databaseValue) + [top.databaseValue]
            ).map { row in
                Report.ArchiveRow(
                    member: row[0], memberType: row[1], exampleArchive: row[2], encrypted: (row[3] as Int? ?? 0) != 0,
                    messages: row[4])
            }
            return a
        }

        // MARK: Trend

        func trend(_ period: ReportPeriod, byCountry: [Report.CountryRow]) throws -> Report.Trend {
            let months = period.trendMonths
            let topCountries = Array(byCountry.compactMap(\.country).filter(CountryNames.isCountry).prefix(min(top, 5)))
            var overall: [Int] = []
            var series = Array(repeating: [Int](), count: topCountries.count)
            // One range scan per month with no GROUP BY: grouping by month would sort a year of rows.
            let columns = (["count(*)"] + topCountries.map { _ in "coalesce(sum(m.origin_country = ?), 0)" })
                .joined(separator: ", ")
            for month in months {
                let (clause, args) = filter.sql(
                    ReportPeriod(start: month, end: month.firstOfMonth(adding: 1), kind: .month))
                let row = try rows(
                    "SELECT \(columns) FROM messages m WHERE \(clause)", topCountries.map(\.databaseValue) + args
                ).first
                overall.append(row?[0] ?? 0)
                for i in topCountries.indices { series[i].append(row?[i + 1] ?? 0) }
            }
            return Report.Trend(
                months: months.map(\.monthKey), overall: overall,
                countries: zip(topCountries, series).map { Report.TrendSeries(country: $0, messages: $1) })
        }

        // MARK: Data quality

        func quality(_ period: ReportPeriod) throws -> Report.DataQuality {
            let (clause, args) = filter.sql(period)
            var q = Report.DataQuality()
            q.withoutOrigin = try rows(
                """
                SELECT m.origin_rule, count(*) FROM messages m WHERE \(clause) AND m.origin_ip IS NULL
                GROUP BY 1 ORDER BY 2 DESC, 1
                """, args
            ).map { Report.CountRow(key: $0[0], attachments: $0[1], messages: $0[1]) }
            if let row = try rows(
                """
                SELECT coalesce(sum(m.origin_ip IS NOT NULL AND m.origin_country IS NULL), 0),
                    coalesce(sum(m.origin_ip IS NOT NULL AND m.origin_asn IS NULL), 0),
                    coalesce(sum(m.removed_scan_id IS NOT NULL), 0), coalesce(sum(m.truncated), 0)
                FROM messages m WHERE \(clause)
                """, args
            ).first {
                q.originWithoutCountry = row[0]
                q.originWithoutASN = row[1]
                q.removedFromSpool = row[2]
                q.truncated = row[3]
            }
            // Counted among the messages that arrived in the period, whichever time the report goes by (one covering
            // index serves it).
            var arrived = filter
            arrived.basis = .arrival
            let (arrivedClause, arrivedArgs) = arrived.sql(period)
            if let row = try rows(
                """
                SELECT coalesce(sum(m.date_utc IS NOT NULL AND m.received_utc IS NOT NULL
                        AND abs(julianday(m.date_utc) - julianday(m.received_utc)) > 1), 0),
                    coalesce(sum(m.received_source = 'date'), 0)
                FROM messages m WHERE \(arrivedClause)
                """, arrivedArgs
            ).first {
                q.dateFarFromArrival = row[0]
                q.arrivalFromDate = row[1]
            }
            let (undated, undatedArgs) = filter.undatedSQL()
            q.undated = try count("SELECT count(*) FROM messages WHERE \(undated)", undatedArgs)
            q.diagnostics = try rows(
                """
                SELECT d.code, d.severity, count(*), count(DISTINCT d.message_id)
                FROM messages m JOIN diagnostics d ON d.message_id = m.id
                WHERE \(clause) GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
                """, args
            ).map { Report.DiagnosticRow(code: $0[0], severity: $0[1], count: $0[2], messages: $0[3]) }
            q.fileDiagnostics = try rows(
                """
                SELECT code, severity, count(*) FROM diagnostics WHERE message_id IS NULL
                GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
                """, []
            ).map { Report.DiagnosticRow(code: $0[0], severity: $0[1], count: $0[2], messages: 0) }
            var geo: [String: Report.GeoDatabase] = [:]
            var order: [String] = []
            for row in try rows("SELECT id, geo_databases FROM scans WHERE geo_databases IS NOT NULL ORDER BY id", []) {
                let scan: Int = row[0]
                for db in Self.parseGeoDatabases(row[1]) {
                    let key = db.name + "\u{0}" + (db.date ?? "") + "\u{0}" + (db.kind ?? "")
                    if geo[key] == nil {
                        order.append(key)
                        geo[key] = Report.GeoDatabase(
                            name: db.name, date: db.date, kind: db.kind, firstScan: scan, lastScan: scan)
                    } else {
                        geo[key]!.lastScan = scan
                    }
                }
            }
            q.geoDatabases = order.map { geo[$0]! }
            // Suspected relays among all the period's mail (a relay hands over ham and spam alike).
            let (all, allArgs) = filter.sql(period, verdict: false)
            let withOrigin = try count(
                "SELECT count(*) FROM messages m WHERE \(all) AND m.origin_ip IS NOT NULL", allArgs)
            q.suspects = try ReceivingSide.suspects(db, withOrigin: withOrigin, scope: all, arguments: allArgs)
            if let row = try rows(
                "SELECT count(*), (SELECT coalesce(finished_at, started_at) || ' ' || status FROM scans ORDER BY id DESC LIMIT 1) FROM scans",
                []
            ).first {
                q.scans = row[0]
                if let last: String = row[1], let space = last.lastIndex(of: " ") {
                    q.lastScanAt = String(last[..<space])
                    q.lastScanStatus = String(last[last.index(after: space)...])
                }
            }
            return q
        }

        /// `scans.geo_databases`: a JSON array of objects with `name`, `date`, `kind` (as the geo importer writes
        /// it); anything else is shown as it is.
        static func parseGeoDatabases(_ text: String?) -> [(name: String, date: String?, kind: String?)] {
            guard let text, !text.isEmpty else { return [] }
            guard let data = text.data(using: .utf8),
                let array = try? JSONSerialization.jsonObject(with: data) as? [Any]
            else { return [(text, nil, nil)] }
            return array.map { item in
                if let object = item as? [String: Any] {
                    let name = object["name"].map { "\($0)" } ?? "unnamed"
                    return (name, object["date"].map { "\($0)" }, object["kind"].map { "\($0)" })
                }
                return ("\(item)", nil, nil)
            }
        }
    }
}
