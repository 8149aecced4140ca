import Foundation
import GRDB
import Testing

@testable import CDPStore

/// SQLite's settings for the lake. Process-wide ones are checked in a fresh process (an exit test), where
/// nothing has opened SQLite before.
struct SQLiteSetupTests {
    @Test func askedFirstSQLiteStopsCountingMemory() async {
        await #expect(processExitsWith: .success) {
            guard LakeStore.stopCountingSQLiteMemory(), let store = try? LakeStore(), (try? store.appliedMigrations().isEmpty) == false
            else { exit(2) }
            exit(LakeStore.sqliteCountsMemory ? 1 : 0)
        }
    }

    /// The console caps SQLite's memory, which needs the count: a lake alone leaves it on.
    @Test func aLakeAloneKeepsSQLiteCountingMemory() async {
        await #expect(processExitsWith: .success) {
            guard let store = try? LakeStore(), (try? store.appliedMigrations().isEmpty) == false else { exit(2) }
            exit(LakeStore.sqliteCountsMemory ? 0 : 1)
        }
    }

    /// Asked too late (another connection initialised SQLite), the setting cannot take: SQLite counts as
    /// before and the caller is told.
    @Test func sqliteAlreadyInUseKeepsCountingMemory() async {
        await #expect(processExitsWith: .success) {
            guard let queue = try? DatabaseQueue(), (try? queue.read { try Int.fetchOne($0, sql: "SELECT 1") }) == 1 else { exit(2) }
            let stopped = LakeStore.stopCountingSQLiteMemory()
            exit(!stopped && LakeStore.sqliteCountsMemory ? 0 : 1)
        }
    }

    /// Whether this SQLite zeroes freed space unless told not to (Debian builds it so; others may not).
    static let sqliteZeroesFreedSpace = (try? DatabaseQueue().read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }) == 1

    @Test(.enabled(if: sqliteZeroesFreedSpace, "this SQLite does not zero freed space anyway"))
    func freedSpaceOfTheLakeOnDiskIsNotZeroed() throws {
        let store = try StoreKind.onDisk.make()
        let reading = try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        let writing = try store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        #expect(reading == 0)
        #expect(writing == 0)
    }
}
