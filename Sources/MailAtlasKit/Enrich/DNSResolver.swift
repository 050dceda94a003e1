internal import CAres
import Foundation
import MailCore

/// What one host name resolved to, when, and how it ended.
public struct DNSAnswer: Sendable, Equatable {
    public var host: String
    public var status: DNSStatus
    /// IPv4 and IPv6 addresses, as text, in the order the answer gave them (duplicates dropped).
    public var addresses: [String]
    /// The CNAME chain followed from `host` (each alias's target, in order); empty when the name has none.
    public var cnames: [String]
    /// When the answer came (seconds since the epoch, UTC).
    public var resolvedAt: Int

    public init(host: String, status: DNSStatus, addresses: [String] = [], cnames: [String] = [], resolvedAt: Int) {
        self.host = host
        self.status = status
        self.addresses = addresses
        self.cnames = cnames
        self.resolvedAt = resolvedAt
    }
}

/// How a lookup ended; the raw value is what the store keeps (`dns_hosts.status`).
public enum DNSStatus: String, Sendable, CaseIterable {
    /// Addresses came back.
    case answer
    /// The name exists but has no A or AAAA record.
    case nodata
    /// The name does not exist.
    case nxdomain
    /// The server failed (SERVFAIL): often a lame or dead delegation.
    case servfail
    /// The server refused the query (REFUSED).
    case refused
    /// No answer in time (each query's own timeout and tries, or the run's deadline).
    case timeout
    /// Anything else: a malformed answer, a CNAME loop, a name that cannot be queried.
    case error
}

/// Whether text names a resolver `DNSResolver` can ask (`HOST[:PORT]`, an IPv6 address in brackets).
public enum DNSResolverAddress {
    public static func isValid(_ s: String) -> Bool { DNSResolver.serverCSV(s) != nil }
    /// Whether text is a DNS name that can be queried (a blocklist zone).
    public static func isZoneName(_ s: String) -> Bool { DNSResolver.isQueryable(s) }
}

/// A stub resolver over c-ares (Debian's libc-ares): many queries in flight on one channel, each with its own
/// timeout and tries, TCP when an answer is truncated, CNAME chains followed in the answer. Debian 12's c-ares has
/// no event thread, so `resolve` drives it from its own poll loop on the calling thread (`mailatlas_ares_turn`).
///
/// Only DNS is asked (no hosts file, no search domains): a name is looked up as given, fully qualified.
public final class DNSResolver {
    public struct Options: Sendable {
        /// `HOST[:PORT]` of the resolver to ask (IPv6 in brackets: `[::1]:53`); nil: the system's resolv.conf.
        public var server: String?
        /// Each query's timeout (c-ares doubles it on each retry).
        public var timeoutMilliseconds: Int
        /// Attempts per query.
        public var tries: Int
        /// Lookups in flight at once.
        public var concurrency: Int
        public init(server: String? = nil, timeoutMilliseconds: Int = 2000, tries: Int = 2, concurrency: Int = 64) {
            self.server = server
            self.timeoutMilliseconds = timeoutMilliseconds
            self.tries = tries
            self.concurrency = concurrency
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case library(String)
        case badServer(String)
        public var description: String {
            switch self {
            case .library(let s): return "the DNS library could not start: \(s)"
            case .badServer(let s): return "not a resolver address: \(s) (HOST[:PORT], an IPv6 address in brackets)"
            }
        }
    }

    let options: Options
    private var channel: ares_channel? = nil

    public init(options: Options) throws {
        self.options = options
        let rc = ares_library_init(ARES_LIB_INIT_ALL)
        guard rc == ARES_SUCCESS else { throw Failure.library(String(cString: ares_strerror(rc))) }
        var o = ares_options()
        // NOCHECKRESP: hand SERVFAIL and REFUSED answers to the caller (c-ares 1.18 would otherwise end such a query
        // as ECONNREFUSED, losing which it was).
        o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS | ARES_FLAG_NOCHECKRESP
        o.timeout = Int32(max(1, options.timeoutMilliseconds))
        o.tries = Int32(max(1, options.tries))
        o.ndomains = 0
        let mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS
        let status = "b".withCString { lookups -> Int32 in
            o.lookups = UnsafeMutablePointer(mutating: lookups)
            return ares_init_options(&channel, &o, mask)
        }
        guard status == ARES_SUCCESS else {
            throw Failure.library(String(cString: ares_strerror(status)))
        }
        if let server = options.server {
            guard let csv = Self.serverCSV(server) else { throw Failure.badServer(server) }
            let rc = ares_set_servers_ports_csv(channel, csv)
            guard rc == ARES_SUCCESS else { throw Failure.badServer(server) }
        }
    }

    deinit {
        if let channel { ares_destroy(channel) }
        ares_library_cleanup()
    }

    /// `127.0.0.1`, `127.0.0.1:5353`, `::1`, `[::1]:5353` → c-ares's `host:port` list form; nil when not an address.
    static func serverCSV(_ s: String) -> String? {
        var host = s
        var port: String? = nil
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            if rest.hasPrefix(":") { port = String(rest.dropFirst()) } else if !rest.isEmpty { return nil }
        } else if s.filter({ $0 == ":" }).count == 1, let colon = s.firstIndex(of: ":") {
            host = String(s[..<colon])
            port = String(s[s.index(after: colon)...])
        }
        guard IPAddress(host) != nil else { return nil }
        if let port, UInt16(port) == nil || port.isEmpty { return nil }
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }

