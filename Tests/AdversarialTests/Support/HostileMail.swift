import Foundation

/// A small deterministic PRNG (SplitMix64), so every generated spool is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Messages written by an adversary: each builder takes a scale so a test can compare 1× and 4× inputs.
enum HostileMail {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A plausible spam message with a Received chain, modeled on what reaches a real MX.
    static func plain(_ i: Int, subject: String? = nil, body: String? = nil, extraHeaders: [String] = []) -> [UInt8] {
        var lines = [
            "Return-Path: <bounce\(i)@sender.example>",
            "Received: from mx.sender.example (mx.sender.example [198.51.100.\(i % 250 + 1)])",
            "\tby mx1.example.net (Postfix) with ESMTP id 4B\(i)XYZ",
            "\tfor <user@example.net>; Tue, 14 Oct 2025 09:15:02 +0200",
            "From: \"Sender \(i)\" <sender\(i)@sender.example>",
            "To: user@example.net",
            "Subject: \(subject ?? "offer number \(i)")",
            "Date: Tue, 14 Oct 2025 09:15:02 +0200",
            "Message-ID: <\(i).hostile@sender.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
        ]
        lines.append(contentsOf: extraHeaders)
        return bytes(lines.joined(separator: "\n") + "\n\n" + (body ?? "Buy now at http://spam\(i).example/\n"))
    }

    // MARK: Truncation and NUL bytes

    /// A message cut at `cut` bytes (wherever that lands: a field name, a CRLF, the separator, the body).
    static func truncated(_ i: Int, cut: Int, crlf: Bool) -> [UInt8] {
        var m = plain(i, body: String(repeating: "line of body text \(i)\n", count: 20))
        if crlf { m = Array(String(decoding: m, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8) }
        return Array(m.prefix(max(1, cut % m.count)))
    }

    /// NUL bytes in header names, values and the body.
    static func withNULs(_ i: Int) -> [UInt8] {
        var m = bytes("Received: from a\0b (c [203.0.113.\(i % 250 + 1)]\0) by mx\0.example.net; \0Tue, 14 Oct 2025\n")
        m += bytes("Subject: nul\0in\0subject \(i)\n")
        m += bytes("From: nul\0@example.org\nX-\0Name: v\nMessage-ID: <\0\(i)@x>\n\n")
        m += [UInt8](repeating: 0, count: 512) + bytes("\nbody\0text\n")
        return m
    }

    // MARK: Huge headers

    /// One header line of `size` bytes (no folding), then a normal header and body.
    static func longHeaderLine(size: Int, name: String = "Subject") -> [UInt8] {
        var m = bytes(
            "From: a@example.org\nReceived: from x ([192.0.2.1]) by mx.example.net; Tue, 14 Oct 2025 09:15:02 +0200\n")
        m += bytes("\(name): ")
        m.append(contentsOf: repeatElement(UInt8(ascii: "A"), count: size))
        m += bytes("\nTo: b@example.net\n\nbody\n")
        return m
    }

    /// `count` header fields (a mix of names, Received among them), then a body.
    static func manyFields(_ count: Int) -> [UInt8] {
        var m: [UInt8] = []
        m.reserveCapacity(count * 40)
        m += bytes("From: a@example.org\n")
        for k in 0..<count {
            switch k % 4 {
            case 0: m += bytes("X-Field-\(k): value \(k)\n")
            case 1: m += bytes("Received: from h\(k) ([10.\(k % 250).0.1]) by mx; Tue, 14 Oct 2025 09:15:02 +0200\n")
            case 2: m += bytes("Comments: \(k)\n\tfolded \(k)\n")
            default: m += bytes("Subject: s\(k)\n")
            }
        }
        m += bytes("\nbody\n")
        return m
    }

    // MARK: mbox traps

    /// An mbox of `messages` messages whose bodies have a `From ` line on every line, half of them looking exactly
    /// like envelope lines after a blank line (which no reader can tell from a real separator).
    static func fromInEveryBody(messages: Int, linesPerBody: Int) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<messages {
            out += bytes("From sender\(i)@example.org Tue Oct 14 09:15:02 2025\n")
            var body = ""
            for k in 0..<linesPerBody {
                switch k % 4 {
                case 0: body += "From the desk of Mr. \(k)\n"
                case 1: body += "From \n"
                case 2: body += "\nFrom x@y Mon Jan  1 00:00:00 2024\n"
                default: body += "From: not a header \(k)\n"
                }
            }
            out += plain(i, body: body)
            out += bytes("\n")
        }
        return out
    }

    // MARK: MIME traps

