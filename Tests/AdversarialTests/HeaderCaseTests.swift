import Foundation
import GRDB
import TestSupport
import Testing

/// Messages whose headers were written to break the reader: each case is scanned at 1× and 4× by the built binary,
/// finishes cleanly in time linear in its size and in bounded memory, and leaves its damage as diagnostics rows.
@Suite(.serialized) struct HeaderCaseTests {
    @Test func truncatedMessages() throws {
        let c = try HostileCase.run("truncated") { dir, scale in
            dir.maildir("spool/Maildir")
            var rng = SplitMix64(seed: 1)
            for i in 0..<(150 * scale) {
                let m = HostileMail.truncated(i, cut: Int(rng.next() % 4096), crlf: i % 3 == 0)
                dir.write("spool/Maildir/cur/\(1000 + i).M\(i).host:2,S", m)
            }
            // An mbox whose last message stops mid-line, and one cut inside its first envelope line.
            var mbox: [UInt8] = []
            for i in 0..<(40 * scale) {
                mbox += HostileMail.bytes("From s\(i)@example.org Tue Oct 14 09:15:02 2025\n") + HostileMail.plain(i)
                mbox += HostileMail.bytes("\n")
            }
            dir.write("spool/cut.mbox", Array(mbox.dropLast(37)))
            dir.write("spool/fro.mbox", HostileMail.bytes("Fro"))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            // Every file is accounted for: stored as mail, or recorded as not mail.
            #expect(try scan.int("SELECT count(*) FROM files") == 150 * scale + 2)
            #expect(try scan.int("SELECT count(*) FROM messages WHERE source_path LIKE '%cut.mbox'") == 40 * scale)
        }
        // A Maildir file cut inside its first field name is still stored (its place says it is a message), noted.
        try c.checkDiagnostics(["spool.odd-head", "header.truncated"])
    }

    @Test func nulBytes() throws {
        let c = try HostileCase.run("nul") { dir, scale in
            dir.maildir("spool/Maildir")
            for i in 0..<(200 * scale) { dir.write("spool/Maildir/new/\(i).nul", HostileMail.withNULs(i)) }
            // A file of NULs with a message name, and a message after a NUL preamble.
            for i in 0..<scale {
                dir.write("spool/eml/zeros\(i).eml", [UInt8](repeating: 0, count: 65_536))
                dir.write("spool/Maildir/cur/\(i).zeros:2,", [UInt8](repeating: 0, count: 4096) + HostileMail.plain(i))
            }
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages WHERE subject LIKE 'nul%'") == 200 * scale)
            #expect(try scan.int("SELECT count(*) FROM files WHERE kind = 'not-mail'") == 2 * scale)
        }
        // The Maildir file that is not a message is reported; the .eml of zeros is only not mail.
        try c.checkDiagnostics(["spool.not-mail", "header.nul"])
    }

