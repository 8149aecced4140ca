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
    /// transaction, a session that takes the lock itself cannot commit a run without its `run.start`
    /// (`pg-a-run-commits-with-its-start`), and verify names a run without it written behind the store's back.
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

        // A session that takes the lock itself cannot commit a run without its `run.start`, even asking the check early;
        // with it, the run is recorded.
        let record = "INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('customer_pipeline', 'running', 'sam', 'cli', 'now')"
        for sql in [record, "SET CONSTRAINTS ALL IMMEDIATE; " + record] {
            let unstarted = try fixture.psql(Self.holdingTheRunLock(sql), as: "sam")
            #expect(unstarted.status != 0, "\(unstarted.output)")
            #expect(unstarted.stderr.contains("was recorded without its run.start audit row in the same transaction"), "\(unstarted.output)")
        }
        #expect(try await admin.rows("SELECT id::text, state FROM cdp.workflow_run ORDER BY id") == recorded)
        let withItsStart = try fixture.psql(
            Self.holdingTheRunLock(
                record + "; SELECT cdp.append_own_audit('run.start', 'R' || max(id), NULL, 'customer_pipeline', NULL) FROM cdp.workflow_run WHERE actor = 'sam'"),
            as: "sam")
        #expect(withItsStart.status == 0, "\(withItsStart.output)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin) == [])
        // One written behind the store's back (by its owner, whom no trigger asks) is named.
        try await admin.execute(
            "INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('customer_pipeline', 'running', 'sam', 'cli', cdp.now_text())")
        let fake = try #require(try await admin.rows("SELECT max(id)::text FROM cdp.workflow_run").first?.first ?? nil)
        #expect(
            try await PostgresTeamStore.auditChainProblems(admin) == [
                AuditEntry.runWithoutItsStart(RunID(Int64(fake) ?? 0), actor: "sam", state: "running")
            ])
        // Dropping the check is named too.
        try await admin.execute("ALTER TABLE cdp.workflow_run DISABLE TRIGGER run_commits_with_its_start")
        #expect(
            try await PostgresTeamStore.auditChainProblems(admin).contains(
                "trigger workflow_run.run_commits_with_its_start is missing or disabled: a login role can write what only a run writes"))
    }
}

extension TeamStoreTests {
    /// F2: `BEGIN; SELECT cdp.end_session(pid, 'x'); ROLLBACK;` ended sam's session (and `cdp.break_run_lock` the
    /// run's lock) with no audit row: the effect is outside the transaction, the audit row was not. Now the request
    /// and its audit row commit first, on their own; an admin who rolls the effect back after it happened leaves the
    /// request's audit row all the same, and it joins the chain at the next audited write.
    @Test func anAdminWhoRollsBackAnEndingStillLeavesItsAuditRow() async throws {
        let fixture = try await TeamStoreFixture.make("adminrequest")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        func alive(_ pid: String) async throws -> Bool {
            try await admin.rows("SELECT count(*)::text FROM pg_stat_activity WHERE pid = $1::integer", [pid]).first?.first == "1"
        }
        func audited(_ actions: [String]) async throws -> [[String?]] {
            try await admin.rows(
                """
                SELECT actor, action, target, after, reason FROM (SELECT id, actor, action, target, after, reason FROM cdp.audit_log
                    UNION ALL SELECT id + 1000000, actor, action, target, after, reason FROM cdp.audit_inbox) rows
                WHERE action = ANY($1::text[]) ORDER BY id
                """, ["{" + actions.joined(separator: ",") + "}"])
        }
        func number(_ result: Subprocess.Result) throws -> String {
            try #require(result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { Int($0) != nil }, "\(result.output)")
        }

        // The attack as the review made it, and both steps in one transaction: refused, nothing ended.
        let sam = try await fixture.session("sam")
        let pid = try #require(try await sam.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        let oneStep = "BEGIN; SELECT cdp.end_session(\(pid), 'x'); ROLLBACK;"
        let refused = try fixture.psql(oneStep, as: "ada")
        #expect(refused.stderr.contains("permission denied for function end_session"), "\(refused.output)")
        // A store whose access was applied before still lets the admin group call the one-step functions: they refuse.
        try await admin.execute("GRANT EXECUTE ON FUNCTION cdp.end_session(integer, text), cdp.break_run_lock(text) TO \(fixture.group("admin"))")
        let upgraded = try fixture.psql(oneStep, as: "ada")
        #expect(upgraded.stderr.contains("ending a session takes two steps"), "\(upgraded.output)")
        let together = try fixture.psql("SELECT cdp.end_session(cdp.request_end_session(\(pid), 'x'))", as: "ada")
        #expect(together.stderr.contains("was made in this same transaction: it must commit on its own first"), "\(together.output)")
        #expect(try await alive(pid))

        // The request committed, then the ending rolled back after the session was ended: the request's row stays.
        let request = try number(try fixture.psql("SELECT cdp.request_end_session(\(pid), 'left open all night')", as: "ada"))
        let rolledBack = try fixture.psql("BEGIN; SELECT cdp.end_session(\(request)); ROLLBACK;", as: "ada")
        #expect(rolledBack.status == 0, "\(rolledBack.output)")
        #expect(try await alive(pid) == false)
        #expect(
            try await audited(["session.end.requested", "session.end"]) == [
                ["ada", "session.end.requested", "session \(pid)", "request \(request)", "left open all night"]
            ])
        // Attack 12, F4: the request's free-text reason is read as the audit log's is (withheld without view_pii),
        // never from the request table, which no login role reads.
        for reader in ["vic", "ana", "sam"] {
            let read = try fixture.psql("SELECT reason FROM cdp.admin_request", as: reader)
            #expect(read.stderr.contains("permission denied for table admin_request"), "\(reader): \(read.output)")
        }
        // It joins the chain at the next audited write, which verify accepts.
        let reject = try fixture.psql("SELECT cdp.quarantine_reject(1, 'open', 'not a customer')", as: "sam")
        #expect(reject.status == 0, "\(reject.output)")
        let chained = try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE action = 'session.end.requested'")
        #expect(chained == [["1"]])
        #expect(try await PostgresTeamStore.auditChainProblems(admin) == [])

