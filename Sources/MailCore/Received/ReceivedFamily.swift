/// A test of one row of `Family.table`.
enum FamilyTest: Sendable {
    /// A family word (a `Family` bit) in a comment outside the `from` clause.
    case word(UInt32)
    /// The `by` host (its first 64 bytes) ends with the lower-case literal.
    case byEnds(StaticString)
    /// `with Microsoft SMTP Server` or `Microsoft SMTPSVC`, or a `with` clause and a `Microsoft Exchange` comment.
    case microsoftWith
    /// The word `sg` and a comment of two bytes (SendGrid writes `(sg)`).
    case sgComment
    /// No family yet and a Sendmail version comment (`(8.12.9/8.12.9)`).
    case sendmailVersion
}

/// The words the family detection looks for in comments, one bit each, and the detection's priority table.
enum Family {
    static let microsoftExchange: UInt32 = 1 << 0
    static let postfix: UInt32 = 1 << 1
    static let exim: UInt32 = 1 << 2
    static let qmail: UInt32 = 1 << 3
    static let communigate: UInt32 = 1 << 4
    static let mdaemon: UInt32 = 1 << 5
    static let domino: UInt32 = 1 << 6
    static let amavis: UInt32 = 1 << 7
    static let fetchmail: UInt32 = 1 << 8
    static let getmail: UInt32 = 1 << 9
    static let cyrus: UInt32 = 1 << 10
    static let courier: UInt32 = 1 << 11
    static let simpleEmailService: UInt32 = 1 << 12
    static let sg: UInt32 = 1 << 13

    /// The family table: the first row whose `all` tests hold and one of whose `any` tests holds names the family;
    /// no row leaves the family as it is (an Exim message id may have set it). Order is priority: the software a
    /// comment names beats the receiving host's domain, and a Sendmail version comes last.
    static let table: [(all: [FamilyTest], any: [FamilyTest], family: ReceivedHop.MTAFamily)] = [
        ([.microsoftWith], [.byEnds(".outlook.com"), .byEnds(".office365.com")], .exchangeOnline),
        ([], [.microsoftWith], .exchange),
        ([], [.word(postfix)], .postfix),
        ([], [.word(exim)], .exim),
        ([], [.word(qmail)], .qmail),
        ([], [.word(communigate)], .communigate),
        ([], [.word(mdaemon)], .mdaemon),
        ([], [.word(domino)], .domino),
        ([], [.word(amavis)], .amavis),
        ([], [.word(fetchmail)], .fetchmail),
        ([], [.word(getmail)], .getmail),
        ([], [.word(cyrus)], .cyrus),
        ([], [.word(courier)], .courier),
        ([], [.word(simpleEmailService), .byEnds("amazonses.com"), .byEnds("amazonaws.com")], .ses),
        ([], [.sgComment, .byEnds("sendgrid.net")], .sendgrid),
        ([], [.byEnds("mailgun.net"), .byEnds("mailgun.org")], .mailgun),
        ([], [.byEnds("google.com"), .byEnds("gmail.com")], .google),
        ([], [.byEnds("yahoo.com"), .byEnds("yahoo.net"), .byEnds("yahoodns.net")], .yahoo),
        ([], [.byEnds(".outlook.com"), .byEnds(".office365.com")], .exchangeOnline),
        ([], [.sendmailVersion], .sendmail),
    ]
}

extension Reader {
    // MARK: Family

    /// The family words found in `b[r]`, in one pass.
    func familyWords(_ r: Range<Int>) -> UInt32 {
        var mask: UInt32 = 0
        let end = r.upperBound
        var i = r.lowerBound
        while i < end {
            switch ASCII.lower(b[i]) {
            case 0x61:  // a
                if b.asciiMatches(at: i, "amavis", end: end) { mask |= Family.amavis }
            case 0x63:  // c
                if b.asciiMatches(at: i, "communigate", end: end) { mask |= Family.communigate }
                if b.asciiMatches(at: i, "cyrus", end: end) { mask |= Family.cyrus }
                if b.asciiMatches(at: i, "courier", end: end) { mask |= Family.courier }
            case 0x64:  // d
                if b.asciiMatches(at: i, "domino", end: end) { mask |= Family.domino }
            case 0x65:  // e
                if b.asciiMatches(at: i, "exim", end: end) { mask |= Family.exim }
            case 0x66:  // f
                if b.asciiMatches(at: i, "fetchmail", end: end) { mask |= Family.fetchmail }
            case 0x67:  // g
                if b.asciiMatches(at: i, "getmail", end: end) { mask |= Family.getmail }
            case 0x6D:  // m
                if b.asciiMatches(at: i, "microsoft exchange", end: end) { mask |= Family.microsoftExchange }
                if b.asciiMatches(at: i, "mdaemon", end: end) { mask |= Family.mdaemon }
            case 0x70:  // p
                if b.asciiMatches(at: i, "postfix", end: end) { mask |= Family.postfix }
            case 0x71:  // q
                if b.asciiMatches(at: i, "qmail", end: end) { mask |= Family.qmail }
            case 0x73:  // s
                if b.asciiMatches(at: i, "sg", end: end) { mask |= Family.sg }
                if b.asciiMatches(at: i, "simpleemailservice", end: end) { mask |= Family.simpleEmailService }
            default: break
            }
            i += 1
        }
        return mask
    }

