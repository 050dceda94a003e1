import MailCore
import Testing

@Suite struct HostNameTests {
    @Test(arguments: [
        ("Example.COM", "example.com"), ("example.com.", "example.com"), ("ex%61mple.com", "example.com"),
        ("example\u{3002}com", "example.com"), ("example\u{FF0E}com", "example.com"),
        ("ex\u{200B}ample.com", "example.com"),
        ("\u{FF45}\u{FF58}\u{FF41}\u{FF4D}\u{FF50}\u{FF4C}\u{FF45}.com", "example.com"),
        ("ＥＸＡＭＰＬＥ.com", "example.com"), ("мойсайт.рф", "xn--80arbjktj.xn--p1ai"),
        ("МОЙСАЙТ.РФ", "xn--80arbjktj.xn--p1ai"), ("bücher.example", "xn--bcher-kva.example"),
        ("under_score.example.com", "under_score.example.com"),
    ])
    func normalises(_ input: String, _ ascii: String) {
        #expect(HostName.normalize(Array(input.utf8))?.ascii == ascii)
    }

    @Test func keepsTheUnicodeFormOfIDNs() {
        #expect(HostName.normalize(Array("мойсайт.рф".utf8))?.unicode == "мойсайт.рф")
        #expect(HostName.normalize(Array("xn--80ak6aa92e.com".utf8))?.unicode == "аррӏе.com")
        #expect(HostName.normalize(Array("example.com".utf8))?.unicode == nil)
    }

    @Test(arguments: [
        ("0x7f000001", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"), ("192.168.0.1", "192.168.0.1"), ("3232235521", "192.168.0.1"),
        ("0xC0.0xA8.0.1", "192.168.0.1"), ("[2001:DB8::1]", "2001:db8::1"), ("1.2.3.4.", "1.2.3.4"),
    ])
    func readsIPsAsBrowsersDo(_ input: String, _ ip: String) {
        let host = HostName.normalize(Array(input.utf8))
        #expect(host?.ascii == ip)
        #expect(host?.isIP == true)
    }

    @Test func flagsObfuscation() {
        #expect(HostName.normalize(Array("0x7f000001".utf8))?.tricks.contains(.numericIP) == true)
        #expect(HostName.normalize(Array("127.0.0.1".utf8))?.tricks.contains(.numericIP) == false)
        #expect(HostName.normalize(Array("ex%61mple.com".utf8))?.tricks.contains(.percentEncoded) == true)
        #expect(HostName.normalize(Array("a\u{200D}b.com".utf8))?.tricks.contains(.zeroWidth) == true)
    }

    @Test(arguments: [
        "", "exa mple.com", "a..b", "1.2.3.256", "1.2.3.4.5", "0x1g.1.1.1", "[1.2.3.4]", "ex<ample.com",
        "v1.2.3", String(repeating: "a", count: 64) + ".com", String(repeating: "a.", count: 200) + "com", "%ff.com",
        "a\u{2665}.com", "[::1",
    ])
    func refuses(_ input: String) {
        #expect(HostName.normalize(Array(input.utf8)) == nil)
    }
}

@Suite struct URLParserTests {
    @Test(arguments: [
        ("http://example.com", "http://example.com/"),
        ("HTTPS://Example.COM:443/a?b#c", "https://example.com/a?b#c"),
        ("http://paypal.com@evil.example/login", "http://paypal.com@evil.example/login"),
        ("http://user@@@phishing.com/page", "http://user@@@phishing.com/page"),
        ("http:\\\\evil.example\\path", "http://evil.example/path"),
        ("http:/evil.example/", "http://evil.example/"),
        ("http:///evil.example/", "http://evil.example/"),
        ("http://example.com:8080/x y", "http://example.com:8080/x%20y"),
        ("http://exa\nmple.com/pa\tth", "http://example.com/path"),
        ("http://0x7f000001/", "http://127.0.0.1/"),
        ("http://[2001:db8::1]:8080/", "http://[2001:db8::1]:8080/"),
        ("ftp://files.example.org/pub", "ftp://files.example.org/pub"),
        ("http://example.com?q=1", "http://example.com/?q=1"),
    ])
    func parses(_ input: String, _ expected: String) {
        #expect(URLParser.parse(Array(input.utf8))?.text == expected)
    }

    @Test func theHostIsAfterTheLastAt() {
        #expect(URLParser.parse(Array("http://paypal.com@evil.example/".utf8))?.host.ascii == "evil.example")
        #expect(URLParser.parse(Array("http://paypal.com@evil.example/".utf8))?.userInfo == "paypal.com")
    }

    @Test(arguments: [
        "mailto:someone@example.com", "javascript:alert(1)", "cid:part1@example", "data:text/html,hi",
        "http://", "http://exa mple.com/", "http://example.com:99999/", "http://example.com:80a/", "tel:+123",
        "example.com",
    ])
    func refuses(_ input: String) {
        #expect(URLParser.parse(Array(input.utf8)) == nil)
    }

    @Test func schemelessWithADefault() {
        #expect(
            URLParser.parse(Array("www.example.com/x".utf8), defaultScheme: "http")?.text == "http://www.example.com/x")
        #expect(
            URLParser.parse(Array("example.com:8080/x".utf8), defaultScheme: "http")?.text
                == "http://example.com:8080/x")
        #expect(
            URLParser.parse(Array("//cdn.example.net/a.png".utf8), defaultScheme: "https")?.host.ascii
                == "cdn.example.net")
    }

    @Test func defangedOnlyWhenAsked() {
        #expect(URLParser.parse(Array("hxxp://evil[.]example/x".utf8)) == nil)
        let u = URLParser.parse(Array("hxxp://evil[.]example/x".utf8), allowDefanged: true)
        #expect(u?.text == "http://evil.example/x")
        #expect(u?.defanged == true)
        #expect(URLParser.parse(Array("http://example.com/".utf8), allowDefanged: true)?.defanged == false)
    }
}