    /// One lookup in flight: the host it is for, and where its answer goes.
    private final class Query {
        let host: String
        let sink: Sink
        init(host: String, sink: Sink) {
            self.host = host
            self.sink = sink
        }
    }

    private final class Sink {
        var done: [DNSAnswer] = []
        var inFlight = 0
        /// Set when the run's deadline passed: answers that arrive cancelled are timeouts.
        var deadlinePassed = false
    }

    /// Resolves every host (A and AAAA), at most `options.concurrency` at a time, and hands each answer to
    /// `answer` as it comes, in completion order. Stops at `deadline`: what has not answered by then is a timeout.
    public func resolve(
        _ hosts: [String], deadline: ContinuousClock.Instant? = nil, ipv4Only: Bool = false,
        answer: (DNSAnswer) -> Void
    ) {
        guard let channel else { return }
        let sink = Sink()
        var next = 0
        var hints = ares_addrinfo_hints()
        // A blocklist answers with A records only: asking AAAA too would double its queries.
        hints.ai_family = ipv4Only ? AF_INET : AF_UNSPEC
        hints.ai_flags = ARES_AI_NOSORT
        let clock = ContinuousClock()
        while next < hosts.count || sink.inFlight > 0 {
            while next < hosts.count && sink.inFlight < max(1, options.concurrency) {
                let host = hosts[next]
                next += 1
                guard Self.isQueryable(host) else {
                    answer(DNSAnswer(host: host, status: .error, resolvedAt: Self.now()))
                    continue
                }
                let q = Unmanaged.passRetained(Query(host: host, sink: sink))
                sink.inFlight += 1
                ares_getaddrinfo(channel, host, nil, &hints, Self.callback, q.toOpaque())
            }
            for a in sink.done { answer(a) }
            sink.done.removeAll(keepingCapacity: true)
            if sink.inFlight == 0 { continue }
            var cap = 1000
            if let deadline {
                let left = deadline - clock.now
                if left <= .zero {
                    sink.deadlinePassed = true
                    ares_cancel(channel)
                    for a in sink.done { answer(a) }
                    sink.done.removeAll()
                    // Hosts never asked end as timeouts too.
                    while next < hosts.count {
                        answer(DNSAnswer(host: hosts[next], status: .timeout, resolvedAt: Self.now()))
                        next += 1
                    }
                    return
                }
                cap = min(
                    cap, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000) + 1)
            }
            _ = mailatlas_ares_turn(channel, Int32(cap))
        }
        for a in sink.done { answer(a) }
    }

    private static let callback: ares_addrinfo_callback = { arg, status, _, result in
        guard let arg else { return }
        let q = Unmanaged<Query>.fromOpaque(arg).takeRetainedValue()
        q.sink.inFlight -= 1
        var a = DNSAnswer(host: q.host, status: .error, resolvedAt: DNSResolver.now())
        switch status {
        case ARES_SUCCESS: a.status = .answer
        case ARES_ENODATA: a.status = .nodata
        case ARES_ENOTFOUND, ARES_ENONAME: a.status = .nxdomain
        case ARES_ESERVFAIL: a.status = .servfail
        // c-ares 1.18 ends a query whose every server answered REFUSED with ECONNREFUSED, as it does one whose
        // server's port is closed: both are a refusal.
        case ARES_EREFUSED, ARES_ECONNREFUSED: a.status = .refused
        case ARES_ETIMEOUT: a.status = .timeout
        case ARES_ECANCELLED, ARES_EDESTRUCTION: a.status = .timeout
        default: a.status = .error
        }
        if let result {
            var c = result.pointee.cnames
            var hops = 0
            while let cname = c, hops < 32 {
                // The A and the AAAA answer each carry the chain: keep it once, in order.
                if let name = cname.pointee.name {
                    let target = String(cString: name).lowercased()
                    if !a.cnames.contains(target) { a.cnames.append(target) }
                }
                c = cname.pointee.next
                hops += 1
            }
            var n = result.pointee.nodes
            var seen = Set<String>()
            var buffer = [CChar](repeating: 0, count: 64)
            while let node = n, a.addresses.count < 64 {
                if let sa = node.pointee.ai_addr,
                    mailatlas_ares_ntop(sa, &buffer, socklen_t(buffer.count)) != 0
                {
                    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if seen.insert(text).inserted { a.addresses.append(text) }
                }
                n = node.pointee.ai_next
            }
            ares_freeaddrinfo(result)
        }
        if a.status == .answer && a.addresses.isEmpty { a.status = .nodata }
        q.sink.done.append(a)
    }

    /// A name that DNS can carry: ASCII letters, digits, hyphens, underscores and dots, labels of 1–63 bytes, at
    /// most 253 bytes. Links hold IDN hosts in their ASCII (Punycode) form.
    static func isQueryable(_ host: String) -> Bool {
        let h = host.hasSuffix(".") ? String(host.dropLast()) : host
        guard !h.isEmpty, h.utf8.count <= 253 else { return false }
        for label in h.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.utf8.count),
                label.utf8.allSatisfy({ ASCII.isAlphaNumeric($0) || $0 == ASCII.hyphen || $0 == 0x5F })
            else { return false }
        }
        return true
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }
}
