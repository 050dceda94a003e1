import Foundation
import GRDB
import Testing

@testable import MailAtlasKit

/// The HTML, CSV and JSON of one store and period agree with each other and with plain SQL over the store.
@Suite struct ReportAgreementTests {
    static let period = "date_utc >= '2026-10-01' AND date_utc < '2026-11-01' AND verdict = 'spam'"
    static let previous = "date_utc >= '2026-09-01' AND date_utc < '2026-10-01' AND verdict = 'spam'"

    @Test func totalsMatchSQL() throws {
        let r = try RenderedReport(hostile: false)
        let messages: Int = try r.sql("SELECT count(*) FROM messages WHERE \(Self.period)")!
        #expect(messages > 0)
        #expect(r.report.totals.messages == messages)
        let totals = r.json["totals"] as! [String: Any]
        #expect(totals["messages"] as? Int == messages)
        #expect(
            totals["origin_ips"] as? Int
                == (try r.sql("SELECT count(DISTINCT origin_ip) FROM messages WHERE \(Self.period)")!))
        #expect(
            totals["countries"] as? Int
                == (try r.sql("SELECT count(DISTINCT origin_country) FROM messages WHERE \(Self.period)")!))
        #expect(
            totals["providers"] as? Int
                == (try r.sql("SELECT count(DISTINCT origin_asn) FROM messages WHERE \(Self.period)")!))
        #expect(
            totals["without_origin"] as? Int
                == (try r.sql("SELECT count(*) FROM messages WHERE \(Self.period) AND origin_ip IS NULL")!))
        let all: Int = try r.sql(
            "SELECT count(*) FROM messages WHERE date_utc >= '2026-10-01' AND date_utc < '2026-11-01'")!
        #expect(totals["all_messages"] as? Int == all)
        let previous = totals["previous"] as! [String: Any]
        #expect(previous["messages"] as? Int == (try r.sql("SELECT count(*) FROM messages WHERE \(Self.previous)")!))
        // CSV totals.
        let csv = Dictionary(uniqueKeysWithValues: r.records("totals.csv").map { ($0["metric"]!, $0) })
        #expect(csv["messages"]?["value"] == String(messages))
        #expect(csv["all_messages"]?["value"] == String(all))
        #expect(csv["messages"]?["previous"] == String(previous["messages"] as! Int))
        // HTML: the headline card and the country table's total.
        #expect(r.html.contains("<span class=\"card-value\">\(messages)</span>"))
        #expect(
            r.section("countries").contains("<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">\(messages)</td>")
        )
    }

    @Test func countriesSumToTotalsAndMatchSQL() throws {
        let r = try RenderedReport(hostile: false)
        let expected = try r.rows(
            "SELECT origin_country, count(*), count(DISTINCT origin_ip) FROM messages WHERE \(Self.period) GROUP BY 1")
        let json = r.json["by_country"] as! [[String: Any]]
        #expect(json.count == expected.count)
        #expect(json.reduce(0) { $0 + ($1["messages"] as! Int) } == r.report.totals.messages)
        #expect(json.contains { $0["country"] is NSNull })
        for row in expected {
            let code: String? = row[0]
            let match = json.first { ($0["country"] as? String) == code }
            #expect(match?["messages"] as? Int == row[1], "country \(code ?? "null")")
            #expect(match?["origin_ips"] as? Int == row[2])
        }
        // CSV has the same rows in the same order.
        let csv = r.records("by-country.csv")
        #expect(csv.map { $0["country"]! } == json.map { ($0["country"] as? String) ?? "" })
        #expect(csv.map { Int($0["messages"]!)! } == json.map { $0["messages"] as! Int })
        #expect(csv.reduce(0) { $0 + Int($1["messages"]!)! } == r.report.totals.messages)
        // HTML: one table row per country with the same count.
        let html = r.section("countries")
        for row in json {
            let label = Display.xml(Display.country(row["country"] as? String))
            #expect(
                html.contains("<tr><th scope=\"row\">\(label)</th><td class=\"num\">\(row["messages"] as! Int)</td>"))
        }
        // The previous month, per country.
        for row in try r.rows("SELECT origin_country, count(*) FROM messages WHERE \(Self.previous) GROUP BY 1") {
            let code: String? = row[0]
            if let match = json.first(where: { ($0["country"] as? String) == code }) {
                #expect(match["previous_messages"] as? Int == row[1])
            }
        }
    }

    @Test func providersMatchSQL() throws {
        let r = try RenderedReport(hostile: false, top: 5)
        let expected = try r.rows(
            """
            SELECT origin_asn, count(*), count(DISTINCT origin_ip), min(date_utc), max(date_utc) FROM messages
            WHERE \(Self.period) AND origin_asn IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5
            """)
        let json = (r.json["by_provider"] as! [[String: Any]]).filter { !($0["asn"] is NSNull) }
        #expect(json.count == expected.count)
        for (row, p) in zip(expected, json) {
            #expect(p["asn"] as? Int == row[0])
            #expect(p["messages"] as? Int == row[1])
            #expect(p["origin_ips"] as? Int == row[2])
            #expect(p["first_seen"] as? String == row[3])
            #expect(p["last_seen"] as? String == row[4])
        }
        let csv = r.records("by-provider.csv").filter { !$0["asn"]!.isEmpty }
        #expect(csv.map { Int($0["asn"]!)! } == json.map { $0["asn"] as! Int })
        #expect(csv.map { Int($0["messages"]!)! } == json.map { $0["messages"] as! Int })
        let html = r.section("providers")
        for p in json {
            #expect(html.contains("<tr><th scope=\"row\">AS\(p["asn"] as! Int) "))
        }
    }

    @Test func originIPsCarryTheDecidingHop() throws {
        let r = try RenderedReport(hostile: false, top: 3)
        let ips = r.json["top_ips"] as! [[String: Any]]
        #expect(ips.count == 3)
        for ip in ips {
            let address = ip["ip"] as! String
            let n: Int = try r.sql("SELECT count(*) FROM messages WHERE \(Self.period) AND origin_ip = ?", [address])!
            #expect(ip["messages"] as? Int == n)
            let helos = try r.rows(
                """
                SELECT DISTINCT h.from_helo FROM messages m JOIN received_hops h ON h.message_id = m.id
                    AND h.position = m.origin_hop WHERE m.\(Self.period) AND m.origin_ip = ?
                """, [address]
            ).map { $0[0] as String }
            let names = ip["names"] as! [[String: Any]]
            #expect(!names.isEmpty)
            for name in names { #expect(helos.contains(name["helo"] as! String)) }
        }
        #expect(r.records("top-ips.csv").map { $0["ip"]! } == ips.map { $0["ip"] as! String })
    }

    @Test func authenticationMatchesSQL() throws {
        let r = try RenderedReport(hostile: false, top: 6)
        let auth = r.json["authentication"] as! [String: Any]
        #expect(auth["known"] as? Bool == true)
        for column in ["spf", "dkim", "dmarc"] {
            let expected = try r.rows(
                "SELECT auth_\(column), count(*) FROM messages WHERE \(Self.period) GROUP BY 1 ORDER BY 2 DESC, 1 IS NULL, 1"
            )
            let rows = auth[column] as! [[String: Any]]
            #expect(rows.map { $0["result"] as? String } == expected.map { $0[0] as String? }, "\(column)")
            #expect(rows.map { $0["messages"] as! Int } == expected.map { $0[1] as Int }, "\(column)")
        }
        #expect((auth["dmarc"] as! [[String: Any]]).contains { $0["result"] is NSNull })
        let domains = try r.rows(
            """
            SELECT d.domain, count(DISTINCT m.id), count(DISTINCT CASE WHEN m.auth_dmarc = 'pass' THEN m.id END),
                (SELECT count(DISTINCT h.message_id) FROM auth_dkim h JOIN messages x ON x.id = h.message_id
                 WHERE h.domain = d.domain AND h.result = 'pass' AND x.verdict = 'ham')
            FROM messages m JOIN auth_dkim d ON d.message_id = m.id
            WHERE m.\(Self.period) AND d.result = 'pass' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 6
            """)
        let json = auth["dkim_passed_domains"] as! [[String: Any]]
        #expect(!json.isEmpty)
        #expect(json.map { $0["domain"] as! String } == domains.map { $0[0] as String })
        #expect(json.map { $0["messages"] as! Int } == domains.map { $0[1] as Int })
        #expect(json.map { $0["dmarc_pass"] as! Int } == domains.map { $0[2] as Int })
        #expect(json.map { $0["ham_messages"] as! Int } == domains.map { $0[3] as Int })
        #expect(json.contains { ($0["ham_messages"] as! Int) > 0 })
        #expect(r.records("dkim-domains.csv").map { $0["domain"]! } == json.map { $0["domain"] as! String })
        // The CSV has one row per result word and one for "no result": each column adds up to the period's messages.
        let csv = r.records("authentication.csv")
        let total: Int = try r.sql("SELECT count(*) FROM messages WHERE \(Self.period)")!
        for column in ["spf", "dkim", "dmarc"] {
            #expect(csv.map { Int($0[column]!)! }.reduce(0, +) == total, "\(column)")
        }
    }

    @Test func domainsAndCrossTableMatchSQL() throws {
        let r = try RenderedReport(hostile: false, top: 6)
        // Domains no ham message links to lead, then those ham links to as well: the top 6 of each.
        let ham =
            "(SELECT count(DISTINCT h.message_id) FROM links h JOIN messages x ON x.id = h.message_id WHERE h.domain = l.domain AND x.verdict = 'ham')"
        let expected = try ["= 0", "> 0"].flatMap { condition in
            try r.rows(
                """
                SELECT l.domain, count(DISTINCT l.message_id), count(DISTINCT m.origin_country), \(ham) FROM messages m
                JOIN links l ON l.message_id = m.id WHERE m.\(Self.period) AND \(ham) \(condition)
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 6
                """)
        }
        let json = r.json["top_domains"] as! [[String: Any]]
        #expect(json.map { $0["ham_messages"] as! Int } == expected.map { $0[3] as Int })
        #expect(expected.contains { ($0[3] as Int) == 0 } && expected.contains { ($0[3] as Int) > 0 })
        #expect(json.map { $0["domain"] as! String } == expected.map { $0[0] as String })
        #expect(json.map { $0["messages"] as! Int } == expected.map { $0[1] as Int })
        #expect(json.map { $0["countries"] as! Int } == expected.map { $0[2] as Int })
        #expect(r.records("top-domains.csv").map { Int($0["messages"]!)! } == json.map { $0["messages"] as! Int })
        // Every cell of the cross-table is a SQL count, in JSON and CSV alike.
        let cross = r.json["country_tld"] as! [String: Any]
        let countries = cross["countries"] as! [Any]
        let tlds = cross["tlds"] as! [String]
        let cells = cross["cells"] as! [[Int]]
        #expect(!countries.isEmpty && !tlds.isEmpty)
        let csv = r.records("country-tld.csv")
        #expect(csv.count == countries.count * tlds.count)
        for (i, country) in countries.enumerated() {
            for (j, tld) in tlds.enumerated() {
                let code = country as? String
                let n: Int = try r.sql(
                    """
                    SELECT count(DISTINCT m.id) FROM messages m JOIN links l ON l.message_id = m.id
                    WHERE m.\(Self.period) AND m.origin_country IS ? AND coalesce(l.tld, '') = ?
                    """, [code, tld])!
                #expect(cells[i][j] == n, "\(code ?? "null") × \(tld)")
                #expect(
                    csv.contains { $0["country"] == (code ?? "") && $0["tld"] == tld && $0["messages"] == String(n) })
            }
        }
        // Links to IP addresses: origin country × the address's country, in JSON, CSV and HTML, each a SQL count.
        #expect(cross["ip_hosts_known"] as? Bool == true)
        let ipHosts = cross["ip_hosts"] as! [[String: Any]]
        let ipSQL = try r.rows(
            """
            SELECT m.origin_country, l.host_country, count(DISTINCT m.id), count(DISTINCT l.host) FROM messages m
            JOIN links l ON l.message_id = m.id WHERE m.\(Self.period) AND l.is_ip = 1
            GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC, 1 IS NULL, 1, 2 IS NULL, 2 LIMIT 6
            """)
        #expect(ipHosts.count == ipSQL.count && ipHosts.count >= 3)
        for (h, row) in zip(ipHosts, ipSQL) {
            #expect(h["country"] as? String == row[0] as String?)
            #expect(h["host_country"] as? String == row[1] as String?)
            #expect(h["messages"] as? Int == row[2] as Int)
            #expect(h["addresses"] as? Int == row[3] as Int)
        }
        #expect(ipHosts.contains { $0["host_country"] is NSNull })
        #expect(ipHosts.contains { $0["host_country"] as? String == "CN" })
        let ipCSV = r.records("ip-link-countries.csv")
        #expect(ipCSV.map { Int($0["messages"]!)! } == ipHosts.map { $0["messages"] as! Int })
        #expect(ipCSV.map { $0["host_country"]! } == ipHosts.map { $0["host_country"] as? String ?? "" })
        let section = r.section("cross")
        #expect(section.contains("Links to IP addresses"))
        #expect(section.contains("Not placed (private, reserved or unknown address)"))
        #expect(section.contains("CN · China"))
    }

    @Test func attachmentsMatchSQL() throws {
        let r = try RenderedReport(hostile: false)
        let a = r.json["attachments"] as! [String: Any]
        let n: Int = try r.sql(
            "SELECT count(*) FROM messages m JOIN attachments a ON a.message_id = m.id WHERE m.\(Self.period)")!
        #expect(n > 0)
        #expect(a["attachments"] as? Int == n)
        let types = try r.rows(
            """
            SELECT a.detected_type, count(*) FROM messages m JOIN attachments a ON a.message_id = m.id
            WHERE m.\(Self.period) GROUP BY 1 ORDER BY 2 DESC, 1
            """)
        let json = a["detected_types"] as! [[String: Any]]
        #expect(json.map { $0["type"] as! String } == types.map { $0[0] as String })
        #expect(json.map { $0["attachments"] as! Int } == types.map { $0[1] as Int })
        #expect(r.records("attachment-types.csv").map { Int($0["attachments"]!)! } == types.map { $0[1] as Int })
        let risky: Int = try r.sql(
            """
            SELECT count(DISTINCT a.id) FROM messages m JOIN attachments a ON a.message_id = m.id
            JOIN archive_members am ON am.attachment_id = a.id
            WHERE m.\(Self.period) AND am.detected_type IN ('exe', 'javascript')
            """)!
        #expect(risky > 0)
        #expect(a["risky_archives"] as? Int == risky)
        let flagged: Int = try r.sql(
            """
            SELECT count(*) FROM messages m JOIN attachments a ON a.message_id = m.id
            WHERE m.\(Self.period) AND a.flags LIKE '%extension-mismatch%'
            """)!
        let flags = a["flags"] as! [[String: Any]]
        #expect(flags.first { $0["flag"] as? String == "extension-mismatch" }?["attachments"] as? Int == flagged)
        #expect(r.section("attachments").contains("<strong>\(risky) archives in"))
    }

    @Test func trendMatchesSQLPerMonth() throws {
        let r = try RenderedReport(hostile: false)
        let trend = r.json["trend"] as! [String: Any]
        let months = trend["months"] as! [String]
        #expect(months.first == "2025-11" && months.last == "2026-10" && months.count == 12)
        let overall = trend["messages"] as! [Int]
        for (month, n) in zip(months, overall) {
            let expected: Int = try r.sql(
                "SELECT count(*) FROM messages WHERE verdict = 'spam' AND substr(date_utc, 1, 7) = ?", [month])!
            #expect(n == expected, "\(month)")
        }
        let csv = r.records("trend.csv").filter { $0["series"] == "all" }
        #expect(csv.map { Int($0["messages"]!)! } == overall)
        let html = r.section("trend")
        #expect(html.contains("<tr><th scope=\"row\">October 2026</th><td class=\"num\">\(overall[11])</td>"))
        // Every country line is its SQL count too.
        for series in trend["by_country"] as! [[String: Any]] {
            let code = series["country"] as! String
            let values = series["messages"] as! [Int]
            let october: Int = try r.sql(
                "SELECT count(*) FROM messages WHERE \(Self.period) AND origin_country = ?", [code])!
            #expect(values[11] == october)
        }
    }

    @Test func dataQualityMatchesSQL() throws {
        let r = try RenderedReport(hostile: false)
        let q = r.json["data_quality"] as! [String: Any]
        #expect(
            q["undated"] as? Int
                == (try r.sql("SELECT count(*) FROM messages WHERE date_utc IS NULL AND verdict = 'spam'")!))
        #expect(
            q["removed_from_spool"] as? Int
                == (try r.sql("SELECT count(*) FROM messages WHERE \(Self.period) AND removed_scan_id IS NOT NULL")!))
        #expect(
            q["truncated"] as? Int
                == (try r.sql("SELECT count(*) FROM messages WHERE \(Self.period) AND truncated = 1")!))
        let diagnostics = q["diagnostics"] as! [[String: Any]]
        let expected: Int = try r.sql(
            "SELECT count(*) FROM messages m JOIN diagnostics d ON d.message_id = m.id WHERE m.\(Self.period)")!
        #expect(diagnostics.reduce(0) { $0 + ($1["count"] as! Int) } == expected)
        #expect((q["file_diagnostics"] as! [Any]).count == 2)
        let geo = q["geo_databases"] as! [[String: Any]]
        #expect(geo.map { $0["name"] as! String } == ["IPFire Location Database", "GeoLite2-ASN"])
        let without = q["without_origin"] as! [[String: Any]]
        #expect(without.reduce(0) { $0 + ($1["messages"] as! Int) } == r.report.totals.withoutOrigin)
        #expect(r.records("diagnostics.csv").count == diagnostics.count + 2)
    }

    @Test func folderAndVerdictFilters() throws {
        let r = try RenderedReport(hostile: false, verdict: nil, folders: ["INBOX"])
        let n: Int = try r.sql(
            "SELECT count(*) FROM messages WHERE date_utc >= '2026-10-01' AND date_utc < '2026-11-01' AND folder = 'INBOX'"
        )!
        #expect(n > 0)
        #expect(r.report.totals.messages == n)
        #expect((r.json["filters"] as! [String: Any])["verdict"] as? String == "all")
        #expect(r.html.contains("Folders: INBOX."))
    }

    @Test func anEmptyPeriodSaysSo() throws {
        let r = try RenderedReport(hostile: false, month: "2024-01")
        #expect(r.report.totals.messages == 0)
        #expect(r.html.contains("There is no spam dated in this period in the store"))
        #expect(r.section("countries").contains("No messages in this period, so no countries."))
        #expect(r.section("domains").contains("No links were recorded"))
        #expect(r.section("attachments").contains("No attachments were recorded"))
        #expect((r.json["by_country"] as! [Any]).isEmpty)
        #expect(r.records("by-country.csv").isEmpty)
        #expect(r.csv["by-country.csv"]?.first?.first == "country")
    }
}
