import MailCore
import Testing

@Suite struct PunycodeTests {
    @Test(arguments: [
        ("münchen", "mnchen-3ya"), ("мойсайт", "80arbjktj"), ("рф", "p1ai"), ("例え", "r8jz45g"),
        ("bücher", "bcher-kva"), ("правительство", "80aealotwbjpid2k"), ("ñandú", "and-6ma2c"),
    ])
    func roundTrips(_ unicode: String, _ encoded: String) {
        #expect(Punycode.encode(Array(unicode.unicodeScalars)) == encoded)
        #expect(Punycode.decode(Array(encoded.utf8)).map { String(String.UnicodeScalarView($0)) } == unicode)
    }

    @Test(arguments: ["", "abc-", "99999999999999999999", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "a-b-c-!", "99-"])
    func rejectsMalformedOrASCIIOnly(_ input: String) {
        #expect(Punycode.decode(Array(input.utf8)) == nil)
    }

    @Test func refusesOverlongInput() {
        #expect(Punycode.encode(Array(repeating: "ü", count: Punycode.maxInputScalars + 1)) == nil)
        #expect(Punycode.decode(Array(repeating: UInt8(ascii: "a"), count: 10_000)) == nil)
    }
}

@Suite struct PublicSuffixListTests {
    let psl = PublicSuffixList.embedded

    @Test func embeddedListIsComplete() {
        #expect(psl.ruleCount > 9000)
        #expect(PublicSuffixList.embeddedSource.contains("sha256:"))
    }

    // Cases from the publicsuffix.org test list (checkPublicSuffix), plus private-section ones.
    @Test(
        arguments: [
            ("com", nil), ("example.com", "example.com"), ("b.example.com", "example.com"),
            ("a.b.example.com", "example.com"), ("uk.com", nil), ("example.uk.com", "example.uk.com"),
            ("b.example.uk.com", "example.uk.com"), ("test.ac", "test.ac"), ("jp", nil), ("test.jp", "test.jp"),
            ("www.test.jp", "test.jp"), ("ac.jp", nil), ("test.ac.jp", "test.ac.jp"), ("www.test.ac.jp", "test.ac.jp"),
            ("kyoto.jp", nil), ("test.kyoto.jp", "test.kyoto.jp"), ("ide.kyoto.jp", nil),
            ("b.ide.kyoto.jp", "b.ide.kyoto.jp"), ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"), ("c.kobe.jp", nil),
            ("b.c.kobe.jp", "b.c.kobe.jp"), ("a.b.c.kobe.jp", "b.c.kobe.jp"), ("city.kobe.jp", "city.kobe.jp"),
            ("www.city.kobe.jp", "city.kobe.jp"), ("ck", nil), ("test.ck", nil), ("b.test.ck", "b.test.ck"),
            ("a.b.test.ck", "b.test.ck"), ("www.ck", "www.ck"), ("www.www.ck", "www.ck"), ("us", nil),
            ("test.us", "test.us"), ("www.test.us", "test.us"), ("ak.us", nil), ("test.ak.us", "test.ak.us"),
            ("k12.ak.us", nil), ("test.k12.ak.us", "test.k12.ak.us"), ("a.b.example.co.jp", "example.co.jp"),
            ("xn--85x722f.com.cn", "xn--85x722f.com.cn"), ("xn--55qx5d.cn", nil),
            ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"), ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"),
            ("user.github.io", "user.github.io"), ("a.user.github.io", "user.github.io"), ("github.io", nil),
            ("foo.blogspot.com", "foo.blogspot.com"), ("example.local", "example.local"),
        ] as [(String, String?)])
    func registrableDomain(_ host: String, _ expected: String?) {
        #expect(psl.match(host: host).registrableDomain == expected)
    }

    @Test func icannSuffixIgnoresPrivateRules() {
        let m = psl.match(host: "ii-abc-rj.a.run.app")
        #expect(m.registrableDomain == "ii-abc-rj.a.run.app")
        #expect(m.publicSuffix == "a.run.app")
        #expect(m.icannSuffix == "app")
        #expect(psl.match(host: "www.bbc.co.uk").icannSuffix == "co.uk")
        #expect(psl.match(host: "example.notatld").icannSuffix == nil)
        #expect(psl.match(host: "example.notatld").knownTLD == false)
        #expect(psl.match(host: "a..b").registrableDomain == nil)
    }

    @Test func readsAListFromText() {
        let custom = PublicSuffixList(
            parsing: """
                // a comment
                example
                *.wild.example
                !keep.wild.example
                // ===BEGIN PRIVATE DOMAINS===
                hosting.example
                рф
                """)
        #expect(custom.ruleCount == 5)
        #expect(custom.registrableDomain(of: "a.b.example") == "b.example")
        #expect(custom.registrableDomain(of: "x.y.wild.example") == "x.y.wild.example")
        #expect(custom.registrableDomain(of: "x.keep.wild.example") == "keep.wild.example")
        #expect(custom.match(host: "site.hosting.example").icannSuffix == "example")
        #expect(custom.registrableDomain(of: "site.hosting.example") == "site.hosting.example")
        #expect(custom.registrableDomain(of: "a.xn--80arbjktj.xn--p1ai") == "xn--80arbjktj.xn--p1ai")
    }
}
