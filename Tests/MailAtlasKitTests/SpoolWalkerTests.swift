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
        let plain = batches.filter { $0.kind == .plain }.flatMap(\.files).map(\.name)
        #expect(plain == ["one.eml"])
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
