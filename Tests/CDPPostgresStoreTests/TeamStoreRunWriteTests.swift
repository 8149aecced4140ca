import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The second security review of the team store (#17): a steward logged in with plain psql rewrote what only a
/// pipeline run writes. Each finding as it was reproduced, now refused by the database.
extension TeamStoreTests {
    /// psql statements run as `user` in one session, the run lock taken first.
    static func holdingTheRunLock(_ sql: String) -> String { "SELECT cdp.try_run_lock(); \(sql)" }

    /// Counts of what batch 1 of the fixture holds: silver rows, held records, their history.
    static func batchOneHoldings(_ admin: PostgresSession) async throws -> [String?] {
        try await admin.rows(
            """
            SELECT (SELECT count(*) FROM cdp.silver_customer WHERE batch_id = 1)::text, (SELECT count(*) FROM cdp.quarantine_record WHERE batch_id = 1)::text,
                (SELECT count(*) FROM cdp.quarantine_history h JOIN cdp.quarantine_record q ON q.id = h.quarantine_id WHERE q.batch_id = 1)::text, (SELECT state || ' ' || rows_read FROM cdp.batch WHERE id = 1)
            """
        ).first ?? []
    }

    /// F4: a steward set an ingested batch back to `landed` and had `cdp.discard_batch_rows` erase its silver rows,
    /// held records and their history, unaudited. Batch rows move only for a run holding the run lock, an ingested
    /// batch never moves again, and a discard needs the lock and a running run of the caller's.
    @Test func aStewardCannotSetABatchBackAndEraseIt() async throws {
        let fixture = try await TeamStoreFixture.make("batcherase")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute("UPDATE cdp.batch SET rows_read = 5, rows_silver = 2, rows_quarantined = 3 WHERE id = 1")
        let before = try await Self.batchOneHoldings(admin)
        #expect(before == ["2", "3", "1", "ingested 5"], "\(before)")

        let attack = "UPDATE cdp.batch SET state = 'landed' WHERE id = 1; SELECT cdp.discard_batch_rows(1)"
        let unlocked = try fixture.psql(attack, as: "sam")
        #expect(unlocked.status != 0)
        #expect(unlocked.stderr.contains("sam may not write cdp.batch: only a pipeline run writes it"), "\(unlocked.output)")
        let locked = try fixture.psql(Self.holdingTheRunLock(attack), as: "sam")
        #expect(locked.status != 0)
        #expect(locked.stderr.contains("batch 1 is ingested"), "\(locked.output)")
        let counters = try fixture.psql(Self.holdingTheRunLock("UPDATE cdp.batch SET rows_read = 0 WHERE id = 1"), as: "sam")
        #expect(counters.stderr.contains("batch 1 is ingested"), "\(counters.output)")
        let discardUnlocked = try fixture.psql("SELECT cdp.discard_batch_rows(1)", as: "sam")
        #expect(discardUnlocked.stderr.contains("only a run holding the store's run lock redoes a batch"), "\(discardUnlocked.output)")
        let discardNoRun = try fixture.psql(Self.holdingTheRunLock("SELECT cdp.discard_batch_rows(1)"), as: "sam")
        #expect(discardNoRun.stderr.contains("no run of theirs is running"), "\(discardNoRun.output)")
        #expect(try await Self.batchOneHoldings(admin) == before)

        // What a discard is for: a run of sam's redoing a batch an interrupted run left half-written. Audited.
        for statement in [
            "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at) VALUES (2, 'ingest_only', 'running', 'sam', 'cli', cdp.now_text())",
            "SELECT cdp.append_audit('sam', 'run.start', 'R2', NULL, 'ingest_only', NULL)",
            """
            INSERT INTO cdp.batch (id, source, file_name, landed_path, sha256, bytes, landed_at, run_id, state)
            VALUES (2, 'crm_customers', 'b.csv', 'p2', 'h2', 1, 'now', 1, 'ingesting'), (3, 'crm_customers', 'c.csv', 'p3', 'h3', 1, 'now', 1, 'failed')
            """,
            """
            INSERT INTO cdp.silver_customer (bronze_id, batch_id, line, record_offset, record_length, source, source_key, content_hash, is_current)
            VALUES (10, 2, 2, 0, 1, 'crm_customers', 'C0000100', 1, 1)
            """,
            """
            INSERT INTO cdp.quarantine_record (bronze_id, batch_id, run_id, source, entity, source_key, line, record_offset, record_length,
                content_hash, status, fields, failures, rules, created_at, updated_at)
            VALUES (11, 2, 1, 'crm_customers', 'customer', 'C0000101', 3, 0, 1, 2, 'open', '{}', '[]', 'x', 'now', 'now'),
                   (12, 3, 1, 'crm_customers', 'customer', 'C0000102', 3, 0, 1, 3, 'open', '{}', '[]', 'x', 'now', 'now')
            """,
            """
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
            SELECT id, 'now', 'sam', 'comment', 'looked at it' FROM cdp.quarantine_record WHERE batch_id = 3
            """,
        ] {
            try await admin.execute(statement)
        }
        let redo = try fixture.psql(Self.holdingTheRunLock("SELECT cdp.discard_batch_rows(2)"), as: "sam")
        #expect(redo.status == 0, "\(redo.output)")
        let left = try await admin.rows(
            """
            SELECT (SELECT count(*) FROM cdp.silver_customer WHERE batch_id = 2)::text, (SELECT count(*) FROM cdp.quarantine_record WHERE batch_id = 2)::text,
                (SELECT state FROM cdp.batch WHERE id = 2)
            """)
        #expect(left.first == ["0", "0", "landed"], "\(left)")
        let audited = try await admin.rows("SELECT actor, target, before, after FROM cdp.audit_log WHERE action = 'batch.discard'")
        #expect(audited.count == 1 && audited.first?[0] == "sam" && audited.first?[1] == "batch 2", "\(audited)")
        #expect(audited.first?[2]?.contains(#""silver_rows" : 1"#) == true && audited.first?[2]?.contains(#""held_records" : 1"#) == true, "\(audited)")
        // A batch whose held record a steward worked keeps it, history and all: the redo is refused.
        let worked = try fixture.psql(Self.holdingTheRunLock("SELECT cdp.discard_batch_rows(3)"), as: "sam")
        #expect(worked.status != 0)
        #expect(worked.stderr.contains("batch 3 (c.csv) cannot be redone: a steward has worked its held record Q"), "\(worked.output)")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.quarantine_record WHERE batch_id = 3").first?.first == "1")
        #expect(try await Self.batchOneHoldings(admin) == before)
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// F1: `cdp.append_own_audit`, every role's, recorded any action of any size: a viewer forged a quarantine
    /// release and an access apply. It takes only what the engine records of its own, each with the permission its
    /// action needs, and bounds the texts.
    @Test func ownAuditRowsAreOnlyWhatTheEngineRecordsAndBounded() async throws {
        let fixture = try await TeamStoreFixture.make("ownaudit")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        func append(_ action: String, _ target: String, as user: String, before: String = "NULL") throws -> Subprocess.Result {
            try fixture.psql("SELECT cdp.append_own_audit('\(action)', '\(target)', \(before), NULL, 'x')", as: user)
        }
        let rowsBefore = try await admin.rows("SELECT count(*)::text FROM cdp.audit_log").first?.first ?? nil
        for (action, user) in [("quarantine.release", "vic"), ("access.apply", "vic"), ("quarantine.fix", "sam"), ("run.unlock", "ada"), ("batch.discard", "sam")] {
            let forged = try append(action, "Q2", as: user)
            #expect(forged.status != 0, "\(user) \(action): \(forged.output)")
            #expect(forged.stderr.contains("the audit log takes \"\(action)\" only from the function that does it"), "\(forged.output)")
        }
        // An action the engine does record of its own, by a role that may not do it.
        let start = try append("run.start", "R9", as: "vic")
        #expect(start.stderr.contains("vic may not record run.start: missing permission run_workflows"), "\(start.output)")
        let comment = try append("work.comment", "Q1", as: "ana")
        #expect(comment.stderr.contains("missing permission remediate_quarantine"), "\(comment.output)")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log").first?.first == rowsBefore)

        // What the engine records, by roles that may: kept, bounded.
        #expect(try append("console.visit", "quarantine", as: "vic").status == 0)
        #expect(try append("work.comment", "Q1", as: "sam").status == 0)
        #expect(try append("schedule.pause", "customer_pipeline", as: "ana").status == 0)
        let flood = try append("view.save", String(repeating: "T", count: 500), as: "vic", before: "repeat('B', 5000000)")
        #expect(flood.status == 0, "\(flood.output)")
        // A viewer's rows join the chain at the next audited write (they never hold its head).
        #expect(try append("work.comment", "Q1", as: "sam").status == 0)
        let sizes = try await admin.rows(
            "SELECT length(target)::text, length(before)::text FROM cdp.audit_log WHERE action = 'view.save'")
        #expect(sizes.first == ["200", "2000"], "\(sizes)")
        let actors = try await admin.rows("SELECT actor || ' ' || action FROM cdp.audit_log ORDER BY id DESC LIMIT 5").map { $0.first ?? nil }
        #expect(actors == ["sam work.comment", "vic view.save", "ana schedule.pause", "sam work.comment", "vic console.visit"], "\(actors)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// F3: a steward rewrote a finished run (state, error, actor) and its recorded audit head with a plain UPDATE,
    /// and wrote silver outside any run. Run rows and silver are written only under the run lock, a finished run is
    /// history, what a run is never changes, and the audit head a run records is the store's; `cdp audit verify`
    /// compares the runs' heads with the chain.
    @Test func runHistoryAndSilverAreWrittenOnlyByARunHoldingTheLock() async throws {
        let fixture = try await TeamStoreFixture.make("runhistory")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        // Who ran it is no column a role may update at all; its state only under the lock, and not once finished.
        let actor = try fixture.psql(Self.holdingTheRunLock("UPDATE cdp.workflow_run SET state = 'succeeded', error = NULL, actor = 'ana'"), as: "sam")
        #expect(actor.stderr.contains("permission denied for table workflow_run"), "\(actor.output)")
        let rewrite = "UPDATE cdp.workflow_run SET state = 'succeeded', error = NULL"
        let unlocked = try fixture.psql(rewrite, as: "sam")
        #expect(unlocked.stderr.contains("sam may not write cdp.workflow_run: only a pipeline run writes it"), "\(unlocked.output)")
        let succeeded = try fixture.psql(Self.holdingTheRunLock(rewrite), as: "sam")
        #expect(succeeded.stderr.contains("run 1 failed: a finished run is history"), "\(succeeded.output)")
        let head = try fixture.psql(Self.holdingTheRunLock("UPDATE cdp.workflow_run SET audit_rows = 1, audit_head = 'x'"), as: "ada")
        #expect(head.status != 0, "\(head.output)")
        let task = try fixture.psql(
            Self.holdingTheRunLock(
                "INSERT INTO cdp.task_run (run_id, task_key, position, step, depends_on, state) VALUES (1, 'x', 0, 'ingest', '', 'pending')"),
            as: "sam")
        #expect(task.stderr.contains("run 1 is failed: its tasks are history"), "\(task.output)")
        let silver = """
            INSERT INTO cdp.silver_customer (bronze_id, batch_id, line, record_offset, record_length, source, source_key, content_hash, is_current,
                first_name, last_name) VALUES (99, 1, 2, 0, 0, 'crm_customers', 'C9999999', 0, 1, 'Forged', 'Person')
            """
        #expect(try fixture.psql(silver, as: "sam").stderr.contains("sam may not write cdp.silver_customer"))
        let supersede = "UPDATE cdp.silver_customer SET is_current = 0, superseded_by = 1 WHERE source_key = 'C0000002'"
        #expect(try fixture.psql(supersede, as: "ada").stderr.contains("ada may not write cdp.silver_customer"))
        let kept = try await admin.rows(
            "SELECT state || ' ' || actor || ' ' || coalesce(error, '-') FROM cdp.workflow_run UNION ALL SELECT count(*)::text FROM cdp.silver_customer WHERE is_current = 1")
        #expect(kept.map { $0.first ?? nil } == ["failed sam row of Rebecca Scott failed", "2"], "\(kept)")

        // A run of her own, under the lock: recorded under her login, and as it ends the store records the chain's head.
        let other = try fixture.psql(
            Self.holdingTheRunLock(
                "INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('ingest_only', 'running', 'ana', 'cli', 'now')"),
            as: "sam")
        #expect(other.stderr.contains("a run is recorded under the login role running it (sam), not ana"), "\(other.output)")
        let own = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('ingest_only', 'running', 'sam', 'cli', '2026-12-07T09:00:00Z');
                SELECT cdp.append_own_audit('run.start', 'R' || id, NULL, workflow, NULL) FROM cdp.workflow_run WHERE actor = 'sam' AND state = 'running';
                INSERT INTO cdp.task_run (run_id, task_key, position, step, depends_on, state)
                    SELECT id, 'ingest', 0, 'ingest', '', 'pending' FROM cdp.workflow_run WHERE actor = 'sam' AND state = 'running';
                UPDATE cdp.task_run SET state = 'succeeded' WHERE task_key = 'ingest' AND run_id IN (SELECT id FROM cdp.workflow_run WHERE workflow = 'ingest_only');
                UPDATE cdp.workflow_run SET state = 'succeeded', finished_at = '2026-12-07T09:01:00Z' WHERE actor = 'sam' AND state = 'running'
                """),
            as: "sam")
        #expect(own.status == 0, "\(own.output)")
        let recorded = try await admin.rows(
            """
            SELECT r.id::text, (r.audit_rows = h.row_count AND r.audit_head = h.hash)::text FROM cdp.workflow_run r, cdp.audit_head h
            WHERE r.workflow = 'ingest_only'
            """)
        let id = try #require(recorded.first?[0], "\(recorded)")
        #expect(recorded.count == 1 && recorded.first?[1] == "true", "\(recorded)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
        // A head changed behind the triggers' back (by the owner) is caught by the chain check.
        try await admin.execute("UPDATE cdp.workflow_run SET audit_head = repeat('0', 64) WHERE workflow = 'ingest_only'")
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(problems.contains { $0.contains("is not the row run R\(id) recorded") }, "\(problems)")
    }

    /// F9: a steward locked a run table against every reader; no login role holds the table-wide UPDATE, DELETE or
    /// TRUNCATE a lock that strong needs, on any table of the lake.
    @Test func noLoginRoleCanLockATableAgainstReaders() async throws {
        let fixture = try await TeamStoreFixture.make("tablelock")
        defer { Task { await fixture.drop() } }
        for table in ["workflow_run", "task_run", "batch", "silver_customer", "quarantine_record", "audit_log"] {
            for user in ["sam", "ada"] {
                let locked = try fixture.psql("BEGIN; LOCK TABLE cdp.\(table) IN ACCESS EXCLUSIVE MODE; COMMIT", as: user)
                #expect(locked.status != 0, "\(user) locked \(table): \(locked.output)")
                #expect(locked.stderr.contains("permission denied for table \(table)"), "\(user) \(table): \(locked.output)")
            }
        }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let wide = try await admin.rows(
            """
            SELECT r.rolname || ' ' || a.privilege_type || ' ' || c.relname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
            JOIN pg_roles r ON r.oid = a.grantee
            WHERE c.relnamespace = 'cdp'::regnamespace AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') AND r.rolname <> 'cdp_owner'
            """)
        #expect(wide.isEmpty, "\(wide)")
    }

    /// The sample ingest run by a steward logged in as herself (not the installer, whom the triggers leave alone):
    /// every write of the run passes the store's checks, the run records the chain's head, and the lake verifies.
    @Test func aStewardRunsTheSampleIngestUnderTheStoresChecks() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "stewardrun") { workspace, database, run in
            let database = try #require(database)
            try await Self.letSampleUsersLogIn(database)
            let admin = try await PostgresTestCluster.get().superuser(database)
            defer { Task { await admin.close() } }
            func asSam(_ arguments: [String]) throws -> Subprocess.Result {
                try Self.run(as: "sam", on: .postgres, workspace: workspace, arguments, run)
            }
            let ran = try asSam(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            let again = try asSam(["run", "-w", workspace, "--workflow", "ingest_only"])
            #expect(again.status == 0, "\(again.output)")
            let runs = try await admin.rows("SELECT actor, state, (audit_rows IS NOT NULL)::text FROM cdp.workflow_run ORDER BY id")
            #expect(runs == [["sam", "succeeded", "true"], ["sam", "succeeded", "true"]], "\(runs)")
            let ingested = try await admin.rows("SELECT count(*)::text FROM cdp.batch WHERE state = 'ingested'").first?.first ?? nil
            #expect((Int(ingested ?? "0") ?? 0) >= 5, "\(ingested ?? "nil")")
            let verified = try asSam(["verify", "-w", workspace])
            #expect(verified.status == 0, "\(verified.output)")
            let audit = try asSam(["audit", "verify", "-w", workspace])
            #expect(audit.status == 0 && audit.stdout.contains("audit chain intact"), "\(audit.output)")
        }
    }

    /// F2: `cdp.quarantine_fix` stored the caller's document whole while auditing only the keys it passed: a steward
    /// erased every other field of a held record unseen, then released the rest to silver. A fix's fields are edits
    /// merged into the stored ones; a field is taken out only when given as null, and that is audited too.
    @Test func aFixChangesOnlyTheFieldsItNamesAndAuditsARemoval() async throws {
        let fixture = try await TeamStoreFixture.make("fixmerge")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let fix = try fixture.psql(
            #"SELECT cdp.quarantine_fix(1, 'open', '{"email": "rebecca.scott@yahoo.ie"}', '[]', 'email_format', 'fixed', 'fix the email')"#,
            as: "sam")
        #expect(fix.status == 0, "\(fix.output)")
        let stored = try await admin.rows(
            "SELECT fields::jsonb ->> 'email', fields::jsonb ->> 'last_name', fields::jsonb ->> 'birth_date', fields::jsonb ->> 'phone' FROM cdp.quarantine_record WHERE id = 1")
        #expect(stored.first == ["rebecca.scott@yahoo.ie", "Scott", "1990-11-02", "+353871234567"], "\(stored)")
        // Taking a field out takes a null, and the audit row says what it held.
        let erase = try fixture.psql(
            #"SELECT cdp.quarantine_fix(2, 'open', '{"last_name": null, "email": "pilar.gonzalez53@yahoo.es"}', '[]', ',', 'open', 'x')"#, as: "sam")
        #expect(erase.status == 0, "\(erase.output)")
        let audited = try await admin.rows(
            "SELECT (before::jsonb -> 'fields')::text, (after::jsonb -> 'fields')::text FROM cdp.audit_log WHERE action = 'quarantine.fix' AND target = 'Q2'")
        #expect(audited.first == [#"{"last_name": "González"}"#, #"{"last_name": null}"#], "\(audited)")
        let left = try await admin.rows("SELECT (fields::jsonb ? 'last_name')::text, fields::jsonb ->> 'first_name' FROM cdp.quarantine_record WHERE id = 2")
        #expect(left.first == ["false", "Pilar"], "\(left)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }
}
