/// Which regional internet registry (AFRINIC, APNIC, ARIN, LACNIC, RIPE NCC) gave out an AS number, from IANA's
/// allocations compiled into the binary (`ASNRegistries.swift`, made by `scripts/generate-asn-registries.py`).
///
/// It is what a report shows for an AS that no database names: "AS22927 (LACNIC, AR)" says more than a bare
/// number. Numbers IANA has not given to a registry (reserved, private use, AS_TRANS 23456, blocks given out after
/// the table was made) have none.
public enum ASNRegistry {
    /// "LACNIC" for 22927; nil for a number no registry was given.
    public static func name(of asn: UInt32) -> String? {
        let firsts = ASNRegistries.firsts
        // The last range starting at or before `asn`.
        var low = 0
        var high = firsts.count
        while low < high {
            let mid = (low + high) / 2
            if firsts[mid] <= asn { low = mid + 1 } else { high = mid }
        }
        let i = low - 1
        guard i >= 0, asn <= ASNRegistries.lasts[i] else { return nil }
        return ASNRegistries.names[Int(ASNRegistries.registries[i])]
    }

    /// The same for an AS number as the store and the report hold it (nil for none).
    public static func name(ofAS asn: Int?) -> String? {
        guard let asn, let n = UInt32(exactly: asn) else { return nil }
        return name(of: n)
    }

    /// What stands in for a missing AS name: "(LACNIC, AR)", "(LACNIC)", "(AR)" or "" — the registry that gave
    /// out the number and the country of the addresses it was seen with, as far as each is known.
    public static func unnamedNote(asn: Int, country: String?) -> String {
        let parts = [name(ofAS: asn), country].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? "" : "(" + parts.joined(separator: ", ") + ")"
    }

    /// "AS3320 Deutsche Telekom AG" when the AS has a name, else "AS22927 (LACNIC, AR)".
    public static func label(asn: Int, name: String?, country: String?) -> String {
        if let name, !name.isEmpty { return "AS\(asn) " + name }
        let note = unnamedNote(asn: asn, country: country)
        return note.isEmpty ? "AS\(asn)" : "AS\(asn) " + note
    }
}
