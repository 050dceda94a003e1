/// The data handed to the templates (documented in docs/report.md): nested dictionaries and arrays of plain values.
///
/// Naming rule: a key named as in the JSON (`messages`, `as_name`, `domain`) holds the value as stored — numbers
/// unformatted, text as the message wrote it, missing values as "" — for CSV templates; the same key with `_text`
/// (`messages_text`, `as_name_text`) is for people — numbers with separators, percentages, and text whose control
/// and bidi characters are shown as escapes. Mustache escapes both for the output (`{{x}}`); only the `chart` keys
/// (SVG built by mailatlas with every text inside escaped) are meant for `{{{x}}}`.
enum ReportView {
    typealias Object = [String: Any]

    static func context(_ r: Report) -> Object {
        let total = r.totals.messages
        let verdictLabel: String =
            switch r.request.verdict {
            case "spam": "spam"
            case "ham": "ham"
            case "unknown": "mail without a verdict"
            default: "mail"
            }
        let titleNoun: String =
            switch r.request.verdict {
            case "spam": "Spam"
            case "ham": "Ham"
            case "unknown": "Unclassified mail"
            default: "Mail"
            }
        return [
            "title": titleNoun + " report — " + r.period.label,
            "title_noun": titleNoun,
            "generator": "mailatlas " + MailAtlasKitVersion.string,
            "generated_at": r.request.generatedAt,
            "store": r.request.storeName,
            "store_text": Display.text(r.request.storeName),
            "period": period(r.period).merging(basis(r.request)) { a, _ in a },
            "previous_period": period(r.previousPeriod),
            "verdict": r.request.verdict ?? "all",
            "verdict_label": verdictLabel,
            "is_spam": r.request.verdict == "spam",
            "folders": r.request.folders.joined(separator: ", "),
            "folders_text": r.request.folders.map(Display.text).joined(separator: ", "),
            "has_folders": !r.request.folders.isEmpty,
            "top": r.request.top,
            "totals": totals(r.totals),
            "previous_totals": totals(r.previousTotals),
            "has_messages": total > 0,
            "cards": cards(r, verdictLabel: verdictLabel),
            "countries": countries(r),
            "providers": providers(r),
            "ips": ips(r),
            "domains": domains(r),
            "authentication": authentication(r),
            "blocklists": [
                "has_rows": !r.blocklists.isEmpty,
                "rows": r.blocklists.map { b -> Object in
                    [
                        "zone": b.zone, "zone_text": Display.text(b.zone), "checked": b.checked,
                        "checked_text": Display.count(b.checked), "listed": b.listed,
                        "listed_text": Display.count(b.listed), "share_text": Display.percent(b.listed, of: b.checked),
                        "unanswered": b.unanswered, "unanswered_text": Display.count(b.unanswered),
                    ]
                },
            ] as Object,
            "cross": cross(r),
            "attachments": attachments(r),
            "trend": trend(r, verdictLabel: verdictLabel),
            "quality": quality(r),
        ]
    }

    /// Which time put the messages in the period, for the period line.
    static func basis(_ r: ReportRequest) -> Object {
        let zone = r.timeZoneName
        let text =
            r.basis == .arrival
            ? "by arrival: when the receiving side got them, days in \(zone)"
            : "by the messages’ Date header, which the sender wrote, days in \(zone)"
        return ["basis": r.basis.rawValue, "basis_text": text, "time_zone": zone]
    }

    static func period(_ p: ReportPeriod) -> Object {
        ["from": p.start.description, "to": p.last.description, "days": p.dayCount, "label": p.label]
    }

    static func totals(_ t: Report.Totals) -> Object {
        [
            "messages": t.messages, "messages_text": Display.count(t.messages),
            "all_messages": t.allMessages, "all_messages_text": Display.count(t.allMessages),
            "spam_messages": t.spamMessages, "spam_messages_text": Display.count(t.spamMessages),
            "spam_share": ratio(t.spamShare), "spam_share_text": Display.percent(t.spamShare),
            "origin_ips": t.originIPs, "origin_ips_text": Display.count(t.originIPs),
            "countries": t.countries, "countries_text": Display.count(t.countries),
            "providers": t.providers, "providers_text": Display.count(t.providers),
            "without_origin": t.withoutOrigin, "without_origin_text": Display.count(t.withoutOrigin),
        ]
    }

