import MailAtlasKit
import MailCore
import Testing

/// A Subject longer than any mail client writes is reported as such, not as a body too long for link extraction.
@Suite struct LongSubjectTests {
    func analyze(subject: String, maxBodyBytes: Int = 8 << 20) -> MessageFacts {
        let message = "From: a@x.test\nSubject: " + subject + "\nTo: b@x.test\n\nbody\n"
        let options = MessageAnalyzer.Options(links: LinkExtractorOptions(maxBodyBytes: maxBodyBytes))
        return MessageAnalyzer(options: options).analyze(Array(message.utf8))
    }

    @Test func aLongSubjectHasItsOwnDiagnostic() {
        let subject = "Win at http://prize.example/now " + String(repeating: "A", count: 100_000)
        let facts = analyze(subject: subject, maxBodyBytes: 64 * 1024)
        let codes = facts.diagnostics.map(\.code)
        #expect(codes.contains("header.subject-long"))
        #expect(!codes.contains("links.body-limit"))
        #expect(facts.links.map(\.host) == ["prize.example"])
        #expect(facts.subject?.utf8.count == 4096)
    }

    @Test func aSubjectThatIsStoredWholeRaisesNothing() {
        let facts = analyze(subject: String(repeating: "word ", count: 800))
        #expect(!facts.diagnostics.contains { $0.code == "header.subject-long" })
    }
}
