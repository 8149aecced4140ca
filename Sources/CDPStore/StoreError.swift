import CDPCore
import CDPRepositories
import GRDB

extension StoreError {
    /// Wraps a GRDB error with the operation that failed; the database's error (its SQL, result code and
    /// message) is kept as the cause.
    static func wrapping(_ error: any Error, _ operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError(.database, "\(operation) failed: \(error.message ?? error.description)", cause: error)
        }
        return StoreError(.database, "\(operation) failed", underlying: error)
    }
}
