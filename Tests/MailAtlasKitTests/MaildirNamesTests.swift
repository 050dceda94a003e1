import GRDB
import MailAtlasKit
import TestSupport
import Testing

@Suite struct MaildirNamesTests {
    @Test(
        arguments: [
            ("1.M1P1.host,S=120:2,RS", "RS"),
            ("5.M5P5.host!2,Sabc", "Sabc"),
            // Tools on Windows, where ':' is not allowed in a file name, write ';'.
            ("1700000000.M1P1.host,S=2314;2,RS", "RS"),
            ("1700000000.M2P2.host;2,", ""),
            ("2.M2P2.host", nil),
        ] as [(String, String?)])
    func flagsAfterTheInfoSeparator(_ name: String, _ flags: String?) {
        #expect(MaildirNames.flags(ofFileName: name) == flags)
    }

    @Test func theUniquePartLeavesTheInfoOut() {
        #expect(MaildirNames.uniquePart(ofFileName: "1700000000.M1P1.host;2,RS") == "1700000000.M1P1.host")
        #expect(MaildirNames.uniquePart(ofFileName: "1700000000.M1P1.host:2,S") == "1700000000.M1P1.host")
    }

    @Test func aScanStoresFlagsWrittenAfterASemicolon() async throws {
        let dir = TempDirectory("maildir-names")
        dir.maildir("spool/Maildir")
        dir.write("spool/Maildir/cur/1700000000.M1P1.host,S=300;2,RS", MailFixture.message(subject: "windows"))
        let store = dir.path + "/store.sqlite"
        let options = ScanOptions(roots: [dir.path + "/spool"], jobs: 1)
        _ = try await SpoolScanner(storePath: store, options: options).run()
        let queue = try MailStore.openReadOnly(path: store)
        let flags = try await queue.read { try String.fetchOne($0, sql: "SELECT maildir_flags FROM messages") }
        #expect(flags == "RS")
    }
}
