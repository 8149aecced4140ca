import Foundation
import GRDB
import Testing

@testable import CDPStore

/// SQLite's settings for the lake. Process-wide ones are checked in a fresh process (an exit test), where
/// nothing has opened SQLite before.
struct SQLiteSetupTests {
    @Test func aLakeOpenedFirstStopsSQLiteCountingMemory() async {
        await #expect(processExitsWith: .success) {
            guard let store = try? LakeStore(), (try? store.appliedMigrations().isEmpty) == false else { exit(2) }
            exit(LakeStore.sqliteCountsMemory ? 1 : 0)
        }
    }

    /// The control: opened after another connection initialised SQLite, the setting cannot take and SQLite
    /// counts as before (so the test above would fail without the setting).
    @Test func sqliteAlreadyInUseKeepsCountingMemory() async {
        await #expect(processExitsWith: .success) {
            guard let queue = try? DatabaseQueue(), (try? queue.read { try Int.fetchOne($0, sql: "SELECT 1") }) == 1,
                  let store = try? LakeStore(), (try? store.appliedMigrations().isEmpty) == false
            else { exit(2) }
            exit(LakeStore.sqliteCountsMemory ? 0 : 1)
        }
    }

    @Test func freedSpaceOfTheLakeOnDiskIsNotZeroed() throws {
        let store = try StoreKind.onDisk.make()
        let reading = try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        let writing = try store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        #expect(reading == 0)
        #expect(writing == 0)
    }
}
