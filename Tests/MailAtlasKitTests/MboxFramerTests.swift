import Crypto
import Foundation
import MailAtlasKit
import TestSupport
import Testing

@Suite struct MboxFramerTests {
    /// Frames with every read size from tiny to large: the result must not depend on where refills fall.
    private func frame(_ text: String, maxMessageSize: Int = 50 << 20) throws -> [FramedMessage] {
        try frame(Array(text.utf8), maxMessageSize: maxMessageSize)
    }

    private func frame(_ bytes: [UInt8], maxMessageSize: Int = 50 << 20) throws -> [FramedMessage] {
        var reference: [FramedMessage]? = nil
        for chunk in [1 << 20, 7, 64, 4099] {
            let framer = MboxFramer(source: MemorySource(bytes, chunk: chunk), maxMessageSize: maxMessageSize)
            var out: [FramedMessage] = []
            while let m = try framer.next() { out.append(m) }
            if let reference {
                #expect(out.map(\.bytes.count) == reference.map(\.bytes.count), "chunk \(chunk)")
                #expect(out.map(\.bytes) == reference.map(\.bytes), "chunk \(chunk): bytes differ")
                #expect(out.map(\.offset) == reference.map(\.offset), "chunk \(chunk)")
            } else {
                reference = out
            }
        }
        return reference ?? []
    }

