import Foundation
import MailAtlasKit
import TestSupport
import Testing

@Suite struct SpoolWalkerTests {
    private func walk(_ root: String, follow: Bool = false) -> [DirectoryBatch] {
        let walker = SpoolWalker(roots: [root], options: .init(followSymlinks: follow))
        var out: [DirectoryBatch] = []
        while let b = walker.next(skip: { _, _ in false }) { out.append(b) }
        return out
    }

    @Test func maildirPlusPlusFoldersFlagsAndTmp() {
        let t = TempDirectory()
        t.maildir("Maildir")
        t.write("Maildir/cur/1.M1P1.host,S=120:2,RS", MailFixture.message())
        t.write("Maildir/new/2.M2P2.host", MailFixture.message())
        t.write("Maildir/tmp/3.M3P3.host", MailFixture.message())
        t.write("Maildir/dovecot.index", "binary")
        t.write("Maildir/dovecot-uidlist", "3 V1 N4")
        t.maildir("Maildir/.Junk")
        t.write("Maildir/.Junk/cur/4.M4P4.host:2,S", MailFixture.message())
        t.maildir("Maildir/.INBOX.Archive")
        t.write("Maildir/.INBOX.Archive/cur/5.M5P5.host!2,Sabc", MailFixture.message())
        t.maildir("Maildir/.&BCEEPwQwBDw-")
        t.write("Maildir/.&BCEEPwQwBDw-/cur/6.M6P6.host:2,", MailFixture.message())

        let batches = walk(t.path)
        let maildir = batches.filter {
            if case .maildir = $0.kind { true } else { false }
        }
        var byFolder: [String: [String]] = [:]
        for b in maildir {
            guard case .maildir(let folder, _) = b.kind else { continue }
            byFolder[folder, default: []] += b.files.map(\.name)
        }
        #expect(byFolder["INBOX"]?.sorted() == ["1.M1P1.host,S=120:2,RS", "2.M2P2.host"])
        #expect(byFolder["Junk"] == ["4.M4P4.host:2,S"])
        #expect(byFolder["INBOX/Archive"] == ["5.M5P5.host!2,Sabc"])
        #expect(byFolder["Спам"] == ["6.M6P6.host:2,"])
        let all = batches.flatMap(\.files).map(\.name)
        #expect(!all.contains("3.M3P3.host"), "tmp/ is never read")
        let skipped = batches.flatMap(\.skippedFiles).map(\.name)
        #expect(skipped.contains("dovecot.index") && skipped.contains("dovecot-uidlist"))
        #expect(MaildirNames.flags(ofFileName: "1.M1P1.host,S=120:2,RS") == "RS")
        #expect(MaildirNames.flags(ofFileName: "5.M5P5.host!2,Sabc") == "Sabc")
        #expect(MaildirNames.flags(ofFileName: "2.M2P2.host") == nil)
    }

    @Test func nestedMaildirsAndPlainTrees() {
        let t = TempDirectory()
        t.maildir("mail/Foo")
        t.write("mail/Foo/cur/a:2,S", MailFixture.message())
        t.maildir("mail/Foo/Bar")
        t.write("mail/Foo/Bar/new/b", MailFixture.message())
        t.write("mail/eml/one.eml", MailFixture.message())
        t.write("mail/eml/.hidden.eml", MailFixture.message())
        let batches = walk(t.path + "/mail")
        var folders: [String] = []
        for b in batches { if case .maildir(let f, _) = b.kind { folders.append(f) } }
        #expect(Set(folders) == ["Foo", "Foo/Bar"])
        // A hidden file is a candidate like any other (a saved message's name may begin with a dot).
        let plain = batches.filter { $0.kind == .plain }.flatMap(\.files).map(\.name)
        #expect(plain == [".hidden.eml", "one.eml"])
    }

    @Test func symlinksAreNotFollowedUnlessAskedAndLoopsEnd() throws {
        let t = TempDirectory()
        t.write("root/a/m.eml", MailFixture.message())
        try FileManager.default.createSymbolicLink(
            atPath: t.path + "/root/a/loop", withDestinationPath: t.path + "/root")
        try FileManager.default.createSymbolicLink(
            atPath: t.path + "/root/link.eml", withDestinationPath: t.path + "/root/a/m.eml")
        let plain = walk(t.path + "/root")
        #expect(plain.flatMap(\.files).map(\.name) == ["m.eml"])
        #expect(plain.flatMap(\.skippedFiles).map(\.reason).contains("symlink not followed"))
        let followed = walk(t.path + "/root", follow: true)
        // The loop is walked once; the file link is read as a file.
        #expect(followed.flatMap(\.files).map(\.name).sorted() == ["link.eml", "m.eml"])
    }

    @Test func specialFilesAreSkipped() {
        let t = TempDirectory()
        t.write("d/m.eml", MailFixture.message())
        #expect(mkfifo(t.path + "/d/fifo", 0o644) == 0)
        let batches = walk(t.path + "/d")
        #expect(batches.flatMap(\.files).map(\.name) == ["m.eml"])
        #expect(batches.flatMap(\.skippedFiles).map(\.name) == ["fifo"])
    }

    @Test func aSingleFileRoot() {
        let t = TempDirectory()
        let path = t.write("one.mbox", MailFixture.mbox([MailFixture.message()]))
        let batches = walk(path)
        #expect(batches.count == 1)
        #expect(batches[0].files.map(\.name) == ["one.mbox"])
        #expect(!batches[0].isComplete)
    }
}

/// File names are bytes: every byte string survives the trip to a String and back, and different names stay
/// different strings.
@Suite struct PathBytesTests {
    static func roundTrip(_ bytes: [UInt8]) -> [UInt8] {
        let s = bytes.withUnsafeBufferPointer { PathBytes.string($0) }
        return PathBytes.withCString(s) { c in
            Array(UnsafeBufferPointer(start: c, count: strlen(c))).map { UInt8(bitPattern: $0) }
        }
    }

    @Test func namesThatAreNotUTF8SurviveAndStayDistinct() {
        let cases: [[UInt8]] = [
            Array("plain.eml".utf8), Array("café.eml".utf8), [0x63, 0x61, 0x66, 0xE9], [0x63, 0x61, 0x66, 0xE8],
            [0xFF, 0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
            // A name that already holds a code point of the escape range (U+F7E9 as UTF-8) and the byte it stands for.
            [0xEF, 0x9F, 0xA9], [0xE9],
        ]
        var strings = Set<String>()
        for c in cases {
            #expect(Self.roundTrip(c) == c, "\(c)")
            strings.insert(c.withUnsafeBufferPointer { PathBytes.string($0) })
        }
        #expect(strings.count == cases.count)
        #expect(PathBytes.string([0x63, 0x61, 0x66, 0xE9].withUnsafeBufferPointer { $0 }) != "caf\u{FFFD}")
    }

    @Test func randomNames() {
        var state: UInt64 = 7
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for k in 0..<Int(state >> 60) + 1 {
                let b = UInt8(truncatingIfNeeded: (state >> UInt64((k % 8) * 8)) ^ UInt64(k &* 131))
                bytes.append(b == 0 ? 1 : b)
            }
            #expect(Self.roundTrip(bytes) == bytes, "\(bytes)")
        }
    }
}