    /// A ratio as text with 4 decimals ("0.1234"), "" when undefined: the JSON value, for CSV.
    static func ratio(_ r: Double?) -> String {
        guard let r, r.isFinite else { return "" }
        return JSONValue.ratio(r).serialized()
    }

    static func ratio(_ n: Int, of total: Int) -> String { ratio(total == 0 ? nil : Double(n) / Double(total)) }

    static func change(_ now: Int, _ before: Int, _ into: inout Object) {
        let c = Display.change(now, before)
        into["change_text"] = c.text
        into["change_class"] = c.cls
        into["previous_messages"] = before
        into["previous_text"] = Display.count(before)
    }

    static func cards(_ r: Report, verdictLabel: String) -> [Object] {
        let now = r.totals
        let before = r.previousTotals
        let previous = r.previousPeriod.shortLabel
        func card(_ label: String, _ a: Int, _ b: Int, hint: String) -> Object {
            var o: Object = [
                "label": label, "value_text": Display.count(a), "hint": hint,
                "previous_label": previous,
            ]
            change(a, b, &o)
            return o
        }
        var list = [card("Messages", now.messages, before.messages, hint: verdictLabel + " in the period")]
        var share: Object = [
            "label": "Spam share", "value_text": Display.percent(now.spamShare),
            "hint": Display.count(now.spamMessages) + " of " + Display.count(now.allMessages) + " messages",
            "previous_label": previous, "previous_text": Display.percent(before.spamShare),
        ]
        if let a = now.spamShare, let b = before.spamShare {
            let points = ((a - b) * 1000).rounded() / 10
            let text = points == points.rounded() ? String(Int(abs(points))) : String(abs(points))
            share["change_text"] = points == 0 ? "= 0 pts" : (points > 0 ? "▲ +" : "▼ −") + text + " pts"
            share["change_class"] = points == 0 ? "same" : (points > 0 ? "up" : "down")
        } else {
            share["change_text"] = "–"
            share["change_class"] = "same"
        }
        list.append(share)
        list.append(card("Origin IPs", now.originIPs, before.originIPs, hint: "distinct addresses"))
        list.append(card("Countries", now.countries, before.countries, hint: "of origin"))
        list.append(card("Providers", now.providers, before.providers, hint: "autonomous systems"))
        return list
    }

    // MARK: Countries and providers

    static func providerLabel(_ asn: Int?, _ name: String?, _ country: String?) -> String {
        Display.provider(asn, name, country: country)
    }

