import Foundation
import MailCore

/// Reads the IP data formats users bring and collects them into a `GeoTableBuilder`; `mailatlas geo import`.
///
/// Formats are told apart by content, never by file name, and gzip is undone first:
/// - range CSV `start,end,country[,asn[,name]]`, addresses as text or as integers (an integer up to 2^32 − 1 is an
///   IPv4 address, a larger one a 128-bit IPv6 value, IPv4-mapped ones counting as IPv4), an optional header line;
/// - RIR statistics `registry|cc|type|start|value|date|status[|…]` (`delegated-*-extended` and the older form):
///   allocated and assigned `ipv4`/`ipv6` records;
/// - iptoasn `ip2asn-combined.tsv` / `ip2asn-v4.tsv`: `start<TAB>end<TAB>asn<TAB>country<TAB>description`, AS 0 =
///   not routed (no data);
/// - AS names `asn<TAB>name` (`AS` prefix allowed);
/// - country names `CC<TAB>name`, or the iso-codes `iso_3166-1.json`.
public struct GeoImporter: Sendable {
    public enum Format: String, Sendable {
        case rangeCSV = "range-csv"
        case rirDelegated = "rir-delegated"
        case ip2asn
        case asNames = "as-names"
        case countryNames = "country-names"
        case isoCodesJSON = "iso-codes-json"
    }

    /// What one input gave.
    public struct FileReport: Sendable, Equatable {
        public var path: String
        public var format: Format
        public var lines = 0
        public var ranges = 0
        public var names = 0
        /// Lines that are data but were not used (a reserved RIR block, AS 0, no country …): counted, not errors.
        public var ignored = 0
        /// Lines that could not be read.
        public var rejected = 0
        /// The first few rejected lines, with their line numbers.
        public var problems: [String] = []
        /// A date the data carries (`YYYY-MM-DD`), when it has one.
        public var date: String?
    }

    public static let maxProblemsKept = 5

    public var builder = GeoTableBuilder()
    public private(set) var reports: [FileReport] = []

    public init() {}

    /// Reads a file (gzip accepted) and adds what it holds.
    @discardableResult
    public mutating func importFile(_ path: String) throws(GeoError) -> FileReport {
        let bytes = try GeoFiles.readMaybeGzip(path)
        return try importBytes(bytes, path: path)
    }

    @discardableResult
    public mutating func importBytes(_ bytes: [UInt8], path: String) throws(GeoError) -> FileReport {
        guard let format = GeoImporter.detect(bytes) else {
            throw GeoError(
                "geo.import",
                "\(path): unrecognised format (expected a range CSV, RIR delegated statistics, ip2asn TSV, "
                    + "AS names TSV, country names TSV or iso_3166-1.json; MaxMind .mmdb files are used directly "
                    + "with --geo-db)")
        }
        var report = FileReport(path: path, format: format)
        switch format {
        case .isoCodesJSON:
            try importISOCodes(bytes, &report)
        default:
            var lineNumber = 0
            var first = true
            GeoImporter.forEachLine(bytes) { line in
                lineNumber += 1
                guard let f = line.first, f != UInt8(ascii: "#") else { return }
                report.lines += 1
                let problem: String?
                switch format {
                case .rangeCSV: problem = rangeCSVLine(line, first: first, &report)
                case .rirDelegated: problem = delegatedLine(line, &report)
                case .ip2asn: problem = ip2asnLine(line, &report)
                case .asNames: problem = asNameLine(line, &report)
                case .countryNames: problem = countryNameLine(line, &report)
                case .isoCodesJSON: problem = nil
                }
                first = false
                if let problem {
                    report.rejected += 1
                    if report.problems.count < GeoImporter.maxProblemsKept {
                        report.problems.append("line \(lineNumber): \(problem)")
                    }
                }
            }
        }
        if report.date == nil { report.date = GeoImporter.dateInName(path) }
        reports.append(report)
        return report
    }

    // MARK: Detection

