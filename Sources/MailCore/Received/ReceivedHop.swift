/// One `Received:` header field, parsed (RFC 5321 section 4.4 and the many ways MTAs really write it).
///
/// Values are what the header says: the parser decides nothing about trust. The connecting IP (`ip`) is the address
/// the writing server saw; the HELO/EHLO argument (`helo`, and `heloIP` when it is an address literal) is what the
/// client claimed, kept apart because spammers forge it.
public struct ReceivedHop: Sendable, Equatable {
    /// The word after `from` as written (a HELO name, a reverse-DNS name, an address literal, or a local user).
    public var fromWord: String?
    /// The HELO/EHLO argument, when the format shows it.
    public var helo: String?
    /// An address the client claimed in HELO/EHLO (`HELO ?39.33.4.85?`, `helo=[1.2.3.4]`, `from [10.0.0.1] (…)`).
    public var heloIP: IPAddress?
    /// The reverse-DNS name of the connecting IP as the writing server found it.
    public var rdns: String?
    public var rdnsStatus: RDNSStatus
    /// The connecting IP the writing server recorded.
    public var ip: IPAddress?
    /// The address literal as written when it is not a usable address (an empty `[]`, an anonymised `x.x.x.x`).
    public var unparsedIP: String?
    public var port: Int?
    /// RFC 1413 ident or a local user (`IDENT:user@host`, `ident=user`, qmail `(user@ip)`, `(from user@localhost)`).
    public var ident: String?
    /// The host that wrote the header.
    public var by: String?
    /// The writing host's own address when the header records it (`by host ([10.1.1.1])`, `by host (10.13.7.32)`).
    public var byIP: IPAddress?
    /// The software named in a comment after `by` or `with` (`Postfix`, `Exim 4.43`, `8.9.3/8.9.3`…).
    public var software: String?
    public var via: String?
    /// The `with` protocol as written (`ESMTPS`, `Microsoft SMTP Server`, `IMAP`, `mapi`…).
    public var with: String?
    public var protocolKind: ProtocolKind
    public var id: String?
    public var forAddress: String?
    /// TLS details (`version=TLS1_2 cipher=…`, `using TLSv1.3 with cipher …`), or the protocol name when only it says so.
    public var tls: String?
    /// Authentication evidence (`ESMTPSA`, `Authenticated sender: user`, `authenticated bits=0`, `AUTH: PLAIN user`).
    public var auth: String?
    public var date: ReceivedDate?
    /// Whether the text after the last `;` could not be read as a date.
    public var badDate: Bool
    /// The family of the MTA that wrote the header, when the text says so.
    public var mta: MTAFamily?
    /// Local submission or a local step with no network peer (`invoked by uid`, `from userid`, `with local`).
    public var isLocal: Bool
    /// qmail's `invoked from network` line: the network hop is the header below.
    public var isQmailQueueStep: Bool
    /// Nothing recognisable: no `from`, no `by`, no date.
    public var isJunk: Bool
    /// The value was longer than the parser reads (`ReceivedParser.Limits.maxBytes`).
    public var truncated: Bool

    public init() {
        rdnsStatus = .absent
        protocolKind = .unknown
        badDate = false
        isLocal = false
        isQmailQueueStep = false
        isJunk = false
        truncated = false
    }

    /// Whether the header shows authenticated submission (ESMTPA, ESMTPSA, LMTPA, "Authenticated sender"…).
    public var isAuthenticated: Bool { auth != nil }

    /// Whether this hop retrieved the message from a mailbox (fetchmail/getmail over POP3 or IMAP).
    public var isRetrieval: Bool { protocolKind == .pop || protocolKind == .imap }

    /// Whether this hop records a web client (`via HTTP`, `with HTTP`).
    public var isWebmail: Bool { protocolKind == .http }

    public enum RDNSStatus: String, Sendable {
        /// The format shows no reverse-DNS name.
        case absent
        /// A name was found.
        case name
        /// The lookup failed or found nothing (`unknown`, `RDNS failed`, `softdnserr`).
        case failed
    }

    /// The protocol class, from `with` (and `via`).
    public enum ProtocolKind: String, Sendable {
        case smtp, esmtp, lmtp, http, local, imap, pop, mapi, other, unknown
    }

    public enum MTAFamily: String, Sendable {
        case postfix, sendmail, exim, qmail, exchange, exchangeOnline = "exchange-online", google, yahoo, courier
        case communigate, mdaemon, domino, amavis, ses, sendgrid, mailgun, fetchmail, getmail, cyrus
    }
}

/// A timestamp read from a `Received:` header: seconds since 1970-01-01T00:00:00Z and the zone it was written in.
public struct ReceivedDate: Sendable, Equatable {
    public var secondsSince1970: Int64
    /// The zone offset as written, in minutes east of UTC.
    public var offsetMinutes: Int
    /// Whether the zone was given (a missing or unknown zone is read as UTC).
    public var zoneKnown: Bool

    public init(secondsSince1970: Int64, offsetMinutes: Int, zoneKnown: Bool) {
        self.secondsSince1970 = secondsSince1970
        self.offsetMinutes = offsetMinutes
        self.zoneKnown = zoneKnown
    }

    /// ISO 8601 in UTC, `2002-08-25T16:03:24Z`.
    public var iso8601UTC: String {
        let days = secondsSince1970 >= 0 ? secondsSince1970 / 86_400 : (secondsSince1970 - 86_399) / 86_400
        let rest = secondsSince1970 - days * 86_400
        let (y, m, d) = CivilDate.civil(fromDays: days)
        guard y >= 0, y <= 9999 else { return slowISO8601(y, m, d, rest) }
        return String(unsafeUninitializedCapacity: 20) { out in
            func two(_ v: Int64, at k: Int) {
                out[k] = UInt8(truncatingIfNeeded: 0x30 + v / 10)
                out[k + 1] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
            }
            two(y / 100, at: 0)
            two(y % 100, at: 2)
            out[4] = 0x2D
            two(m, at: 5)
            out[7] = 0x2D
            two(d, at: 8)
            out[10] = 0x54
            two(rest / 3600, at: 11)
            out[13] = 0x3A
            two(rest % 3600 / 60, at: 14)
            out[16] = 0x3A
            two(rest % 60, at: 17)
            out[19] = 0x5A
            return 20
        }
    }

    /// Years outside 0…9999 (not produced by the parser, which reads 1900…9999).
    private func slowISO8601(_ y: Int64, _ m: Int64, _ d: Int64, _ rest: Int64) -> String {
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var year = "\(y)"
        while year.count < 4 { year = "0" + year }
        return "\(year)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }
}

/// Days since 1970-01-01 from a proleptic Gregorian date and back (H. Hinnant's algorithms), in 64-bit arithmetic
/// on bounded inputs.
enum CivilDate {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
