/// Every failure of the team store on PostgreSQL: what failed, what to do next, and the cause kept whole.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The store's address (`postgresql://…`, a socket folder, a service) cannot be read.
        case invalidSettings = "invalid_settings"
        /// A password was written where it would be shared (`cdp.toml`, the store's address): refused.
        case passwordInConfiguration = "password_in_configuration"
        /// `~/.pgpass` or the service file cannot be used (unreadable, readable by others, malformed).
        case credentials
        /// The server cannot be reached or refused the login.
        case connection
        /// The server refused a statement, or a statement failed.
        case database
        /// The connected role may not do this (a permission the team store's roles do not grant it).
        case forbidden
        /// A decision lost a race: the record was decided by someone else meanwhile.
        case conflict
        /// Another run holds the team store's run lock, or a session's locks kept a change waiting too long.
        case busy
        /// What the command is about does not exist (a record, a held run lock).
        case notFound = "not_found"
        /// The team store's contents disagree with themselves (a broken audit chain).
        case verification
    }

    public var code: Code
    public var message: String
    /// The error that caused this one (a PostgresNIO error with its SQLSTATE, an I/O error), kept as it was.
    public var underlying: (any Error)?
    /// PostgreSQL's SQLSTATE, when the server answered with an error.
    public var sqlState: String?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.sqlState = sqlState
    }

    public var description: String {
        guard let underlying else { return message }
        return "\(message) (\(String(reflecting: underlying)))"
    }
}
