import CDPPostgresStore
import Foundation
import Testing

/// `cdp audit verify` on a team store upgraded from before runs took the server's clock.
extension TeamStoreTests {
    /// A run recorded before `pg-runs-and-their-rows-are-the-servers` carries the client's times, and `cdp audit
    /// verify` named it as written outside cdp run (its start hours from its `run.start`). The upgrade records where the
    /// server's clock begins: such a run is left alone, and a run recorded after it is still compared.
    @Test func auditVerifyComparesOnlyRunsRecordedOnTheServersClock() async throws {
        let fixture = try await TeamStoreFixture.make("runclockupgrade")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        func record(_ run: Int, startedAt: String) async throws {
            // As an older cdp wrote it: the run's times the client's, its run.start audited when the store appended it.
            try await admin.execute("ALTER TABLE cdp.workflow_run DISABLE TRIGGER USER")
            try await admin.execute(
                """
                INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, finished_at)
                VALUES (\(run), 'customer_pipeline', 'succeeded', 'sam', 'cli', $1, $1)
                """, [startedAt])
            try await admin.execute("ALTER TABLE cdp.workflow_run ENABLE TRIGGER USER")
            try await admin.execute("SELECT cdp.append_audit('sam', 'run.start', 'R\(run)', NULL, 'customer_pipeline', NULL)")
        }
        // The store as it was before this upgrade: the server's clock taken since 2 December, run 5 recorded before.
        for statement in [
            "DELETE FROM cdp.schema_migration WHERE name = 'pg-audit-verify-checks-runs-on-the-servers-clock'",
            "DROP FUNCTION cdp.first_run_on_the_servers_clock()", "DROP TABLE cdp.run_clock_boundary",
            "UPDATE cdp.schema_migration SET applied_at = '2026-12-02T00:00:00Z' WHERE name = 'pg-runs-and-their-rows-are-the-servers'",
        ] {
            try await admin.execute(statement)
        }
        try await record(5, startedAt: "2026-11-01T10:00:00Z")
        #expect(try await PostgresTeamStore.install(admin) == ["pg-audit-verify-checks-runs-on-the-servers-clock"])
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(problems.isEmpty, "\(problems)")
        // The upgrade granted the boundary to the roles the store had already: a steward's `cdp audit verify` reads it.
        let boundary = try fixture.psql("SELECT cdp.first_run_on_the_servers_clock()", as: "sam")
        #expect(boundary.status == 0 && boundary.stdout.contains("6"), "\(boundary.output)")
        // A run recorded after the upgrade whose start is not its audited one is still named.
        try await record(6, startedAt: "2026-12-03T00:00:00Z")
        let later = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(later.count == 1 && later.contains { $0.contains("run R6 of sam says it started at 2026-12-03T00:00:00Z") }, "\(later)")
    }
}