        // The run lock likewise: requested (committed), broken in a transaction rolled back: the lock is gone, the
        // request's row stays.
        let holder = try await fixture.session("sam")
        try await PostgresTeamStore.takeRunLock(holder)
        let unlock = try number(try fixture.psql("SELECT cdp.request_run_unlock('the run hung')", as: "ada"))
        let oneStepUnlock = try fixture.psql("BEGIN; SELECT cdp.break_run_lock('x'); ROLLBACK;", as: "ada")
        #expect(oneStepUnlock.stderr.contains("breaking the run lock takes two steps"), "\(oneStepUnlock.output)")
        let brokenBack = try fixture.psql("BEGIN; SELECT cdp.break_run_lock(\(unlock)); ROLLBACK;", as: "ada")
        #expect(brokenBack.status == 0, "\(brokenBack.output)")
        let ada = try await fixture.session("ada")
        defer { Task { await ada.close() } }
        #expect(try await PostgresTeamStore.runLockHolder(ada) == nil)
        #expect(try await audited(["run.unlock.requested", "run.unlock"]).map { Array($0.prefix(3)) } == [["ada", "run.unlock.requested", "run lock"]])

        // Through cdp (both steps, each committed): the ending and its request, in order.
        let third = try await fixture.session("sam")
        let thirdPid = try #require(try await third.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        let ended = try await PostgresTeamStore.endSession(ada, pid: Int(thirdPid) ?? 0, reason: "one more")
        #expect(ended.hasPrefix("sam (pid \(thirdPid)"), "\(ended)")
        #expect(try await alive(thirdPid) == false)
        #expect(
            try await audited(["session.end.requested", "session.end"]).suffix(2).map { Array($0.prefix(3)) } == [
                ["ada", "session.end.requested", "session \(thirdPid)"], ["ada", "session.end", "session \(thirdPid)"],
            ])
        #expect(try await PostgresTeamStore.auditChainProblems(admin) == [])
    }
}

extension TeamStoreTests {
    /// Review LOW: an unmerge from psql with `p_others` NULL, of a golden record's only member, failed with PL/pgSQL's
    /// "FOREACH expression must not be null" instead of a message of the store's. It is refused by its own message,
    /// an empty list still says there is nothing to split, and the checked body is no login's to call.
    @Test func anUnmergeWithNoListOfOtherMembersIsRefusedByItsOwnMessage() async throws {
        let fixture = try await TeamStoreFixture.make("unmergenull")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(
            "INSERT INTO cdp.golden_xref (source, source_key, golden_id, valid_from_run) VALUES ('crm_customers', 'C0000001', 1, 1)")
        func unmerge(_ others: String, function: String = "golden_unmerge_as_read") throws -> Subprocess.Result {
            try fixture.psql("SELECT cdp.\(function)(1, 'crm_customers:C0000001', 9, \(others), '[]', '[]', NULL)", as: "sam")
        }
        let null = try unmerge("NULL")
        #expect(null.status != 0, "\(null.output)")
        #expect(
            null.stderr.contains("an unmerge of crm_customers:C0000001 from G1 names the other records of G1 as cdp read them (an empty list when there are none), not NULL"),
            "\(null.output)")
        let empty = try unmerge("'{}'")
        #expect(empty.stderr.contains("crm_customers:C0000001 is the only record of G1; there is nothing to split"), "\(empty.output)")
        let inner = try unmerge("'{}'", function: "golden_unmerge_members_as_read")
        #expect(inner.stderr.contains("permission denied for function golden_unmerge_members_as_read"), "\(inner.output)")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.golden_record") == [["1"]])
    }
}
