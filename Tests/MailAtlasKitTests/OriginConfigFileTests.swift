import MailAtlasKit
import Testing

@Suite struct OriginConfigFileTests {
    @Test func blankLinesAndCommentsAreSkipped() throws {
        let config = try OriginConfigFile.parse(
            "# mailatlas origin settings\n\ninternal-networks = 192.0.2.0/24, 2001:db8:10::/48\n\n   \ntrust-list-servers = no\n"
        )
        #expect(config.internalNetworks.map(\.description) == ["192.0.2.0/24", "2001:db8:10::/48"])
        #expect(!config.trustListServers)
    }

    @Test func theStoredTextReadsBackAsTheSameSettings() throws {
        var config = OriginConfig(trustListServers: false)
        config.internalNetworks = OriginConfig.networks("10.1.0.0/16, 2001:db8::/32").networks
        config.trustedNetworks = OriginConfig.networks("198.51.100.7").networks
        #expect(try OriginConfigFile.parse(OriginConfigFile.text(config)) == config)
        #expect(try OriginConfigFile.parse(OriginConfigFile.text(OriginConfig())) == OriginConfig())
    }

    @Test func mistakesNameTheirLine() {
        do {
            _ = try OriginConfigFile.parse("trust-list-servers = true\ncolour = blue\n")
            Issue.record("an unknown setting was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.message == "unknown setting colour")
        }
    }
}
