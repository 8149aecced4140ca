import CDPEngine
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// A team store call that fails keeps PostgreSQL's cause in the engine's error: the store's error with its
    /// SQLSTATE and the server's message, and under it the driver's error, not only a sentence.
    @Test func anEngineErrorKeepsThePostgreSQLCause() async throws {
        let fixture = try await TeamStoreFixture.make("cause")
        defer { Task { await fixture.drop() } }
        let address = "postgresql://postgres@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)"
        let error = try #require(throws: EngineError.self) {
            _ = try Workspace.breakTeamStoreRunLock(address, reason: "stuck")
        }
        #expect(error.code == .notFound)
        #expect(error.message.contains("nobody holds the run lock (SQLSTATE P0002)"), "\(error.message)")
        let cause = try #require(error.cause as? PostgresStoreError, "\(String(describing: error.cause))")
        #expect(cause.code == .notFound)
        #expect(cause.sqlState == "P0002")
        #expect(cause.message == "nobody holds the run lock")
        #expect(cause.underlying != nil)
    }
}
