/// A JSON value with object keys kept in the order written, so the report's JSON reads in the documented order and
/// golden files stay stable.
indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func int(_ n: Int?) -> JSONValue { n.map { .int($0) } ?? .null }
    /// A ratio rounded to 4 decimals (0.1234), null when undefined.
    static func ratio(_ r: Double?) -> JSONValue {
        guard let r, r.isFinite else { return .null }
        return .double((r * 10_000).rounded() / 10_000)
    }

    func serialized(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): return Self.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            // Arrays of plain numbers or strings stay on one line.
            if items.allSatisfy({ $0.isScalar }) {
                return "[" + items.map { $0.serialized() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.serialized(indent: inner) }.joined(separator: ",\n") + "\n" + indent
                + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n"
                + fields.map { inner + Self.quote($0.0) + ": " + $0.1.serialized(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// A JSON string literal in which every control, bidi-override and other invisible formatting character (the
    /// ones `Escape.terminal` shows) is a `\\uXXXX` escape: the same text for a parser, nothing hidden or reordered
    /// on a terminal that prints the JSON.
    static func quote(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { Escape.needsEscape($0) || $0 == "\"" || $0 == "\\" }) else {
            return "\"" + s + "\""
        }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Escape.needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}

/// The report as one JSON object (documented in docs/report.md): `period`, `filters`, `totals`, `by_country`,
/// `by_provider`, `top_ips`, `top_domains`, `authentication`, `country_tld`, `attachments`, `trend`, `data_quality`.
public enum ReportJSON {
    public static func render(_ r: Report) -> String {
        document(r).serialized() + "\n"
    }

    static func period(_ p: ReportPeriod) -> JSONValue {
        .object([
            ("from", .string(p.start.description)), ("to", .string(p.last.description)), ("days", .int(p.dayCount)),
            ("label", .string(p.label)),
        ])
    }

    static func totals(_ t: Report.Totals) -> JSONValue {
        .object([
            ("messages", .int(t.messages)), ("all_messages", .int(t.allMessages)),
            ("spam_messages", .int(t.spamMessages)), ("spam_share", .ratio(t.spamShare)),
            ("origin_ips", .int(t.originIPs)), ("countries", .int(t.countries)), ("providers", .int(t.providers)),
            ("without_origin", .int(t.withoutOrigin)),
        ])
    }

    static func share(_ n: Int, of total: Int) -> JSONValue {
        .ratio(total == 0 ? nil : Double(n) / Double(total))
    }

    static func document(_ r: Report) -> JSONValue {
        let total = r.totals.messages
        var totals = totals(r.totals)
        if case .object(var fields) = totals {
            fields.append(("previous", Self.totals(r.previousTotals)))
            totals = .object(fields)
        }
        return .object([
            (
                "report",
                .object([
                    ("generator", .string("mailatlas " + MailAtlasKitVersion.string)),
                    ("generated_at", .string(r.request.generatedAt)), ("store", .string(r.request.storeName)),
                ])
            ),
            (
                "period",
                period(r.period).merging([
                    ("basis", .string(r.request.basis.rawValue)),
                    ("time_zone", .string(r.request.timeZoneName)),
                    ("previous", period(r.previousPeriod)),
                ])
            ),
            (
                "filters",
                .object([
                    ("verdict", .string(r.request.verdict ?? "all")),
                    ("folders", .array(r.request.folders.map { .string($0) })), ("top", .int(r.request.top)),
                ])
            ),
            ("totals", totals),
            (
                "by_country",
                .array(
                    r.byCountry.map { c in
                        .object([
                            ("country", .string(c.country)), ("name", .string(c.country.flatMap(CountryNames.name))),
                            ("kind", .string(CountryNames.kind(c.country))),
                            ("messages", .int(c.messages)), ("share", share(c.messages, of: total)),
                            ("origin_ips", .int(c.originIPs)), ("previous_messages", .int(c.previousMessages)),
                            (
                                "top_providers",
                                .array(
                                    c.topProviders.map { p in
                                        .object([
                                            ("asn", .int(p.asn)), ("as_name", .string(p.asName)),
                                            ("as_registry", .string(ASNRegistry.name(ofAS: p.asn))),
                                            ("messages", .int(p.messages)),
                                        ])
                                    })
                            ),
                        ])
                    })
            ),
            (
                "by_provider",
                .array(
                    r.byProvider.map { p in
                        .object([
                            ("asn", .int(p.asn)), ("as_name", .string(p.asName)),
                            ("as_registry", .string(ASNRegistry.name(ofAS: p.asn))),
                            ("country", .string(p.country)),
                            ("messages", .int(p.messages)), ("share", share(p.messages, of: total)),
                            ("origin_ips", .int(p.originIPs)), ("previous_messages", .int(p.previousMessages)),
                            ("first_seen", .string(p.firstSeen)), ("last_seen", .string(p.lastSeen)),
                            ("example_ips", .array(p.exampleIPs.map { .string($0) })),
                        ])
                    })
            ),
            (
                "top_ips",
                .array(
                    r.topIPs.map { ip in
                        .object([
                            ("ip", .string(ip.ip)), ("messages", .int(ip.messages)), ("country", .string(ip.country)),
                            ("asn", .int(ip.asn)), ("as_name", .string(ip.asName)),
                            ("as_registry", .string(ASNRegistry.name(ofAS: ip.asn))),
                            ("first_seen", .string(ip.firstSeen)), ("last_seen", .string(ip.lastSeen)),
                            (
                                "names",
                                .array(
                                    ip.names.map { n in
                                        .object([
                                            ("rdns", .string(n.rdns)), ("helo", .string(n.helo)),
                                            ("messages", .int(n.messages)),
                                        ])
                                    })
                            ),
                            ("example_subject", .string(ip.exampleSubject)),
                        ])
                    })
            ),
            (
                "top_domains",
                .array(
                    r.topDomains.map { d in
                        .object([
                            ("domain", .string(d.domain)), ("messages", .int(d.messages)),
                            ("occurrences", .int(d.occurrences)), ("countries", .int(d.countries)),
                            ("sources", .array(d.sources.map { .string($0) })), ("is_ip", .bool(d.isIP)),
                            ("ham_messages", .int(d.hamMessages)),
                        ])
                    })
            ),
            ("authentication", authentication(r.authentication)),
            (
                "blocklists",
                .array(
                    r.blocklists.map { b in
                        .object([
                            ("zone", .string(b.zone)), ("checked", .int(b.checked)), ("listed", .int(b.listed)),
                            ("unanswered", .int(b.unanswered)),
                        ])
                    })
            ),
            (
                "country_tld",
                .object([
                    ("messages_with_links", .int(r.countryTLD.messagesWithLinks)),
                    ("countries", .array(r.countryTLD.countries.map { .string($0) })),
                    ("tlds", .array(r.countryTLD.tlds.map { .string($0) })),
                    ("cells", .array(r.countryTLD.cells.map { row in .array(row.map { .int($0) }) })),
                    ("ip_hosts_known", .bool(r.countryTLD.ipHostsKnown)),
                    ("resolved_hosts", .bool(r.countryTLD.resolvedHosts)),
                    (
                        "ip_hosts",
                        .array(
                            r.countryTLD.ipHosts.map { h in
                                .object([
                                    ("country", .string(h.country)), ("host_country", .string(h.hostCountry)),
                                    ("messages", .int(h.messages)), ("addresses", .int(h.addresses)),
                                ])
                            })
                    ),
                ])
            ),
            (
                "hosted_there",
                .array(
                    r.countryTLD.hostedThere.map { h in
                        .object([
                            ("origin_country", .string(h.country)), ("host_country", .string(h.hostCountry)),
                            ("messages", .int(h.messages)), ("hosts", .int(h.addresses)),
                            ("min_days_after_arrival", .int(h.minDaysAfterArrival)),
                            ("max_days_after_arrival", .int(h.maxDaysAfterArrival)),
                        ])
                    })
            ),
            (
                "hosting_providers",
                .array(
                    r.countryTLD.hostingProviders.map { p in
                        .object([
                            ("asn", .int(p.asn)), ("as_name", .string(p.asName)), ("country", .string(p.country)),
                            ("messages", .int(p.messages)), ("hosts", .int(p.hosts)),
                        ])
                    })
            ),
            ("attachments", attachments(r.attachments)),
            (
                "trend",
                .object([
                    ("months", .array(r.trend.months.map { .string($0) })),
                    ("messages", .array(r.trend.overall.map { .int($0) })),
                    (
                        "by_country",
                        .array(
                            r.trend.countries.map { s in
                                .object([
                                    ("country", .string(s.country)),
                                    ("messages", .array(s.messages.map { .int($0) })),
                                ])
                            })
                    ),
                ])
            ),
            ("data_quality", quality(r.quality)),
        ])
    }

    static func counts(_ rows: [Report.CountRow], key: String) -> JSONValue {
        .array(
            rows.map { c in
                .object([(key, .string(c.key)), ("attachments", .int(c.attachments)), ("messages", .int(c.messages))])
            })
    }

    /// Messages per SPF, DKIM and DMARC result (`result` null: no result the receiving side wrote) and the DKIM
    /// signing domains that passed. `known` is false for a store from before migration `v8`.
    static func authentication(_ a: Report.Authentication) -> JSONValue {
        func counts(_ list: [Report.AuthCount]) -> JSONValue {
            .array(list.map { .object([("result", .string($0.result)), ("messages", .int($0.messages))]) })
        }
        return .object([
            ("known", .bool(a.known)), ("spf", counts(a.spf)), ("dkim", counts(a.dkim)), ("dmarc", counts(a.dmarc)),
            (
                "dkim_passed_domains",
                .array(
                    a.passedDKIMDomains.map { d in
                        .object([
                            ("domain", .string(d.domain)), ("messages", .int(d.messages)),
                            ("dmarc_pass", .int(d.dmarcPass)), ("ham_messages", .int(d.hamMessages)),
                        ])
                    })
            ),
        ])
    }

    static func attachments(_ a: Report.Attachments) -> JSONValue {
        .object([
            ("attachments", .int(a.attachments)), ("messages", .int(a.messages)),
            ("detected_types", counts(a.detectedTypes, key: "type")),
            ("extensions", counts(a.extensions, key: "extension")), ("flags", counts(a.flags, key: "flag")),
            (
                "mismatches",
                .array(
                    a.mismatches.map { m in
                        .object([
                            ("extension", .string(m.extensionName)), ("detected_type", .string(m.detectedType)),
                            ("declared_type", .string(m.declaredType)), ("flags", .string(m.flags)),
                            ("example_filename", .string(m.exampleFilename)), ("attachments", .int(m.attachments)),
                            ("messages", .int(m.messages)),
                        ])
                    })
            ),
            ("risky_archives", .int(a.riskyArchives)), ("risky_archive_messages", .int(a.riskyArchiveMessages)),
            (
                "risky_members",
                .array(
                    a.riskyMembers.map { m in
                        .object([
                            ("member", .string(m.member)), ("member_type", .string(m.memberType)),
                            ("example_archive", .string(m.exampleArchive)), ("encrypted", .bool(m.encrypted)),
                            ("messages", .int(m.messages)),
                        ])
                    })
            ),
        ])
    }

    static func quality(_ q: Report.DataQuality) -> JSONValue {
        func diagnostics(_ rows: [Report.DiagnosticRow], messages: Bool) -> JSONValue {
            .array(
                rows.map { d in
                    var fields: [(String, JSONValue)] = [
                        ("code", .string(d.code)), ("severity", .string(d.severity)), ("count", .int(d.count)),
                    ]
                    if messages { fields.append(("messages", .int(d.messages))) }
                    return .object(fields)
                })
        }
        return .object([
            (
                "without_origin",
                .array(q.withoutOrigin.map { .object([("rule", .string($0.key)), ("messages", .int($0.messages))]) })
            ),
            ("origin_without_country", .int(q.originWithoutCountry)),
            ("origin_without_asn", .int(q.originWithoutASN)), ("removed_from_spool", .int(q.removedFromSpool)),
            ("truncated", .int(q.truncated)), ("undated", .int(q.undated)),
            ("date_far_from_arrival", .int(q.dateFarFromArrival)), ("arrival_from_date", .int(q.arrivalFromDate)),
            (
                "suspected_relays",
                .array(
                    q.suspects.map { s in
                        .object([
                            ("ip", .string(s.ip)), ("messages", .int(s.messages)),
                            ("upstream_networks", .int(s.upstreamNetworks)),
                            ("names", .array(s.names.map { .string($0) })),
                        ])
                    })
            ),
            ("diagnostics", diagnostics(q.diagnostics, messages: true)),
            ("file_diagnostics", diagnostics(q.fileDiagnostics, messages: false)),
            (
                "geo_databases",
                .array(
                    q.geoDatabases.map { g in
                        .object([
                            ("name", .string(g.name)), ("date", .string(g.date)), ("kind", .string(g.kind)),
                            ("first_scan", .int(g.firstScan)), ("last_scan", .int(g.lastScan)),
                        ])
                    })
            ),
            ("scans", .int(q.scans)), ("last_scan_at", .string(q.lastScanAt)),
            ("last_scan_status", .string(q.lastScanStatus)),
        ])
    }
}

extension JSONValue {
    func merging(_ more: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let fields) = self else { return self }
        return .object(fields + more)
    }
}

extension CountryNames {
    static func name(_ code: String) -> String? { byCode[code] }

    /// Codes of `byCode` that name no country: the registries' regions (EU, AP), "unknown" (ZZ) and the retired
    /// codes of countries that are gone (AN, CS, SU, YU).
    static let notCountries: Set<String> = ["AN", "AP", "CS", "EU", "SU", "YU", "ZZ"]

    /// Whether a geo database's code is a country (ISO 3166-1 alpha-2, or XK for Kosovo): what the report lists,
    /// counts and maps as one. Any other code (a region, a retired or made-up code) is counted apart.
    static func isCountry(_ code: String) -> Bool { byCode[code] != nil && !notCountries.contains(code) }

    /// "country", "not_a_country" (a code that `isCountry` refuses) or "unknown" (no code): the `kind` of a row.
    static func kind(_ code: String?) -> String {
        guard let code else { return "unknown" }
        return isCountry(code) ? "country" : "not_a_country"
    }
}