    static func countries(_ r: Report) -> Object {
        let total = r.totals.messages
        let rows: [Object] = r.byCountry.map { c in
            var o: Object = [
                "country": c.country ?? "", "has_country": c.country != nil,
                "kind": CountryNames.kind(c.country), "is_country": c.country.map(CountryNames.isCountry) ?? false,
                "country_text": c.country.map(Display.text) ?? "–",
                "name": c.country.flatMap(CountryNames.name) ?? "",
                "label": Display.country(c.country),
                "messages": c.messages, "messages_text": Display.count(c.messages),
                "share": ratio(c.messages, of: total), "share_text": Display.percent(c.messages, of: total),
                "origin_ips": c.originIPs, "origin_ips_text": Display.count(c.originIPs),
                "providers": c.topProviders.map { p -> Object in
                    [
                        "asn": p.asn.map(String.init) ?? "", "as_name": p.asName ?? "",
                        "as_registry": ASNRegistry.name(ofAS: p.asn) ?? "",
                        "label": providerLabel(p.asn, p.asName, c.country), "messages": p.messages,
                        "messages_text": Display.count(p.messages),
                    ]
                },
                "has_providers": !c.topProviders.isEmpty,
                "providers_cell": c.topProviders.map { p in
                    (p.asn.map { ASNRegistry.label(asn: $0, name: p.asName, country: c.country) } ?? "AS?")
                        + " (\(p.messages))"
                }.joined(separator: "; "),
            ]
            change(c.messages, c.previousMessages, &o)
            return o
        }
        let shown = r.byCountry.prefix(r.request.top)
        let bars = shown.map { c in
            SVGChart.Bar(
                label: Display.country(c.country), value: c.messages,
                note: Display.count(c.messages) + " · " + Display.percent(c.messages, of: total))
        }
        let summary =
            "Messages by origin country, \(r.period.label): "
            + shown.prefix(8).map { Display.country($0.country) + " " + Display.count($0.messages) }
            .joined(separator: "; ") + (shown.count > 8 ? "; and more in the table." : ".")
        // The map shows countries only; a region code (EU, AP, …) and the unknown row are counted apart.
        var onMap: [String: Int] = [:]
        var notCountry = 0
        var notCountryCodes: [String] = []
        for c in r.byCountry {
            guard let code = c.country else { continue }
            if !CountryNames.isCountry(code) {
                notCountry += c.messages
                notCountryCodes.append(code)
            } else if SVGChart.onWorldMap(code) {
                onMap[code, default: 0] += c.messages
            }
        }
        let unknown = r.byCountry.filter { $0.country == nil }.map(\.messages).reduce(0, +)
        let offMap = total - onMap.values.reduce(0, +)
        let notCountryText = notCountryCodes.sorted().map(Display.text).joined(separator: ", ")
        let mapSummary =
            "World map of messages by origin country, \(r.period.label): \(onMap.count) countries coloured"
            + (offMap > 0 ? "; \(Display.count(offMap)) messages of unknown or no country are not on the map." : ".")
        return [
            "has_rows": !rows.isEmpty, "rows": rows,
            "count": r.byCountry.filter { $0.country.map(CountryNames.isCountry) ?? false }.count,
            "map": onMap.isEmpty
                ? ""
                : SVGChart.worldMap(
                    id: "map-countries", title: "Messages by origin country, on a world map",
                    description: mapSummary, messages: onMap, total: total),
            "map_legend": onMap.isEmpty ? "" : SVGChart.mapLegend(max: onMap.values.max() ?? 1),
            "has_map": !onMap.isEmpty,
            "has_off_map": offMap > 0, "off_map_text": Display.count(offMap),
            "has_unknown": unknown > 0, "unknown_text": Display.count(unknown),
            "has_not_country": notCountry > 0, "not_country_text": Display.count(notCountry),
            "not_country_codes_text": notCountryText,
            "chart": rows.isEmpty
                ? ""
                : SVGChart.bars(
                    id: "chart-countries", title: "Messages by origin country", description: summary, items: bars),
            "chart_summary": summary,
            "charted": shown.count,
        ]
    }

    static func providers(_ r: Report) -> Object {
        let total = r.totals.messages
        let rows: [Object] = r.byProvider.map { p in
            var o: Object = [
                "asn": p.asn.map(String.init) ?? "", "has_asn": p.asn != nil,
                "as_name": p.asName ?? "", "as_name_text": p.asName.map(Display.text) ?? "",
                "as_registry": ASNRegistry.name(ofAS: p.asn) ?? "",
                "label": providerLabel(p.asn, p.asName, p.country),
                "country": p.country ?? "", "country_label": p.country.map(Display.country) ?? "–",
                "messages": p.messages, "messages_text": Display.count(p.messages),
                "share": ratio(p.messages, of: total), "share_text": Display.percent(p.messages, of: total),
                "origin_ips": p.originIPs, "origin_ips_text": Display.count(p.originIPs),
                "first_seen": p.firstSeen ?? "", "last_seen": p.lastSeen ?? "",
                "first_seen_text": Display.date(p.firstSeen), "last_seen_text": Display.date(p.lastSeen),
                "example_ips": p.exampleIPs.joined(separator: " "),
                "example_ips_text": p.exampleIPs.map(Display.text).joined(separator: ", "),
            ]
            change(p.messages, p.previousMessages, &o)
            return o
        }
        let bars = r.byProvider.map { p in
            SVGChart.Bar(
                label: providerLabel(p.asn, p.asName, p.country), value: p.messages,
                note: Display.count(p.messages) + " · " + Display.percent(p.messages, of: total))
        }
        let summary =
            "Messages by provider (autonomous system), \(r.period.label): "
            + r.byProvider.prefix(6).map {
                providerLabel($0.asn, $0.asName, $0.country) + " " + Display.count($0.messages)
            }
            .joined(separator: "; ") + "."
        return [
            "has_rows": !rows.isEmpty, "rows": rows, "shown": rows.count,
            "total": r.totals.providers, "total_text": Display.count(r.totals.providers),
            "chart": rows.isEmpty
                ? ""
                : SVGChart.bars(
                    id: "chart-providers", title: "Messages by provider", description: summary, items: bars),
            "chart_summary": summary,
        ]
    }

