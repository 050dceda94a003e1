import Foundation
import Testing

@testable import MailAtlasKit

/// The report's world map (a choropleth of Natural Earth's country shapes): its data, its shades and what it
/// shows, and how the codes that are not countries are counted apart.
@Suite struct WorldMapTests {
    /// The bounding box of a path written as `WorldMapData` writes them (`M x y l dx dy … z`, whole units).
    static func box(_ d: String) -> (minX: Int, minY: Int, maxX: Int, maxY: Int) {
        var (minX, minY, maxX, maxY) = (Int.max, Int.max, Int.min, Int.min)
        var (x, y) = (0, 0)
        for ring in d.split(separator: "M") {
            let body = ring.replacingOccurrences(of: "z", with: "").replacingOccurrences(of: "-", with: " -")
            let parts = body.split(separator: "l", maxSplits: 1)
            let start = parts[0].split(separator: " ").map { Int($0)! }
            (x, y) = (start[0], start[1])
            var points = [(x, y)]
            let moves = parts.count > 1 ? parts[1].split(separator: " ").map { Int($0)! } : []
            for i in stride(from: 0, to: moves.count, by: 2) {
                x += moves[i]
                y += moves[i + 1]
                points.append((x, y))
            }
            for (px, py) in points {
                (minX, minY, maxX, maxY) = (min(minX, px), min(minY, py), max(maxX, px), max(maxY, py))
            }
        }
        return (minX, minY, maxX, maxY)
    }

    /// Where the map puts a longitude and latitude (equirectangular, 10 units a degree, 84°N at the top).
    static func point(lon: Double, lat: Double) -> (x: Int, y: Int) {
        (Int(((lon + 180) * 10).rounded()), Int(((84 - lat) * 10).rounded()))
    }

    @Test func everyCountryHasAPlaceAndNoRegionHasOne() {
        for code in CountryNames.byCode.keys {
            let placed = WorldMapData.shapes[code] != nil || WorldMapData.dots[code] != nil
            #expect(placed == CountryNames.isCountry(code), "\(code)")
        }
        #expect(!CountryNames.isCountry("EU") && !CountryNames.isCountry("AP") && !CountryNames.isCountry("ZZ"))
        #expect(!CountryNames.isCountry("A1") && !CountryNames.isCountry("") && !CountryNames.isCountry("de"))
        #expect(CountryNames.isCountry("DE") && CountryNames.isCountry("XK") && CountryNames.isCountry("SG"))
        for (code, d) in WorldMapData.shapes {
            let b = Self.box(d)
            #expect(b.minX >= 0 && b.maxX <= WorldMapData.width && b.minY >= 0, "\(code)")
            #expect(b.maxY <= WorldMapData.height, "\(code)")
        }
        for (code, at) in WorldMapData.dots {
            #expect((0...WorldMapData.width).contains(at.x) && (0...WorldMapData.height).contains(at.y), "\(code)")
        }
    }

    @Test func shapesAndDotsLieWhereTheCountriesAre() {
        func contains(_ code: String, lon: Double, lat: Double) -> Bool {
            let b = Self.box(WorldMapData.shapes[code]!)
            let p = Self.point(lon: lon, lat: lat)
            return (b.minX...b.maxX).contains(p.x) && (b.minY...b.maxY).contains(p.y)
        }
        // Capitals inside their country's box, and not inside a faraway one.
        #expect(contains("FR", lon: 2.35, lat: 48.86))  // Paris
        #expect(contains("NO", lon: 10.75, lat: 59.91))  // Oslo: Natural Earth's -99 quirk of older versions
        #expect(contains("XK", lon: 21.17, lat: 42.67))  // Pristina: iso_a3 -99, placed by its name
        #expect(contains("US", lon: -77.04, lat: 38.91))  // Washington
        #expect(contains("AU", lon: 149.13, lat: -35.28))  // Canberra
        #expect(contains("JP", lon: 139.69, lat: 35.69))  // Tokyo
        #expect(contains("BR", lon: -47.93, lat: -15.78))  // Brasília
        #expect(!contains("DE", lon: -77.04, lat: 38.91) && !contains("AU", lon: 2.35, lat: 48.86))
        // Small countries are dots at their capital.
        func near(_ code: String, lon: Double, lat: Double) -> Bool {
            guard let at = WorldMapData.dots[code] else { return false }
            let p = Self.point(lon: lon, lat: lat)
            return abs(at.x - p.x) <= 3 && abs(at.y - p.y) <= 3
        }
        #expect(near("SG", lon: 103.85, lat: 1.29))
        #expect(near("MT", lon: 14.51, lat: 35.90))
        #expect(near("BH", lon: 50.58, lat: 26.23))
        #expect(near("LU", lon: 6.13, lat: 49.61))
        #expect(near("HK", lon: 114.18, lat: 22.31))
        #expect(WorldMapData.dots["DE"] == nil && WorldMapData.dots["US"] == nil)
    }

