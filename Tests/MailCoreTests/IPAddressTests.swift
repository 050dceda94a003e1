import MailCore
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("39.33.27.49", "39.33.27.49"),
        ("[10.0.0.1]", "10.0.0.1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("IPv6:2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::", "::"),
        ("::1", "::1"),
        ("2603:10a6:20b:3d0::5", "2603:10a6:20b:3d0::5"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("64:ff9b::1.2.3.4", "64:ff9b::102:304"),
    ])
    func parsesAndFormats(_ input: String, _ expected: String) {
        #expect(IPAddress(input)?.description == expected)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4a", "01234.1.1.1", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "12345::", ":1:2", "1:2:", "gggg::", "1.2.3.4::", "::ffff:1.2.3", String(repeating: "1", count: 100),
    ])
    func rejects(_ input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test(arguments: [
        ("8.8.8.8", IPAddress.Scope.public), ("10.1.2.3", .private), ("172.31.0.1", .private),
        ("172.32.0.1", .public), ("192.168.1.1", .private), ("127.0.0.1", .loopback), ("100.64.0.1", .sharedCGNAT),
        ("169.254.1.1", .linkLocal), ("192.0.2.7", .documentation), ("203.0.113.9", .documentation),
        ("0.0.0.0", .unspecified), ("255.255.255.255", .broadcast), ("224.0.0.1", .multicast),
        ("240.0.0.1", .reserved), ("2001:db8::5", .documentation), ("3fff:1::1", .documentation),
        ("fd00::1", .uniqueLocal),
        ("fe80::1", .linkLocal), ("::1", .loopback), ("2a00:1450::1", .public), ("2603:10a6::1", .public),
        ("ff02::1", .multicast), ("::ffff:10.0.0.1", .private),
    ])
    func classifies(_ input: String, _ scope: IPAddress.Scope) {
        #expect(IPAddress(input)?.scope == scope)
    }

    @Test func ordersIPv4BeforeIPv6() {
        #expect(IPAddress("255.255.255.255")! < IPAddress("2000::")!)
        #expect(IPAddress("1.2.3.4")! < IPAddress("1.2.3.5")!)
    }
}