    private func texts(_ ms: [FramedMessage]) -> [String] { ms.map { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Found by the mbox fuzz target: a message larger than the limit kept a shorter head when a `From ` line that
    /// was still being judged (its next line not yet read) lay inside the head. The fixture is the fuzzer's input with
    /// its letters blanked: a 67,032-byte message with such a line just before 64 KiB.
    @Test func theHeadOfAnOversizedMessageDoesNotDependOnReadSizes() throws {
        let url = Corpus.packageRoot.appendingPathComponent(
            "Tests/AdversarialTests/Fixtures/fuzz/mbox/oversized-message-from-line-at-the-head-end")
        let bytes = Array([UInt8](try Data(contentsOf: url)).dropFirst())
        for chunk in [1, 4, 7, 4099] {
            let framer = MboxFramer(source: MemorySource(bytes, chunk: chunk), maxMessageSize: 65_636)
            let m = try #require(try framer.next())
            #expect(m.truncated && m.bytes.count == 64 * 1024, "chunk \(chunk): head of \(m.bytes.count) bytes")
            #expect(m.size == 67032)
        }
    }

    /// Found by the mbox fuzz target: while skipping bytes before the first message, a `From ` that began exactly
    /// where a read ended was taken for a message start though it was in mid-line.
    @Test func aFromInMidLineNeverStartsAMessageWhateverTheReadSizes() throws {
        let text =
            "junk>From a@b Tue Oct 14 09:15:02 2025\nSubject: no\n\n"
            + "From b@c Tue Oct 14 09:15:02 2025\nSubject: yes\n\nbody\n"
        for chunk in 1...48 {
            let framer = MboxFramer(source: MemorySource(Array(text.utf8), chunk: chunk))
            var subjects: [String] = []
            while let m = try framer.next() { subjects.append(String(decoding: m.bytes.prefix(12), as: UTF8.self)) }
            #expect(subjects == ["Subject: yes"], "chunk \(chunk)")
        }
    }

    @Test func splitsAndUnescapesMboxrd() throws {
        let a = MailFixture.message(subject: "one", body: "From the start\n>From quoted\nend\n")
        let b = MailFixture.message(subject: "two")
        let ms = try frame(MailFixture.mbox([a, b]))
        #expect(ms.count == 2)
        #expect(texts(ms) == [a, b])
        #expect(ms[0].offset == 0)
        #expect(!ms[0].usedContentLength)
    }

    @Test(arguments: ["\r\n", "\r"])
    func otherLineEndings(_ eol: String) throws {
        let a = MailFixture.message(subject: "one", eol: eol)
        let b = MailFixture.message(subject: "two", eol: eol)
        let ms = try frame(MailFixture.mbox([a, b], escape: false, eol: eol))
        #expect(texts(ms) == [a, b])
    }

    @Test func byteOrderMarkBeforeTheFirstMessage() throws {
        let a = MailFixture.message(subject: "bom")
        let ms = try frame([0xEF, 0xBB, 0xBF] + Array(MailFixture.mbox([a]).utf8))
        #expect(texts(ms) == [a])
        #expect(ms[0].offset == 3)
    }

    @Test func consistentContentLengthKeepsUnescapedFromLines() throws {
        // mboxcl2: bodies are not escaped; Content-Length says where the message ends.
        let body = "line\nFrom attacker@example.com Tue Oct 14 09:15:02 2025\nSubject: not a new message\n\nend\n"
        let head =
            "From a@example.org Tue Oct 14 09:15:02 2025\nFrom: a@example.org\nSubject: cl\nContent-Length: \(body.utf8.count)\n\n"
        let second = "From b@example.org Tue Oct 14 09:16:02 2025\nFrom: b@example.org\nSubject: two\n\nbye\n"
        let ms = try frame(head + body + "\n" + second)
        #expect(ms.count == 2)
        #expect(ms[0].usedContentLength)
        #expect(texts(ms)[0].hasSuffix(body))
        #expect(texts(ms)[1].contains("Subject: two"))
    }

    @Test func inconsistentContentLengthIsIgnored() throws {
        let first =
            "From a@example.org Tue Oct 14 09:15:02 2025\nFrom: a@example.org\nContent-Length: 3\n\nlonger body\n\n"
        let second = "From b@example.org Tue Oct 14 09:16:02 2025\nFrom: b@example.org\n\nbye\n"
        let ms = try frame(first + second)
        #expect(ms.count == 2)
        #expect(!ms[0].usedContentLength)
        #expect(texts(ms)[0].hasSuffix("longer body\n"))
    }

    @Test func proseFromLinesDoNotSplit() throws {
        let body = "Hello\n\nFrom the desk of the director: nothing.\n\nFrom 9:00 to 17:00 we are open.\n"
        let ms = try frame(MailFixture.mbox([MailFixture.message(body: body)], escape: false))
        #expect(ms.count == 1)
        #expect(texts(ms)[0].hasSuffix(body))
    }

    @Test func envelopeLineAfterBlankLineSplitsEvenWithoutHeaderAfterIt() throws {
        let text = "From a@x Tue Oct 14 09:15:02 2025\nFrom: a@x\n\nbody\n\nFrom b@x Tue Oct 14 09:16:02 2025\n\nodd\n"
        #expect(try frame(text).count == 2)
    }

    @Test func bareFromDashLinesFollowedByHeadersSplit() throws {
        // Thunderbird-style "From - " lines without a blank line before them.
        let text = "From - \nFrom: a@x\nSubject: one\n\nbody one\nFrom - \nFrom: b@x\nSubject: two\n\nbody two\n"
        let ms = try frame(text)
        #expect(ms.count == 2)
        #expect(texts(ms)[0].hasSuffix("body one\n"))
    }

    /// A body line `From Russia with love` followed by `Year: 1963`, in a file whose writer does not escape `From `
    /// lines (mboxo as most programs write it): not a message start. It has no envelope date and no real header
    /// block after it; Python's `mailbox` and GMime split there.
    @Test func aFromLineFollowedByAHeaderLikeLineInAnUnescapedFileDoesNotSplit() throws {
        let body = "Films:\n\nFrom Russia with love\nYear: 1963\nDirector: Terence Young\n\nA classic.\n"
        let a = MailFixture.message(subject: "films", body: body)
        let b = MailFixture.message(subject: "two")
        let ms = try frame(MailFixture.mbox([a, b], escape: false))
        #expect(texts(ms) == [a, b])
        // At the very end of the stream too, and with only one line after it.
        let c = MailFixture.message(subject: "end", body: "Best,\nFrom Russia with love\nYear: 1963\n")
        #expect(texts(try frame(MailFixture.mbox([b, c], escape: false))) == [b, c])
    }

    /// In a file shown to be escaped (a `>From ` line in an earlier message), an unescaped `From ` line followed by
    /// a field is a message start whatever else it looks like: its writer would have escaped a body line.
    @Test func inAnEscapedFileAFromLineFollowedByAFieldSplits() throws {
        let a = MailFixture.message(subject: "one", body: "quoted:\nFrom the archive\n")
        let b = MailFixture.message(subject: "two")
        let odd = "From Russia with love\nYear: 1963\n\nodd message\n"
        let ms = try frame(MailFixture.mbox([a, b]) + odd)
        #expect(ms.count == 3)
        #expect(texts(ms)[2] == "Year: 1963\n\nodd message\n")
        // The same without the escaped line: the odd line belongs to the message before it.
        #expect(try frame(MailFixture.mbox([b, b]) + odd).count == 2)
    }

    /// A message start without an envelope date (`From - `, `From MAILER-DAEMON`) still splits when a real header
    /// block follows: two fields or more, one of them a field messages carry.
    @Test func anEnvelopeWithoutDateFollowedByARealHeaderBlockSplits() throws {
        let text =
            "From a@x Tue Oct 14 09:15:02 2025\nFrom: a@x\nSubject: one\n\nbody one\n\n"
            + "From MAILER-DAEMON\nX-Mozilla-Status: 0001\nReturn-Path: <>\nSubject: two\n\nbody two\n"
        let ms = try frame(text)
        #expect(ms.count == 2)
        #expect(texts(ms)[0].hasSuffix("body one\n"))
    }

    @Test func preambleIsSkippedAndCounted() throws {
        let text = "This is a preamble.\n" + MailFixture.mbox([MailFixture.message()])
        let framer = MboxFramer(source: MemorySource(Array(text.utf8)))
        var n = 0
        while try framer.next() != nil { n += 1 }
        #expect(n == 1)
        #expect(framer.skippedBytes == 20)
    }

    @Test func lastMessageWithoutFinalNewline() throws {
        let ms = try frame("From a@x Tue Oct 14 09:15:02 2025\nFrom: a@x\n\nno newline")
        #expect(texts(ms) == ["From: a@x\n\nno newline"])
    }

    @Test func oversizedMessageIsHashedWhole() throws {
        let big = MailFixture.message(body: String(repeating: "0123456789abcdef\n", count: 40_000))
        let small = MailFixture.message(subject: "after")
        let ms = try frame(MailFixture.mbox([big, small]), maxMessageSize: 64 * 1024)
        #expect(ms.count == 2)
        #expect(ms[0].truncated)
        #expect(ms[0].size == big.utf8.count)
        let expected = SHA256.hash(data: Array(big.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(ms[0].streamedSHA256 == expected)
        #expect(ms[0].bytes.count < big.utf8.count)
        #expect(String(decoding: ms[0].bytes, as: UTF8.self).hasPrefix("From: Alice"))
        #expect(texts(ms)[1] == small)
        #expect(!ms[1].truncated)
    }

    @Test func offsetsPointAtEnvelopeLines() throws {
        let text = MailFixture.mbox([MailFixture.message(subject: "a"), MailFixture.message(subject: "b")])
        let ms = try frame(text)
        let bytes = Array(text.utf8)
        for m in ms {
            #expect(Array(bytes[Int(m.offset)..<Int(m.offset) + 5]) == Array("From ".utf8))
        }
        #expect(ms.last?.endOffset == Int64(bytes.count))
    }
}
