import Crypto
import Foundation
import Glibc
import TestSupport
import Testing

/// A scan makes no network connection and no DNS query, writes nothing but the store (its journal, WAL index and
/// lock), leaves the spool exactly as it was, and never turns a name an attacker wrote into a path.
@Suite(.serialized) struct NoSurpriseIOTests {
    /// Attachment names that would be paths, were anything ever written under them.
    static let hostileNames = [
        "../../../../tmp/mailatlas-evil-up.txt", "/tmp/mailatlas-evil-abs.txt", "..\\..\\mailatlas-evil-win.exe",
        "mailatlas-evil\u{0}.txt", "mailatlas-evil/sub/dir.txt", "~/mailatlas-evil-home", "CON",
        String(repeating: "mailatlas-evil-long", count: 40),
    ]

    static func makeSpool(_ dir: TempDirectory) throws -> String {
        let root = try FaultTests.makeSpool(dir)
        var m = HostileMail.bytes(
            "From: a@example.org\nSubject: names\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n")
        for name in hostileNames {
            m += HostileMail.bytes("--B\nContent-Type: application/octet-stream; name=\"\(name)\"\n")
            m += HostileMail.bytes("Content-Disposition: attachment; filename=\"\(name)\"\n")
            m += HostileMail.bytes("Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n")
            // The same name RFC 2231-encoded, as a client writes non-ASCII names.
            let encoded = name.utf8.map { String(format: "%%%02X", $0) }.joined()
            m += HostileMail.bytes("--B\nContent-Type: application/zip\nContent-Disposition: attachment; ")
            m += HostileMail.bytes("filename*=UTF-8''\(encoded)\n\nPK\u{3}\u{4}\n")
        }
        m += HostileMail.bytes("--B--\n")
        dir.write("spool/eml/names.eml", m)
        return root
    }