    /// A multipart message whose body is a storm of near-miss boundary lines (`--` + the boundary minus its last
    /// character), the input that makes a naive boundary search quadratic, and `parts` real parts.
    static func boundaryStorm(nearMisses: Int, parts: Int) -> [UInt8] {
        let boundary = String(repeating: "=_b", count: 23)
        var m = bytes(
            "From: a@example.org\nSubject: storm\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"\(boundary)\"\n\n"
        )
        let miss = bytes("--" + boundary.dropLast() + "\n")
        let prefixOnly = bytes("--" + boundary.prefix(40) + "-" + boundary.prefix(10) + "\n")
        for p in 0..<parts {
            m += bytes("--\(boundary)\nContent-Type: text/plain\n\n")
            for k in 0..<(nearMisses / max(1, parts)) { m += k % 2 == 0 ? miss : prefixOnly }
            m += bytes("part \(p) http://storm\(p).example/\n")
        }
        m += bytes("--\(boundary)--\n")
        return m
    }

    /// `depth` nested multiparts, each with its own boundary, never closed.
    static func deepNesting(depth: Int) -> [UInt8] {
        var m = bytes("From: a@example.org\nSubject: deep\nMIME-Version: 1.0\n")
        for d in 0..<depth {
            m += bytes("Content-Type: multipart/mixed; boundary=\"b\(d)\"\n\n--b\(d)\n")
        }
        m += bytes("Content-Type: text/plain\n\nbottom http://deep.example/\n")
        return m
    }

    /// `depth` messages each attached inside the one before (`message/rfc822` all the way down).
    static func deepRFC822(depth: Int) -> [UInt8] {
        var m = bytes("From: a@example.org\nSubject: rfc822 nesting\nMIME-Version: 1.0\n")
        for d in 0..<depth {
            m += bytes(
                "Content-Type: message/rfc822\n\nFrom: b\(d)@example.org\nSubject: inner \(d)\nMIME-Version: 1.0\n")
        }
        m += bytes("Content-Type: text/plain\n\ninnermost\n")
        return m
    }

