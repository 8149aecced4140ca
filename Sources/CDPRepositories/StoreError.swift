/// Every failure of a store, whichever store it is: what failed, what to do next, and the error underneath.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case cannotOpen = "cannot_open"
        case notFound = "not_found"
        case conflict
        case io
        case database
        /// A user query reads what its user may not read (a personal column without `view_pii`), or does
        /// what queries may not do (a PRAGMA, ATTACH, an internal function).
        case notAuthorized = "not_authorized"
        /// A write to a lake opened read-only, or a lake the process may not write.
        case readOnly = "read_only"
        /// A read-only open of a lake whose schema is older than this build's (only a writing open migrates).
        case schemaOutdated = "schema_outdated"
        /// The caller asked a long write to stop (a task's timeout); it was rolled back.
        case interrupted
        /// The store does not offer this yet (a feature the team store on PostgreSQL does not serve so far): nothing
        /// was read or written; the message names the feature and what to do instead.
        case unsupported
    }

    public var code: Code
    public var message: String
    /// The error that caused this one (the database's own, with its SQL and result code), kept whole.
    public var cause: (any Error)?

    /// Whether ``description`` repeats the cause after the message (false when the message already says it).
    private var showsCause: Bool

    /// An error whose description ends with its cause, in parentheses.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = underlying
        self.showsCause = true
    }

    /// An error whose message already says what its cause says; the cause is kept for whoever handles it.
    public init(_ code: Code, _ message: String, cause: any Error) {
        self.code = code
        self.message = message
        self.cause = cause
        self.showsCause = false
    }

    /// The cause as text, as the description shows it; nil when there is none or the message says it.
    public var underlying: String? { showsCause ? cause.map { String(describing: $0) } : nil }

    public var description: String {
        underlying.map { "\(message) (\($0))" } ?? message
    }
}