    static func ips(_ r: Report) -> Object {
        let rows: [Object] = r.topIPs.map { ip -> Object in
            [
                "ip": ip.ip, "ip_text": Display.text(ip.ip),
                "messages": ip.messages, "messages_text": Display.count(ip.messages),
                "country": ip.country ?? "", "country_label": ip.country.map(Display.country) ?? "–",
                "asn": ip.asn.map(String.init) ?? "", "as_name": ip.asName ?? "",
                "as_registry": ASNRegistry.name(ofAS: ip.asn) ?? "",
                "provider_label": providerLabel(ip.asn, ip.asName, ip.country),
                "first_seen": ip.firstSeen ?? "", "last_seen": ip.lastSeen ?? "",
                "first_seen_text": Display.date(ip.firstSeen), "last_seen_text": Display.date(ip.lastSeen),
                "rdns": ip.names.first?.rdns ?? "", "helo": ip.names.first?.helo ?? "",
                "names": ip.names.map { n -> Object in
                    [
                        "rdns": n.rdns ?? "", "helo": n.helo ?? "",
                        "rdns_text": n.rdns.map { Display.short($0, width: 60) } ?? "(no rDNS)",
                        "helo_text": n.helo.map { Display.short($0, width: 60) } ?? "(no HELO)",
                        "messages": n.messages, "messages_text": Display.count(n.messages),
                    ]
                },
                "has_names": !ip.names.isEmpty,
                "subject": ip.exampleSubject ?? "",
                "subject_text": ip.exampleSubject.map { Display.short($0, width: 80) } ?? "",
            ]
        }
        return ["has_rows": !rows.isEmpty, "rows": rows]
    }

    // MARK: Links

    static func domains(_ r: Report) -> Object {
        func row(_ d: Report.DomainRow) -> Object {
            [
                "domain": d.domain, "domain_text": Display.short(d.domain, width: 70),
                "messages": d.messages, "messages_text": Display.count(d.messages),
                "share_text": Display.percent(d.messages, of: r.totals.messages),
                "occurrences": d.occurrences, "occurrences_text": Display.count(d.occurrences),
                "countries": d.countries, "countries_text": Display.count(d.countries),
                "sources": d.sources.joined(separator: " "),
                "sources_text": d.sources.map(Display.text).joined(separator: ", "),
                "is_ip": d.isIP,
                "ham_messages": d.hamMessages, "ham_messages_text": Display.count(d.hamMessages),
            ]
        }
        // Domains no ham links to lead (the signal); those ham links to as well follow in a table of their own.
        let only = r.topDomains.filter { $0.hamMessages == 0 }
        let inHam = r.topDomains.filter { $0.hamMessages > 0 }
        let bars = only.map { d in
            SVGChart.Bar(label: d.domain, value: d.messages, note: Display.count(d.messages))
        }
        let summary =
            "Messages linking to each registrable domain that no ham message links to, \(r.period.label): "
            + only.prefix(6).map { Display.text($0.domain) + " " + Display.count($0.messages) }
            .joined(separator: "; ") + "."
        return [
            "has_rows": !r.topDomains.isEmpty, "rows": r.topDomains.map(row),
            "has_only_rows": !only.isEmpty, "only_rows": only.map(row),
            "has_ham_rows": !inHam.isEmpty, "ham_rows": inHam.map(row),
            "chart": only.isEmpty
                ? ""
                : SVGChart.bars(
                    id: "chart-domains", title: "Top linked domains seen only outside ham", description: summary,
                    items: bars),
            "chart_summary": summary,
            "messages_with_links": r.countryTLD.messagesWithLinks,
            "messages_with_links_text": Display.count(r.countryTLD.messagesWithLinks),
        ]
    }

