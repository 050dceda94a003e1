public import MailCore

/// What the receiving side's own checks said about a message (SPF, DKIM, DMARC), read from the
/// `Authentication-Results` fields it wrote (`ReceivingSideHeaders`). Stored in `messages.auth_*` and
/// `dkim_results`.
public struct AuthenticationFacts: Sendable, Equatable {
    public struct DKIM: Sendable, Equatable {
        /// `pass`, `fail`, `neutral`, `none`, `policy`, `temperror`, `permerror`.
        public var result: String
        /// The signing domain (`header.d`), lower-cased; nil when the result names none.
        public var domain: String?
        /// The selector (`header.s`), when given.
        public var selector: String?
        public init(result: String, domain: String?, selector: String? = nil) {
            self.result = result
            self.domain = domain
            self.selector = selector
        }
    }

    /// The authserv-id of the fields used (nil for Exchange Online's fields, which name none).
    public var authservID: String?
    public var spf: String?
    /// The domain SPF checked (`smtp.mailfrom`'s domain, else `smtp.helo`).
    public var spfDomain: String?
    public var dkim: [DKIM]
    public var dmarc: String?
    /// The DMARC policy the From domain publishes (`none`, `quarantine`, `reject`), when the results say it.
    public var dmarcPolicy: String?
    /// The From domain DMARC checked (`header.from`).
    public var dmarcDomain: String?

    public init(
        authservID: String? = nil, spf: String? = nil, spfDomain: String? = nil, dkim: [DKIM] = [],
        dmarc: String? = nil, dmarcPolicy: String? = nil, dmarcDomain: String? = nil
    ) {
        self.authservID = authservID
        self.spf = spf
        self.spfDomain = spfDomain
        self.dkim = dkim
        self.dmarc = dmarc
        self.dmarcPolicy = dmarcPolicy
        self.dmarcDomain = dmarcDomain
    }

    /// The DKIM outcome in one word: `pass` when any signature passed, else the first result.
    public var dkimSummary: String? {
        if dkim.contains(where: { $0.result == "pass" }) { return "pass" }
        return dkim.first?.result
    }

    /// DKIM results kept per message.
    public static let maxDKIM = 16
}

/// One `Authentication-Results` field of a message and whether it was used.
public struct AuthenticationField: Sendable, Equatable {
    /// Index in the header block (0 = topmost field).
    public var fieldIndex: Int
    public var parsed: AuthenticationResults
    /// Why the field was used or ignored, in words.
    public var verdict: Standing
    public enum Standing: String, Sendable {
        case used
        /// Below the receiving side's part of the header block: the sender (or a server before the recipient's)
        /// wrote it.
        case belowBoundary = "below-boundary"
        /// In the receiving side's part, but its authserv-id names a host that is not the receiving side's.
        case foreignServer = "foreign-server"
    }
}

extension AuthenticationFacts {
    /// The results the receiving side wrote: the `Authentication-Results` fields in its part of the header block
    /// whose authserv-id names one of its hosts (or names none). When several such fields give a method, the one
    /// nearest the boundary wins: it was written by the server that took the message from outside, the only one
    /// that saw the connection SPF judges. Returns nil when no field was used, and every field with its standing.
    /// `zoneEnd`: `ReceivingSideHeaders.zoneEnd` of the same message, when the caller has it already.
    public static func read(
        header: HeaderBlock, bytes b: UnsafeBufferPointer<UInt8>, hops: [HopFacts], origin: OriginFacts?,
        zoneEnd known: Int? = nil
    ) -> (AuthenticationFacts?, [AuthenticationField]) {
        var fields: [AuthenticationField] = []
        let zoneEnd = known ?? ReceivingSideHeaders.zoneEnd(header: header, bytes: b, hops: hops, origin: origin)
        var names: Set<String>? = nil
        for (k, field) in header.fields.enumerated() where isAuthenticationResults(field.name, b) {
            guard fields.count < 32, let parsed = AuthenticationResults.parse(field.unfoldedValue(in: b)) else {
                continue
            }
            var standing = AuthenticationField.Standing.used
            if k >= zoneEnd {
                standing = .belowBoundary
            } else if let id = parsed.authservID {
                if names == nil { names = ReceivingSideHeaders.names(hops: hops, origin: origin) }
                if !ReceivingSideHeaders.belongs(id, to: names!) { standing = .foreignServer }
            }
            fields.append(AuthenticationField(fieldIndex: k, parsed: parsed, verdict: standing))
        }
        var out = AuthenticationFacts()
        var used = false
        var have: Set<String> = []
        // Nearest the boundary first: the bottom-most used field.
        for f in fields.reversed() where f.verdict == .used {
            var contributed = false
            var dkimHere: [DKIM] = []
            for r in f.parsed.results {
                switch r.method {
                case "spf" where !have.contains("spf"):
                    out.spf = r.result
                    out.spfDomain =
                        domain(ofAddress: r.property("smtp.mailfrom")) ?? r.property("smtp.helo")?.lowercased()
                    contributed = true
                case "dkim" where !have.contains("dkim"):
                    if dkimHere.count < maxDKIM {
                        dkimHere.append(
                            DKIM(
                                result: r.result,
                                domain: signingDomain(r),
                                selector: r.property("header.s")))
                    }
                case "dmarc" where !have.contains("dmarc"):
                    out.dmarc = r.result
                    out.dmarcDomain = r.property("header.from")?.lowercased()
                    out.dmarcPolicy = policy(r)
                    contributed = true
                default: break
                }
            }
            if !dkimHere.isEmpty {
                out.dkim = dkimHere
                contributed = true
            }
            for r in f.parsed.results { have.insert(r.method) }
            if contributed {
                used = true
                if out.authservID == nil { out.authservID = f.parsed.authservID }
            }
        }
        return (used ? out : nil, fields)
    }

    static func isAuthenticationResults(_ r: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        r.count == 22 && b[r].equalsLowercasedASCII("authentication-results".utf8)
    }

    /// `header.d`, else the domain of `header.i`; nil for Exchange's `header.d=none` (no signature).
    static func signingDomain(_ r: AuthenticationResults.Result) -> String? {
        guard let d = (r.property("header.d") ?? domain(ofAddress: r.property("header.i")))?.lowercased(),
            d != "none", !d.isEmpty
        else { return nil }
        return d
    }

    /// `user@example.com` → `example.com`; a bare domain as it is.
    static func domain(ofAddress a: String?) -> String? {
        guard var a, !a.isEmpty else { return nil }
        if let at = a.lastIndex(of: "@") { a = String(a[a.index(after: at)...]) }
        a = a.trimmingCharacters(in: "<>")
        return a.isEmpty ? nil : a.lowercased()
    }

    /// The published DMARC policy: `policy.dmarc=…`, else `p=…` in the result's comment (Google, Fastmail, …).
    static func policy(_ r: AuthenticationResults.Result) -> String? {
        if let p = r.property("policy.dmarc") { return p.lowercased() }
        for word in r.comment.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }) {
            let w = word.lowercased()
            if w.hasPrefix("p=") {
                let v = String(w.dropFirst(2))
                if ["none", "quarantine", "reject"].contains(v) { return v }
            }
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
