import MailCore
import Testing

private func textURLs(_ text: String, defanged: Bool = false) -> [String] {
    var c = LinkCollector(options: LinkExtractorOptions(recoverDefanged: defanged))
    c.addText(Array(text.utf8))
    return c.links.map(\.url)
}

private func htmlLinks(_ html: String, inAttachment: Bool = false) -> [ExtractedLink] {
    var c = LinkCollector()
    c.addHTML(Array(html.utf8), inAttachment: inAttachment)
    return c.links
}

@Suite struct TextLinkTests {
    @Test(arguments: [
        ("see http://example.com/a.", ["http://example.com/a"]),
        ("(http://example.com/wiki/Foo_(bar))", ["http://example.com/wiki/Foo_(bar)"]),
        ("(see http://example.com/x)", ["http://example.com/x"]),
        ("Go to www.example.com, now", ["http://www.example.com/"]),
        ("visit example.com today", ["http://example.com/"]),
        ("example.co.uk/path?a=1!", ["http://example.co.uk/path?a=1"]),
        ("mail me: john.smith@example.com", []),
        ("run setup.py and configure.in, read README.md", []),
        ("e.g. this, i.e. that; version 1.2.3; c.l.py", []),
        ("a file named report.pdf.exe", []),
        ("<http://example.com/very/long\n   /path/here>", ["http://example.com/very/long/path/here"]),
        ("<URL:http://example.com/a\n b>", ["http://example.com/ab"]),
        ("Linkhttp://evil.example/x", ["http://evil.example/x"]),
        ("\"https://example.org/q?x=1&y=2\"", ["https://example.org/q?x=1&y=2"]),
        ("访问example.com获取", ["http://example.com/"]),
        ("http://мойсайт.рф/путь", ["http://xn--80arbjktj.xn--p1ai/путь"]),
        ("http://ex\u{200B}ample.com/", ["http://example.com/"]),
        ("mailto:a@example.com and ftp://files.example.net/pub", ["ftp://files.example.net/pub"]),
        ("host mx.example.jp[192.0.2.1] said, see: www.a.example.com", ["http://www.a.example.com/"]),
        ("https://a.example/1 https://a.example/1 http://b.example", ["https://a.example/1", "http://b.example/"]),
        ("hxxp://evil[.]example/x", []),
        ("12.34 and 1.2.3.4 and http://1.2.3.4/x", ["http://1.2.3.4/x"]),
        ("http://user:pw@paypal.com@evil.example/", ["http://user:pw@paypal.com@evil.example/"]),
    ])
    func finds(_ text: String, _ expected: [String]) {
        #expect(textURLs(text) == expected)
    }

    @Test func recoversDefangedFormsWhenAsked() {
        var c = LinkCollector(options: LinkExtractorOptions(recoverDefanged: true))
        c.addText(Array("IOC: hxxp://evil[.]example/x and bad(.)example(.)com and http://fine.example/".utf8))
        #expect(c.links.map(\.url) == ["http://evil.example/x", "http://bad.example.com/", "http://fine.example/"])
        #expect(c.links.map(\.defanged) == [true, true, false])
    }

    @Test func countsRepeats() {
        var c = LinkCollector()
        c.addText(Array("http://a.example/ x http://a.example/ y http://a.example".utf8))
        #expect(c.links.count == 1)
        #expect(c.links.first?.count == 3)
    }

    @Test func truncatesVeryLongURLs() {
        let long = "http://example.com/" + String(repeating: "é", count: 3000)
        var c = LinkCollector(options: LinkExtractorOptions(maxURLBytes: 100))
        c.addText(Array(long.utf8))
        #expect(c.links.first?.truncated == true)
        #expect((c.links.first?.url.utf8.count ?? 0) <= 100)
        #expect(c.links.first?.host.ascii == "example.com")
    }

    @Test func keepsAtMostMaxLinks() {
        let text = (0..<50).map { "http://h\($0).example.com/" }.joined(separator: " ")
        var c = LinkCollector(options: LinkExtractorOptions(maxLinks: 10))
        c.addText(Array(text.utf8))
        #expect(c.links.count == 10)
        #expect(c.dropped == 40)
    }

    @Test func hostileTextIsLinear() {
        // Long runs without terminators, many colons, many dots: completes and finds nothing absurd.
        let junk = String(repeating: "a.:/", count: 200_000) + String(repeating: "http://", count: 50_000)
        var c = LinkCollector()
        c.addText(Array(junk.utf8))
        #expect(c.links.count <= 1)
    }
}

