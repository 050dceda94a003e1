import Testing

@testable import MailCore

/// The byte lookups of the Public Suffix List (`matchASCII`, `isKnownTLD(bytes:)`) against the reading over
/// `String`s they replace, for every rule of the embedded list under several prefixes and for malformed names.
@Suite struct PublicSuffixLookupTests {
    let psl = PublicSuffixList.embedded

    @Test func byteLookupsAgreeWithStrings() {
        var hosts: [String] = ["", ".", "..", "a..b", ".com", "com.", "a.b.c", "localhost", "xn--p1ai", "a.xn--p1ai"]
        for rule in psl.rules.keys {
            hosts += [rule, "a." + rule, "www.b." + rule, "x.y.z." + rule, rule + ".example", "-." + rule]
        }
        var disagreements = 0
        for host in hosts {
            if psl.match(host: host) != psl.matchAny(host: host) { disagreements += 1 }
            let label = host.split(separator: ".").last.map(String.init) ?? host
            let viaBytes = Array(label.utf8).withUnsafeBufferPointer { psl.isKnownTLD(bytes: $0) }
            let viaString = psl.rules[label].map { !$0.isDisjoint(with: [.normal, .wildcard]) } ?? false
            if viaBytes != viaString { disagreements += 1 }
        }
        #expect(disagreements == 0)
        #expect(hosts.count > 50_000)
    }

    @Test func nonASCIIHostsTakeTheStringPath() {
        #expect(psl.match(host: "пример.рф") == psl.matchAny(host: "пример.рф"))
        #expect(psl.match(host: "a.\u{212A}") == psl.matchAny(host: "a.\u{212A}"))
    }
}
