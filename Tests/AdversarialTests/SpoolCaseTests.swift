import Foundation
import GRDB
import Glibc
import TestSupport
import Testing

/// Spools built to trap the walker, the framer and the readers: each scan finishes cleanly, in time linear in the
/// input and bounded memory, and reports its damage as diagnostics rows.
@Suite(.serialized) struct SpoolCaseTests {
    @Test func mboxWithAFromLineInEveryBody() throws {
        let c = try HostileCase.run("from-storm") { dir, scale in
            dir.write("spool/storm.mbox", HostileMail.fromInEveryBody(messages: 40 * scale, linesPerBody: 400))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            // Every real message is found, and nothing is lost: the pieces cover the whole file.
            #expect(try scan.int("SELECT count(*) FROM messages WHERE subject LIKE 'offer number %'") == 40 * scale)
            let covered = try scan.int("SELECT scanned_offset FROM files WHERE kind = 'mbox'")
            #expect(covered == HostileScan.size(c.dirs[scale == 1 ? 0 : 1].path + "/spool/storm.mbox"))
        }
    }

    /// One spam run delivered thousands of times, byte for byte: each copy is its own row, found again by its
    /// location on a rescan, and storing the n-th copy costs what storing the first did.
    @Test func oneMessageStoredThousandsOfTimes() throws {
        let message = HostileMail.plain(1)
        let c = try HostileCase.run("copies") { dir, scale in
            var mbox: [UInt8] = []
            for _ in 0..<(1_000 * scale) {
                mbox += HostileMail.bytes("From spam@example.org Tue Oct 14 09:15:02 2025\n") + message
                mbox += HostileMail.bytes("\n")
            }
            dir.write("spool/copies.mbox", mbox)
            dir.maildir("spool/Maildir")
            for i in 0..<(100 * scale) { dir.write("spool/Maildir/cur/\(i).copy:2,S", message) }
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 1_100 * scale)
            #expect(try scan.int("SELECT count(DISTINCT sha256) FROM messages") == 1)
            let again = try HostileScan.run(
                [(scan.store as NSString).deletingLastPathComponent + "/spool"], store: scan.store)
            #expect(again.result.status == 0)
            #expect(try again.int("SELECT messages_added + messages_updated FROM scans ORDER BY id DESC LIMIT 1") == 0)
            #expect(try again.int("SELECT count(*) FROM messages") == 1_100 * scale)
        }
    }

    /// A 200 MB base64 attachment, as a single-message file and inside an mbox (1×: 50 MB). Generated into a
    /// temporary directory on the fly; memory stays far below the message size.
    @Test func twoHundredMegabyteBase64Part() throws {
        let c = try HostileCase.run("base64-200M", timeout: 240) { dir, scale in
            dir.mkdir("spool/eml")
            try HostileMail.writeBase64Message(
                to: dir.path + "/spool/eml/big.eml", payloadSize: 50_000_000 * scale, mboxEnvelope: false)
            try HostileMail.writeBase64Message(
                to: dir.path + "/spool/big.mbox", payloadSize: 50_000_000 * scale, mboxEnvelope: true)
            dir.write("spool/eml/small.eml", HostileMail.plain(1))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        // The default --max-message-size is 50M: at most about that much is held, never the 200 MB.
        c.checkMemory(atMost: baseMemory + 3 * (50 << 20))
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 3)
            #expect(try scan.int("SELECT count(*) FROM messages WHERE truncated = 1") == (scale == 1 ? 0 : 2))
            #expect(
                try scan.int("SELECT min(size) FROM messages WHERE subject = 'big attachment'") > 50_000_000 * scale)
        }
        for code in ["message.too-large"] {
            #expect(try c.large.diagnosticCodes()[code, default: 0] == 2)
        }
    }

    /// The same with a small --max-message-size: streaming keeps memory at a few times the limit.
    @Test func bigPartsStreamUnderASmallLimit() throws {
        let c = try HostileCase.run("base64-stream", args: ["--max-message-size", "1M"]) { dir, scale in
            dir.mkdir("spool")
            try HostileMail.writeBase64Message(
                to: dir.path + "/spool/big.eml", payloadSize: 16_000_000 * scale, mboxEnvelope: false)
            try HostileMail.writeBase64Message(
                to: dir.path + "/spool/big.mbox", payloadSize: 16_000_000 * scale, mboxEnvelope: true)
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        try c.checkDiagnostics(["message.too-large"])
    }

    @Test func gzipBombsAndBrokenGzip() throws {
        let c = try HostileCase.run("gzip", timeout: 240) { dir, scale in
            // A message whose body inflates 1000:1 (100 MB per 1×), alone and in an mbox.
            let head = HostileMail.plain(1, subject: "bomb", body: "")
            try gzipBomb(head: head, blankBytes: 100 << 20 * scale, to: dir.path + "/spool/bomb.eml.gz")
            try gzipBomb(
                head: HostileMail.bytes("From a@b Tue Oct 14 09:15:02 2025\n") + head, blankBytes: 100 << 20 * scale,
                to: dir.path + "/spool/bomb.mbox.gz")
            // An mbox cut in the middle of its gzip stream, a message cut likewise, garbage after a member.
            var mbox: [UInt8] = []
            for i in 0..<(200 * scale) {
                mbox += HostileMail.bytes("From s\(i)@example.org Tue Oct 14 09:15:02 2025\n") + HostileMail.plain(i)
                mbox += HostileMail.bytes("\n")
            }
            let mboxGz = try gzipped(mbox)
            dir.write("spool/cut.mbox.gz", Array(mboxGz.prefix(mboxGz.count / 2)))
            let emlGz = try gzipped(HostileMail.plain(7, body: String(repeating: "text line\n", count: 2000)))
            dir.write("spool/cut.eml.gz", Array(emlGz.prefix(emlGz.count * 2 / 3)))
            dir.write("spool/trailing.mbox.gz", mboxGz + HostileMail.bytes("garbage after the member"))
            dir.write("spool/header-only.gz", Array(mboxGz.prefix(10)))
            dir.write("spool/double.gz", try gzipped(mboxGz))
            dir.write("spool/not-gzip.gz", [0x1F, 0x8B, 0xFF, 0xFF] + [UInt8](repeating: 0xAA, count: 1000))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + 3 * (50 << 20))
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages WHERE subject = 'bomb'") == 2)
            // What could be inflated before the damage is kept.
            #expect(try scan.int("SELECT count(*) FROM messages WHERE source_path LIKE '%cut.mbox.gz'") >= 90 * scale)
            #expect(try scan.int("SELECT count(*) FROM messages WHERE source_path LIKE '%cut.eml.gz'") == 1)
            #expect(
                try scan.int("SELECT count(*) FROM messages WHERE source_path LIKE '%trailing.mbox.gz'") == 200 * scale)
        }
        try c.checkDiagnostics(["spool.gzip", "spool.gzip-bomb"])
    }

    @Test func symlinkLoops() throws {
        for follow in [false, true] {
            let c = try HostileCase.run("symlinks", args: follow ? ["--follow-symlinks"] : []) { dir, scale in
                dir.maildir("spool/Maildir")
                for i in 0..<(50 * scale) { dir.write("spool/Maildir/cur/\(i).m:2,S", HostileMail.plain(i)) }
                dir.write("spool/eml/a.eml", HostileMail.plain(9999))
                let fm = FileManager.default
                let root = dir.path + "/spool"
                try fm.createSymbolicLink(atPath: root + "/eml/self", withDestinationPath: ".")
                try fm.createSymbolicLink(atPath: root + "/eml/up", withDestinationPath: "..")
                try fm.createSymbolicLink(atPath: root + "/eml/root", withDestinationPath: root)
                try fm.createSymbolicLink(atPath: root + "/eml/loop", withDestinationPath: "loop")
                try fm.createSymbolicLink(atPath: root + "/eml/ping", withDestinationPath: "pong")
                try fm.createSymbolicLink(atPath: root + "/eml/pong", withDestinationPath: "ping")
                try fm.createSymbolicLink(atPath: root + "/eml/dangling", withDestinationPath: "/nonexistent/x")
                try fm.createSymbolicLink(atPath: root + "/Maildir/cur/loop", withDestinationPath: "../cur")
                try fm.createSymbolicLink(atPath: root + "/Maildir/.Loop", withDestinationPath: ".")
                return [root]
            }
            try c.checkLinear()
            c.checkMemory(atMost: baseMemory)
            for (scan, scale) in [(c.small, 1), (c.large, 4)] {
                // Each message once: no directory is walked twice, whatever the links say.
                #expect(try scan.int("SELECT count(DISTINCT sha256) FROM messages") == 50 * scale + 1)
                #expect(try scan.int("SELECT count(*) FROM messages WHERE source_path LIKE '%/cur/%'") == 50 * scale)
            }
            try c.checkDiagnostics(follow ? ["spool.unreadable"] : ["spool.symlink"])
        }
    }

    /// File and directory names that are not UTF-8 (a spool from a Latin-1 system, or anyone's choice of bytes):
    /// every file is read, names that differ only in such bytes stay apart, and rescans and renames find them.
    @Test func fileNamesThatAreNotUTF8() throws {
        func write(_ dir: TempDirectory, _ relative: [UInt8], _ bytes: [UInt8]) {
            let path = Array(dir.path.utf8) + [0x2F] + relative + [0]
            let fd = path.withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
            }
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        func mkdirBytes(_ dir: TempDirectory, _ relative: [UInt8]) {
            let path = Array(dir.path.utf8) + [0x2F] + relative + [0]
            _ = path.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) } }
        }
        let spool = Array("spool/".utf8)
        let c = try HostileCase.run("names") { dir, scale in
            dir.maildir("spool/Maildir")
            for i in 0..<(50 * scale) {
                // Latin-1 é and è, a lone continuation byte, bytes that are never UTF-8.
                let name =
                    Array("Maildir/cur/\(i)".utf8) + [[0xE9], [0xE8], [0x80], [0xFF, 0xFE]][i % 4] + Array(":2,S".utf8)
                write(dir, spool + name, HostileMail.plain(i))
            }
            mkdirBytes(dir, spool + [0x72, 0xE9, 0x70])
            write(dir, spool + [0x72, 0xE9, 0x70, 0x2F, 0x78, 0x2E, 0x65, 0x6D, 0x6C], HostileMail.plain(90_001))
            // A name holding U+F7E9 as UTF-8, next to one holding the byte 0xE9 it could be mistaken for.
            write(dir, spool + [0xEF, 0x9F, 0xA9, 0x2E, 0x65, 0x6D, 0x6C], HostileMail.plain(90_002))
            write(dir, spool + [0xE9, 0x2E, 0x65, 0x6D, 0x6C], HostileMail.plain(90_003))
            var mbox: [UInt8] = []
            for i in 0..<3 {
                mbox +=
                    HostileMail.bytes("From s@example.org Tue Oct 14 09:15:02 2025\n") + HostileMail.plain(91_000 + i)
                mbox += [0x0A]
            }
            write(dir, spool + [0xFF, 0x2E, 0x6D, 0x62, 0x6F, 0x78], mbox)
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 50 * scale + 6)
            #expect(try scan.int("SELECT count(DISTINCT source_path) FROM messages") == 50 * scale + 4)
            let codes = try scan.diagnosticCodes()
            #expect(codes.isEmpty, "\(codes)")
            let root = (scan.store as NSString).deletingLastPathComponent + "/spool"
            let again = try HostileScan.run([root], store: scan.store)
            #expect(
                try again.int(
                    "SELECT messages_added + messages_updated + messages_removed FROM scans ORDER BY id DESC LIMIT 1")
                    == 0)
            // A client marks a Latin-1-named message as replied: the row follows the file.
            let old = Array(root.utf8) + Array("/Maildir/cur/1".utf8) + [0xE8] + Array(":2,S".utf8) + [0]
            let new = Array(root.utf8) + Array("/Maildir/cur/1".utf8) + [0xE8] + Array(":2,RS".utf8) + [0]
            let moved = old.withUnsafeBufferPointer { o in
                new.withUnsafeBufferPointer { n in
                    o.withMemoryRebound(to: CChar.self) { o in
                        n.withMemoryRebound(to: CChar.self) { n in rename(o.baseAddress!, n.baseAddress!) }
                    }
                }
            }
            #expect(moved == 0)
            let renamed = try HostileScan.run([root], store: scan.store)
            #expect(try renamed.int("SELECT messages_added FROM scans ORDER BY id DESC LIMIT 1") == 0)
            #expect(try renamed.int("SELECT messages_updated FROM scans ORDER BY id DESC LIMIT 1") == 1)
        }
    }

    @Test func fifosAndDevices() throws {
        let c = try HostileCase.run("special", args: ["--follow-symlinks"]) { dir, scale in
            dir.maildir("spool/Maildir")
            for i in 0..<(50 * scale) { dir.write("spool/Maildir/new/\(i).m", HostileMail.plain(i)) }
            let root = dir.path + "/spool"
            // A FIFO nobody writes to: opening it for reading without O_NONBLOCK would hang the scan forever.
            #expect(mkfifo(root + "/Maildir/new/fifo", 0o644) == 0)
            #expect(mkfifo(root + "/Maildir/cur/fifo:2,S", 0o644) == 0)
            #expect(mkfifo(root + "/inbox.mbox", 0o644) == 0)
            let fm = FileManager.default
            try fm.createSymbolicLink(atPath: root + "/zero.eml", withDestinationPath: "/dev/zero")
            try fm.createSymbolicLink(atPath: root + "/Maildir/cur/urandom:2,S", withDestinationPath: "/dev/urandom")
            try fm.createSymbolicLink(atPath: root + "/tty.mbox", withDestinationPath: "/dev/tty")
            // A device node of our own, where we may make one (root).
            _ = mknod(root + "/null.eml", S_IFCHR | 0o644, dev_t((1 << 8) | 3))
            // A Unix socket with nobody listening.
            let sock = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let path = Array((root + "/Maildir/new/sock").utf8CString)
            if path.count <= MemoryLayout.size(ofValue: addr.sun_path) {
                withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                    path.withUnsafeBytes { raw.copyMemory(from: $0) }
                }
                _ = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            close(sock)
            return [root]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 50 * scale)
        }
        try c.checkDiagnostics(["spool.special-file"])
    }

    @Test func aRootThatIsADeviceOrAFIFO() throws {
        let t = TempDirectory("hostile-root")
        #expect(mkfifo(t.path + "/fifo", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: t.path + "/zero", withDestinationPath: "/dev/zero")
        t.write("spool/a.eml", HostileMail.plain(1))
        let scan = try HostileScan.run(
            [t.path + "/fifo", t.path + "/zero", t.path + "/spool"], store: t.path + "/s.sqlite", timeout: 60)
        #expect(scan.result.finishedCleanly, "\(scan.result)")
        // The rest was scanned; the roots that could not be read are reported and the exit status says so.
        #expect(scan.result.status == 2, "\(scan.result)")
        #expect(scan.result.stderr.contains("not a regular file or directory"))
        #expect(try scan.int("SELECT count(*) FROM messages") == 1)
        #expect(try scan.diagnosticCodes()["spool.root"] == 2)
    }

    /// chmod 000 means nothing to root, so when the tests run as root the scan runs as `nobody` (setpriv).
    @Test func unreadableFilesAndDirectories() throws {
        let asRoot = geteuid() == 0
        guard !asRoot || Child.which("setpriv") != nil else { return }
        let wrapper = asRoot ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : []
        let c = try HostileCase.run("unreadable", wrapper: wrapper, status: 2) { dir, scale in
            let root = dir.path + "/spool"
            dir.maildir("spool/Maildir")
            for i in 0..<(40 * scale) { dir.write("spool/Maildir/cur/\(i).m:2,S", HostileMail.plain(i)) }
            let locked = [
                dir.write("spool/Maildir/cur/locked.m:2,S", HostileMail.plain(100_001)),
                dir.write("spool/eml/locked.eml", HostileMail.plain(100_002)),
                dir.write(
                    "spool/locked.mbox",
                    HostileMail.bytes("From a@b Tue Oct 14 09:15:02 2025\n") + HostileMail.plain(100_003)),
            ]
            dir.write("spool/closed/inside.eml", HostileMail.plain(100_004))
            for p in locked { chmod(p, 0) }
            chmod(root + "/closed", 0)
            // The store is made by the scan's user.
            chmod(dir.path, 0o777)
            return [root]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, dir, scale) in [(c.small, c.dirs[0], 1), (c.large, c.dirs[1], 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 40 * scale)
            #expect(try scan.diagnosticCodes()["spool.unreadable", default: 0] == 4)
            #expect(scan.result.stderr.contains("closed"), "\(scan.result)")
            // Permissions repaired: the next scan reads what it could not, the Maildir file included (its
            // directory's mtime did not change, so it must not have been remembered as done).
            for p in ["Maildir/cur/locked.m:2,S", "eml/locked.eml", "locked.mbox"] {
                chmod(dir.path + "/spool/" + p, 0o644)
            }
            chmod(dir.path + "/spool/closed", 0o755)
            let again = try HostileScan.run([dir.path + "/spool"], store: scan.store, wrapper: wrapper)
            #expect(again.result.status == 0, "\(again.result)")
            #expect(try again.int("SELECT count(*) FROM messages") == 40 * scale + 4)
        }
    }
}

/// gzip through the system's gzip (as a postmaster's logrotate makes them).
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let t = TempDirectory("gz")
    let path = t.write("x", bytes)
    let r = try Child.run(["/bin/gzip", "-n", "-f", path])
    guard r.status == 0 else { throw POSIXError(.EIO) }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}

/// `head` then `blankBytes` newlines, gzipped: one member for the head, then the same member of 1 MiB of newlines
/// (about 1 KiB compressed) over and over, as `cat a.gz b.gz` makes a valid gzip file.
func gzipBomb(head: [UInt8], blankBytes: Int, to path: String) throws {
    let block = try gzipped([UInt8](repeating: UInt8(ascii: "\n"), count: 1 << 20))
    var out = try gzipped(head)
    for _ in 0..<(blankBytes >> 20) { out += block }
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(out).write(to: URL(fileURLWithPath: path))
}

func gzip(_ bytes: [UInt8], to path: String) throws {
    let data = Data(try gzipped(bytes))
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: path))
}
