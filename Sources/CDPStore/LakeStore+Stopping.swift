import CDPRepositories
import Foundation
import GRDB
import GRDBSQLite

/// Writes that a caller can stop midway (a task past its `timeout_seconds`).
extension LakeStore {
    /// SQLite virtual-machine steps between two looks at `shouldStop`: some milliseconds of work.
    static let stopCheckInterval: Int32 = 100_000

    /// `write`, asking `shouldStop` every so many SQLite steps while the transaction runs (SQLite's progress
    /// handler). A yes interrupts the statement running; the transaction is rolled back, nothing is kept.
    /// - Throws: `StoreError.interrupted` when stopped; what `body` throws otherwise.
    func write<T>(
        _ operation: String, stoppingWhen shouldStop: @escaping @Sendable () -> Bool, _ body: (Database) throws -> T
    ) throws(StoreError) -> T {
        if shouldStop() { throw StoreError(.interrupted, "\(operation): stopped before it began") }
        let check = StopCheck(shouldStop)
        do {
            return try writer.write { db in
                let context = Unmanaged.passUnretained(check).toOpaque()
                sqlite3_progress_handler(db.sqliteConnection, Self.stopCheckInterval, { context in
                    guard let context else { return 0 }
                    let check = Unmanaged<StopCheck>.fromOpaque(context).takeUnretainedValue()
                    if check.shouldStop() {
                        check.stopped = true
                        return 1
                    }
                    return 0
                }, context)
                defer { sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil) }
                let result = try body(db)
                // A statement too short for the handler to run still ends with a look.
                if check.shouldStop() {
                    check.stopped = true
                    throw StoreError(.interrupted, "\(operation): stopped")
                }
                return result
            }
        } catch {
            if check.stopped { throw StoreError(.interrupted, "\(operation) was stopped; nothing of it was kept", underlying: error) }
            throw StoreError.wrapping(error, operation)
        }
    }
}

/// The closure the progress handler calls, and whether it said stop (read once the write returns).
private final class StopCheck: @unchecked Sendable {
    let shouldStop: @Sendable () -> Bool
    var stopped = false
    init(_ shouldStop: @escaping @Sendable () -> Bool) { self.shouldStop = shouldStop }
}