    @Test func shadesRiseWithTheCountOnALogScale() {
        #expect(SVGChart.shade(0, max: 100) == 0)
        #expect(SVGChart.shade(1, max: 100) == 1)
        #expect(SVGChart.shade(100, max: 100) == 5)
        #expect(SVGChart.shade(1, max: 1) == 5)
        #expect(SVGChart.shade(10, max: 100) == 3)
        #expect(SVGChart.shade(9, max: 100) == 2)
        for maxValue in [1, 2, 3, 7, 46, 1000, 123_457] {
            var last = 0
            for v in Array(1...min(maxValue, 2000)) + [maxValue] {
                let s = SVGChart.shade(v, max: maxValue)
                #expect(s >= last && (1...5).contains(s), "\(v) of \(maxValue)")
                last = s
            }
            // `lowest` is where each shade begins, by the same function.
            for step in 2...5 {
                let low = SVGChart.lowest(step, max: maxValue)
                #expect(low > maxValue || SVGChart.shade(low, max: maxValue) >= step)
                #expect(low == 1 || SVGChart.shade(low - 1, max: maxValue) < step)
            }
        }
    }

    @Test func theMapColoursEachCountryByItsCountAndSaysWhatItIs() {
        let svg = SVGChart.worldMap(
            id: "m", title: "Spam <by> country", description: "US 100 & DE 5",
            messages: ["US": 100, "DE": 10, "NG": 1, "SG": 3], total: 120)
        #expect(svg.hasPrefix("<svg class=\"chart map\""))
        #expect(svg.contains("viewBox=\"0 0 \(WorldMapData.width) \(WorldMapData.height)\""))
        #expect(svg.contains("<title id=\"m-t\">Spam &lt;by&gt; country</title>"))
        #expect(svg.contains("<desc id=\"m-d\">US 100 &amp; DE 5</desc>"))
        func shape(_ code: String, _ step: Int, _ title: String) -> String {
            "<path class=\"m\(step)\" d=\"\(WorldMapData.shapes[code]!)\"><title>\(title)</title></path>"
        }
        #expect(svg.contains(shape("US", 5, "United States (US): 100 messages, 83.3 %")))
        #expect(svg.contains(shape("DE", 3, "Germany (DE): 10 messages, 8.3 %")))
        #expect(svg.contains(shape("NG", 1, "Nigeria (NG): 1 messages, 0.8 %")))
        #expect(svg.contains(shape("FR", 0, "France (FR): no messages")))
        // Singapore has no shape at 1:110m: a dot at its capital, shaded like a shape of 3 would be.
        let sg = WorldMapData.dots["SG"]!
        #expect(
            svg.contains(
                "<circle class=\"dot m1\" cx=\"\(sg.x)\" cy=\"\(sg.y)\" r=\"20\"><title>Singapore (SG): 3 messages, 2.5 %"
            ))
        // Every shape once (plus the land of no country), and a dot only for the small country with messages.
        #expect(svg.components(separatedBy: "<path ").count - 1 == WorldMapData.shapes.count + 1)
        #expect(svg.components(separatedBy: "<circle ").count - 1 == 1)
        #expect(!svg.contains("Malta"))
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test func codesThatAreNotCountriesAreNeitherDrawnNorScaled() {
        // EU's 500 would make the US's 100 a middle shade if it counted; it is not a country, nor is "A1".
        let svg = SVGChart.worldMap(
            id: "m", title: "t", description: "d", messages: ["EU": 500, "AP": 7, "A1": 2, "US": 100], total: 609)
        #expect(svg.contains("<path class=\"m5\" d=\"\(WorldMapData.shapes["US"]!)\">"))
        for absent in ["(EU)", "European Union", "(AP)", "Asia/Pacific", "(A1)", "<circle"] {
            #expect(!svg.contains(absent), "\(absent)")
        }
        #expect(!SVGChart.onWorldMap("EU") && !SVGChart.onWorldMap("AP") && SVGChart.onWorldMap("SG"))
    }