    /// `depth` attached messages around a text part of `size` bytes: every level is an attachment as large as the
    /// whole message, so a parser that copies per level holds depth × size.
    static func attachmentChain(depth: Int, size: Int) -> [UInt8] {
        var m = bytes("From: a@example.org\nSubject: chain\nMIME-Version: 1.0\n")
        for d in 0..<depth {
            m += bytes(
                "Content-Type: message/rfc822\n\nFrom: b\(d)@example.org\nSubject: inner \(d)\nMIME-Version: 1.0\n")
        }
        m += bytes("Content-Type: text/plain\n\n")
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 999) + [0x0A]
        m.reserveCapacity(m.count + size)
        for _ in 0..<(size / 1000) { m += line }
        return m
    }

    /// One multipart with `parts` tiny attachments, each a program by its first bytes.
    static func partStorm(parts: Int) -> [UInt8] {
        var m = bytes(
            "From: a@example.org\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"P\"\n\n")
        for i in 0..<parts {
            m += bytes("--P\nContent-Type: application/octet-stream; name=\"f\(i).exe\"\n")
            m += bytes("Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n")
        }
        m += bytes("--P--\n")
        return m
    }

    /// Writes a message with one base64 attachment of `size` bytes (about), streaming to `path` in bounded memory.
    static func writeBase64Message(to path: String, payloadSize: Int, mboxEnvelope: Bool) throws {
        guard
            let out = FileHandle(forWritingAtPath: path)
                ?? {
                    FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }()
        else { throw CocoaError(.fileWriteUnknown) }
        defer { try? out.close() }
        var head = mboxEnvelope ? "From sender@example.org Tue Oct 14 09:15:02 2025\n" : ""
        head += """
            From: a@example.org
            Subject: big attachment
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="BIG"

            --BIG
            Content-Type: text/plain

            see attached http://big.example/
            --BIG
            Content-Type: application/octet-stream; name="big.bin"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="big.bin"


            """
        out.write(Data(head.utf8))
        // 76-character lines of a rotating alphabet (not all 'A': that would be trivially compressible by chance).
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var block: [UInt8] = []
        block.reserveCapacity(77 * 13_000)
        for line in 0..<13_000 {
            for k in 0..<76 { block.append(alphabet[(line * 7 + k * 13) % 64]) }
            block.append(0x0A)
        }
        let blockData = Data(block)
        var written = 0
        while written < payloadSize {
            out.write(blockData)
            written += blockData.count
        }
        out.write(Data("--BIG--\n".utf8))
    }

    // MARK: Charsets

    /// Invalid UTF-8 and mislabeled charsets in every header and in encoded words.
    static func badCharsets(_ i: Int) -> [UInt8] {
        var m: [UInt8] = []
        m += bytes("From: ") + [0xC3, 0x28, 0xA0, 0xA1] + bytes(" <x\(i)@") + [0xE2, 0x82] + bytes(".example>\n")
        m += bytes("Subject: ") + [0xF0, 0x28, 0x8C, 0xBC, 0xED, 0xA0, 0x80, 0xC0, 0xAF, 0xFE, 0xFF] + bytes(" \(i)\n")
        m += bytes("Subject: =?utf-8?B?") + bytes("/w==") + bytes("?= =?x-unknown-\(i)?Q?=FF=FE?=\n")
        m += bytes("Comments: =?utf-16?B?SGVsbG8=?= =?iso-2022-jp?B?GyRCJEYbKEI?= =?utf-8?Q?=E2=82?=\n")
        m += bytes("Message-ID: <") + [0xFF, 0xFE, 0x00, 0x41] + bytes("\(i)@x>\n")
        m += bytes("Date: ") + [0xD0, 0x9F] + bytes(", 14 Oct 2025 09:15:02 +0200\n")
        m += bytes("Content-Type: text/plain; charset=utf-16\n\n") + [0xC3, 0x28, 0x41, 0x00, 0x0A]
        return m
    }

    // MARK: Received

    /// Received values that break every assumption a reader makes.
    static let malformedReceived: [[UInt8]] = {
        var v: [[UInt8]] = [
            [],
            bytes(";"),
            bytes(";;;;;;;;;;"),
            bytes("from"),
            bytes("from from from from by by by with with id id for for"),
            bytes("from ("),
            bytes("from )))))))))) by ((((((((("),
            bytes(String(repeating: "(", count: 20_000)),
            bytes(String(repeating: "(a", count: 5_000) + String(repeating: ")", count: 5_000)),
            bytes(String(repeating: "[", count: 20_000)),
            bytes(String(repeating: "<", count: 20_000)),
            bytes(String(repeating: "\\", count: 20_001)),
            bytes("from [" + String(repeating: "1", count: 5_000) + "]"),
            bytes("from [IPv6:" + String(repeating: "ffff:", count: 2_000) + "] by x"),
            bytes("from x ([1.2.3.4]:" + String(repeating: "9", count: 100) + ") by y"),
            bytes("from 1.2.3.4." + String(repeating: "9", count: 100) + " by y"),
            bytes("from x (HELO " + String(repeating: "x", count: 10_000) + ") by y"),
            bytes("from x (y [999.999.999.999]) by z; Tue, 99 Foo 99999999999 99:99:99 +9999"),
            bytes("by x; " + String(repeating: "9", count: 400) + " Oct 2025 09:15:02 +0200"),
            bytes("by x; Tue, 14 Oct -2025 -09:-15:-02 -9999"),
            bytes("by x; 14 Oct 2025 09:15:02 +0200 (" + String(repeating: "CEST ", count: 2_000) + ")"),
            bytes("from x by y with " + String(repeating: "ESMTPSA", count: 2_000)),
            bytes(
                "from x by y id " + String(repeating: "I", count: 50_000) + " for <"
                    + String(repeating: "a", count: 3_000)),
            bytes(
                "from x (y [1.2.3.4]) by z (q [5.6.7.8]) via v with w id i for <f@g>; Tue, 14 Oct 2025 09:15:02 +0200 (CEST)"
            ),
            bytes("from \u{202E}evil\u{200B}.example (\u{0430}\u{0440}\u{0440}le.com [1.2.3.4]) by mx"),
            bytes("from x ([::ffff:1.2.3.4]) by y; Tue, 14 Oct 2025 09:15:02 +0200"),
            bytes("from x ([fe80::1%eth0]) by y"),
            bytes("from x ([1.2.3.4/32]) by y"),
            bytes("from x ([0x7f.1]) by y"),
            bytes("from x ([017700000001]) by y"),
            bytes("from x (helo=" + String(repeating: "=", count: 5_000) + ") by y"),
            bytes("from x ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("),
            [0xFF, 0xFE, 0x00, 0x28, 0x5B, 0x00, 0x3B],
        ]
        var rng = SplitMix64(seed: 9)
        let alphabet = Array("()[]<>;:=\\ \t.fromby with id for".utf8)
        for n in [1, 2, 3, 17, 255, 256, 257, 4_000] {
            v.append((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
        return v
    }()

    /// A message whose Received headers are `values`, folded across lines where they are long.
    static func withReceived(_ values: [[UInt8]], _ i: Int) -> [UInt8] {
        var m: [UInt8] = []
        for v in values {
            m += bytes("Received: ")
            var col = 0
            for c in v {
                if c == 0x0A || c == 0x0D { continue }
                m.append(c)
                col += 1
                if col >= 900 && (c == 0x20) {
                    m += bytes("\n\t")
                    col = 0
                }
            }
            m += bytes("\n")
        }
        m += bytes("From: r\(i)@example.org\nSubject: received \(i)\nMessage-ID: <r\(i)@x>\n\nbody\n")
        return m
    }
}
