/// The date at the end of a `Received:` header, read tolerantly: RFC 5322 dates with or without the day name,
/// two-, three- and four-digit years (`Aug 0102` is the classic Outlook Express year 2002), a missing seconds field,
/// numeric and named zones, asctime order (`Thu Dec  3 10:50:45 2009`) and `21-Sep-2002`. Private to the Received
/// parser; the general date parser lives with the header parsers.
enum ReceivedDateParser {
    private enum Item: Equatable {
        case number(Int, digits: Int)
        case signed(Int, digits: Int, negative: Bool)
        case word(Int)  // index into the month/day tables, or -1
        case colon
    }

    /// An item and, for words, their first eight letters in lower case packed into a word (first letter lowest).
    private struct Entry {
        var item: Item
        var letters: UInt64
    }

    /// Month and day names, three letters packed as in `Entry.letters`: months 0–11, day names 12–18.
    private static let names: [UInt64] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    ].map(pack)

    /// Zone names seen in mail, minutes east of UTC. Military single letters other than Z are ignored (RFC 5322 4.3).
    private static let zones: [(UInt64, Int)] = [
        ("ut", 0), ("utc", 0), ("gmt", 0), ("z", 0), ("wet", 0), ("est", -300), ("edt", -240), ("cst", -360),
        ("cdt", -300), ("mst", -420), ("mdt", -360), ("pst", -480), ("pdt", -420), ("akst", -540), ("akdt", -480),
        ("hst", -600), ("ast", -240), ("adt", -180), ("nst", -210), ("ndt", -150), ("bst", 60), ("cet", 60),
        ("met", 60), ("west", 60), ("cest", 120), ("mest", 120), ("eet", 120), ("eest", 180), ("msk", 180),
        ("jst", 540), ("kst", 540), ("hkt", 480), ("sgt", 480), ("awst", 480), ("acst", 570), ("aest", 600),
        ("aedt", 660), ("nzst", 720), ("nzdt", 780),
    ].map { (pack($0.0), $0.1) }

    private static func pack(_ s: String) -> UInt64 {
        var v: UInt64 = 0
        for (k, c) in s.utf8.prefix(8).enumerated() { v |= UInt64(c) << UInt64(8 * k) }
        return v
    }

    static func parse(_ b: ArraySlice<UInt8>) -> ReceivedDate? {
        b.withUnsafeBufferPointer { parse($0, 0..<$0.count) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> ReceivedDate? {
        withUnsafeTemporaryAllocation(of: Entry.self, capacity: 24) { items in
            var count = 0
            var i = max(0, range.lowerBound)
            let end = min(b.count, range.upperBound)
            var depth = 0
            var prevIsBlank = true
            while i < end, count < 24 {
                let c = b[i]
                if c == ASCII.openParen {
                    depth += 1
                    i += 1
                    continue
                }
                if c == ASCII.closeParen {
                    depth = max(0, depth - 1)
                    i += 1
                    prevIsBlank = true
                    continue
                }
                if depth > 0 {
                    i += 1
                    continue
                }
                if ASCII.isDigit(c)
                    || ((c == 0x2B || c == ASCII.hyphen) && prevIsBlank && i + 1 < end && ASCII.isDigit(b[i + 1]))
                {
                    let negative = c == ASCII.hyphen
                    let signed = !ASCII.isDigit(c)
                    if signed { i += 1 }
                    var v = 0
                    var digits = 0
                    while i < end, ASCII.isDigit(b[i]) {
                        if digits < 9 { v = v * 10 + Int(b[i] &- 0x30) }
                        digits += 1
                        i += 1
                    }
                    let item: Item =
                        signed ? .signed(v, digits: digits, negative: negative) : .number(v, digits: digits)
                    (items.baseAddress! + count).initialize(to: Entry(item: item, letters: 0))
                    count += 1
                    prevIsBlank = false
                    continue
                }
                if ASCII.isAlpha(c) {
                    var w: UInt64 = 0
                    var n = 0
                    while i < end, ASCII.isAlpha(b[i]) {
                        if n < 8 {
                            w |= UInt64(ASCII.lower(b[i])) << UInt64(8 * n)
                            n += 1
                        }
                        i += 1
                    }
                    // A word of three letters or more that starts with a month or day name is that name.
                    var index = -1
                    if n >= 3, let k = names.firstIndex(of: w & 0xFF_FFFF) { index = k }
                    (items.baseAddress! + count).initialize(to: Entry(item: .word(index), letters: w))
                    count += 1
                    prevIsBlank = false
                    continue
                }
                if c == ASCII.colon {
                    (items.baseAddress! + count).initialize(to: Entry(item: .colon, letters: 0))
                    count += 1
                    prevIsBlank = false
                } else {
                    prevIsBlank = ASCII.isWhitespace(c) || c == 0x2C
                }
                i += 1
            }
            return interpret(UnsafeBufferPointer(rebasing: items[0..<count]))
        }
    }

    private static func interpret(_ items: UnsafeBufferPointer<Entry>) -> ReceivedDate? {
        var k = 0
        // Skip a day name and anything else that is not a number or a month.
        while k < items.count {
            if case .number = items[k].item { break }
            if case .word(let w) = items[k].item, (0...11).contains(w) { break }
            k += 1
        }
        guard k < items.count else { return nil }
        var day = 0
        var month = -1
        var year = -1
        var yearDigits = 0
        var time: (Int, Int, Int)? = nil

        func readTime(_ at: inout Int) -> (Int, Int, Int)? {
            guard at + 2 < items.count, case .number(let h, _) = items[at].item, items[at + 1].item == .colon,
                case .number(let m, _) = items[at + 2].item
            else { return nil }
            at += 3
            var s = 0
            if at + 1 < items.count, items[at].item == .colon, case .number(let sv, _) = items[at + 1].item {
                s = sv
                at += 2
            }
            return (h, m, s)
        }

        if case .number(let d, _) = items[k].item {
            // 25 Aug 2002 16:03:24 +0100
            day = d
            k += 1
            if k + 1 < items.count, case .number(let m, _) = items[k].item, (1...12).contains(m),
                case .number(_, let yd) = items[k + 1].item, yd == 4
            {
                // 26/09/2002 09:04:14 (qmail-scanner): day, month, year.
                month = m - 1
                k += 1
            } else {
                guard k < items.count, case .word(let m) = items[k].item, (0...11).contains(m) else { return nil }
                month = m
                k += 1
            }
            switch k < items.count ? items[k].item : .colon {
            case .number(let y, let digits), .signed(let y, let digits, _):
                year = y
                yearDigits = digits
                k += 1
            default: return nil
            }
            time = readTime(&k)
        } else if case .word(let m) = items[k].item {
            // Dec  3 10:50:45 2009 (asctime), or Aug 25 2002 10:50:45.
            month = m
            k += 1
            guard k < items.count, case .number(let d, _) = items[k].item else { return nil }
            day = d
            k += 1
            if let t = readTime(&k) {
                time = t
                guard k < items.count, case .number(let y, let digits) = items[k].item else { return nil }
                year = y
                yearDigits = digits
                k += 1
            } else {
                guard k < items.count, case .number(let y, let digits) = items[k].item else { return nil }
                year = y
                yearDigits = digits
                k += 1
                time = readTime(&k)
            }
        }
        guard month >= 0, let (h, mi, s) = time else { return nil }
        if yearDigits <= 2 {
            year += year < 50 ? 2000 : 1900
        } else if year < 1000 {
            year += 1900
        }
        guard (1900...9999).contains(year), (1...12).contains(month + 1), h < 24, mi < 60, s <= 60 else { return nil }
        guard day >= 1, Int64(day) <= CivilDate.daysInMonth(year: Int64(year), month: Int64(month + 1)) else {
            return nil
        }
        // The zone.
        var offset = 0
        var zoneKnown = false
        if k < items.count {
            switch items[k].item {
            case .signed(let v, let digits, let negative):
                var hh = -1
                var mm = 0
                if digits == 4 {
                    hh = v / 100
                    mm = v % 100
                } else if digits <= 2, k + 2 < items.count, items[k + 1].item == .colon,
                    case .number(let m2, _) = items[k + 2].item
                {
                    hh = v
                    mm = m2
                } else if digits <= 2 {
                    hh = v
                }
                if hh >= 0, hh <= 23, mm < 60 {
                    offset = (hh * 60 + mm) * (negative ? -1 : 1)
                    zoneKnown = true
                }
            case .word:
                let letters = items[k].letters
                if let z = zones.first(where: { $0.0 == letters }) {
                    offset = z.1
                    zoneKnown = true
                }
            default: break
            }
        }
        let days = CivilDate.days(year: Int64(year), month: Int64(month + 1), day: Int64(day))
        let local = days * 86_400 + Int64(h * 3600 + mi * 60 + min(s, 59))
        return ReceivedDate(
            secondsSince1970: local - Int64(offset * 60), offsetMinutes: offset, zoneKnown: zoneKnown)
    }
}
