import MailCore
import Testing

@Suite struct FileNameTests {
    @Test func showsTricksSafely() {
        let rtl = FileName("invoice\u{202E}fdp.exe")
        #expect(rtl.display == "invoice[U+202E]fdp.exe")
        #expect(rtl.extensionName == "exe")
        #expect(rtl.tricks.contains(.rtlOverride))
        #expect(rtl.tricks.contains(.bidiControl))
        let ctl = FileName("a\u{0007}b\r\n.txt")
        #expect(ctl.display == "a[U+0007]b[U+000D][U+000A].txt")
        #expect(ctl.tricks.contains(.controlChars))
        let zw = FileName("pay\u{200B}pal.pdf")
        #expect(zw.display == "pay[U+200B]pal.pdf")
        #expect(zw.tricks.contains(.invisibleChars))
    }

    @Test(
        arguments: [
            ("invoice.pdf.exe", "exe", "pdf", true), ("Invoice.PDF.JS", "js", "pdf", true),
            ("photo.jpg.scr", "scr", "jpg", true), ("archive.tar.gz", "gz", "tar", false),
            ("report.final.pdf", "pdf", "final", false), ("setup.exe", "exe", nil, false), ("README", nil, nil, false),
            ("C:\\temp\\doc.docx.lnk", "lnk", "docx", true), ("invoice.pdf          .exe", "exe", "pdf", true),
            ("setup.exe. . .", "exe", nil, false), (".bashrc", "bashrc", nil, false),
        ] as [(String, String?, String?, Bool)])
    func extensions(_ name: String, _ ext: String?, _ inner: String?, _ double: Bool) {
        let f = FileName(name)
        #expect(f.extensionName == ext)
        #expect(f.innerExtension == inner)
        #expect(f.tricks.contains(.doubleExtension) == double)
    }

    @Test func paddingAndTrailingDots() {
        #expect(FileName("invoice.pdf          .exe").tricks.contains(.paddedName))
        #expect(FileName("setup.exe.").tricks.contains(.trailingDotOrSpace))
        #expect(FileName(String(repeating: "a", count: 5000)).display.count <= FileName.maxDisplayScalars + 1)
    }
}