    public static func detect(_ bytes: [UInt8]) -> Format? {
        var lines: [ArraySlice<UInt8>] = []
        forEachLine(Array(bytes.prefix(1 << 16))) { line in
            if lines.count < 3, let f = line.first, f != UInt8(ascii: "#") { lines.append(line) }
        }
        guard let line = lines.first else { return nil }
        if line.first == UInt8(ascii: "{") {
            let head = String(decoding: bytes.prefix(256), as: UTF8.self)
            return head.contains("\"3166-1\"") ? .isoCodesJSON : nil
        }
        if line.contains(UInt8(ascii: "|")) { return .rirDelegated }
        if line.contains(ASCII.tab) {
            let f = line.split(separator: ASCII.tab, omittingEmptySubsequences: false)
            if f.count >= 4, parseAddress(f[0]) != nil, parseAddress(f[1]) != nil { return .ip2asn }
            if f.count >= 2, parseASN(f[0]) != nil { return .asNames }
            if f.count >= 2, f[0].count == 2, f[0].allSatisfy(ASCII.isAlpha) { return .countryNames }
            return nil
        }
        if line.contains(UInt8(ascii: ",")) {
            // A header line is allowed: the next line decides then.
            for l in lines.prefix(2) {
                let f = splitCSV(l)
                if f.count >= 3, parseAddress(f[0][...]) != nil, parseAddress(f[1][...]) != nil { return .rangeCSV }
            }
        }
        return nil
    }

    // MARK: Line formats

    mutating func rangeCSVLine(_ line: ArraySlice<UInt8>, first: Bool, _ r: inout FileReport) -> String? {
        let f = GeoImporter.splitCSV(line)
        guard f.count >= 3, let start = GeoImporter.parseAddress(f[0][...]),
            let end = GeoImporter.parseAddress(f[1][...])
        else {
            if first {
                r.lines -= 1  // a header line
                return nil
            }
            return "expected start,end,country[,asn[,name]]"
        }
        let country = GeoImporter.countryField(f[2][...])
        var asn: UInt32? = nil
        if f.count >= 4, !f[3].isEmpty {
            guard let a = GeoImporter.parseASN(f[3][...]) else { return "bad AS number" }
            asn = a == 0 ? nil : a
        }
        if let asn, f.count >= 5 {
            let name = GeoImporter.verbatim(Array(f[4...].joined(separator: [UInt8(ascii: ",")]))[...])
            builder.addASName(asn, name)
        }
        if country == nil, asn == nil {
            r.ignored += 1
            return nil
        }
        return add(start, end, country, asn, &r)
    }

    mutating func delegatedLine(_ line: ArraySlice<UInt8>, _ r: inout FileReport) -> String? {
        let f = line.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        // The version line: version|registry|serial|records|startdate|enddate|UTCoffset.
        if f.count >= 3, f[0].allSatisfy(ASCII.isDigit), f[1].first.map(ASCII.isAlpha) == true {
            if f[2].count == 8, f[2].allSatisfy(ASCII.isDigit) { r.date = GeoImporter.isoDate(f[2]) }
            return nil
        }
        if f.count >= 6, f[1].elementsEqual("*".utf8) || f[5].elementsEqual("summary".utf8) {
            return nil  // a summary line
        }
        guard f.count >= 7 else { return "expected registry|cc|type|start|value|date|status" }
        let type = GeoImporter.text(f[2])
        guard type == "ipv4" || type == "ipv6" else {
            r.ignored += 1  // asn records delegate AS numbers, not addresses
            return nil
        }
        let status = GeoImporter.text(f[6]).lowercased()
        guard status == "allocated" || status == "assigned", let country = GeoImporter.countryField(f[1]) else {
            r.ignored += 1
            return nil
        }
        guard let start = IPAddress(bytes: f[3]), start.isIPv4 == (type == "ipv4") else { return "bad start address" }
        guard let value = GeoImporter.parseUInt128(f[4]) else { return "bad value" }
        let s = start.bits
        let last: UInt128
        if type == "ipv4" {
            guard value >= 1, value <= (1 << 32), s + value - 1 <= GeoTableFormat.mappedIPv4Last else {
                return "bad address count"
            }
            last = s + value - 1
        } else {
            guard value <= 128 else { return "bad prefix length" }
            let size: UInt128 = value == 0 ? UInt128.max : (UInt128(1) << (128 - value)) - 1
            guard s & size == 0 else { return "start is not on the prefix boundary" }
            last = s | size
        }
        return add(start, IPAddress(bits: last), country, nil, &r)
    }

