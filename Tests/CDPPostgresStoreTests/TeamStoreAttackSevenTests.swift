import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The seventh security review of the team store (#17, attack on main 7a3dccf): each finding as the attacker
/// reproduced it with plain psql, now refused or withheld by the database.
extension TeamStoreTests {
    /// The audit chain's hashes as the superuser reads them: every row's hash and previous hash, the head, and the
    /// heads the runs recorded.
    static func auditHashes(_ admin: PostgresSession) async throws -> Set<String> {
        let rows = try await admin.rows(
            """
            SELECT hash FROM cdp.audit_log UNION SELECT previous_hash FROM cdp.audit_log UNION SELECT hash FROM cdp.audit_head
            UNION SELECT audit_head FROM cdp.workflow_run WHERE audit_head IS NOT NULL
            """)
        return Set(rows.compactMap { $0.first ?? nil }).subtracting([String(repeating: "0", count: 64)])
    }

    /// F3: an audit row's hash is SHA-256 over its real before/after/reason; a viewer read it (and the next row's
    /// previous hash, the chain's head, a run's recorded head) and found a masked birth date by hashing guesses.
    /// Without view_pii every one of them is withheld; a steward still reads them; and a store made before the fix
    /// is mended by its migration.
    @Test func auditHashesAreWithheldWithoutViewPII() async throws {
        let fixture = try await TeamStoreFixture.make("audithash")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        // A steward's fix of a birth date, audited with the real values, and a run that recorded the head after it.
        try await admin.execute(
            """
            SELECT cdp.append_audit('sam', 'quarantine.fix', 'Q2', '{"birth_date":"1985-03-41"}', '{"birth_date":"1985-03-14"}', NULL)
            """)
        try await admin.execute(
            """
            INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, audit_rows, audit_head)
            SELECT 7, 'ingest_only', 'failed', 'sam', 'cli', '2026-12-07T09:00:00Z', row_count, hash FROM cdp.audit_head
            """)
        let hashes = try await Self.auditHashes(admin)
        #expect(hashes.count >= 3, "\(hashes)")

        func check(_ label: String) throws {
            let reads = [
                "SELECT id, previous_hash, hash FROM audit_log_masked ORDER BY id",
                "SELECT id, audit_rows, audit_head FROM workflow_run_masked ORDER BY id",
                "SELECT row_count, hash FROM audit_head_masked",
            ]
            for user in ["vic", "ana"] {
                for sql in reads {
                    let read = try fixture.psql(sql, as: user)
                    #expect(read.status == 0, "\(label) \(user): \(read.output)")
                    #expect(read.stdout.contains("(withheld"), "\(label) \(user): \(read.output)")
                    for hash in hashes { #expect(!read.output.contains(hash), "\(label) \(user) reads an audit hash: \(read.output)") }
                }
                let head = try fixture.psql("SELECT row_count, hash FROM audit_head", as: user)
                #expect(head.status != 0 && head.stderr.contains("permission denied"), "\(label) \(user): \(head.output)")
            }
            let steward = try fixture.psql("SELECT hash FROM audit_log; SELECT hash FROM audit_head; SELECT audit_head FROM workflow_run", as: "sam")
            #expect(steward.status == 0, "\(label): \(steward.output)")
            for hash in hashes { #expect(steward.stdout.contains(hash), "\(label): the steward misses \(hash): \(steward.output)") }
        }
        try check("applied")

        // A store whose access was applied before the fix: the hashes shown and the head granted to every group.
        for statement in [
            "UPDATE cdp.masked_column SET source = 'dictionary', treatment = 'show' WHERE column_name IN ('hash', 'previous_hash', 'audit_head')",
            "SELECT cdp.rebuild_masked_view(r) FROM unnest(ARRAY['audit_log', 'workflow_run', 'audit_head']) r",
            "GRANT SELECT ON cdp.audit_head TO \(fixture.group("viewer")), \(fixture.group("analyst"))",
            "DELETE FROM cdp.schema_migration WHERE name = 'pg-audit-hashes-need-view-pii'",
        ] {
            try await admin.execute(statement)
        }
        let before = try fixture.psql("SELECT hash FROM audit_log_masked; SELECT hash FROM audit_head", as: "vic")
        #expect(hashes.contains { before.stdout.contains($0) }, "the simulated old store should show the hashes: \(before.output)")
        #expect(try await PostgresTeamStore.install(admin) == ["pg-audit-hashes-need-view-pii"])
        try check("migrated")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// F8: a steward with no run lock moved the bronze id sequence to its end with one `cdp.take_bronze_ids` (every
    /// later ingest failed, nothing audited), and the function's `LOCK TABLE cdp.batch` held in a steward's open
    /// transaction blocked every batch write. Ids go only to a run of the caller's holding the run lock, a bounded
    /// number at a time, and no lock on `cdp.batch` is taken.
    @Test func bronzeIDsGoOnlyToARunningRunAndLockNoTable() async throws {
        let fixture = try await TeamStoreFixture.make("bronzeids")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        func sequence() async throws -> String? { try await admin.rows("SELECT last_value::text FROM cdp.bronze_row_id").first?.first ?? nil }
        let before = try await sequence()

        let huge = "SELECT cdp.take_bronze_ids(9223372036854775000)"
        for attack in [huge, Self.holdingTheRunLock(huge)] {
            let exhaust = try fixture.psql(attack, as: "sam")
            #expect(exhaust.status != 0 && exhaust.stderr.contains("take between 1 and 10000000 bronze ids at a time"), "\(exhaust.output)")
        }
        let unlocked = try fixture.psql("SELECT cdp.take_bronze_ids(1)", as: "sam")
        #expect(unlocked.status != 0)
        #expect(unlocked.stderr.contains("sam may not take bronze ids: only a run holding the store's run lock lands rows"), "\(unlocked.output)")
        let noRun = try fixture.psql(Self.holdingTheRunLock("SELECT cdp.take_bronze_ids(1)"), as: "sam")
        #expect(noRun.stderr.contains("sam may not take bronze ids: no run of theirs is running"), "\(noRun.output)")
        let viewer = try fixture.psql("SELECT cdp.take_bronze_ids(1)", as: "vic")
        #expect(viewer.status != 0 && viewer.stderr.contains("permission denied for function take_bronze_ids"), "\(viewer.output)")
        #expect(try await sequence() == before)

        // A run of sam's takes ids, and its transaction holds no lock on cdp.batch meanwhile.
        let run = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('ingest_only', 'running', 'sam', 'cli', '2026-12-07T09:00:00Z');
                SELECT cdp.take_bronze_ids(5) AS first_id;
                SELECT count(*) AS batch_locks FROM pg_locks WHERE relation = 'cdp.batch'::regclass AND pid = pg_backend_pid() AND mode <> 'AccessShareLock'
                """), as: "sam")
        #expect(run.status == 0, "\(run.output)")
        let lines = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let locks = try #require(lines.firstIndex(of: "batch_locks"))
        #expect(lines.count > locks + 2 && lines[locks + 2] == "0", "\(run.output)")
        let taken = try #require(lines.firstIndex(of: "first_id"))
        let after = try #require(try await sequence())
        #expect(Int(after) == Int(lines[taken + 2])! + 4, "\(run.output) \(after)")
    }

    /// F4: a steward holding the run lock reopened another's failed run, rewrote its error, marked it succeeded with
    /// its tasks still failed, and recorded a run of its own with no `run.start` and a finished time of "x"; nothing
    /// was audited and verify said all held. Each is refused now, an admin (act_as) may still repair another's run,
    /// and a run row written behind the store's back is named by the audit check.
    @Test func aLockHolderCannotRewriteRunsOrRecordOneWithoutItsTrail() async throws {
        let fixture = try await TeamStoreFixture.make("runtrail")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for statement in [
            "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, finished_at, error) VALUES (5, 'customer_pipeline', 'failed', 'ada', 'cli', '2026-12-07T08:00:00Z', '2026-12-07T08:01:00Z', 'ingest failed')",
            "INSERT INTO cdp.task_run (run_id, task_key, position, step, depends_on, state) VALUES (5, 'ingest', 0, 'ingest', '', 'failed'), (1, 'ingest', 0, 'ingest', '', 'failed')",
        ] {
            try await admin.execute(statement)
        }
        func runs() async throws -> [[String?]] {
            try await admin.rows("SELECT id::text, state, coalesce(finished_at, '-'), coalesce(error, '-') FROM cdp.workflow_run ORDER BY id")
        }
        let before = try await runs()
        let auditBefore = try await admin.rows("SELECT count(*)::text FROM cdp.audit_log")

        // Another's failed run: not reopened, not rewritten.
        let reopen = try fixture.psql(Self.holdingTheRunLock("UPDATE cdp.workflow_run SET state = 'running' WHERE id = 5"), as: "sam")
        #expect(reopen.status != 0 && reopen.stderr.contains("run 5 is ada's: sam may only close it as failed or abandoned"), "\(reopen.output)")
        let forge = try fixture.psql(
            Self.holdingTheRunLock(
                "UPDATE cdp.workflow_run SET state = 'running' WHERE id = 5; UPDATE cdp.workflow_run SET error = 'forged error: see pilar' WHERE id = 5"),
            as: "sam")
        #expect(forge.status != 0, "\(forge.output)")
        // Her own failed run reopened, but it does not succeed with its task failed.
        let succeed = try fixture.psql(
            Self.holdingTheRunLock(
                """
                UPDATE cdp.workflow_run SET state = 'running', finished_at = NULL, error = NULL WHERE id = 1;
                UPDATE cdp.workflow_run SET state = 'succeeded', finished_at = '2026-12-07T09:05:26Z' WHERE id = 1
                """), as: "sam")
        #expect(succeed.status != 0 && succeed.stderr.contains("run 1 cannot succeed: its tasks ingest failed did not"), "\(succeed.output)")
        // A run of her own with no start in the audit log, or with times that are none.
        let insert = "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at) VALUES (51, 'customer_pipeline', 'running', 'sam', 'manual', "
        let untimed = try fixture.psql(Self.holdingTheRunLock(insert + "'now')"), as: "sam")
        #expect(untimed.stderr.contains("a run's start is a timestamp like 2026-12-07T09:05:26Z, not now"), "\(untimed.output)")
        let badEnd = try fixture.psql(
            Self.holdingTheRunLock(insert + "'2026-12-07T00:00:00Z'); UPDATE cdp.workflow_run SET state = 'failed', finished_at = 'x' WHERE id = 51"), as: "sam")
        #expect(badEnd.stderr.contains("run 51: a run's end is a timestamp like 2026-12-07T09:05:26Z, not x"), "\(badEnd.output)")
        let unaudited = try fixture.psql(
            Self.holdingTheRunLock(insert + "'2026-12-07T00:00:00Z'); UPDATE cdp.workflow_run SET state = 'succeeded', finished_at = '2026-12-07T00:00:01Z' WHERE id = 51"),
            as: "sam")
        #expect(unaudited.stderr.contains("run 51 cannot succeed: the audit log has no run.start or run.repair of it by sam"), "\(unaudited.output)")
        // And no start recorded for a run that is not hers and running.
        for target in ["R9", "R5", "R1"] {
            let fake = try fixture.psql("SELECT cdp.append_own_audit('run.start', '\(target)', NULL, 'customer_pipeline', NULL)", as: "sam")
            #expect(fake.stderr.contains("the audit log takes run.start only for a running run of sam's, and \(target) is none"), "\(fake.output)")
        }
        #expect(try await runs() == before)
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log") == auditBefore)

        // An admin repairs another's run: reopened and audited as a repair.
        let repair = try fixture.psql(
            Self.holdingTheRunLock(
                """
                UPDATE cdp.workflow_run SET state = 'running', finished_at = NULL, error = NULL WHERE id = 1;
                SELECT cdp.append_own_audit('run.repair', 'R1', 'failed', 'ingest', NULL);
                UPDATE cdp.task_run SET state = 'succeeded' WHERE run_id = 1;
                UPDATE cdp.workflow_run SET state = 'succeeded', finished_at = '2026-12-07T09:10:00Z' WHERE id = 1
                """), as: "ada")
        #expect(repair.status == 0, "\(repair.output)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)

        // A run row written behind the store's back (by its owner) is named by the audit check.
        try await admin.execute(
            "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, finished_at) VALUES (52, 'customer_pipeline', 'succeeded', 'sam', 'manual', '2026-12-07T00:00:00Z', 'x')")
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(problems.contains { $0.contains("run R52 of sam succeeded but the audit log has no run.start or run.repair of it") }, "\(problems)")
    }

    /// F5: `bronze_row_masked` showed the landed lines' lengths and offsets, joinable to each customer by
    /// `bronze_id` (the line's length less the fields shown is the length of the masked ones). Withheld now, as the
    /// embedded lake withholds them, also after a dictionary edit rebuilds the view and on a store migrated to it.
    @Test func landedRowLengthsAreWithheldWithoutViewPII() async throws {
        let fixture = try await TeamStoreFixture.make("landedlength")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let join = """
            SELECT s.source_key, b.record_length AS bronze_length, b.record_offset AS bronze_offset
            FROM silver_customer_masked s JOIN bronze_row_masked b ON b.id = s.bronze_id ORDER BY s.source_key
            """
        func check(_ label: String) throws {
            for user in ["vic", "ana"] {
                let read = try fixture.psql(join, as: user)
                #expect(read.status == 0, "\(label) \(user): \(read.output)")
                let rows = read.stdout.split(separator: "\n").filter { $0.contains("C000000") }
                #expect(rows.count == 2, "\(label) \(user): \(read.output)")
                for row in rows {
                    let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                    #expect(cells.count == 3 && cells[1].hasPrefix("(withheld") && cells[2].hasPrefix("(withheld"), "\(label) \(user): \(row)")
                }
            }
            let steward = try fixture.psql("SELECT record_length, record_offset FROM bronze_row WHERE source_key = 'C0000001'", as: "sam")
            #expect(steward.stdout.contains("120") && steward.stdout.contains("40"), "\(label): \(steward.output)")
        }
        try check("applied")
        // A dictionary edit rebuilds the view from cdp.masked_column: the lengths stay withheld.
        _ = try await admin.rows("SELECT cdp.rebuild_masked_view('bronze_row')")
        try check("rebuilt")
        // A store whose access was applied before the fix shows them until its migration runs.
        for statement in [
            "UPDATE cdp.masked_column SET source = 'length', treatment = 'show' WHERE relation = 'bronze_row' AND source = 'landed'",
            "SELECT cdp.rebuild_masked_view('bronze_row')",
            "DELETE FROM cdp.schema_migration WHERE name = 'pg-landed-rows-withhold-their-length'",
            "ALTER TABLE cdp.masked_column DROP CONSTRAINT masked_column_source_check, ADD CONSTRAINT masked_column_source_check CHECK (source IN ('dictionary', 'fixed', 'hash', 'length'))",
        ] {
            try await admin.execute(statement)
        }
        let before = try fixture.psql(join, as: "vic")
        #expect(before.stdout.contains("120"), "the simulated old store should show the length: \(before.output)")
        #expect(try await PostgresTeamStore.install(admin) == ["pg-landed-rows-withhold-their-length"])
        try check("migrated")
    }
}
