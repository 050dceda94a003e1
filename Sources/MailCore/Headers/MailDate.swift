/// `Date` headers (RFC 5322 section 3.3) to UTC, tolerating the broken forms spam uses.
///
/// Accepted: an optional day name (with or without comma), day and month in either order, month names in
/// English (any case, full or abbreviated), two-digit years (69–99 → 19xx, 00–68 → 20xx, as POSIX and Python),
/// three-digit years (+1900, RFC 5322 obs-year, and `0102` written by Y2K-broken clients), `hh:mm` without seconds, `hh.mm.ss`, ISO 8601 dates
/// (`2002-08-23T12:00:00Z`), asctime (`Fri Aug 23 12:00:00 2002`), RFC 850 (`Friday, 23-Aug-02`), numeric zones
/// with or without a colon (`+0200`, `+02:00`, `GMT+2`), named zones (the RFC 822 ones and common ones such as
/// CET, JST, MSK), military zones and unknown names (taken as UTC, as RFC 5322 says for military zones), and
/// comments or extra text after the zone. Impossible values (month 13, 31 February, hour 25) give nil.
public enum MailDate {
    public struct Components: Sendable, Equatable {
        public var year, month, day, hour, minute, second: Int
        /// Offset of the written time from UTC, in seconds; nil when the zone was missing or unknown (taken as UTC).
        public var offsetSeconds: Int?
    }

    /// The header value as `2026-10-01T12:34:56Z`, or nil when no date can be read.
    public static func iso8601UTC(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        guard let c = parse(raw) else { return nil }
        return format(utc(c))
    }

    public static func iso8601UTC(_ s: String) -> String? {
        Array(s.utf8).withUnsafeBufferPointer { iso8601UTC($0) }
    }

    /// The parsed date, as written (not converted to UTC).
    public static func parse(_ raw: UnsafeBufferPointer<UInt8>) -> Components? {
        let tokens = tokenize(raw)
        var year: Int? = nil
        var month: Int? = nil
        var day: Int? = nil
        var time: (Int, Int, Int)? = nil
        var offset: Int? = nil
        var zoneSeen = false
        var numbers: [(value: Int, digits: Int)] = []
        for (index, t) in tokens.enumerated() {
            switch t {
            case .word(let w):
                if month == nil, let m = monthNumber(w) {
                    month = m
                } else if time != nil, !zoneSeen, let z = zoneOffset(w) {
                    offset = z
                    zoneSeen = true
                } else if time != nil && !zoneSeen && w.count <= 5 && w.allSatisfy(ASCII.isAlpha) {
                    // An unknown zone name: taken as UTC.
                    zoneSeen = true
                }
            case .number(let v, let digits):
                if time == nil && index + 1 < tokens.count, case .time = tokens[index + 1], digits == 4,
                    year == nil, day != nil || month != nil
                {
                    year = v < 1000 ? 1900 + v : v
                } else {
                    numbers.append((v, digits))
                }
            case .time(let h, let m, let s):
                if time == nil { time = (h, m, s) }
            case .offset(let seconds):
                if time != nil && !zoneSeen {
                    offset = seconds
                    zoneSeen = true
                } else if time == nil && numbers.count <= 1 {
                    // "2002-08-23": the dashes were read as signs; handled by the ISO path in tokenize.
                    continue
                }
            case .iso(let y, let mo, let d):
                year = y
                month = mo
                day = d
            }
        }
        // Day and year from the bare numbers, in order: the first 1–2 digit number is the day unless the year is
        // still missing and it is the only one left.
        for (v, digits) in numbers {
            // A day may be written with a leading zero too many ("029").
            if day == nil && (digits <= 2 || (digits == 3 && v < 100)) && v >= 1 && v <= 31 {
                day = v
            } else if year == nil {
                switch digits {
                case 1, 2: year = v > 68 ? 1900 + v : 2000 + v
                // Three-digit years are years since 1900 (RFC 5322 obs-year); so are Y2K-broken "0102".
                case 3: year = 1900 + v
                case 4: year = v < 1000 ? 1900 + v : v
                default: break
                }
            }
        }
        guard let y = year, let mo = month, let d = day, let (h, mi, s) = time else { return nil }
        guard y >= 1000 && y <= 9999, mo >= 1 && mo <= 12, d >= 1, d <= daysIn(month: mo, year: y) else { return nil }
        guard h >= 0 && h <= 23, mi >= 0 && mi <= 59, s >= 0 && s <= 60 else { return nil }
        if let o = offset, abs(o) >= 24 * 3600 { offset = nil }
        return Components(year: y, month: mo, day: d, hour: h, minute: mi, second: min(s, 59), offsetSeconds: offset)
    }

