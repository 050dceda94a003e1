import MailCore
import Testing

@Suite struct AddressParserTests {
    func first(_ s: String) -> MailAddress? { AddressParser.parse(Array(s.utf8)).first }

    @Test(
        arguments: [
            ("John Doe <john@example.com>", "john@example.com", "John Doe"),
            ("\"Doe, John\" <john@example.com>", "john@example.com", "Doe, John"),
            ("john@example.com", "john@example.com", nil),
            ("<john@example.com>", "john@example.com", nil),
            ("john@example.com (John Doe)", "john@example.com", "John Doe"),
            ("John<john@example.com>", "john@example.com", "John"),
            ("=?utf-8?B?0JjQstCw0L0=?= <ivan@example.ru>", "ivan@example.ru", "Иван"),
            ("\"=?utf-8?q?Caf=C3=A9?=\" <cafe@example.com>", "cafe@example.com", "Café"),
            ("<@relay.example:user@example.com>", "user@example.com", nil),
            ("PayPal <service@paypal.com", "service@paypal.com", "PayPal"),  // missing ">"
            ("\"service@paypal.com\"", "service@paypal.com", nil),
            ("Team: alice@example.com, bob@example.com;", "alice@example.com", nil),
            ("\"Quoted \\\"Name\\\"\" <q@example.com>", "q@example.com", "Quoted \"Name\""),
        ] as [(String, String, String?)])
    func readsMailboxes(_ raw: String, _ address: String, _ name: String?) {
        let a = first(raw)
        #expect(a?.address == address, "\(raw)")
        #expect(a?.name == name, "\(raw)")
    }

    @Test func rawEightBitNames() {
        let bytes: [UInt8] = [0xC8, 0xE2, 0xE0, 0xED, 0x20, 0x3C] + Array("ivan@example.ru>".utf8)  // "Иван" cp1251
        let a = AddressParser.parse(bytes, fallback: Charset.resolve("windows-1251")).first
        #expect(a?.name == "Иван")
        #expect(a?.address == "ivan@example.ru")
    }

    @Test func lists() {
        let list = AddressParser.parse(Array("a@x.org, \"B, b\" <b@y.org>,\r\n c@z.org (C)".utf8))
        #expect(list.map(\.address) == ["a@x.org", "b@y.org", "c@z.org"])
        #expect(list.map(\.name) == [nil, "B, b", "C"])
        #expect(AddressParser.parse(Array("undisclosed-recipients:;".utf8)).isEmpty)
    }
}

@Suite struct MailDateTests {
    func iso(_ s: String) -> String? { MailDate.iso8601UTC(s) }

    @Test(arguments: [
        ("Tue, 1 Oct 2026 12:34:56 +0000", "2026-10-01T12:34:56Z"),
        ("Thu, 01 Oct 2026 14:34:56 +0200", "2026-10-01T12:34:56Z"),
        ("1 Oct 2026 07:34:56 -0500", "2026-10-01T12:34:56Z"),
        ("Mon, 31 Dec 2001 23:30:00 -0100", "2002-01-01T00:30:00Z"),  // crosses the year
        ("Sat, 03 Feb 01 10:00:00 GMT", "2001-02-03T10:00:00Z"),  // two-digit year
        ("Sat, 03 Feb 99 10:00:00 GMT", "1999-02-03T10:00:00Z"),
        ("Sat, 03 Feb 102 10:00:00 GMT", "2002-02-03T10:00:00Z"),  // three-digit year (+1900)
        ("3 Feb 2001 10:00 EST", "2001-02-03T15:00:00Z"),  // no seconds, obsolete zone
        ("Sat, 3 Feb 2001 10:00:00 CET", "2001-02-03T09:00:00Z"),  // a zone RFC 822 does not name
        ("Sat, 3 Feb 2001 10:00:00 XYZ", "2001-02-03T10:00:00Z"),  // unknown zone: UTC
        ("Sat, 3 Feb 2001 10:00:00 +0000 (GMT Standard Time)", "2001-02-03T10:00:00Z"),
        ("Sat,3 Feb 2001 10:00:00 +0100 extra words", "2001-02-03T09:00:00Z"),
        ("Feb 3 2001 10:00:00", "2001-02-03T10:00:00Z"),
        ("Sat Feb  3 10:00:00 2001", "2001-02-03T10:00:00Z"),  // asctime
        ("Saturday, 03-Feb-01 10:00:00 GMT", "2001-02-03T10:00:00Z"),  // RFC 850
        ("2001-02-03T10:00:00+01:00", "2001-02-03T09:00:00Z"),  // ISO 8601
        ("2001-02-03 10:00:00", "2001-02-03T10:00:00Z"),
        ("Sat, 3 Feb 2001 10.00.00 GMT+0200", "2001-02-03T08:00:00Z"),
        ("3 february 2001 10:00:00 Z", "2001-02-03T10:00:00Z"),
        ("Thu, 29 Feb 2024 12:00:00 +0000", "2024-02-29T12:00:00Z"),
        ("Thu, 22 Aug 0102 12:07:35 +0800", "2002-08-22T04:07:35Z"),  // a Y2K-broken year
        ("Tue, 029 Apr 2019 23:34:45 -0800 (PST)", "2019-04-30T07:34:45Z"),  // a zero too many in the day
        ("Thu, 29 Aug 2002 15:36:58 +-0500", "2002-08-29T20:36:58Z"),  // a doubled sign
    ])
    func parsesDates(_ raw: String, _ expected: String) {
        #expect(iso(raw) == expected, "\(raw)")
    }

    @Test(arguments: [
        "", "not a date", "Sat, 3 Foo 2001 10:00:00", "Sat, 32 Feb 2001 10:00:00", "Thu, 29 Feb 2023 12:00:00",
        "Sat, 3 Feb 2001 25:00:00", "Sat, 3 Feb 2001", "Sat, 3 Feb 10:00:00",
    ])
    func hopelessDatesAreNil(_ raw: String) {
        #expect(iso(raw) == nil, "\(raw)")
    }
}
