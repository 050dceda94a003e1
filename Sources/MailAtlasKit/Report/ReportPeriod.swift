import Foundation

/// A calendar day in UTC, without Foundation's calendars: the store keeps times as ISO 8601 UTC text, so periods are
/// plain day arithmetic and `YYYY-MM-DD` strings that compare correctly with `messages.date_utc`.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Day.length(year, month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's `days_from_civil`).
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(ordinal z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    public func adding(days: Int) -> Day { Day(ordinal: ordinal + days) }

    /// The first day of the month `months` after this day's month.
    public func firstOfMonth(adding months: Int = 0) -> Day {
        let index = year * 12 + (month - 1) + months
        return Day(year: index / 12, month: index % 12 + 1, day: 1)!
    }

    /// `YYYY-MM`.
    public var monthKey: String { Day.pad(year, 4) + "-" + Day.pad(month, 2) }

    public var description: String { monthKey + "-" + Day.pad(day, 2) }

    public static func < (a: Day, b: Day) -> Bool { a.ordinal < b.ordinal }

    static func length(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
}

/// The days a report covers: `start` inclusive, `end` exclusive.
public struct ReportPeriod: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A calendar month (`--month`, or the default).
        case month
        /// Any run of whole days (`--from/--to`, `--last`).
        case days
    }

    public var start: Day
    public var end: Day
    public var kind: Kind

    public init(start: Day, end: Day, kind: Kind) {
        self.start = start
        self.end = end
        self.kind = kind
    }

    /// The calendar month holding `day`.
    public static func month(of day: Day) -> ReportPeriod {
        let first = day.firstOfMonth()
        return ReportPeriod(start: first, end: first.firstOfMonth(adding: 1), kind: .month)
    }

    /// `from` to `to`, both inclusive.
    public static func days(from: Day, through to: Day) -> ReportPeriod {
        ReportPeriod(start: from, end: to.adding(days: 1), kind: .days)
    }

    /// The last day in the period.
    public var last: Day { end.adding(days: -1) }
    public var dayCount: Int { end.ordinal - start.ordinal }

    /// The period of the same length just before: the previous month for a month, else as many days.
    public var previous: ReportPeriod {
        switch kind {
        case .month:
            let first = start.firstOfMonth(adding: -1)
            return ReportPeriod(start: first, end: start, kind: .month)
        case .days:
            return ReportPeriod(start: start.adding(days: -dayCount), end: start, kind: .days)
        }
    }

    /// "October 2026", or "2026-10-01 to 2026-10-31".
    public var label: String {
        switch kind {
        case .month: Day.monthNames[start.month - 1] + " " + String(start.year)
        case .days: start == last ? start.description : "\(start) to \(last)"
        }
    }

    /// A short label for a comparison ("September 2026", "the previous 30 days").
    public var shortLabel: String {
        switch kind {
        case .month: Day.monthNames[start.month - 1].prefix(3) + " " + String(start.year)
        case .days: label
        }
    }

    /// The 12 calendar months ending with the month of the period's last day (the trend's x axis).
    public var trendMonths: [Day] {
        let lastMonth = last.firstOfMonth()
        return (0..<12).map { lastMonth.firstOfMonth(adding: $0 - 11) }
    }

    /// A period of `count` units (`30d`, `4w`) ending with `today` (inclusive).
    public static func last(_ text: String, today: Day) -> ReportPeriod? {
        guard let unit = text.last, let n = Int(text.dropLast()), n > 0, n <= 36_600 else { return nil }
        let days: Int
        switch unit {
        case "d": days = n
        case "w": days = n * 7
        default: return nil
        }
        return ReportPeriod(start: today.adding(days: 1 - days), end: today.adding(days: 1), kind: .days)
    }

    /// `YYYY-MM`.
    public static func month(_ text: String) -> ReportPeriod? {
        guard text.count == 7, let day = Day(text + "-01") else { return nil }
        return month(of: day)
    }
}

extension Day {
    /// The current time as ISO 8601 UTC (`2026-11-29T04:40:23Z`), the format of the store's times.
    public static func nowStamp() -> String { stamp(epochSeconds: Int(Date().timeIntervalSince1970)) }

    static func stamp(epochSeconds: Int) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
        let seconds = epochSeconds - days * 86400
        return Day(ordinal: days).description + "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":"
            + pad(seconds % 60, 2) + "Z"
    }
}
