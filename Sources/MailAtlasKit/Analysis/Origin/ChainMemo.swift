import MailCore

/// What the walks over one message's Received chain ask about each hop again and again (its organisations and
/// names, the hop below it, whether that hop agrees, whether the hop is a forwarder), worked out once and shared by
/// every walk over the chain: the decision, the list walk and the relay observation.
final class ChainMemo {
    let hops: [ReceivedHop]
    let context: OriginContext
    private var memo: [HopMemo]

    /// Per hop; the outer optional is "not worked out yet".
    private struct HopMemo {
        var byOrg: String?? = .none
        var rdnsOrg: String?? = .none
        var heloOrg: String?? = .none
        var byAddress: IPAddress?? = .none
        var names: [String]? = nil
        var nameOrgs: [String]? = nil
        var next: Int?? = .none
        var consistentWithNext: Bool? = nil
        var forwarder: String?? = .none
    }

    init(hops: [ReceivedHop], context: OriginContext) {
        self.hops = hops
        self.context = context
        memo = Array(repeating: HopMemo(), count: hops.count)
    }

    /// `OrgDomain.site(of: by)`: the site of the hop's writer.
    func byOrg(_ i: Int) -> String? {
        if let v = memo[i].byOrg { return v }
        let v = OrgDomain.site(of: hops[i].by)
        memo[i].byOrg = .some(v)
        return v
    }

    /// `OrgDomain.of(rdns)`.
    func rdnsOrg(_ i: Int) -> String? {
        if let v = memo[i].rdnsOrg { return v }
        let v = OrgDomain.of(hops[i].rdns)
        memo[i].rdnsOrg = .some(v)
        return v
    }

    /// `OrgDomain.of(helo)`.
    func heloOrg(_ i: Int) -> String? {
        if let v = memo[i].heloOrg { return v }
        let v = OrgDomain.of(hops[i].helo)
        memo[i].heloOrg = .some(v)
        return v
    }

    /// The writing host's own address: recorded, or its name when that is an address literal.
    func byAddress(_ i: Int) -> IPAddress? {
        if let v = memo[i].byAddress { return v }
        let h = hops[i]
        let v = h.byIP ?? h.by.flatMap({ HostText.address($0, stripping: "[]") })
        memo[i].byAddress = .some(v)
        return v
    }

    /// `TrustWalker.names(hops[i])`.
    func names(_ i: Int) -> [String] {
        if let v = memo[i].names { return v }
        let v = TrustWalker.names(rdns: hops[i].rdns, helo: hops[i].helo, fromWord: hops[i].fromWord)
        memo[i].names = v
        return v
    }

    /// The organisations of `names(i)`, in order, without the names that have none.
    func nameOrgs(_ i: Int) -> [String] {
        if let v = memo[i].nameOrgs { return v }
        let v = names(i).compactMap { OrgDomain.of($0) }
        memo[i].nameOrgs = v
        return v
    }

    /// The next hop below `i` that names its writer (`by`), skipping unreadable headers.
    func nextWritten(after i: Int) -> Int? {
        if let v = memo[i].next { return v }
        var j = i + 1
        var found: Int? = nil
        while j < hops.count {
            if !hops[j].isJunk, hops[j].by != nil {
                found = j
                break
            }
            j += 1
        }
        memo[i].next = .some(found)
        return found
    }

    /// `TrustWalker.consistent(hops[i], hops[nextWritten(after: i)])`; false when there is no such hop.
    func consistentWithNext(_ i: Int) -> Bool {
        if let v = memo[i].consistentWithNext { return v }
        let v = nextWritten(after: i).map { TrustWalker.consistent(hops, i, $0, names: names(i)) } ?? false
        memo[i].consistentWithNext = v
        return v
    }

    /// `TrustWalker.forwarder(i)`: it depends only on the chain and the message.
    func forwarder(_ i: Int, _ work: () -> String?) -> String? {
        if let v = memo[i].forwarder { return v }
        let v = work()
        memo[i].forwarder = .some(v)
        return v
    }
}

/// A small set of organisation names (a handful per message): membership is all the walk asks of it.
struct OrgSet {
    private var items: [String] = []

    init() {}

    init(_ names: some Sequence<String>) {
        for n in names { insert(n) }
    }

    mutating func insert(_ name: String) {
        if !items.contains(name) { items.append(name) }
    }

    func contains(_ name: String) -> Bool { items.contains(name) }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }
}
