import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// A long write asked to stop is interrupted by SQLite's progress handler and rolled back whole.
struct StoppableWriteTests {
    @Test(arguments: StoreKind.allCases)
    func aWriteAskedToStopMidStatementKeepsNothing(kind: StoreKind) throws {
        let store = try kind.make()
        let asked = LockedCounter()
        #expect {
            try store.write("count far", stoppingWhen: { asked.next() > 3 }) { db in
                try db.execute(sql: "CREATE TABLE scratch (n INTEGER)")
                // Tens of millions of steps: only the progress handler can stop it midway.
                try db.execute(sql: "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 50000000) INSERT INTO scratch SELECT n FROM c")
            }
        } throws: { error in
            (error as? StoreError)?.code == .interrupted && (error as? StoreError)?.message == "count far was stopped; nothing of it was kept"
        }
        #expect(asked.value > 3)
        let tables = try store.read("tables") { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name = 'scratch'") }
        #expect(tables.isEmpty)
        // The handler is gone once the write ends: a later write runs to its end.
        #expect(try store.write("again", stoppingWhen: { false }) { db in try Int.fetchOne(db, sql: "SELECT 42") } == 42)
    }

    @Test func aWriteAskedToStopBeforeItBeginsDoesNothing() throws {
        let store = try LakeStore()
        var ran = false
        #expect { try store.write("nothing", stoppingWhen: { true }) { _ in ran = true } } throws: {
            ($0 as? StoreError)?.message == "nothing: stopped before it began"
        }
        #expect(!ran)
    }
}

/// A counter the stop check can bump from SQLite's callback.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func next() -> Int { lock.withLock { count += 1; return count } }
}
