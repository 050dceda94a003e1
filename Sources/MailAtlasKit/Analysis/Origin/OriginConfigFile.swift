/// Reads the origin settings from a small `key = value` file (`#` starts a comment):
///
/// ```
/// internal-networks = 192.0.2.0/24, 2001:db8::/32
/// trusted-networks = 198.51.100.7
/// trust-list-servers = false
/// ```
public enum OriginConfigFile {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// `config` in this format: what `parse` reads back into the same settings (the store keeps it per scan).
    public static func text(_ config: OriginConfig) -> String {
        var lines: [String] = []
        if !config.internalNetworks.isEmpty {
            lines.append("internal-networks = " + config.internalNetworks.map(\.description).joined(separator: ", "))
        }
        if !config.trustedNetworks.isEmpty {
            lines.append("trusted-networks = " + config.trustedNetworks.map(\.description).joined(separator: ", "))
        }
        lines.append("trust-list-servers = \(config.trustListServers)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Applies the file's settings on top of `base` (lists are appended).
    public static func parse(_ text: String, base: OriginConfig = OriginConfig()) throws(Problem) -> OriginConfig {
        var config = base
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(" \t\r") }
            if trimmed.isEmpty || (trimmed.count == 1 && trimmed[0].isEmpty) { continue }
            guard trimmed.count == 2, !trimmed[0].isEmpty else {
                throw Problem(line: n + 1, message: "expected `key = value`")
            }
            let key = trimmed[0].lowercased()
            let value = trimmed[1]
            switch key {
            case "internal-networks", "internal_networks", "trusted-networks", "trusted_networks":
                let (nets, bad) = OriginConfig.networks(value)
                guard bad.isEmpty else {
                    throw Problem(line: n + 1, message: "not a network: \(bad.joined(separator: ", "))")
                }
                if key.hasPrefix("internal") {
                    config.internalNetworks += nets
                } else {
                    config.trustedNetworks += nets
                }
            case "trust-list-servers", "trust_list_servers":
                switch value.lowercased() {
                case "true", "yes", "1", "on": config.trustListServers = true
                case "false", "no", "0", "off": config.trustListServers = false
                default: throw Problem(line: n + 1, message: "trust-list-servers wants true or false")
                }
            default:
                throw Problem(line: n + 1, message: "unknown setting \(key)")
            }
        }
        return config
    }
}

extension Substring {
    fileprivate func trimmingCharacters(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
