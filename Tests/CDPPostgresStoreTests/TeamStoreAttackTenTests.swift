import CDPCore
import CDPPostgresStore
import CDPRepositories
import Foundation
import Testing

/// The tenth security review of the team store (#17, attack on main 572fad8): its store findings as the attacker
/// reproduced them with plain psql, now refused or named by the database and `cdp audit verify`.
extension TeamStoreTests {
    /// A lake of `user`'s on the fixture's store, logged in by SCRAM as `cdp` logs in.
    static func lake(_ fixture: TeamStoreFixture, as user: String) throws -> PostgresLake {
        try PostgresLake.open(
            "postgresql://\(user)@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)",
            environment: fixture.cluster.clientEnvironment, osUser: user)
    }

    /// F7: while sam's `cdp run` held the run lock, any other session of sam's (psql) recorded runs as running with no
    /// `run.start` — status bars showed them, `cdp audit verify` did not name them. Now only the session holding the
    /// lock records a run as running (or reopens one), `cdp run` records its run there with its `run.start` in the same
    /// transaction, and verify names a run without its `run.start` whoever wrote it.
    @Test func onlyTheSessionHoldingTheRunLockRecordsARunAndVerifyNamesOneWithoutItsStart() async throws {
        let fixture = try await TeamStoreFixture.make("runlockholder")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let lake = try Self.lake(fixture, as: "sam")
        defer { lake.close() }
        let runs = lake.repositories.runs
        try runs.takeStoreRunLock()
        let run = try runs.startRun(
            workflow: "ingest_only", tasks: [TaskOutline(key: TaskKey("ingest"), step: "ingest", dependsOn: [])], actor: "sam", trigger: "cli",
            parameters: [:], pid: nil, at: "2026-12-07T09:00:00Z", cause: "2 files arrived")
        let started = try await admin.rows("SELECT actor, after, reason FROM cdp.audit_log WHERE action = 'run.start' AND target = $1", [run.description])
        #expect(started == [["sam", "ingest_only", "2 files arrived"]])

        // Meanwhile sam's psql, another session of the same login: no run recorded as running, none reopened.
        let statements = [
            "INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('customer_pipeline', 'running', 'sam', 'cli', 'now')",
            "UPDATE cdp.workflow_run SET state = 'running', finished_at = NULL, error = NULL WHERE id = 1",
        ]
        for sql in statements {
            let fake = try fixture.psql(sql, as: "sam")
            #expect(fake.status != 0 && fake.stderr.contains("sam may not record a run as running from this session"), "\(fake.output)")
        }
        let recorded = try await admin.rows("SELECT id::text, state FROM cdp.workflow_run ORDER BY id")
        #expect(recorded == [["1", "failed"], [String(run.rawValue), "running"]], "\(recorded)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin) == [])
        runs.releaseStoreRunLock()

        // A session that takes the lock itself may record a run, and one it records without `run.start` is named.
        let holder = try fixture.psql(
            Self.holdingTheRunLock(
                "INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('customer_pipeline', 'running', 'sam', 'cli', 'now')"),
            as: "sam")
        #expect(holder.status == 0, "\(holder.output)")
        let fake = try #require(try await admin.rows("SELECT max(id)::text FROM cdp.workflow_run").first?.first ?? nil)
        #expect(
            try await PostgresTeamStore.auditChainProblems(admin) == [
                AuditEntry.runWithoutItsStart(RunID(Int64(fake) ?? 0), actor: "sam", state: "running")
            ])
    }
}
