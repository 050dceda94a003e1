import Foundation
import TestSupport
import Testing

/// What messages carry, built to exhaust the readers of links and archives: nested and overlapping ZIP bombs, link
/// storms, HTML that never closes. Same checks as every case: a clean finish, linear time, bounded memory, the
/// damage as diagnostics.
@Suite(.serialized) struct AttachmentCaseTests {
    /// Runs a Python script (the standard library's zipfile writes the archives) with `args`.
    static func python(_ script: String, _ args: [String]) throws {
        let t = TempDirectory("py")
        let path = t.write("make.py", script)
        let r = try Child.run(["/usr/bin/env", "python3", path] + args, timeout: 120)
        guard r.status == 0 else { throw POSIXError(.EIO) }
    }

    /// A message whose one attachment is `zipPath`, base64-encoded.
    static func message(attaching zipPath: String, name: String, to out: String) throws {
        let zip = try Data(contentsOf: URL(fileURLWithPath: zipPath))
        var m = """
            From: bomb@example.org
            Subject: \(name)
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="Z"

            --Z
            Content-Type: text/plain

            see attached
            --Z
            Content-Type: application/zip; name="\(name)"
            Content-Disposition: attachment; filename="\(name)"
            Content-Transfer-Encoding: base64


            """
        m += zip.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        m += "\n--Z--\n"
        FileManager.default.createFile(atPath: out, contents: Data(m.utf8))
    }

    /// 42.zip, smaller: 16 archives of 16 members of `leaf` zero bytes each, deflated (1×: 8 MB a member, 2 GB in
    /// all; the archive itself is about 2 MB).
    static let nestedBomb = """
        import io, sys, zipfile
        leaf_size, out = int(sys.argv[1]), sys.argv[2]
        leaf = io.BytesIO()
        with zipfile.ZipFile(leaf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for i in range(16):
                info = zipfile.ZipInfo(f"{i}.bin")
                info.compress_type = zipfile.ZIP_DEFLATED
                with z.open(info, "w", force_zip64=True) as f:
                    block = bytes(1 << 20)
                    for _ in range(leaf_size >> 20):
                        f.write(block)
        inner = leaf.getvalue()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for i in range(16):
                z.writestr(f"lib{i}.zip", inner)
        """

    /// One deflated member and a central directory naming it again and again (`count` entries, all pointing at the
    /// same data), the overlapping-file bomb.
    static let overlappingBomb = """
        import struct, sys, zlib
        count, out = int(sys.argv[1]), sys.argv[2]
        data = zlib.compress(bytes(8 << 20), 9)[2:-4]
        crc = zlib.crc32(bytes(8 << 20))
        name = b"x.exe"
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), 8 << 20, len(name), 0)
        body = local + name + data
        central = b""
        for i in range(count):
            n = b"f%07d.exe" % i
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), 8 << 20,
                                   len(n), 0, 0, 0, 0, 0, 0) + n
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(central),
                          len(body), 0)
        open(out, "wb").write(body + central + end)
        """

    @Test func nestedZipBomb() throws {
        let c = try HostileCase.run("zip-bomb") { dir, scale in
            dir.mkdir("spool")
            try Self.python(Self.nestedBomb, ["\(8 * scale << 20)", dir.path + "/bomb.zip"])
            try Self.message(attaching: dir.path + "/bomb.zip", name: "invoice.zip", to: dir.path + "/spool/bomb.eml")
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + (64 << 20))
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT count(*) FROM attachments WHERE flags LIKE '%archive-bomb%'") == 1)
            #expect(try scan.int("SELECT count(*) FROM archive_members") > 0)
            #expect(try scan.int("SELECT count(*) FROM archive_members") <= 1_000)
        }
        try c.checkDiagnostics(["attachment.archive-bomb"])
    }

    @Test func overlappingZipBomb() throws {
        let c = try HostileCase.run("zip-overlap") { dir, scale in
            dir.mkdir("spool")
            try Self.python(Self.overlappingBomb, ["\(15_000 * scale)", dir.path + "/overlap.zip"])
            try Self.message(attaching: dir.path + "/overlap.zip", name: "o.zip", to: dir.path + "/spool/overlap.eml")
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + (64 << 20))
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT count(*) FROM archive_members") <= 1_000)
        }
        try c.checkDiagnostics(["attachment.archive-truncated"])
    }

    /// 100,000 URLs in a text body (25,000 at 1×), an HTML body of unclosed tags, endless attributes and a
    /// megabyte-long href, and a line of `http://` with no end.
    @Test func linkStorm() throws {
        let c = try HostileCase.run("link-storm") { dir, scale in
            var text = ""
            for i in 0..<(25_000 * scale) { text += "see http://host\(i).spam\(i % 97).example/path?\(i) now\n" }
            dir.write("spool/text.eml", HostileMail.plain(1, body: text))
            var html = "<html><body>"
            for i in 0..<(5_000 * scale) {
                html += "<a href=\"http://a\(i).example/\" title='<div><a href=x'><div><table><tr><td><!-- "
            }
            html += "<a href=\"http://" + String(repeating: "x", count: 250_000 * scale) + ".example/\">"
            html += String(repeating: "http://", count: 50_000 * scale)
            dir.write(
                "spool/html.eml",
                HostileMail.plain(2, body: html, extraHeaders: []).replacing(
                    Array("Content-Type: text/plain".utf8), with: Array("Content-Type: text/html".utf8)))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + (64 << 20))
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT max(n) FROM (SELECT count(*) AS n FROM links GROUP BY message_id)") <= 1_000)
            #expect(try scan.int("SELECT max(length(url)) FROM links") <= 2_048)
        }
        try c.checkDiagnostics(["links.limit"])
    }
}