@Suite struct HTMLLinkTests {
    @Test func readsTheAttributesThatLink() {
        let html = """
            <html><head><base href="http://base.example/dir/page.html">
            <link rel="stylesheet" href="http://css.example/s.css">
            <meta http-equiv="Refresh" content="0; URL='http://meta.example/go'">
            <style>body { background: url( "http://style.example/bg.png" ) } @import 'http://imp.example/x.css';</style>
            </head>
            <body background=http://bg.example/b.jpg>
            <a href=http://unquoted.example/a>x</a>
            <a href="relative/b.html">rel</a>
            <img src="//cdn.example/i.png" srcset="http://s1.example/a.png 1x, http://s2.example/b.png 2x">
            <form action="https://form.example/post"><input type=image src="http://input.example/i.gif"></form>
            <div style="background-image:url(http://inline.example/c.png)">t</div>
            <iframe src="http://frame.example/"></iframe>
            <script>var u = "http://script.example/";</script>
            </body></html>
            """
        let got = Dictionary(htmlLinks(html).map { ($0.url, $0.source) }, uniquingKeysWith: { a, _ in a })
        #expect(got["http://css.example/s.css"] == .link)
        #expect(got["http://meta.example/go"] == .meta)
        #expect(got["http://style.example/bg.png"] == .css)
        #expect(got["http://imp.example/x.css"] == .css)
        #expect(got["http://bg.example/b.jpg"] == .img)
        #expect(got["http://unquoted.example/a"] == .href)
        #expect(got["http://base.example/dir/relative/b.html"] == .href)
        #expect(got["http://cdn.example/i.png"] == .img)
        #expect(got["http://s1.example/a.png"] == .img)
        #expect(got["http://s2.example/b.png"] == .img)
        #expect(got["https://form.example/post"] == .form)
        #expect(got["http://input.example/i.gif"] == .img)
        #expect(got["http://inline.example/c.png"] == .css)
        #expect(got["http://frame.example/"] == .embed)
        #expect(got["http://script.example/"] == nil)
    }

    @Test func decodesEntitiesAndDropsLineBreaks() {
        let html =
            "<a href=\"http&#58;&#x2F;&sol;ex&#97;mple.com/a?x=1&amp;y=2\">t</a>"
            + "<a href=\"\n  http://brok\nen.example/p\tq  \">u</a>"
        #expect(htmlLinks(html).map(\.url) == ["http://example.com/a?x=1&y=2", "http://broken.example/pq"])
    }

    @Test func displayHostWhenTheTextShowsAnotherHost() {
        let html = """
            <a href="http://evil.example/login">https://www.paypal.com/signin</a>
            <a href="http://www.good.example/">good.example</a>
            <a href="http://track.example/c?1"><b>www.shop.example</b></a>
            <a href="http://plain.example/">Click here</a>
            """
        let links = htmlLinks(html)
        let shown = Dictionary(links.map { ($0.url, $0.displayHost ?? "-") }, uniquingKeysWith: { a, _ in a })
        #expect(shown["http://evil.example/login"] == "www.paypal.com")
        #expect(shown["http://www.good.example/"] == "-")
        #expect(shown["http://track.example/c?1"] == "www.shop.example")
        #expect(shown["http://plain.example/"] == "-")
        // The URL shown in the text is a link of its own, found in the text.
        #expect(links.contains { $0.url == "https://www.paypal.com/signin" && $0.source == .text })
    }

    @Test func visibleTextLinksButNotScriptsOrComments() {
        let html = """
            <p>Visit www.visible.example or <span>www.</span>wbr.example</p>
            <!-- http://comment.example/ -->
            <script>document.write("http://js.example/")</script>
            <!--[if mso]><v:roundrect href="http://outlook.example/b"></v:roundrect><![endif]-->
            <!--[if mso | IE]><table><tr><td><!-->
            <a href="http://after-empty-comment.example/">x</a>
            <!--[if !mso]><!-- --><link href="http://downlevel.example/f.css" rel="stylesheet"><!--<![endif]-->
            """
        let urls = Set(htmlLinks(html).map(\.url))
        #expect(urls.contains("http://www.visible.example/"))
        #expect(urls.contains("http://www.wbr.example/"))
        #expect(urls.contains("http://outlook.example/b"))
        #expect(urls.contains("http://after-empty-comment.example/"))
        #expect(urls.contains("http://downlevel.example/f.css"))
        #expect(!urls.contains("http://comment.example/"))
        #expect(!urls.contains("http://js.example/"))
    }