    @Test func theLegendNamesTheRangeOfEachShade() {
        let legend = SVGChart.mapLegend(max: 100)
        let small = SVGChart.mapLegend(max: 2)
        #expect(legend.hasPrefix("<ul class=\"map-legend\""))
        // 100^(k/4) for a maximum of 100.
        for (step, range) in ["none", "1–3", "4–9", "10–31", "32–99", "100"].enumerated() {
            #expect(legend.contains("<li><span class=\"swatch m\(step)\"></span>\(range)</li>"), "\(range)")
        }
        // Shades with no count of their own are left out: a maximum of 2 has none, 1 and 2.
        #expect(small.components(separatedBy: "<li>").count - 1 == 3)
    }

    /// The fixture store with the Chinese messages relabelled EU, the Russian ones given a made-up, hostile code and
    /// the Brazilian ones placed in Singapore.
    static func relabelled() throws -> RenderedReport {
        try RenderedReport(
            hostile: false,
            edit: """
                UPDATE messages SET origin_country = 'EU' WHERE origin_country = 'CN';
                UPDATE messages SET origin_country = '<b>X' WHERE origin_country = 'RU';
                UPDATE messages SET origin_country = 'SG' WHERE origin_country = 'BR';
                """)
    }

    @Test func regionCodesAreCountedApartInEveryFormat() throws {
        let r = try Self.relabelled()
        let rows = r.report.byCountry
        let eu = try #require(rows.first { $0.country == "EU" })
        let odd = try #require(rows.first { $0.country == "<b>X" })
        #expect(eu.messages > 0 && odd.messages > 0)
        // Countries first, then the codes that are not countries, then the unknown row.
        let kinds = rows.map { CountryNames.kind($0.country) }
        let ranks = kinds.map { ["country", "not_a_country", "unknown"].firstIndex(of: $0)! }
        #expect(ranks == ranks.sorted())
        #expect(kinds.contains("country") && kinds.contains("unknown"))
        let countries = Set(rows.compactMap(\.country).filter(CountryNames.isCountry))
        #expect(r.report.totals.countries == countries.count)
        #expect(!countries.contains("EU") && countries.contains("SG"))

        // HTML: not on the map, named as what they are in the table, counted apart in the caption.
        let svg = try #require(r.html.range(of: "<svg class=\"chart map\"").map { r.html[$0.lowerBound...] })
        let map = String(svg[..<svg.range(of: "</svg>")!.upperBound])
        #expect(!map.contains("European Union") && !map.contains("(EU)"))
        #expect(!map.contains("&lt;b&gt;X") && !map.contains("<b>X"))
        #expect(map.contains("<title>Singapore (SG): "))
        #expect(r.html.contains("EU · European Union (not a country)"))
        #expect(r.html.contains("&lt;b&gt;X (not a country)") && !r.html.contains("<b>X"))
        let apart = Display.count(eu.messages + odd.messages)
        #expect(r.html.contains("\(apart) messages carry a code that is not a country (&lt;b&gt;X, EU)"))
        #expect(r.html.contains("(\(countries.count) countries)"))

        // JSON: every row says what it is.
        let json = try #require(r.json["by_country"] as? [[String: Any]])
        let kindOf = Dictionary(json.map { (($0["country"] as? String) ?? "-", $0["kind"] as? String ?? "") }) { a, _ in
            a
        }
        #expect(kindOf["EU"] == "not_a_country" && kindOf["<b>X"] == "not_a_country")
        #expect(kindOf["SG"] == "country" && kindOf["DE"] == "country" && kindOf["-"] == "unknown")
        #expect((r.json["totals"] as? [String: Any])?["countries"] as? Int == countries.count)

        // CSV: the same, in a last column.
        let csv = try #require(r.csv["by-country.csv"])
        #expect(csv[0].last == "kind")
        #expect(csv.contains { $0.first == "EU" && $0.last == "not_a_country" })
        #expect(csv.contains { $0.first == "SG" && $0.last == "country" })
    }
}