    mutating func ip2asnLine(_ line: ArraySlice<UInt8>, _ r: inout FileReport) -> String? {
        let f = line.split(separator: ASCII.tab, maxSplits: 4, omittingEmptySubsequences: false)
        guard f.count >= 4, let start = GeoImporter.parseAddress(f[0]), let end = GeoImporter.parseAddress(f[1]),
            let asn = GeoImporter.parseASN(f[2])
        else { return "expected start<TAB>end<TAB>asn<TAB>country<TAB>description" }
        guard asn != 0 else {
            r.ignored += 1  // not routed
            return nil
        }
        if f.count >= 5 {
            let name = GeoImporter.verbatim(f[4])
            if name != "Not routed" { builder.addASName(asn, name) }
        }
        return add(start, end, GeoImporter.countryField(f[3]), asn, &r)
    }

    mutating func asNameLine(_ line: ArraySlice<UInt8>, _ r: inout FileReport) -> String? {
        let f = line.split(separator: ASCII.tab, maxSplits: 1, omittingEmptySubsequences: false)
        guard f.count == 2, let asn = GeoImporter.parseASN(f[0]) else { return "expected asn<TAB>name" }
        let name = GeoImporter.verbatim(f[1])
        guard asn != 0, !name.isEmpty else {
            r.ignored += 1
            return nil
        }
        builder.addASName(asn, name)
        r.names += 1
        return nil
    }

    mutating func countryNameLine(_ line: ArraySlice<UInt8>, _ r: inout FileReport) -> String? {
        let f = line.split(separator: ASCII.tab, maxSplits: 1, omittingEmptySubsequences: false)
        guard f.count == 2, f[0].count == 2, f[0].allSatisfy(ASCII.isAlpha) else { return "expected CC<TAB>name" }
        builder.addCountryName(GeoImporter.text(f[0]), GeoImporter.text(f[1]))
        r.names += 1
        return nil
    }

