import CDPRepositories
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// A store error keeps the error underneath it whole (the database's, with its SQL and result code), so a
/// caller can tell what SQLite refused, while its message stays the one a user reads.
@Suite struct StoreErrorTests {
    @Test(arguments: StoreKind.allCases) func aDatabaseErrorIsKeptAsTheCause(kind: StoreKind) throws {
        let store = try kind.make()
        let error = try #require(throws: StoreError.self) { try store.query("SELECT x FROM no_such_table") }
        #expect(error.code == .database)
        let cause = try #require(error.cause as? DatabaseError, "the cause is \(String(describing: error.cause))")
        #expect(cause.resultCode == .SQLITE_ERROR)
        #expect(cause.sql == "SELECT x FROM no_such_table")
        // The message says what SQLite said once, as before: the cause is not repeated after it.
        #expect(error.description == "query failed: no such table: no_such_table")
    }

    @Test func anErrorMadeWithAnUnderlyingErrorShowsItAndKeepsIt() {
        struct Disk: Error, CustomStringConvertible { var description: String { "disk on fire" } }
        let error = StoreError(.io, "cannot read x", underlying: Disk())
        #expect(error.description == "cannot read x (disk on fire)")
        #expect(error.cause is Disk)
        #expect(StoreError(.io, "cannot read x").cause == nil)
    }
}
