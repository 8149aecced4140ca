import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// Who holds the audit log's head on the team store, and what a role that writes nothing has recorded.
extension TeamStoreTests {
    /// The shipped analyst (`run_workflows` alone: it cannot take the run lock without `view_pii`, so it writes
    /// nothing on the store) pausing a schedule in a transaction she leaves open took the audit log's head, and every
    /// steward's decision failed after 15 s naming her. Her row waits in the inbox now: the decision goes through at
    /// once, and her row joins the chain, before the next write's, once her transaction commits.
    @Test func anAnalystsOwnRowsNeverHoldTheAuditLogsHead() async throws {
        let fixture = try await TeamStoreFixture.make("analysthead")
        defer { Task { await fixture.drop() } }
        let analyst = try await fixture.session("ana")
        defer { Task { await analyst.close() } }
        try await analyst.execute("BEGIN")
        _ = try await analyst.rows("SELECT cdp.append_own_audit('schedule.pause', 'customer_pipeline', NULL, NULL, NULL)")
        let started = Date()
        let reject = try fixture.psql("SET lock_timeout = '3s'; SELECT cdp.quarantine_reject(2, 'open', 'duplicate')", as: "sam")
        #expect(reject.status == 0, "\(reject.output)")
        #expect(Date().timeIntervalSince(started) < 10, "the decision did not wait for the analyst")
        try await analyst.execute("COMMIT")
        let next = try fixture.psql("SELECT cdp.quarantine_reject(1, 'open', 'not ours')", as: "sam")
        #expect(next.status == 0, "\(next.output)")
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let rows = try await admin.rows(
            "SELECT actor, action, target FROM cdp.audit_log WHERE action IN ('schedule.pause', 'quarantine.reject') AND target IN ('Q1', 'Q2', 'customer_pipeline') ORDER BY id")
        #expect(
            rows == [["sam", "quarantine.reject", "Q2"], ["ana", "schedule.pause", "customer_pipeline"], ["sam", "quarantine.reject", "Q1"]],
            "\(rows)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// A viewer's customer lookups wait in the inbox (she writes nothing), and the hourly budget counted only the log:
    /// her 101st lookup of the hour went through. It counts her rows in the inbox too: past 100 her search is refused.
    @Test func aViewersLookupsInTheInboxCountAgainstTheHourlyBudget() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "lookupbudget") { workspace, database, run in
            try await Self.ingestSample(workspace, database, run)
            let fixtureDatabase = try #require(database)
            let cluster = try PostgresTestCluster.get()
            // A hundred lookups recorded as cdp records them, by vic herself.
            let recorded = try cluster.psql(
                """
                SELECT count(cdp.append_own_audit('customer.lookup', 'customer search', NULL, 'no customer', 'smith'))
                FROM generate_series(1, 100)
                """, as: "vic", database: fixtureDatabase)
            #expect(recorded.status == 0, "\(recorded.output)")
            let admin = try await cluster.superuser(fixtureDatabase)
            defer { Task { await admin.close() } }
            #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_inbox WHERE actor = 'vic' AND action = 'customer.lookup'") == [["100"]])
            let searched = try Self.run(as: "vic", on: .postgres, workspace: workspace, ["customer", "search", "garcia", "-w", workspace], run)
            #expect(searched.status == 12, "\(searched.output)")
            #expect(searched.stderr.contains("vic has made 100 customer lookups in the last hour"), "\(searched.output)")
        }
    }
}
