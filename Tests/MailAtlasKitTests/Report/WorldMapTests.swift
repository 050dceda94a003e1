import Foundation
import Testing

@testable import MailAtlasKit

/// The report's world tile map: its layout table, its shades and what it shows.
@Suite struct WorldMapTests {
    /// Codes of `CountryNames` that are not places on a map: regions and retired codes of IP databases.
    static let notOnTheMap: Set<String> = ["AN", "AP", "AQ", "CS", "EU", "SU", "YU", "ZZ"]

    @Test func everyCountryHasItsOwnTilesInsideTheGrid() {
        var seen: [String: String] = [:]
        for (code, tiles) in WorldTiles.tiles {
            #expect(!tiles.isEmpty, "\(code)")
            for t in tiles {
                #expect((0..<WorldTiles.columns).contains(t.column) && (0..<WorldTiles.rows).contains(t.row), "\(code)")
                let cell = "\(t.column),\(t.row)"
                #expect(seen[cell] == nil, "\(code) and \(seen[cell] ?? "") share the cell \(cell)")
                seen[cell] = code
            }
        }
        let named = Set(CountryNames.byCode.keys)
        #expect(Set(WorldTiles.tiles.keys) == named.subtracting(Self.notOnTheMap))
    }

    @Test func neighboursStayInOrder() {
        func at(_ code: String) -> (column: Int, row: Int) { WorldTiles.tiles[code]![0] }
        // West to east, north to south, as on any map.
        #expect(at("PT").column < at("ES").column && at("ES").column < at("IT").column)
        #expect(at("FR").column < at("DE").column && at("DE").column < at("PL").column)
        #expect(at("NO").row < at("DE").row && at("DE").row < at("IT").row && at("IT").row < at("LY").row)
        #expect(at("US").column < at("GB").column && at("GB").column < at("CN").column)
        #expect(at("CN").column < at("JP").column && at("RU").row < at("CN").row && at("CN").row < at("AU").row)
        #expect(at("CA").row < at("US").row && at("US").row < at("MX").row && at("MX").row < at("BR").row)
        #expect(at("ZA").row > at("NG").row && at("NZ").column > at("AU").column)
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

    @Test func theMapShadesTheCountriesAndSaysWhatEachTileIs() {
        let svg = SVGChart.worldMap(
            id: "m", title: "Spam <by> country", description: "US 100 & DE 5",
            messages: ["US": 100, "DE": 5, "NG": 1], total: 120)
        #expect(svg.hasPrefix("<svg class=\"chart map\""))
        #expect(svg.contains("<title id=\"m-t\">Spam &lt;by&gt; country</title>"))
        #expect(svg.contains("<desc id=\"m-d\">US 100 &amp; DE 5</desc>"))
        #expect(svg.contains("<g class=\"tile m5\"><title>United States (US): 100 messages, 83.3 %</title>"))
        #expect(svg.contains("<g class=\"tile m2\"><title>Germany (DE): 5 messages, 4.2 %</title>"))
        #expect(svg.contains("<g class=\"tile m1\"><title>Nigeria (NG): 1 messages, 0.8 %</title>"))
        #expect(svg.contains("<g class=\"tile m0\"><title>France (FR): no messages</title>"))
        // Every tile is drawn once, plus the legend's six shades (each in use for a maximum of 100), and only the
        // countries with messages are labelled.
        let tiles = WorldTiles.tiles.values.map(\.count).reduce(0, +)
        #expect(svg.components(separatedBy: "<rect ").count - 1 == tiles + 6)
        let labels = svg.components(separatedBy: "text-anchor=\"middle\">").dropFirst().map { String($0.prefix(2)) }
        #expect(labels.sorted() == ["DE", "NG", "US"])
        // The legend names the range of each shade: 100^(k/4) for a maximum of 100.
        for range in ["none", "1–3", "4–9", "10–31", "32–99", "100"] {
            #expect(svg.contains(">\(range)</text>"), "\(range)")
        }
        #expect(svg.hasSuffix("</svg>"))
    }
}
