import Foundation
import ReportFixtures
import TestSupport
import Testing

@testable import MailAtlasKit

@Suite struct ReportPeriodTests {
    @Test(arguments: ["1970-01-01", "2000-02-29", "2024-12-31", "2026-03-01", "1969-12-31", "9999-12-31"])
    func daysRoundTrip(_ text: String) {
        let day = Day(text)!
        #expect(Day(ordinal: day.ordinal) == day)
        #expect(day.description == text)
    }

    @Test func dayArithmeticAgreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for offset in stride(from: -40_000, through: 40_000, by: 997) {
            let date = Date(timeIntervalSince1970: Double(offset) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            #expect(Day(ordinal: offset) == Day(year: c.year!, month: c.month!, day: c.day!))
        }
        #expect(Day.stamp(epochSeconds: 1_790_000_000) == "2026-09-21T14:13:20Z")
    }

    @Test func rejectsImpossibleDates() {
        for text in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026-01-32", "x"] {
            #expect(Day(text) == nil, "\(text)")
        }
        #expect(ReportPeriod.month("2026-13") == nil)
        #expect(ReportPeriod.month("2026-1") == nil)
    }

    @Test func monthsAndTheirPredecessors() {
        let october = ReportPeriod.month("2026-10")!
        #expect(october.start.description == "2026-10-01" && october.end.description == "2026-11-01")
        #expect(october.dayCount == 31 && october.label == "October 2026")
        #expect(october.previous.start.description == "2026-09-01" && october.previous.end == october.start)
        let january = ReportPeriod.month("2026-01")!
        #expect(january.previous.label == "December 2025")
        let march = ReportPeriod.month("2024-03")!
        #expect(march.previous.dayCount == 29)
        #expect(october.trendMonths.map(\.monthKey).first == "2025-11")
        #expect(october.trendMonths.map(\.monthKey).last == "2026-10")
    }

    @Test func dayRangesAndLast() {
        let range = ReportPeriod.days(from: Day("2026-10-01")!, through: Day("2026-10-15")!)
        #expect(range.dayCount == 15 && range.last.description == "2026-10-15")
        #expect(range.previous.start.description == "2026-09-16" && range.previous.end.description == "2026-10-01")
        let today = Day("2026-11-29")!
        let last30 = ReportPeriod.last("30d", today: today)!
        #expect(last30.start.description == "2026-10-31" && last30.last == today && last30.dayCount == 30)
        #expect(ReportPeriod.last("2w", today: today)!.dayCount == 14)
        for bad in ["30", "d", "0d", "-3d", "3m", "1.5d"] { #expect(ReportPeriod.last(bad, today: today) == nil) }
        // Trend months follow the month of the period's last day.
        #expect(last30.trendMonths.last?.monthKey == "2026-11")
    }

    @Test func defaultIsTheLastCompleteMonthWithMail() throws {
        let dir = TempDirectory("report-period")
        let path = dir.path + "/s.sqlite"
        try ReportFixture.make(path: path, hostile: false)
        let queue = try MailStore.openReadOnly(path: path)
        // The fixture's mail ends in October 2026.
        let inDecember = try ReportQueries.defaultPeriod(queue, verdict: "spam", folders: [], today: Day("2026-12-05")!)
        #expect(inDecember == ReportPeriod.month("2026-10")!)
        let inOctober = try ReportQueries.defaultPeriod(queue, verdict: "spam", folders: [], today: Day("2026-10-20")!)
        #expect(inOctober == ReportPeriod.month("2026-09")!)
        // No complete month with mail: the current month.
        let early = try ReportQueries.defaultPeriod(queue, verdict: "spam", folders: [], today: Day("2025-11-20")!)
        #expect(early == ReportPeriod.month("2025-11")!)
        let noSuchFolder = try ReportQueries.defaultPeriod(
            queue, verdict: nil, folders: ["Nowhere"], today: Day("2026-12-05")!)
        #expect(noSuchFolder == ReportPeriod.month("2026-12")!)
    }

    @Test func displayFormats() {
        #expect(Display.count(1_234_567) == "1,234,567")
        #expect(Display.count(0) == "0")
        #expect(Display.percent(0.7419) == "74.2 %")
        #expect(Display.percent(nil) == "–")
        #expect(Display.change(46, 16).text == "▲ +188 %")
        #expect(Display.change(5, 10).text == "▼ −50 %")
        #expect(Display.change(3, 0).text == "new")
        #expect(Display.change(0, 0).text == "–")
        #expect(Display.compact(12_400) == "12.4k")
        #expect(SVGChart.niceCeiling(46) == 60)
        #expect(SVGChart.niceCeiling(101) == 120)
        #expect(SVGChart.niceCeiling(59_307) == 60_000)
        #expect(SVGChart.niceCeiling(7) == 8)
        #expect(SVGChart.niceCeiling(3) == 4)
        #expect(Display.country("DE") == "DE · Germany")
        #expect(Display.country(nil) == "Unknown or no origin")
        #expect(Display.provider(3320, "DTAG", country: "DE") == "AS3320 DTAG")
        #expect(Display.provider(22927, nil, country: "AR") == "AS22927 (LACNIC, AR)")
        #expect(Display.provider(nil, nil, country: "AR") == "Unknown provider")
    }
}