    // MARK: Authentication

    static func authentication(_ r: Report) -> Object {
        let a = r.authentication
        let total = r.totals.messages
        // One row per result word, in a fixed order, with the messages each check gave it.
        let order = ["pass", "fail", "softfail", "neutral", "none", "policy", "temperror", "permerror"]
        var words = order.filter { w in [a.spf, a.dkim, a.dmarc].contains { $0.contains { $0.result == w } } }
        for list in [a.spf, a.dkim, a.dmarc] {
            for c in list { if let w = c.result, !words.contains(w) { words.append(w) } }
        }
        func cell(_ list: [Report.AuthCount], _ w: String?) -> Object {
            let n = list.first { $0.result == w }?.messages ?? 0
            return ["messages": n, "messages_text": Display.count(n), "share_text": Display.percent(n, of: total)]
        }
        var rows: [Object] = words.map { w in
            [
                "result": w, "result_text": Display.text(w), "spf": cell(a.spf, w), "dkim": cell(a.dkim, w),
                "dmarc": cell(a.dmarc, w),
            ]
        }
        let checked = [a.spf, a.dkim, a.dmarc].contains { $0.contains { $0.result != nil } }
        if checked {
            rows.append([
                "result": "", "result_text": "no result from the receiving side", "spf": cell(a.spf, nil),
                "dkim": cell(a.dkim, nil), "dmarc": cell(a.dmarc, nil),
            ])
        }
        let domains: [Object] = a.passedDKIMDomains.map { d in
            [
                "domain": d.domain, "domain_text": Display.short(d.domain, width: 70),
                "messages": d.messages, "messages_text": Display.count(d.messages),
                "dmarc_pass": d.dmarcPass, "dmarc_pass_text": Display.count(d.dmarcPass),
                "ham_messages": d.hamMessages, "ham_messages_text": Display.count(d.hamMessages),
            ]
        }
        return [
            "known": a.known, "has_rows": checked, "rows": rows, "has_domains": !domains.isEmpty,
            "domains": domains,
        ]
    }

    /// "same day", "3 days", "0–12 days" after arrival; "–" for links that needed no DNS answer.
    static func daysAfterArrival(_ lo: Int?, _ hi: Int?) -> String {
        guard let lo, let hi else { return "–" }
        if hi <= 0 { return "same day" }
        if lo == hi { return "\(hi) day\(hi == 1 ? "" : "s")" }
        return "\(max(0, lo))–\(hi) days"
    }

