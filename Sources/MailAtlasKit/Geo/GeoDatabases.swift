import Foundation

/// Opening the databases a user asked for, in order: `--geo-db` options, else a config file, and the embedded
/// database last unless it was placed explicitly (`embedded`) or turned off.
///
/// Config file (`--geo-config FILE`, else `$MAILATLAS_GEO_CONFIG`, else `$XDG_CONFIG_HOME/mailatlas/geo.conf` or
/// `~/.config/mailatlas/geo.conf` when it exists): one entry per line, `#` starts a comment:
///
/// ```
/// database /var/lib/GeoIP/GeoLite2-Country.mmdb
/// database /var/lib/GeoIP/GeoLite2-ASN.mmdb
/// embedded            # where the built-in database goes in the order (default: last)
/// # no-embedded       # leave the built-in database out
/// ```
///
/// Relative paths in the file are relative to the file's folder.
public enum GeoDatabases {
    /// A database entry: a path, or the built-in database.
    public enum Entry: Equatable, Sendable {
        case embedded
        case file(String)
    }

    /// What a config file asks for.
    public struct Config: Equatable, Sendable {
        public var entries: [Entry] = []
        public var includeEmbedded = true
    }

    /// Opens one database: the project's format (from `geo import`) or a MaxMind DB, told apart by content.
    public static func open(_ path: String) throws(GeoError) -> any GeoSource {
        let bytes = try GeoBytes(readingFile: path)
        if bytes.buffer.starts(with: GeoTableFormat.magic) {
            return try GeoRangeDatabase(storage: bytes, path: path, kind: "mailatlas")
        }
        if bytes.buffer.count >= MMDBDatabase.metadataMarker.count {
            return try MMDBDatabase(storage: bytes, path: path)
        }
        throw GeoError("geo.format", "\(path): neither a mailatlas geo database nor a MaxMind DB file")
    }

    /// The resolver for a command: `databases` (from `--geo-db`, `embedded` allowed) win over the config file.
    public static func resolver(
        databases: [String], configPath: String?, includeEmbedded: Bool = true,
        environment: [String: String]? = nil
    ) throws(GeoError) -> GeoResolver {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var entries: [Entry] = databases.map { $0 == "embedded" ? .embedded : .file($0) }
        var embedded = includeEmbedded
        if entries.isEmpty, let path = configPath ?? defaultConfigPath(environment: environment) {
            let config = try readConfig(path)
            entries = config.entries
            embedded = embedded && config.includeEmbedded
        }
        if !embedded {
            entries.removeAll { $0 == .embedded }
        } else if !entries.contains(.embedded) {
            entries.append(.embedded)
        }
        var sources: [any GeoSource] = []
        for e in entries {
            switch e {
            case .embedded:
                if let db = GeoRangeDatabase.embedded { sources.append(db) }
            case .file(let path):
                sources.append(try open(path))
            }
        }
        return GeoResolver(sources: sources)
    }

    public static func defaultConfigPath(environment: [String: String]) -> String? {
        if let p = environment["MAILATLAS_GEO_CONFIG"], !p.isEmpty { return p }
        let base: String
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty {
            base = x
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.config"
        } else {
            return nil
        }
        let path = base + "/mailatlas/geo.conf"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    public static func readConfig(_ path: String) throws(GeoError) -> Config {
        let bytes = try GeoFiles.read(path)
        return try parseConfig(String(decoding: bytes, as: UTF8.self), path: path)
    }

    public static func parseConfig(_ text: String, path: String) throws(GeoError) -> Config {
        var config = Config()
        let folder = (path as NSString).deletingLastPathComponent
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: " ", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            switch parts[0] {
            case "database" where parts.count == 2:
                let p = parts[1]
                let full = p.hasPrefix("/") || folder.isEmpty ? p : folder + "/" + p
                config.entries.append(.file(full))
            case "embedded" where parts.count == 1:
                config.entries.append(.embedded)
            case "no-embedded" where parts.count == 1:
                config.includeEmbedded = false
            default:
                throw GeoError(
                    "geo.config",
                    "\(path):\(n + 1): expected `database PATH`, `embedded` or `no-embedded`, found `\(trimmed)`")
            }
        }
        return config
    }
}
