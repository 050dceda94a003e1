import MailCore
import Testing

private func list(_ b: [UInt8], limits: ArchiveLimits = ArchiveLimits()) -> ArchiveListing? {
    b.withUnsafeBufferPointer { buf in
        ArchiveLister.list(buf, type: FileTypeDetector.detect(buf).type, limits: limits)
    }
}

@Suite struct ArchiveListerTests {
    @Test func listsMembersWithTheirDetectedTypes() throws {
        let zip = Fixtures.zip([
            .init(name: "invoice.pdf.exe", data: Fixtures.pe(dll: false)),
            .init(name: "readme.txt", data: Fixtures.bytes("hello there"), deflated: false),
            .init(name: "docs/", data: [], deflated: false),
            .init(name: "secret.js", data: Fixtures.bytes("var a = 1;"), encrypted: true),
        ])
        let l = try #require(list(zip))
        #expect(l.members.map(\.name) == ["invoice.pdf.exe", "readme.txt", "secret.js"])
        #expect(l.members.map(\.detectedType) == [.exe, .text, nil])
        #expect(l.members.map(\.encrypted) == [false, false, true])
        #expect(l.members[0].size == 512)
        #expect(l.encrypted)
        #expect(!l.truncated)
    }

    @Test func opensOneNestedLevel() throws {
        let innermost = Fixtures.zip([.init(name: "deep.exe", data: Fixtures.pe(dll: false))])
        let inner = Fixtures.zip([
            .init(name: "run.js", data: Fixtures.bytes("var s = new ActiveXObject('x'); eval(s);")),
            .init(name: "more.zip", data: innermost),
        ])
        let outer = Fixtures.zip([.init(name: "inner.zip", data: inner), .init(name: "a.txt", data: [0x41])])
        let l = try #require(list(outer))
        #expect(l.members.map(\.name) == ["inner.zip", "run.js", "more.zip", "a.txt"])
        #expect(l.members.map(\.depth) == [0, 1, 1, 0])
        #expect(l.members.map(\.detectedType) == [.zip, .javascript, .zip, .text])
        #expect(l.nestedArchivesOpened == 1)
        // The docx inside a zip is detected from its whole bytes.
        let docx = Fixtures.ooxml(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            mainPart: "word/document.xml")
        let withDoc = try #require(list(Fixtures.zip([.init(name: "x.doc", data: docx)])))
        #expect(withDoc.members.first?.detectedType == .docx)
    }

    @Test func listsAZipBehindAStub() throws {
        let sfx = Fixtures.zip([.init(name: "a.txt", data: [0x41, 0x42])], prefix: Fixtures.pe(dll: false))
        let l = try sfx.withUnsafeBufferPointer { try #require(ArchiveLister.list($0, type: .zip)) }
        #expect(l.members.map(\.name) == ["a.txt"])
        #expect(l.members.first?.detectedType == .text)
    }

    @Test func listsRarAndGzip() throws {
        let r4 = try #require(list(Fixtures.rar4(name: "dir\\payload.exe", encryptedFile: true)))
        #expect(r4.members.map(\.name) == ["dir/payload.exe"])
        #expect(r4.encrypted)
        let r5 = try #require(list(Fixtures.rar5(name: "payload.js")))
        #expect(r5.members.map(\.name) == ["payload.js"])
        #expect(r5.members.first?.size == 5)
        #expect(!r5.encrypted)
        let hidden = try #require(list(Fixtures.rar5(name: "x", encryptedHeaders: true)))
        #expect(hidden.encrypted && hidden.members.isEmpty)
        let gz = try #require(list(Fixtures.gzip(Fixtures.pe(dll: true), name: "lib.dll")))
        #expect(gz.members.map(\.name) == ["lib.dll"])
        #expect(gz.members.first?.detectedType == .dll)
        #expect(gz.members.first?.size == 512)
    }

    /// 42.zip's shape: archives of 16 archives of 16 archives of 16 files of zeros, with sizes that lie. Fully
    /// expanded it would be 16³ × 4 MiB = 16 GiB; the listing must stay within the inflate budget.
    @Test func nestedZipBombIsListedWithinTheBudget() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let deflatedZeros = Fixtures.deflate(zeros)
        let zerosCRC = Fixtures.crc(zeros)
        let level1 = Fixtures.zip(
            (0..<16).map {
                .init(
                    name: "0\($0).dat", data: [], declaredSize: 0xFFFF_FFFF, deflatedData: deflatedZeros,
                    crcValue: zerosCRC)
            })
        let level2 = Fixtures.zip((0..<16).map { .init(name: "book\($0).zip", data: level1) })
        let bomb = Fixtures.zip((0..<16).map { .init(name: "lib\($0).zip", data: level2) })
        let limits = ArchiveLimits()
        let l = try #require(list(bomb, limits: limits))
        print(
            "archive-bounds: bomb bytes=\(bomb.count) members-listed=\(l.members.count) total=\(l.totalMembers)"
                + " nested-opened=\(l.nestedArchivesOpened) inflated=\(l.inflatedBytes)")
        #expect(l.inflatedBytes <= limits.maxInflatedBytes)
        #expect(l.members.count <= limits.maxMembers)
        #expect(l.members.allSatisfy { $0.depth <= 1 })
        #expect(l.members.filter { $0.depth == 0 }.count == 16)
        #expect(l.members.filter { $0.depth == 0 }.allSatisfy { $0.detectedType == .zip })
        #expect(l.nestedArchivesOpened <= limits.maxNestedArchives)
        #expect(l.totalMembers >= 16 + 16)
        // A member that claims 4 GiB costs one sniff, not 4 GiB.
        let liar = Fixtures.zip([
            .init(
                name: "huge.bin", data: [], declaredSize: 0xFFFF_FFFF, deflatedData: deflatedZeros, crcValue: zerosCRC)
        ])
        let one = try #require(list(liar, limits: limits))
        #expect(one.inflatedBytes <= limits.sniffBytes)
        // A tighter budget is honoured exactly.
        let tight = ArchiveLimits(maxInflatedBytes: 100_000)
        let small = try #require(list(bomb, limits: tight))
        #expect(small.inflatedBytes <= 100_000)
    }