    static func cross(_ r: Report) -> Object {
        let t = r.countryTLD
        let maxCell = max(1, t.cells.flatMap { $0 }.max() ?? 1)
        let rows: [Object] = zip(t.countries, t.cells).map { country, cells -> Object in
            [
                "country": country ?? "", "label": Display.country(country),
                "cells": zip(t.tlds, cells).map { tld, n -> Object in
                    [
                        "tld": tld, "messages": n, "messages_text": n == 0 ? "·" : Display.count(n),
                        // Six shades, from none to the largest cell.
                        "heat": n == 0 ? 0 : 1 + Int((Double(n) / Double(maxCell) * 4.999).rounded(.down)),
                    ]
                },
            ]
        }
        let pairs = zip(t.countries, t.cells).flatMap { country, cells in
            zip(t.tlds, cells).map { tld, n -> Object in
                [
                    "country": country ?? "", "country_label": Display.country(country), "tld": tld,
                    "tld_text": tld.isEmpty ? "(none)" : "." + Display.text(tld), "messages": n,
                ]
            }
        }
        let ipHosts: [Object] = t.ipHosts.map { h in hostRow(h) }
        let hosted: [Object] = t.hostedThere.map { h in hostRow(h) }
        func hostRow(_ h: Report.IPHostRow) -> Object {
            [
                "country": h.country ?? "", "country_label": Display.country(h.country),
                "host_country": h.hostCountry ?? "",
                "host_country_label": h.hostCountry == nil
                    ? "Not placed (private, reserved or unknown address)" : Display.country(h.hostCountry),
                "same": h.country != nil && h.country == h.hostCountry,
                "messages": h.messages, "messages_text": Display.count(h.messages),
                "addresses": h.addresses, "addresses_text": Display.count(h.addresses),
                "resolved_text": Self.daysAfterArrival(h.minDaysAfterArrival, h.maxDaysAfterArrival),
            ]
        }
        return [
            "hosted_there": hosted, "has_hosted_there": !hosted.isEmpty, "resolved_hosts": t.resolvedHosts,
            "has_hosting_providers": !t.hostingProviders.isEmpty,
            "hosting_providers": t.hostingProviders.map { p -> Object in
                [
                    "asn": p.asn ?? 0, "as_name": p.asName ?? "",
                    "label": p.asn.map { "AS\($0)" + (p.asName.map { " " + Display.text($0) } ?? "") }
                        ?? "Unknown network",
                    "country": p.country ?? "", "country_label": Display.country(p.country),
                    "messages": p.messages, "messages_text": Display.count(p.messages),
                    "hosts": p.hosts, "hosts_text": Display.count(p.hosts),
                ]
            },
            "ip_hosts": ipHosts, "has_ip_hosts": !ipHosts.isEmpty, "ip_hosts_known": t.ipHostsKnown,
            "has_rows": !rows.isEmpty && !t.tlds.isEmpty, "rows": rows, "pairs": pairs,
            "tlds": t.tlds.map { ["tld": $0, "tld_text": $0.isEmpty ? "(none)" : "." + Display.text($0)] as Object },
        ]
    }

    // MARK: Attachments

