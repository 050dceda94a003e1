import Foundation

/// Inline SVG charts for the HTML report: horizontal bars and month trend lines. Every text that goes into the SVG
/// passes `Display.text` (control and bidi characters made visible) and `Display.xml` (markup escaped), so a label
/// written by an attacker stays text. Colours come from CSS classes in the template, so a template can restyle them;
/// each chart carries a `<title>` and a `<desc>` (its text alternative) and sits next to a table with its figures.
enum SVGChart {
    struct Bar {
        var label: String
        var value: Int
        /// Text after the bar ("1,234 · 23.4 %").
        var note: String
    }

    /// A horizontal bar chart, one row per item, longest first as given.
    static func bars(id: String, title: String, description: String, items: [Bar]) -> String {
        let rowHeight = 24
        let top = 6
        // Narrow, so a phone shows the text near its real size; the value after the bar needs about 90 units.
        let labelWidth = 170
        let barMax = 170
        let width = 440
        let height = top * 2 + max(1, items.count) * rowHeight
        let maxValue = max(1, items.map(\.value).max() ?? 1)
        var s = svgOpen(
            id: id, kind: "bars", width: width, height: height, title: title, description: description)
        for (i, item) in items.enumerated() {
            let y = top + i * rowHeight
            let w =
                item.value == 0 ? 0 : max(1, Int((Double(item.value) / Double(maxValue) * Double(barMax)).rounded()))
            let label = Display.xml(Display.short(item.label, width: 21))
            s += "<text class=\"label\" x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(label)</text>"
            s += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(w)\" height=\"\(rowHeight - 8)\"/>"
            s += "<text class=\"value\" x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\">\(Display.xml(item.note))</text>"
        }
        return s + "</svg>"
    }

    struct Series {
        var label: String
        var values: [Int]
    }

    /// Lines over months (`YYYY-MM` labels), the first series drawn heavier; series are told apart by colour,
    /// dash pattern and marker, with a legend under the plot.
    static func lines(id: String, title: String, description: String, months: [String], series: [Series]) -> String {
        let width = 640
        let left = 56
        let right = 16
        let plotTop = 12
        let plotHeight = 200
        let legendRows = (series.count + 2) / 3
        let height = plotTop + plotHeight + 28 + legendRows * 20 + 6
        let maxValue = niceCeiling(series.flatMap(\.values).max() ?? 0)
        let n = max(1, months.count - 1)
        let plotWidth = width - left - right
        func x(_ i: Int) -> Int { left + Int((Double(i) / Double(n) * Double(plotWidth)).rounded()) }
        func y(_ v: Int) -> Int {
            plotTop + plotHeight - Int((Double(v) / Double(maxValue) * Double(plotHeight)).rounded())
        }
        var s = svgOpen(
            id: id, kind: "lines", width: width, height: height, title: title, description: description)
        for t in 0...4 {
            let v = maxValue * t / 4
            let yy = y(v)
            s += "<line class=\"grid\" x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(yy)\" y2=\"\(yy)\"/>"
            s +=
                "<text class=\"axis\" x=\"\(left - 6)\" y=\"\(yy + 4)\" text-anchor=\"end\">\(Display.compact(v))</text>"
        }
        for (i, month) in months.enumerated() {
            s += "<text class=\"axis\" x=\"\(x(i))\" y=\"\(plotTop + plotHeight + 18)\" text-anchor=\"middle\">"
            s += Display.xml(Display.monthTick(month, first: i == 0)) + "</text>"
        }
        for (k, line) in series.enumerated() {
            let points = line.values.enumerated().map { "\(x($0)),\(y($1))" }.joined(separator: " ")
            s += "<polyline class=\"line s\(k % 6)\" points=\"\(points)\"/>"
            for (i, v) in line.values.enumerated() {
                s += marker(k, x(i), y(v))
            }
        }
        for (k, line) in series.enumerated() {
            let lx = left + (k % 3) * 190
            let ly = plotTop + plotHeight + 34 + (k / 3) * 20
            s += "<line class=\"line s\(k % 6)\" x1=\"\(lx)\" x2=\"\(lx + 28)\" y1=\"\(ly)\" y2=\"\(ly)\"/>"
            s += marker(k, lx + 14, ly)
            s += "<text class=\"label\" x=\"\(lx + 34)\" y=\"\(ly + 4)\">"
            s += Display.xml(Display.short(line.label, width: 24)) + "</text>"
        }
        return s + "</svg>"
    }

