import CDPCore
import GRDB

/// Every failure of the store, with what failed and what to do next.
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
    }

    public var code: Code
    public var message: String
    public var underlying: String?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { String(describing: $0) }
    }

    public var description: String {
        underlying.map { "\(message) (\($0))" } ?? message
    }
}

extension StoreError {
    /// Wraps a GRDB error with the operation that failed.
    static func wrapping(_ error: any Error, _ operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError(.database, "\(operation) failed: \(error.message ?? error.description)")
        }
        return StoreError(.database, "\(operation) failed", underlying: error)
    }
}