    /// 100,000 members (ZIP64 end records): counted, listed up to the limit, sniffed up to the limit.
    @Test func hundredThousandMembersAreBounded() throws {
        let items = (0..<100_000).map { Fixtures.ZipItem(name: "f\($0).txt", data: [0x61], deflated: false) }
        let zip = Fixtures.zip(items)
        let limits = ArchiveLimits()
        let l = try #require(list(zip, limits: limits))
        print(
            "archive-bounds: 100k bytes=\(zip.count) members-listed=\(l.members.count) total=\(l.totalMembers)"
                + " sniffed=\(l.members.compactMap(\.detectedType).count) inflated=\(l.inflatedBytes)")
        #expect(l.totalMembers == 100_000)
        #expect(l.members.count == limits.maxMembers)
        #expect(l.truncated)
        #expect(l.members.compactMap(\.detectedType).count <= limits.maxSniffedMembers)
        #expect(l.inflatedBytes <= limits.maxSniffedMembers)
    }

    /// A ZIP64 extra field may declare a local header offset near Int.max; behind a stub (a positive base offset)
    /// the sum overflowed. The member is listed, its data is not read.
    @Test func zip64OffsetNearIntMaxBehindAStub() throws {
        let name = Fixtures.bytes("a.txt")
        let data = Fixtures.bytes("AB")
        let crc = 0x0A5D_C3E3  // unused: the data is never reached
        var local = Fixtures.le32(0x0403_4B50) + Fixtures.le16(45) + Fixtures.le16(0) + Fixtures.le16(0)
        local += Fixtures.le32(0) + Fixtures.le32(crc) + Fixtures.le32(2) + Fixtures.le32(2)
        local += Fixtures.le16(name.count) + Fixtures.le16(0) + name + data
        let extra = Fixtures.le16(1) + Fixtures.le16(8) + Fixtures.le64(Int.max - 8)
        var central = Fixtures.le32(0x0201_4B50) + Fixtures.le16(45) + Fixtures.le16(45) + Fixtures.le16(0)
        central += Fixtures.le16(0) + Fixtures.le32(0) + Fixtures.le32(crc) + Fixtures.le32(2) + Fixtures.le32(2)
        central += Fixtures.le16(name.count) + Fixtures.le16(extra.count) + Fixtures.le16(0) + Fixtures.le16(0)
        central += Fixtures.le16(0) + Fixtures.le32(0) + Fixtures.le32(0xFFFF_FFFF) + name + extra
        let end =
            Fixtures.le32(0x0605_4B50) + Fixtures.le16(0) + Fixtures.le16(0) + Fixtures.le16(1) + Fixtures.le16(1)
            + Fixtures.le32(central.count) + Fixtures.le32(local.count) + Fixtures.le16(0)
        let stub = Fixtures.pe(dll: false)
        let zip = stub + local + central + end
        let l = try #require(zip.withUnsafeBufferPointer { ArchiveLister.list($0, type: .zip) })
        #expect(l.members.map(\.name) == ["a.txt"])
        #expect(l.members.first?.detectedType == nil)
    }

    @Test func damagedArchivesDoNotTrap() {
        let zip = Fixtures.zip([
            .init(name: "a.exe", data: Fixtures.pe(dll: false)), .init(name: "b.txt", data: Fixtures.bytes("hi")),
        ])
        for cut in stride(from: 1, to: zip.count, by: 7) {
            _ = list(Array(zip.prefix(cut)))
            _ = zip.suffix(cut).withUnsafeBufferPointer { ArchiveLister.list($0, type: .zip) }
        }
        var broken = zip
        for k in stride(from: 30, to: broken.count, by: 5) { broken[k] = 0xFF }
        _ = broken.withUnsafeBufferPointer { ArchiveLister.list($0, type: .zip) }
        for type in [FileType.rar4, .rar5, .gzip] {
            _ = [UInt8](repeating: 0xFF, count: 64).withUnsafeBufferPointer { ArchiveLister.list($0, type: type) }
        }
    }
}