    /// A choropleth world map: each country's shape (`WorldMapData`, from Natural Earth's 1:110m countries) filled
    /// by its messages in five steps on a logarithmic scale, neutral when it has none; a country too small for
    /// that scale is a dot at its capital, drawn only when it has messages. Each shape and dot carries a `<title>`
    /// with the country's name and figures, so a pointer shows them. A code in `messages` that is not a country
    /// (`EU`, `AP`, …; see `CountryNames.isCountry`) is neither drawn nor part of the scale. The legend is HTML beside it (`mapLegend`), so it keeps its size on a narrow screen.
    static func worldMap(id: String, title: String, description: String, messages: [String: Int], total: Int)
        -> String
    {
        let messages = messages.filter { CountryNames.isCountry($0.key) }
        let maxValue = max(1, messages.values.max() ?? 1)
        func figures(_ code: String, _ value: Int) -> String {
            let name = CountryNames.name(code) ?? code
            let text =
                value == 0
                ? "no messages" : Display.count(value) + " messages, " + Display.percent(value, of: total)
            return "<title>" + Display.xml(Display.text(name + " (" + code + "): " + text)) + "</title>"
        }
        var s = svgOpen(
            id: id, kind: "map", width: WorldMapData.width, height: WorldMapData.height, title: title,
            description: description)
        s += "<path class=\"land\" d=\"\(WorldMapData.otherLand)\"/>"
        for (code, d) in WorldMapData.shapes.sorted(by: { $0.key < $1.key }) {
            let value = messages[code] ?? 0
            s += "<path class=\"m\(shade(value, max: maxValue))\" d=\"\(d)\">" + figures(code, value) + "</path>"
        }
        // Dots last, so they lie on top of the shapes; the largest counts last of all.
        let dotted = messages.filter { $0.value > 0 && WorldMapData.dots[$0.key] != nil }
            .sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
        for (code, value) in dotted {
            guard let at = WorldMapData.dots[code] else { continue }
            s += "<circle class=\"dot m\(shade(value, max: maxValue))\" cx=\"\(at.x)\" cy=\"\(at.y)\" r=\"20\">"
            s += figures(code, value) + "</circle>"
        }
        return s + "</svg>"
    }

    /// Whether the map draws a country: a shape or a dot (the dot only when it has messages).
    static func onWorldMap(_ code: String) -> Bool {
        CountryNames.isCountry(code) && (WorldMapData.shapes[code] != nil || WorldMapData.dots[code] != nil)
    }

    /// The map's legend, as HTML: each shade in use and the range of counts it stands for.
    static func mapLegend(max maxValue: Int) -> String {
        var s = "<ul class=\"map-legend\" aria-label=\"Legend: messages per country\">"
        for step in 0...5 {
            let label: String
            if step == 0 {
                label = "none"
            } else {
                let from = lowest(step, max: maxValue)
                let to = step == 5 ? maxValue : lowest(step + 1, max: maxValue) - 1
                guard from <= to else { continue }
                label = from == to ? Display.count(from) : Display.count(from) + "–" + Display.count(to)
            }
            s += "<li><span class=\"swatch m\(step)\"></span>\(Display.xml(label))</li>"
        }
        return s + "</ul>"
    }

    /// The shade of a count: 0 for none, else 1–5 on a logarithmic scale, 1 for a single message and 5 for `max`.
    static func shade(_ value: Int, max maxValue: Int) -> Int {
        guard value > 0 else { return 0 }
        guard maxValue > 1, value < maxValue else { return value >= maxValue ? 5 : 1 }
        return 1 + Int((4 * log(Double(value)) / log(Double(maxValue))).rounded(.down))
    }

    /// The smallest count in 1...max whose shade is at least `step` (max + 1 when there is none).
    static func lowest(_ step: Int, max maxValue: Int) -> Int {
        var low = 1
        var high = maxValue + 1
        while low < high {
            let mid = (low + high) / 2
            if shade(mid, max: maxValue) >= step { high = mid } else { low = mid + 1 }
        }
        return low
    }

    static func marker(_ k: Int, _ x: Int, _ y: Int) -> String {
        switch k % 3 {
        case 0: "<circle class=\"dot s\(k % 6)\" cx=\"\(x)\" cy=\"\(y)\" r=\"3\"/>"
        case 1: "<rect class=\"dot s\(k % 6)\" x=\"\(x - 3)\" y=\"\(y - 3)\" width=\"6\" height=\"6\"/>"
        default: "<path class=\"dot s\(k % 6)\" d=\"M\(x) \(y - 4)L\(x + 4) \(y + 3)L\(x - 4) \(y + 3)Z\"/>"
        }
    }