    mutating func importISOCodes(_ bytes: [UInt8], _ r: inout FileReport) throws(GeoError) {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes))
        guard let root = object as? [String: Any], let list = root["3166-1"] as? [[String: Any]] else {
            throw GeoError("geo.import", "\(r.path): not an iso-codes iso_3166-1.json file")
        }
        for entry in list {
            r.lines += 1
            guard let code = entry["alpha_2"] as? String,
                let name = (entry["common_name"] as? String) ?? (entry["name"] as? String)
            else {
                r.rejected += 1
                continue
            }
            builder.addCountryName(code, name)
            r.names += 1
        }
    }

    mutating func add(
        _ start: IPAddress, _ end: IPAddress, _ country: String?, _ asn: UInt32?, _ r: inout FileReport
    ) -> String? {
        guard builder.addRange(start: start, end: end, country: country, asn: asn) else {
            return "range end before start, mixed IPv4/IPv6 ends or bad country code"
        }
        r.ranges += 1
        return nil
    }

    // MARK: Fields

    /// A text address, or an integer one (≤ 2^32 − 1: IPv4; larger: a 128-bit IPv6 value).
    static func parseAddress(_ field: ArraySlice<UInt8>) -> IPAddress? {
        let t = trimmed(field)
        guard !t.isEmpty else { return nil }
        if t.allSatisfy(ASCII.isDigit) {
            guard let v = parseUInt128(t) else { return nil }
            return v <= UInt128(UInt32.max) ? IPAddress(ipv4: UInt32(truncatingIfNeeded: v)) : IPAddress(bits: v)
        }
        guard t.count <= 64, t.contains(where: { $0 == ASCII.dot || $0 == ASCII.colon }) else { return nil }
        return IPAddress(bytes: t)
    }

    static func parseUInt128(_ field: ArraySlice<UInt8>) -> UInt128? {
        let t = trimmed(field)
        guard !t.isEmpty, t.count <= 39 else { return nil }
        var v: UInt128 = 0
        for c in t {
            guard ASCII.isDigit(c) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt128(c &- 0x30))
            guard !o1, !o2 else { return nil }
            v = a
        }
        return v
    }

    /// `15169`, `AS15169` or `as15169`.
    static func parseASN(_ field: ArraySlice<UInt8>) -> UInt32? {
        var t = trimmed(field)
        if t.count > 2, ASCII.lower(t[t.startIndex]) == UInt8(ascii: "a"),
            ASCII.lower(t[t.startIndex + 1]) == UInt8(ascii: "s")
        {
            t = t.dropFirst(2)
        }
        guard !t.isEmpty, t.count <= 10, let v = parseUInt128(t), v <= UInt128(UInt32.max) else { return nil }
        return UInt32(truncatingIfNeeded: v)
    }

    /// A two-letter code, upper-cased; nil for empty, `-`, `ZZ` (unknown) and `None`.
    static func countryField(_ field: ArraySlice<UInt8>) -> String? {
        let t = trimmed(field)
        guard t.count == 2, t.allSatisfy(ASCII.isAlpha) else { return nil }
        let code = String(decoding: t.map { $0 & 0xDF }, as: UTF8.self)
        return code == "ZZ" ? nil : code
    }

    static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: trimmed(field), as: UTF8.self)
    }

    /// A name as the file has it (only a line's CR was removed before).
    static func verbatim(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field, as: UTF8.self)
    }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var t = s
        while let f = t.first, ASCII.isWhitespace(f) { t = t.dropFirst() }
        while let l = t.last, ASCII.isWhitespace(l) { t = t.dropLast() }
        return t
    }

    /// Splits a CSV line; fields in double quotes may hold commas and doubled quotes.
    static func splitCSV(_ line: ArraySlice<UInt8>) -> [[UInt8]] {
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var quoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == ASCII.quote {
                    if i + 1 < line.endIndex, line[i + 1] == ASCII.quote {
                        field.append(c)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == ASCII.quote, field.allSatisfy(ASCII.isWhitespace) {
                field.removeAll()
                quoted = true
            } else if c == UInt8(ascii: ",") {
                fields.append(field)
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(c)
            }
            i += 1
        }
        fields.append(field)
        return fields
    }

    /// Calls `body` for every line (LF or CRLF ends, CR dropped), in order.
    static func forEachLine(_ a: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while start < a.count {
            var end = start
            while end < a.count, a[end] != ASCII.lf { end += 1 }
            var lineEnd = end
            if lineEnd > start, a[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
            body(a[start..<lineEnd])
            start = end + 1
        }
    }

    static func isoDate(_ digits: some Collection<UInt8>) -> String? {
        let d = Array(digits)
        guard d.count == 8, d.allSatisfy(ASCII.isDigit) else { return nil }
        let s = String(decoding: d, as: UTF8.self)
        let y = s.prefix(4)
        let m = s.dropFirst(4).prefix(2)
        let day = s.suffix(2)
        return "\(y)-\(m)-\(day)"
    }

    /// A `YYYYMMDD` in a file name (`delegated-afrinic-extended-20260821`), as `YYYY-MM-DD`.
    static func dateInName(_ path: String) -> String? {
        let name = Array((path.split(separator: "/").last.map(String.init) ?? path).utf8)
        var i = 0
        while i + 8 <= name.count {
            let run = name[i..<(i + 8)]
            let before = i == 0 || !ASCII.isDigit(name[i - 1])
            let after = i + 8 == name.count || !ASCII.isDigit(name[i + 8])
            if before, after, run.allSatisfy(ASCII.isDigit),
                run.first == UInt8(ascii: "1") || run.first == UInt8(ascii: "2")
            {
                return isoDate(run)
            }
            i += 1
        }
        return nil
    }
}