    /// Which software wrote the header, from the comments outside `from`, the `with` words, the `by` host's domain
    /// and an Exim message id: the first row of `Family.table` that holds.
    mutating func detectFamily(_ clauses: [ClauseSpan]) {
        // Comments outside the `from` clause: what they name, and whether one has two bytes (`(sg)`).
        var words: UInt32 = 0
        var twoByteComment = false
        var byHost: Range<Int>? = nil
        var withRange: Range<Int>? = nil
        for c in clauses {
            if c.kind != .from {
                for k in c.start..<c.end where toks[k].kind == .comment {
                    words |= familyWords(toks[k].range)
                    if toks[k].count == 2 { twoByteComment = true }
                }
            }
            if c.kind == .by, !c.isEmpty, toks[c.start].kind == .word { byHost = toks[c.start].range }
            if c.kind == .with, !c.isEmpty, toks[c.start].kind == .word {
                var last = c.start
                while last + 1 < c.end, toks[last + 1].kind == .word { last += 1 }
                withRange = toks[c.start].range.lowerBound..<toks[last].range.upperBound
            }
            if c.kind == .id, !c.isEmpty, isEximID(toks[c.start].range) { hop.mta = .exim }
        }
        // The `by` host as the family tests read it: its first 64 bytes.
        let by = byHost.map { clamp($0, 64) } ?? 0..<0
        func byEnds(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            return by.count >= n && b.asciiEquals((by.upperBound - n)..<by.upperBound, s)
        }
        func holds(_ test: FamilyTest) -> Bool {
            switch test {
            case .word(let w): return words & w != 0
            case .byEnds(let s): return byEnds(s)
            case .microsoftWith:
                guard let w = withRange else { return false }
                return b.asciiContains(w, "microsoft smtp server") || b.asciiContains(w, "microsoft smtpsvc")
                    || words & Family.microsoftExchange != 0
            case .sgComment: return words & Family.sg != 0 && twoByteComment
            case .sendmailVersion: return hop.mta == nil && hasSendmailVersion(clauses)
            }
        }
        for row in Family.table where row.all.allSatisfy(holds) && row.any.contains(where: holds) {
            hop.mta = row.family
            return
        }
    }

    func hasSendmailVersion(_ clauses: [ClauseSpan]) -> Bool {
        for c in clauses where c.kind != .from {
            for k in c.start..<c.end where toks[k].kind == .comment && isSendmailVersion(toks[k].range) {
                return true
            }
        }
        return false
    }

    /// Exim message ids: `1KQq5G-0001aY-Cr` (6-6-2) or the newer `1rAbCd-000AbC-1x2y` style (6-6-2..4).
    func isEximID(_ r: Range<Int>) -> Bool {
        let n = r.count
        guard n >= 16, n <= 24, b[r.lowerBound + 6] == ASCII.hyphen, b[r.lowerBound + 13] == ASCII.hyphen else {
            return false
        }
        for k in 0..<n where k != 6 && k != 13 && !ASCII.isAlphaNumeric(b[r.lowerBound + k]) { return false }
        return true
    }

    /// `8.11.6/8.11.6`, `8.12.2/8.12.2/20020902/$Revision…`, `V8/cf`, `8.9.3/8.9.3`.
    func isSendmailVersion(_ r: Range<Int>) -> Bool {
        var slash = r.lowerBound
        while slash < r.upperBound, b[slash] != 0x2F { slash += 1 }
        guard slash < r.upperBound, slash > r.lowerBound else { return false }
        let head = r.lowerBound..<slash
        if b.asciiEquals(head, "v8") { return true }
        var dot = false
        for k in head {
            if b[k] == ASCII.dot {
                dot = true
            } else if !ASCII.isDigit(b[k]) {
                return false
            }
        }
        return dot
    }
}