    enum Token {
        case word([UInt8])
        case number(Int, digits: Int)
        case time(Int, Int, Int)
        case offset(Int)
        case iso(Int, Int, Int)
    }

    static func tokenize(_ b: UnsafeBufferPointer<UInt8>) -> [Token] {
        var tokens: [Token] = []
        var sawTime = false
        var i = 0
        let n = min(b.count, 512)
        func readNumber(_ j: inout Int, max: Int = 9) -> (Int, Int)? {
            let start = j
            var v = 0
            while j < n && ASCII.isDigit(b[j]) && j - start < max {
                v = v * 10 + Int(b[j] &- 0x30)
                j += 1
            }
            return j > start ? (v, j - start) : nil
        }
        while i < n && tokens.count < 32 {
            let c = b[i]
            if c == ASCII.openParen {
                // Comments: skipped.
                var depth = 0
                while i < n {
                    if b[i] == ASCII.openParen { depth += 1 }
                    if b[i] == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            break
                        }
                    }
                    i += 1
                }
                continue
            }
            if ASCII.isAlpha(c) {
                var j = i
                var w: [UInt8] = []
                while j < n && ASCII.isAlpha(b[j]) {
                    if w.count < 16 { w.append(ASCII.lower(b[j])) }
                    j += 1
                }
                // "GMT+0200", "UTC-5": the zone name is a prefix of an offset.
                if (w == Array(ascii: "gmt") || w == Array(ascii: "utc") || w == Array(ascii: "ut")) && j < n
                    && (b[j] == 0x2B || b[j] == ASCII.hyphen)
                {
                    i = j
                    continue
                }
                // "T" between an ISO date and its time, "Z" after it.
                tokens.append(.word(w))
                i = j
                continue
            }
            if ASCII.isDigit(c) {
                var j = i
                guard let (v, digits) = readNumber(&j) else {
                    i += 1
                    continue
                }
                if j < n
                    && (b[j] == ASCII.colon
                        || (b[j] == ASCII.dot && j + 1 < n && ASCII.isDigit(b[j + 1]) && digits <= 2))
                {
                    // A time: hh:mm[:ss[.fraction]] or hh.mm[.ss].
                    let sep = b[j]
                    var k = j + 1
                    if let (m, _) = readNumber(&k, max: 2) {
                        var s = 0
                        if k < n && b[k] == sep, k + 1 < n, ASCII.isDigit(b[k + 1]) {
                            k += 1
                            s = readNumber(&k, max: 2)?.0 ?? 0
                        }
                        // Fractions of a second.
                        if k < n && (b[k] == ASCII.dot || b[k] == 0x2C), k + 1 < n, ASCII.isDigit(b[k + 1]) {
                            k += 1
                            _ = readNumber(&k, max: 12)
                        }
                        tokens.append(.time(v, m, s))
                        sawTime = true
                        i = k
                        continue
                    }
                }
                if digits == 4 && j < n && (b[j] == ASCII.hyphen || b[j] == 0x2F) {
                    // ISO date: yyyy-mm-dd or yyyy/mm/dd.
                    var k = j + 1
                    if let (mo, _) = readNumber(&k, max: 2), k < n, b[k] == b[j] {
                        k += 1
                        if let (d, _) = readNumber(&k, max: 2) {
                            tokens.append(.iso(v, mo, d))
                            if k < n && (b[k] == 0x54 || b[k] == 0x74) { k += 1 }  // "T"
                            i = k
                            continue
                        }
                    }
                }
                tokens.append(.number(v, digits: digits))
                i = j
                continue
            }
            if (c == 0x2B || c == ASCII.hyphen) && sawTime {
                // A numeric zone after the time: +hhmm, +hh:mm, +hh, +h (before the time, "-" separates
                // "23-Aug-02").
                var j = i + 1
                if let (v, digits) = readNumber(&j, max: 4) {
                    var seconds: Int
                    if j < n && b[j] == ASCII.colon && digits <= 2 {
                        var k = j + 1
                        let m = readNumber(&k, max: 2)?.0 ?? 0
                        seconds = v * 3600 + m * 60
                        j = k
                    } else if digits <= 2 {
                        seconds = v * 3600
                    } else {
                        seconds = (v / 100) * 3600 + (v % 100) * 60
                    }
                    if c == ASCII.hyphen { seconds = -seconds }
                    tokens.append(.offset(seconds))
                    i = j
                    continue
                }
            }
            i += 1
        }
        return tokens
    }

    static let monthNames: [[UInt8]] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ].map { Array($0.utf8) }

    static func monthNumber(_ w: [UInt8]) -> Int? {
        guard w.count >= 3 else { return nil }
        let p = Array(w.prefix(3))
        guard let k = monthNames.firstIndex(of: p) else { return nil }
        // Full names must be right ("august"), "sept" is common.
        let full = [
            "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december",
        ][k]
        if w.count > 3 && !Array(full.utf8).starts(with: w) && w != Array(ascii: "sept") { return nil }
        return k + 1
    }

    /// Zone names → offset in seconds.
    static let zones: [[UInt8]: Int] = {
        let hours: [(String, Double)] = [
            ("ut", 0), ("utc", 0), ("gmt", 0), ("z", 0), ("wet", 0),
            ("est", -5), ("edt", -4), ("cst", -6), ("cdt", -5), ("mst", -7), ("mdt", -6), ("pst", -8), ("pdt", -7),
            ("ast", -4), ("adt", -3), ("akst", -9), ("akdt", -8), ("hst", -10),
            ("bst", 1), ("cet", 1), ("met", 1), ("mez", 1), ("west", 1), ("cest", 2), ("mest", 2), ("mesz", 2),
            ("eet", 2), ("eest", 3), ("msk", 3), ("msd", 4), ("ist", 5.5), ("ict", 7), ("wib", 7),
            ("hkt", 8), ("sgt", 8), ("awst", 8), ("jst", 9), ("kst", 9), ("acst", 9.5), ("aest", 10),
            ("aedt", 11), ("nzst", 12), ("nzdt", 13),
        ]
        var t: [[UInt8]: Int] = [:]
        for (name, h) in hours { t[Array(name.utf8)] = Int(h * 3600) }
        return t
    }()

    static func zoneOffset(_ w: [UInt8]) -> Int? {
        if let z = zones[w] { return z }
        // Military zones (one letter but J): RFC 5322 says to take them as UTC, their sign was often wrong.
        if w.count == 1, let c = w.first, ASCII.isAlpha(c), c != 0x6A { return 0 }
        return nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), Howard Hinnant's algorithm.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The components moved to UTC.
    public static func utc(_ c: Components) -> Components {
        let days = daysFromCivil(c.year, c.month, c.day)
        let t = days * 86400 + c.hour * 3600 + c.minute * 60 + c.second - (c.offsetSeconds ?? 0)
        let d = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - d * 86400
        let (y, m, dd) = civilFromDays(d)
        return Components(
            year: y, month: m, day: dd, hour: secs / 3600, minute: secs % 3600 / 60, second: secs % 60,
            offsetSeconds: 0)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ c: Components) -> String {
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return
            "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }
}
