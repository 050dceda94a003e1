/// A problem met while reading a message, and what was done about it. MailCore cannot see the store's types: the
/// analyzer turns each into a `diagnostics` row. Codes are stable and listed in docs/decoding.md.
public struct MailDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// A repair any careful client makes silently (a missing close boundary).
        case info
        /// Something was guessed or dropped (an unknown charset, a broken encoded word).
        case warning
        /// A limit stopped the parser: part of the message was not read.
        case error
    }

    public var severity: Severity
    /// e.g. `mime.depth-limit`, `header.encoded-word`.
    public var code: String
    public var message: String

    public init(_ severity: Severity, _ code: String, _ message: String) {
        self.severity = severity
        self.code = code
        self.message = message
    }

    public var description: String { "\(severity.rawValue) \(code): \(message)" }
}