    static func attachments(_ r: Report) -> Object {
        let a = r.attachments
        func counts(_ rows: [Report.CountRow], empty: String) -> Object {
            let list: [Object] = rows.map { c -> Object in
                [
                    "key": c.key ?? "", "key_text": c.key.map { Display.short($0, width: 60) } ?? empty,
                    "attachments": c.attachments, "attachments_text": Display.count(c.attachments),
                    "messages": c.messages, "messages_text": Display.count(c.messages),
                ]
            }
            return ["has_rows": !list.isEmpty, "rows": list]
        }
        let bars = a.detectedTypes.map { c in
            SVGChart.Bar(label: c.key ?? "(not detected)", value: c.attachments, note: Display.count(c.attachments))
        }
        let summary =
            "Attachments by type detected from their bytes, \(r.period.label): "
            + a.detectedTypes.prefix(6).map { ($0.key ?? "not detected") + " " + Display.count($0.attachments) }
            .joined(separator: "; ") + "."
        let mismatches: [Object] = a.mismatches.map { m -> Object in
            [
                "extension": m.extensionName ?? "", "extension_text": m.extensionName.map(Display.text) ?? "(none)",
                "detected_type": m.detectedType ?? "", "detected_type_text": m.detectedType.map(Display.text) ?? "?",
                "declared_type": m.declaredType ?? "",
                "declared_type_text": m.declaredType.map { Display.short($0, width: 50) } ?? "(none)",
                "flags": m.flags, "flags_text": Display.text(m.flags.replacingAll(",", with: ", ")),
                "example_filename": m.exampleFilename ?? "",
                "example_filename_text": m.exampleFilename.map { Display.short($0, width: 60) } ?? "(no name)",
                "attachments": m.attachments, "attachments_text": Display.count(m.attachments),
                "messages": m.messages, "messages_text": Display.count(m.messages),
            ]
        }
        let risky: [Object] = a.riskyMembers.map { m -> Object in
            [
                "member": m.member, "member_text": Display.short(m.member, width: 60),
                "member_type": m.memberType ?? "", "member_type_text": m.memberType.map(Display.text) ?? "?",
                "example_archive": m.exampleArchive ?? "",
                "example_archive_text": m.exampleArchive.map { Display.short($0, width: 50) } ?? "(no name)",
                "encrypted": m.encrypted, "messages": m.messages, "messages_text": Display.count(m.messages),
            ]
        }
        return [
            "has_rows": a.attachments > 0,
            "attachments": a.attachments, "attachments_text": Display.count(a.attachments),
            "messages": a.messages, "messages_text": Display.count(a.messages),
            "types": counts(a.detectedTypes, empty: "(not detected)"),
            "extensions": counts(a.extensions, empty: "(none)"),
            "flags": counts(a.flags, empty: ""),
            "mismatches": ["has_rows": !mismatches.isEmpty, "rows": mismatches] as Object,
            "risky": [
                "has_rows": !risky.isEmpty, "rows": risky, "archives": a.riskyArchives,
                "archives_text": Display.count(a.riskyArchives), "messages": a.riskyArchiveMessages,
                "messages_text": Display.count(a.riskyArchiveMessages),
            ] as Object,
            "chart": a.detectedTypes.isEmpty
                ? ""
                : SVGChart.bars(
                    id: "chart-types", title: "Attachments by detected type", description: summary, items: bars),
            "chart_summary": summary,
        ]
    }

    // MARK: Trend

    static func trend(_ r: Report, verdictLabel: String) -> Object {
        let t = r.trend
        let series =
            [SVGChart.Series(label: "All", values: t.overall)]
            + t.countries.map { SVGChart.Series(label: Display.country($0.country), values: $0.messages) }
        let peak = t.overall.enumerated().max { $0.element < $1.element }
        let summary =
            "Messages per month from \(Display.monthName(t.months.first ?? "")) to "
            + "\(Display.monthName(t.months.last ?? "")): "
            + zip(t.months, t.overall).map { Display.monthTick($0, first: true) + " " + Display.count($1) }
            .joined(separator: ", ")
            + (peak.map { $0.element > 0 ? "; the most in \(Display.monthName(t.months[$0.offset]))." : "." } ?? ".")
            + (t.countries.isEmpty
                ? "" : " Lines for " + t.countries.map { Display.country($0.country) }.joined(separator: ", ") + ".")
        let months: [Object] = t.months.enumerated().map { i, key -> Object in
            [
                "month": key, "label": Display.monthName(key), "messages": t.overall[i],
                "messages_text": Display.count(t.overall[i]),
                "countries": t.countries.map { s -> Object in
                    [
                        "country": s.country ?? "", "messages": s.messages[i],
                        "messages_text": Display.count(s.messages[i]),
                    ]
                },
            ]
        }
        let long: [Object] =
            t.months.enumerated().map { i, key in ["month": key, "series": "all", "messages": t.overall[i]] as Object }
            + t.countries.flatMap { s in
                t.months.enumerated().map { i, key in
                    ["month": key, "series": s.country ?? "", "messages": s.messages[i]] as Object
                }
            }
        return [
            "months": months, "series": long,
            "countries": t.countries.map {
                ["country": $0.country ?? "", "label": Display.country($0.country)] as Object
            },
            "chart": SVGChart.lines(
                id: "chart-trend", title: "Messages per month (\(verdictLabel))", description: summary,
                months: t.months, series: series),
            "chart_summary": summary,
            "has_messages": t.overall.contains { $0 > 0 },
        ]
    }

    // MARK: Data quality