    @Test func javascriptHrefsAndSchemelessHrefs() {
        let html = """
            <a href="javascript:window.open('http://popup.example/x')">a</a>
            <a href="mailto:someone@example.com">m</a>
            <a href="user.name@schemeless.com">s</a>
            <a href="www.nowww.example/p">w</a>
            <a href="page.html">relative without base</a>
            <a href=3D"mailto:abuse@qp-leftover.example?Subject=3DAbuse">q</a>
            """
        let urls = htmlLinks(html).map(\.url)
        #expect(!urls.contains { $0.contains("qp-leftover") })
        #expect(urls.contains("http://popup.example/x"))
        #expect(urls.contains("http://user.name@schemeless.com/"))
        #expect(urls.contains("http://www.nowww.example/p"))
        #expect(!urls.contains { $0.contains("page.html") })
        #expect(!urls.contains { $0.contains("someone") })
    }

    @Test func invisibleCharactersInTheTextAreDropped() {
        let html = "<a href=\"https://track.example/c?1\">wolfe&#8203;rmans.com</a> www.zero\u{200B}width.example/p"
        let links = htmlLinks(html)
        #expect(links.first { $0.url == "https://track.example/c?1" }?.displayHost == "wolfermans.com")
        #expect(links.contains { $0.url == "http://www.zerowidth.example/p" })
    }

    @Test func linkElementsByRel() {
        let html = """
            <link href="https://fonts.example/css?family=A" rel="stylesheet">
            <link rel=preconnect href="https://preconnect.example">
            <link rel="shortcut icon" href="https://icon.example/favicon.ico">
            <style>@import url(https://import.example/x.css); p { background: url(https://bg.example/b.png) }</style>
            """
        let got = Dictionary(htmlLinks(html).map { ($0.host.ascii, $0.source) }, uniquingKeysWith: { a, _ in a })
        #expect(got["fonts.example"] == .link)
        #expect(got["preconnect.example"] == .link)
        #expect(got["icon.example"] == .img)
        #expect(got["import.example"] == .css)
        #expect(got["bg.example"] == .css)
    }

    @Test func urlsInsideQueries() {
        let html = """
            <a href="http://redirect.example/r?u=https%3A%2F%2Ftarget.example%2Fp&amp;v=1">x</a>
            <a href="http://wrap.example/r?a=https://one.example/&amp;b=https://two.example/">y</a>
            <a href="http://r.example/?u=http%3A%2F%2Fmid.example%2F%3Fv%3Dhttp%253A%252F%252Fend.example%252F">z</a>
            <a href="http://plain.example/?q=just.words&amp;e=user@mail.example">w</a>
            """
        let got = Dictionary(htmlLinks(html).map { ($0.host.ascii, $0.source) }, uniquingKeysWith: { a, _ in a })
        #expect(got["target.example"] == .query)
        #expect(got["one.example"] == .query)
        #expect(got["two.example"] == .query)
        #expect(got["mid.example"] == .query)
        #expect(got["end.example"] == .query)
        #expect(got["redirect.example"] == .href)
        #expect(got["words"] == nil)
        #expect(got["mail.example"] == nil)
        var c = LinkCollector()
        c.addText(Array("see https://t.example/c?url=https%3A%2F%2Fin-text.example%2F".utf8))
        #expect(c.links.map(\.host.ascii) == ["t.example", "in-text.example"])
    }

    @Test func attachmentLinksAreMarked() {
        let links = htmlLinks("<a href='http://a.example/'>x</a> http://b.example/", inAttachment: true)
        #expect(links.map(\.source) == [.attachment, .attachment])
    }

    @Test func hostileHTMLCompletes() {
        let pieces = [
            String(repeating: "<a href=\"", count: 20_000), String(repeating: "<!--", count: 20_000),
            String(repeating: "<style>", count: 5_000), String(repeating: "<x a=b c='d", count: 20_000),
            String(repeating: "&#x", count: 50_000), "<a href=http://ok.example/>",
        ]
        for p in pieces {
            _ = htmlLinks(p)
        }
        #expect(htmlLinks(pieces.last ?? "").map(\.url) == ["http://ok.example/"])
    }
}