    @Test func tenMegabyteHeaderLine() throws {
        let c = try HostileCase.run("long-line") { dir, scale in
            dir.write("spool/a/subject.eml", HostileMail.longHeaderLine(size: 2_500_000 * scale))
            // The long line first, under a name no other text file would use: a message all the same.
            var first = HostileMail.bytes("X-Junk: ")
            first.append(contentsOf: repeatElement(UInt8(ascii: "j"), count: 2_500_000 * scale))
            dir.write("spool/b/junk-first.eml", first + HostileMail.bytes("\n") + HostileMail.plain(1))
            dir.maildir("spool/Maildir")
            dir.write("spool/Maildir/cur/1.long:2,S", first + HostileMail.bytes("\n") + HostileMail.plain(2))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + 12 * (10 << 20))
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 3)
            #expect(try scan.int("SELECT max(length(subject)) FROM messages") <= 4096)
        }
        try c.checkDiagnostics(["header.long-field", "header.subject-long"])
    }

    @Test func hundredThousandHeaderFields() throws {
        let c = try HostileCase.run("fields") { dir, scale in
            dir.write("spool/many.eml", HostileMail.manyFields(25_000 * scale))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 1)
            #expect(try scan.int("SELECT count(*) FROM received_hops") <= 100)
        }
        try c.checkDiagnostics(["header.field-limit", "received.hop-limit"])
    }

    @Test func invalidUTF8AndMislabeledCharsets() throws {
        let c = try HostileCase.run("charsets") { dir, scale in
            dir.maildir("spool/Maildir")
            for i in 0..<(200 * scale) { dir.write("spool/Maildir/cur/\(i).cs:2,", HostileMail.badCharsets(i)) }
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 200 * scale)
            // Every text value in the store is valid UTF-8 (SQLite would hand back whatever bytes it was given).
            for column in ["subject", "from_addr", "from_name", "message_id"] {
                for row in try scan.rows("SELECT hex(\(column)) FROM messages WHERE \(column) IS NOT NULL") {
                    let hex: String = row[0]
                    let bytes = HeaderCaseTests.unhex(hex)
                    #expect(String(validating: bytes, as: UTF8.self) != nil, "\(column) not UTF-8: \(hex.prefix(80))")
                }
            }
        }
    }

    @Test func malformedReceivedHeaders() throws {
        let c = try HostileCase.run("received") { dir, scale in
            dir.maildir("spool/Maildir")
            let values = HostileMail.malformedReceived
            for i in 0..<(30 * scale) {
                // Each message carries every malformed value, rotated so each also comes first (the origin hop).
                let rotated = Array(values[(i % values.count)...] + values[..<(i % values.count)])
                dir.write("spool/Maildir/cur/\(i).rcv:2,", HostileMail.withReceived(rotated, i))
            }
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for (scan, scale) in [(c.small, 1), (c.large, 4)] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 30 * scale)
            #expect(try scan.int("SELECT count(DISTINCT message_id) FROM received_hops") == 30 * scale)
        }
        try c.checkDiagnostics(["received.unreadable", "received.truncated", "received.bad-date"])
    }

    @Test func boundaryStorm() throws {
        let c = try HostileCase.run("boundary-storm") { dir, scale in
            dir.write("spool/storm.eml", HostileMail.boundaryStorm(nearMisses: 40_000 * scale, parts: 8))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + 8 * (12 << 20))
        for scan in [c.small, c.large] { #expect(try scan.int("SELECT count(*) FROM messages") == 1) }
    }

    /// 10,000-deep multipart nesting at 4×, and as deep a chain of attached messages.
    @Test func deepMultipartNesting() throws {
        let c = try HostileCase.run("deep-nesting") { dir, scale in
            dir.write("spool/deep.eml", HostileMail.deepNesting(depth: 2_500 * scale))
            dir.write("spool/rfc822.eml", HostileMail.deepRFC822(depth: 2_500 * scale))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT count(*) FROM messages") == 2)
            #expect(
                try scan.int("SELECT count(DISTINCT source_path) FROM diagnostics WHERE code = 'mime.depth-limit'") == 2
            )
        }
    }

    /// Attached messages nested 100 deep around 8 MB (32 MB at 4×): memory stays near the message size, however
    /// deep the chain. An attached message keeps only its head as payload, so the chain no longer fills the 64 MiB
    /// of decoded content a message may keep (it held a copy of the rest of the message at every level).
    @Test func attachmentChainMemory() throws {
        let c = try HostileCase.run("attachment-chain") { dir, scale in
            dir.write("spool/chain.eml", HostileMail.attachmentChain(depth: 100, size: 8_000_000 * scale))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory + 3 * 32_000_000)
        try c.checkDiagnostics(["mime.depth-limit"])
    }

    @Test func partStorm() throws {
        let c = try HostileCase.run("part-storm") { dir, scale in
            dir.write("spool/parts.eml", HostileMail.partStorm(parts: 5_000 * scale))
            return [dir.path + "/spool"]
        }
        try c.checkLinear()
        c.checkMemory(atMost: baseMemory)
        for scan in [c.small, c.large] {
            #expect(try scan.int("SELECT count(*) FROM attachments") < 1_000)
        }
        try c.checkDiagnostics(["mime.part-limit"])
    }

    static func unhex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            func v(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
            out.append(v(a) << 4 | v(b))
        }
        return out
    }
}