    static func quality(_ r: Report) -> Object {
        let q = r.quality
        let ruleNames: [String: String] = [
            "none-internal": "never crossed from outside (internal mail)",
            "none-unclear": "the Received chain was unclear",
            "none-nonpublic": "the only candidate was not a public address",
        ]
        let without: [Object] = q.withoutOrigin.map { c -> Object in
            [
                "rule": c.key ?? "", "rule_text": c.key.map(Display.text) ?? "(not analysed)",
                "meaning": c.key.flatMap { ruleNames[$0] } ?? "",
                "messages": c.messages, "messages_text": Display.count(c.messages),
            ]
        }
        func diagnostics(_ rows: [Report.DiagnosticRow]) -> [Object] {
            rows.map { d -> Object in
                [
                    "code": d.code, "code_text": Display.short(d.code, width: 60), "severity": d.severity,
                    "severity_text": Display.text(d.severity), "count": d.count, "count_text": Display.count(d.count),
                    "messages": d.messages, "messages_text": Display.count(d.messages),
                ]
            }
        }
        let geo: [Object] = q.geoDatabases.map { g -> Object in
            [
                "name": g.name, "name_text": Display.short(g.name, width: 80), "date": g.date ?? "",
                "date_text": g.date.map(Display.text) ?? "–", "kind": g.kind ?? "",
                "kind_text": g.kind.map(Display.text) ?? "", "first_scan": g.firstScan, "last_scan": g.lastScan,
                "scans_text": g.firstScan == g.lastScan ? "scan \(g.firstScan)" : "scans \(g.firstScan)–\(g.lastScan)",
            ]
        }
        let suspects: [Object] = q.suspects.map { s -> Object in
            [
                "ip": s.ip, "ip_text": Display.text(s.ip), "messages": s.messages,
                "messages_text": Display.count(s.messages),
                "share_text": Display.percent(s.share),
                "networks": s.upstreamNetworks, "networks_text": Display.count(s.upstreamNetworks),
                "names_text": Display.short(s.names.prefix(3).joined(separator: ", "), width: 120),
            ]
        }
        let withoutTotal = q.withoutOrigin.reduce(0) { $0 + $1.messages }
        let d = diagnostics(q.diagnostics)
        let f = diagnostics(q.fileDiagnostics)
        return [
            "without_origin": without, "has_without_origin": !without.isEmpty,
            "without_origin_total": withoutTotal, "without_origin_total_text": Display.count(withoutTotal),
            "without_origin_share_text": Display.percent(withoutTotal, of: r.totals.messages),
            "origin_without_country": q.originWithoutCountry,
            "origin_without_country_text": Display.count(q.originWithoutCountry),
            "origin_without_asn": q.originWithoutASN, "origin_without_asn_text": Display.count(q.originWithoutASN),
            "removed_from_spool": q.removedFromSpool, "removed_from_spool_text": Display.count(q.removedFromSpool),
            "truncated": q.truncated, "truncated_text": Display.count(q.truncated),
            "undated": q.undated, "undated_text": Display.count(q.undated),
            "undated_what": r.request.basis == .arrival
                ? "no time of arrival and no readable Date" : "no readable Date",
            "date_far_from_arrival": q.dateFarFromArrival,
            "date_far_from_arrival_text": Display.count(q.dateFarFromArrival),
            "arrival_from_date": q.arrivalFromDate, "arrival_from_date_text": Display.count(q.arrivalFromDate),
            "has_arrival_from_date": q.arrivalFromDate > 0,
            "diagnostics": d, "has_diagnostics": !d.isEmpty,
            "file_diagnostics": f, "has_file_diagnostics": !f.isEmpty,
            "geo_databases": geo, "has_geo_databases": !geo.isEmpty,
            "scans": q.scans, "scans_text": Display.count(q.scans),
            "last_scan_at": q.lastScanAt ?? "", "last_scan_status": q.lastScanStatus ?? "",
            "has_last_scan": q.lastScanAt != nil,
            "suspects": suspects, "has_suspects": !suspects.isEmpty,
            "suggested_internal_networks": ReceivingSide.internalNetworks(settling: q.suspects) ?? "",
        ]
    }
}