    /// Every regular file under `root` with its content hash, size, mode and modification time.
    static func fingerprint(_ root: String) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root) else { return [] }
        while let rel = e.nextObject() as? String {
            var st = stat()
            guard lstat(root + "/" + rel, &st) == 0 else { continue }
            var line = "\(rel) \(st.st_mode) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
            if (st.st_mode & S_IFMT) == S_IFREG {
                line +=
                    " " + SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: root + "/" + rel))).description
            }
            out.append(line)
        }
        return out.sorted()
    }

    static var straceWorks: Bool {
        guard let strace = Child.which("strace") else { return false }
        return (try? Child.run([strace, "-qq", "-o", "/dev/null", "/bin/true"], timeout: 20))?.status == 0
    }

    @Test func aScanNeitherTouchesTheNetworkNorWritesOutsideItsStore() throws {
        guard Self.straceWorks, let strace = Child.which("strace") else {
            print("no surprise I/O: skipped (strace is missing or cannot trace here)")
            return
        }
        let dir = TempDirectory("io")
        let root = try Self.makeSpool(dir)
        let before = try Self.fingerprint(root)
        dir.mkdir("store")
        let store = dir.path + "/store/s.sqlite"
        let trace = dir.path + "/trace.txt"
        let traced =
            "socket,socketpair,connect,bind,listen,accept,accept4,sendto,sendmsg,sendmmsg,"
            + "open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat,"
            + "truncate,ftruncate,link,linkat,symlink,symlinkat,chmod,fchmodat,chown,fchownat,utimensat"
        let commands: [[String]] = [
            ["scan", root, "--db", store, "--follow-symlinks"],
            ["scan", root, "--db", store],
            ["sql", "--db", store, "SELECT count(*) FROM attachments"],
            ["trace", root + "/eml/names.eml"],
        ]
        for args in commands {
            let r = try Child.run([strace, "-f", "-qq", "-e", "trace=" + traced, "-o", trace, Binary.url.path] + args)
            #expect(r.status == 0, "\(args): \(r)")
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
            // No socket of any kind: no connection, no DNS query (which would also read resolv.conf).
            let network = lines.filter { line in
                ["socket(", "socketpair(", "connect(", "bind(", "sendto(", "sendmsg(", "sendmmsg("].contains {
                    line.contains($0)
                }
            }
            #expect(network.isEmpty, "\(args): \(network.prefix(5))")
            let dns = lines.filter {
                $0.contains("resolv.conf") || $0.contains("/etc/hosts") || $0.contains("nsswitch")
            }
            #expect(dns.isEmpty, "\(args): \(dns.prefix(5))")
            // Writes (successful ones) only to the store and SQLite's own files beside it.
            let writes = lines.filter { line in
                guard !line.contains("= -1 ") else { return false }
                let writing =
                    [
                        "O_WRONLY", "O_RDWR", "O_CREAT", "rename", "unlink", "rmdir", "mkdir", "truncate(", "link(",
                        "symlink", "chmod", "chown", "utimensat",
                    ].contains { line.contains($0) }
                return writing && !line.contains("ftruncate(")
            }
            let outside = writes.filter { line in
                !(line.contains("\"" + store) || line.contains("\"s.sqlite") || line.contains("\"/dev/null\"")
                    || line.contains("etilqs_"))
            }
            #expect(outside.isEmpty, "\(args): \(outside.prefix(5))")
            // The trace did see the store being written: the filter above is not looking at nothing.
            if args[0] == "scan" { #expect(writes.contains { $0.contains("\"" + store) }, "\(args)") }
            // No syscall ever saw an attacker's file name.
            #expect(!lines.contains { $0.contains("mailatlas-evil") }, "\(args)")
        }
        #expect(try Self.fingerprint(root) == before)
        for name in ["/tmp/mailatlas-evil-up.txt", "/tmp/mailatlas-evil-abs.txt"] {
            #expect(!FileManager.default.fileExists(atPath: name))
        }
        // The names are data: stored as written, to be escaped wherever they are shown.
        let scan = HostileScan(result: .init(), store: store, inputBytes: 0)
        #expect(try scan.int("SELECT count(*) FROM attachments WHERE filename LIKE '%mailatlas-evil%'") >= 8)
    }

    /// `enrich` talks to the resolver it was given and to nothing else: every connection and datagram of the
    /// process goes to that address and port.
    @Test func enrichAsksOnlyTheResolverItWasGiven() throws {
        guard Self.straceWorks, let strace = Child.which("strace") else {
            print("enrich network: skipped (strace is missing or cannot trace here)")
            return
        }
        let responder = try MisbehavingDNSResponder(mode: .rcode(3))
        defer { responder.stop() }
        let dir = TempDirectory("enrich-io")
        dir.maildir("spool/Maildir")
        dir.write(
            "spool/Maildir/cur/1.M1.host:2,S",
            MailFixture.message(
                received: [
                    "from a.example (a.example [81.2.69.23]) by mx.example.net; Tue, 14 Oct 2025 09:15:05 +0200"
                ],
                body: "See https://www.shop-one.com/a and https://shop-two.net/b\n"))
        let store = dir.path + "/s.sqlite"
        let scan = try Child.run([Binary.url.path, "scan", dir.path + "/spool", "--db", store, "--quiet"])
        #expect(scan.status == 0, "\(scan)")
        let trace = dir.path + "/trace.txt"
        let r = try Child.run(
            [
                strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", trace, Binary.url.path,
                "enrich", "--db", store, "--dns", "--dnsbl", "bl.example.org", "--resolver", responder.address,
                "--timeout", "300",
            ])
        #expect(r.status == 0, "\(r)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let destinations = lines.filter { $0.contains("sin_port") || $0.contains("sin6_port") }
        #expect(!destinations.isEmpty, "the trace saw no query: \(lines.prefix(5))")
        let elsewhere = destinations.filter {
            !($0.contains("sin_port=htons(\(responder.port))") && $0.contains("inet_addr(\"127.0.0.1\")"))
        }
        #expect(elsewhere.isEmpty, "\(elsewhere.prefix(5))")
        #expect(responder.queries >= 3)
    }

    /// The same scan in a network namespace with no interface at all finishes with the same store.
    @Test func aScanWithoutAnyNetworkGivesTheSameStore() throws {
        guard let unshare = Child.which("unshare"),
            (try? Child.run([unshare, "-n", "/bin/true"], timeout: 20))?.status == 0
        else {
            print("no network: skipped (unshare -n is not allowed here)")
            return
        }
        let dir = TempDirectory("io")
        let root = try Self.makeSpool(dir)
        let offline = try HostileScan.run([root], store: dir.path + "/offline.sqlite", wrapper: [unshare, "-n", "--"])
        #expect(offline.result.status == 0, "\(offline.result)")
        let online = try HostileScan.run([root], store: dir.path + "/online.sqlite")
        #expect(online.result.status == 0)
        #expect(
            try ChangingSpoolTests.snapshot(dir.path + "/offline.sqlite")
                == ChangingSpoolTests.snapshot(dir.path + "/online.sqlite"))
    }
}