    static func svgOpen(id: String, kind: String, width: Int, height: Int, title: String, description: String)
        -> String
    {
        let id = Display.xml(id)
        return "<svg class=\"chart \(kind)\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" "
            + "role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" preserveAspectRatio=\"xMinYMin meet\">"
            + "<title id=\"\(id)-t\">\(Display.xml(Display.text(title)))</title>"
            + "<desc id=\"\(id)-d\">\(Display.xml(Display.text(description)))</desc>"
    }

    /// The top of the value axis: four equal whole steps of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten,
    /// reaching at least `v`.
    static func niceCeiling(_ v: Int) -> Int {
        if v <= 4 { return 4 }
        let needed = (v + 3) / 4
        var magnitude = 1
        while magnitude * 10 <= needed { magnitude *= 10 }
        for tenths in [10, 15, 20, 25, 30, 40, 50, 60, 80, 100] {
            let step = tenths * magnitude / 10
            if step * 10 == tenths * magnitude, step >= needed { return step * 4 }
        }
        return 40 * magnitude
    }
}

/// Text for people: numbers, changes, and attacker-written strings made safe to show.
enum Display {
    /// Control characters and bidi overrides as visible escapes (`\x1b`, `\u{202e}`): the same rule as the
    /// terminal output, so a name reads the same everywhere and cannot reorder or hide the text around it.
    static func text(_ s: String) -> String { Escape.terminal(s) }

    /// `text`, cut to `width` columns with `…`.
    static func short(_ s: String, width: Int) -> String {
        let t = text(s)
        return Escape.displayWidth(t) > width ? Escape.truncate(t, toWidth: width) : t
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML/HTML text and attribute values.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// 1234567 → "1,234,567".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "−" + out : out
    }

    /// Axis labels: 1200 → "1.2k", 3000000 → "3M".
    static func compact(_ n: Int) -> String {
        func trim(_ d: Double) -> String {
            let r = (d * 10).rounded() / 10
            return r == r.rounded() ? String(Int(r)) : String(r)
        }
        if n >= 1_000_000 { return trim(Double(n) / 1_000_000) + "M" }
        if n >= 10_000 { return trim(Double(n) / 1000) + "k" }
        return count(n)
    }

    /// 0.2345 → "23.5 %"; nil → "–".
    static func percent(_ r: Double?) -> String {
        guard let r, r.isFinite else { return "–" }
        let p = (r * 1000).rounded() / 10
        return (p == p.rounded() ? String(Int(p)) : String(p)) + " %"
    }

    static func percent(_ n: Int, of total: Int) -> String {
        percent(total == 0 ? nil : Double(n) / Double(total))
    }

    /// A change against the previous period: text ("▲ 12 %", "new", "▼ 100 %", "="), a class for colour, and a
    /// sentence for the title.
    static func change(_ now: Int, _ before: Int) -> (text: String, cls: String) {
        if now == before { return (before == 0 ? "–" : "= 0 %", "same") }
        if before == 0 { return ("new", "up") }
        let pct = Double(now - before) / Double(before) * 100
        let rounded = abs(pct) < 10 ? (abs(pct) * 10).rounded() / 10 : abs(pct).rounded()
        let number = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return now > before ? ("▲ +" + number + " %", "up") : ("▼ −" + number + " %", "down")
    }

    /// "2026-01" → "Jan 2026" on January or the first tick, else "Feb".
    static func monthTick(_ key: String, first: Bool) -> String {
        guard let day = Day(key + "-01") else { return key }
        let name = String(Day.monthNames[day.month - 1].prefix(3))
        return first || day.month == 1 ? name + " " + String(day.year) : name
    }

    /// "2026-01" → "January 2026".
    static func monthName(_ key: String) -> String {
        guard let day = Day(key + "-01") else { return key }
        return Day.monthNames[day.month - 1] + " " + String(day.year)
    }

    /// "2026-10-14T08:00:00Z" → "2026-10-14".
    static func date(_ iso: String?) -> String { iso.map { String($0.prefix(10)) } ?? "–" }

    /// "DE" → "DE · Germany"; "EU" → "EU · European Union (not a country)"; nil → the unknown label.
    static func country(_ code: String?) -> String {
        guard let code else { return "Unknown or no origin" }
        let safe = text(code)
        let named = CountryNames.name(code).map { safe + " · " + $0 } ?? safe
        return CountryNames.isCountry(code) ? named : named + " (not a country)"
    }

    /// "AS3320 Deutsche Telekom AG"; for an AS without a name, its registry and the country of the addresses it
    /// was seen with: "AS22927 (LACNIC, AR)".
    static func provider(_ asn: Int?, _ name: String?, country: String?) -> String {
        guard let asn else { return "Unknown provider" }
        return ASNRegistry.label(asn: asn, name: name.map(text), country: country.map(text))
    }
}
