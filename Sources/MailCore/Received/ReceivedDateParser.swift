/// The date at the end of a `Received:` header, read tolerantly: RFC 5322 dates with or without the day name,
/// two-, three- and four-digit years (`Aug 0102` is the classic Outlook Express year 2002), a missing seconds field,
/// numeric and named zones, asctime order (`Thu Dec  3 10:50:45 2009`) and `21-Sep-2002`. Private to the Received
/// parser; the general date parser lives with the header parsers.
enum ReceivedDateParser {
    private enum Item: Equatable {
        case number(Int, digits: Int)
        case signed(Int, digits: Int, negative: Bool)
        case word(Int)  // index into the month/day/zone tables, or -1
        case colon
    }

    // Words the lexer recognises: months 0–11, day names 12–18, then zones.
    private static let words: [(String, Int)] = [
        ("jan", 0), ("feb", 1), ("mar", 2), ("apr", 3), ("may", 4), ("jun", 5), ("jul", 6), ("aug", 7), ("sep", 8),
        ("oct", 9), ("nov", 10), ("dec", 11),
        ("mon", 12), ("tue", 13), ("wed", 14), ("thu", 15), ("fri", 16), ("sat", 17), ("sun", 18),
    ]
    /// Zone names seen in mail, minutes east of UTC. Military single letters other than Z are ignored (RFC 5322 4.3).
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600, "ast": -240,
        "adt": -180, "nst": -210, "ndt": -150, "bst": 60, "cet": 60, "met": 60, "west": 60, "cest": 120,
        "mest": 120, "eet": 120, "eest": 180, "msk": 180, "jst": 540, "kst": 540, "hkt": 480, "sgt": 480,
        "awst": 480, "acst": 570, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
    ]

    static func parse(_ b: ArraySlice<UInt8>) -> ReceivedDate? {
        var items: [(Item, String)] = []
        var i = b.startIndex
        let end = b.endIndex
        var depth = 0
        var prevIsBlank = true
        while i < end, items.count < 24 {
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
                items.append(
                    (signed ? .signed(v, digits: digits, negative: negative) : .number(v, digits: digits), ""))
                prevIsBlank = false
                continue
            }
            if ASCII.isAlpha(c) {
                var w: [UInt8] = []
                while i < end, ASCII.isAlpha(b[i]) {
                    if w.count < 8 { w.append(ASCII.lower(b[i])) }
                    i += 1
                }
                let s = String(decoding: w, as: UTF8.self)
                let key = s.count > 3 && words.contains(where: { s.hasPrefix($0.0) }) ? String(s.prefix(3)) : s
                let index = words.first(where: { $0.0 == key })?.1 ?? -1
                items.append((.word(index), s))
                prevIsBlank = false
                continue
            }
            if c == ASCII.colon {
                items.append((.colon, ""))
                prevIsBlank = false
            } else {
                prevIsBlank = ASCII.isWhitespace(c) || c == 0x2C
            }
            i += 1
        }
        return interpret(items)
    }

    private static func interpret(_ items: [(Item, String)]) -> ReceivedDate? {
        var k = 0
        // Skip a day name and anything else that is not a number or a month.
        while k < items.count {
            if case .number = items[k].0 { break }
            if case .word(let w) = items[k].0, (0...11).contains(w) { break }
            k += 1
        }
        guard k < items.count else { return nil }
        var day = 0
        var month = -1
        var year = -1
        var yearDigits = 0
        var time: (Int, Int, Int)? = nil

        func readTime(_ at: inout Int) -> (Int, Int, Int)? {
            guard at + 2 < items.count, case .number(let h, _) = items[at].0, items[at + 1].0 == .colon,
                case .number(let m, _) = items[at + 2].0
            else { return nil }
            at += 3
            var s = 0
            if at + 1 < items.count, items[at].0 == .colon, case .number(let sv, _) = items[at + 1].0 {
                s = sv
                at += 2
            }
            return (h, m, s)
        }

        if case .number(let d, _) = items[k].0 {
            // 25 Aug 2002 16:03:24 +0100
            day = d
            k += 1
            if k + 1 < items.count, case .number(let m, _) = items[k].0, (1...12).contains(m),
                case .number(_, let yd) = items[k + 1].0, yd == 4
            {
                // 26/09/2002 09:04:14 (qmail-scanner): day, month, year.
                month = m - 1
                k += 1
            } else {
                guard k < items.count, case .word(let m) = items[k].0, (0...11).contains(m) else { return nil }
                month = m
                k += 1
            }
            switch k < items.count ? items[k].0 : .colon {
            case .number(let y, let digits), .signed(let y, let digits, _):
                year = y
                yearDigits = digits
                k += 1
            default: return nil
            }
            time = readTime(&k)
        } else if case .word(let m) = items[k].0 {
            // Dec  3 10:50:45 2009 (asctime), or Aug 25 2002 10:50:45.
            month = m
            k += 1
            guard k < items.count, case .number(let d, _) = items[k].0 else { return nil }
            day = d
            k += 1
            if let t = readTime(&k) {
                time = t
                guard k < items.count, case .number(let y, let digits) = items[k].0 else { return nil }
                year = y
                yearDigits = digits
                k += 1
            } else {
                guard k < items.count, case .number(let y, let digits) = items[k].0 else { return nil }
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
            switch items[k].0 {
            case .signed(let v, let digits, let negative):
                var hh = -1
                var mm = 0
                if digits == 4 {
                    hh = v / 100
                    mm = v % 100
                } else if digits <= 2, k + 2 < items.count, items[k + 1].0 == .colon,
                    case .number(let m2, _) = items[k + 2].0
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
                if let z = zones[items[k].1] {
                    offset = z
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
