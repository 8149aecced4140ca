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
        try await admin.execute("SELECT cdp.append_audit('sam', 'run.start', 'R7', NULL, 'ingest_only', NULL)")
        try await admin.execute(
            """
            INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, audit_rows, audit_head)
            SELECT 7, 'ingest_only', 'failed', 'sam', 'cli', cdp.now_text(), row_count, hash FROM cdp.audit_head
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
                SELECT cdp.append_own_audit('run.start', 'R' || id, NULL, workflow, NULL) FROM cdp.workflow_run WHERE actor = 'sam' AND state = 'running';
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
            "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, finished_at, error) VALUES (5, 'customer_pipeline', 'failed', 'ada', 'cli', cdp.now_text(), '2026-12-07T08:01:00Z', 'ingest failed')",
            "SELECT cdp.append_audit('ada', 'run.start', 'R5', NULL, 'customer_pipeline', NULL)",
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
        // A run of her own with no start in the audit log (its times are the server's since
        // `pg-runs-and-their-rows-are-the-servers`: `aLockHolderCannotRecordARunOfItsOwnTimesOrWithoutTasks`).
        let insert = "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at) VALUES (51, 'customer_pipeline', 'running', 'sam', 'manual', "
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
        #expect(problems.contains { $0.contains("run R52 of sam (succeeded) has no run.start in the audit log") }, "\(problems)")
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

    /// F9: a transaction left open after an audited change held the audit log's head (a viewer's own row then; only a
    /// role that can really write since `pg-only-roles-that-write-hold-the-audit-head`, here an admin's decision left
    /// open), and every audited write (a steward's decision here) hung for as long as it liked, silently. The wait is bounded now, by
    /// a setting of the function itself that the caller's own `lock_timeout` does not change, and the error names the
    /// holder and what to do; once the holder's transaction ends, the same decision goes through.
    @Test func anOpenTransactionHoldingTheAuditLogMakesWritesFailNamingItNotHang() async throws {
        let fixture = try await TeamStoreFixture.make("audithead")
        defer { Task { await fixture.drop() } }
        let holder = try await fixture.session("ada")
        try await holder.execute("BEGIN")
        _ = try await holder.rows("SELECT cdp.quarantine_reject(1, 'open', 'left open')")
        let started = Date()
        let reject = try fixture.psql(
            "SET statement_timeout = '60s'; SET lock_timeout = 0; SELECT cdp.quarantine_reject(2, 'open', 'duplicate')", as: "sam")
        let waited = Date().timeIntervalSince(started)
        #expect(reject.status != 0, "\(reject.output)")
        #expect(
            reject.stderr.contains("the audit log waited 15s for another session's open transaction, which holds it: ada (pid"), "\(reject.output)")
        #expect(
            reject.stderr.contains("idle in transaction") && reject.stderr.contains("cdp store end-session PID --store ADDRESS --reason '…'"),
            "\(reject.output)")
        #expect(waited < 40, "waited \(waited) s")
        try await holder.execute("ROLLBACK")
        await holder.close()
        let again = try fixture.psql("SELECT cdp.quarantine_reject(2, 'open', 'duplicate')", as: "sam")
        #expect(again.status == 0, "\(again.output)")
    }

    /// F9, the way out: an admin lists the store's sessions with what each holds (`cdp store sessions`) and ends the
    /// one holding the audit log's head (`cdp store end-session PID`), audited as `session.end` naming whose session
    /// it was and why; a steward may do neither (refused, audited), and ending a pid that is no session of the
    /// store is "not found". Once it is ended, the steward's decision goes through at once.
    @Test func anAdminEndsTheSessionHoldingTheAuditLogAudited() async throws {
        let fixture = try await TeamStoreFixture.make("endsession")
        defer { Task { await fixture.drop() } }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(fixture.cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        func address(_ user: String) -> String {
            "postgresql://\(user)@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)"
        }
        func cdpStore(_ arguments: [String]) throws -> Subprocess.Result {
            try Subprocess.run([cdp, "store"] + arguments, environment: environment)
        }
        let holder = try await fixture.session("sam")
        let pid = try #require(try await holder.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        // Refused (and the refusal audited) before the holder takes the head, which the refusal's row would wait for.
        let steward = try cdpStore(["end-session", pid, "--store", address("sam"), "--reason", "in my way"])
        #expect(steward.status == 12, "\(steward.output)")
        #expect(try await holder.rows("SELECT 'still here'").first?.first == "still here")
        try await holder.execute("BEGIN")
        _ = try await holder.rows("SELECT cdp.quarantine_reject(1, 'open', 'left open')")

        let listed = try cdpStore(["sessions", "--store", address("ada")])
        #expect(listed.status == 0, "\(listed.output)")
        let line = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix(pid + " ") }, "\(listed.output)")
        #expect(line.contains("sam") && line.contains("idle in transaction") && line.contains("the audit log's head"), "\(line)")
        // An analyst is refused the list too (asked while sam holds the head: she never waits for it).
        let analystList = try cdpStore(["sessions", "--store", address("ana")])
        #expect(analystList.status == 12, "\(analystList.output)")

        let nobody = try cdpStore(["end-session", "999999", "--store", address("ada"), "--reason", "typo"])
        #expect(nobody.status == 7, "\(nobody.output)")
        #expect(nobody.stderr.contains("no session of this team store has pid 999999"), "\(nobody.output)")

        let ended = try cdpStore(["end-session", pid, "--store", address("ada"), "--reason", "left open over lunch"])
        #expect(ended.status == 0, "\(ended.output)")
        #expect(ended.stdout.contains("ended the session of sam (pid \(pid), cdp-tests-sam, idle in transaction"), "\(ended.output)")
        let reject = try fixture.psql("SET lock_timeout = '2s'; SELECT cdp.quarantine_reject(2, 'open', 'duplicate')", as: "ada")
        #expect(reject.status == 0, "\(reject.output)")

        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let rows = try await admin.rows(
            "SELECT actor, action, target, before, after, reason FROM cdp.audit_log WHERE action IN ('session.end', 'access.refused', 'schedule.pause') ORDER BY id")
        try #require(rows.count == 2, "\(rows)")
        #expect(rows[0][0] == "sam" && rows[0][1] == "access.refused" && rows[0][2] == "session.end \(pid)", "\(rows[0])")
        #expect(rows[1][0] == "ada" && rows[1][1] == "session.end" && rows[1][2] == "session \(pid)", "\(rows[1])")
        #expect(rows[1][3]?.hasPrefix("sam (pid \(pid), cdp-tests-sam, idle in transaction") == true, "\(rows[1])")
        #expect(rows[1][4] == "ended" && rows[1][5] == "left open over lunch", "\(rows[1])")
    }

    /// F7: an analyst reading a masked view in a transaction she leaves open kept a steward's tag change waiting,
    /// which then failed with a bare "lock timeout". The wait is bounded by the trigger function itself (the editor's
    /// own `lock_timeout` does not change it), the refusal names the entry, the view and the reader and says what to
    /// do, and the edit is all or nothing: the entry, its versions, the audit log and every masked view it touches
    /// (the views rebuilt before the one she holds included) are as before, so the column reads as it did. Once her
    /// transaction ends, the same edit goes through and masks it.
    @Test func aReaderHoldingAMaskedViewMakesATagChangeFailWholeNamingHer() async throws {
        let fixture = try await TeamStoreFixture.make("tagwait")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(
            """
            INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, tags, allowed_values, rules,
                lineage, version, updated_by, updated_at, change)
            VALUES ('silver', 'silver_customer', 'country', 'x', 'text', '[]', '[]', '[]', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
            """)
        func treatments() async throws -> [[String?]] {
            try await admin.rows("SELECT relation, treatment FROM cdp.masked_column WHERE column_name = 'country' ORDER BY relation")
        }
        let before = try await treatments()
        #expect(before.count >= 2, "a tag of country touches more than the view she holds: \(before)")
        let auditRows = try await admin.rows("SELECT count(*)::text FROM cdp.audit_log").first?.first ?? nil

        let reader = try await fixture.session("ana")
        try await reader.execute("BEGIN")
        #expect(try await reader.rows("SELECT country FROM cdp.silver_customer_masked WHERE id = 1").first?.first == "ES")
        let started = Date()
        let edit =
            "SET lock_timeout = 0; SELECT cdp.dictionary_edit('silver', 'silver_customer', 'country', 1, '{\"tags\": \"[\\\"PII.Address\\\"]\"}', 'tagged')"
        let refused = try fixture.psql(edit, as: "sam")
        let waited = Date().timeIntervalSince(started)
        #expect(refused.status != 0, "\(refused.output)")
        #expect(
            refused.stderr.contains(
                "the tag change of silver_customer.country was not made (nothing changed; the column reads as before): it rebuilds the masked view of silver_customer"),
            "\(refused.output)")
        #expect(refused.stderr.contains("ana (pid ") && refused.stderr.contains("idle in transaction"), "\(refused.output)")
        #expect(refused.stderr.contains("cdp store end-session PID"), "\(refused.output)")
        #expect(waited < 30, "waited \(waited) s")
        #expect(try await treatments() == before)
        #expect(try await admin.rows("SELECT version::text FROM cdp.dictionary_entry WHERE column_name = 'country'").first?.first == "1")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log").first?.first == auditRows)
        let other = try await fixture.session("ana")
        #expect(try await other.rows("SELECT country FROM cdp.silver_customer_masked WHERE id = 1").first?.first == "ES")
        await other.close()

        try await reader.execute("ROLLBACK")
        await reader.close()
        let tagged = try fixture.psql(edit, as: "sam")
        #expect(tagged.status == 0, "\(tagged.output)")
        #expect(try await treatments() != before)
        let masked = try fixture.psql("SELECT country FROM silver_customer_masked WHERE id = 1", as: "ana")
        #expect(masked.status == 0 && !masked.stdout.contains(" ES\n"), "\(masked.output)")
    }

    /// F10: `cdp_owner` owns the `cdp` schema of every lake on a server, so a login role made a member of it for
    /// one lake (what README once suggested for a non-superuser applier) owns them all. `cdp access check --store`
    /// says so and exits 9 when the owner holds more than one lake and has a member who is not a superuser, naming
    /// the lakes, the member (a nested one too) and the statement that takes it out; a superuser member is no finding.
    @Test func accessCheckWarnsWhenTheOwnerRoleHoldsSeveralLakesForANonSuperuser() async throws {
        let first = try await TeamStoreFixture.make("ownerone")
        defer { Task { await first.drop() } }
        let second = try await TeamStoreFixture.make("ownertwo")
        defer { Task { await second.drop() } }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(first.cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        let address = "postgresql://postgres@/\(first.database)?host=\(first.cluster.folder)&port=\(first.cluster.port)"
        func check() throws -> Subprocess.Result { try Subprocess.run([cdp, "access", "check", "--store", address], environment: environment) }
        let admin = try await first.cluster.superuser()
        defer { Task { await admin.close() } }
        // The other databases closed, so the only finding can be the owner's.
        try await admin.execute("REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC")
        let clean = try check()
        #expect(clean.status == 0, "\(clean.output)")
        #expect(!clean.stderr.contains("cdp_owner"), "\(clean.output)")

        try await admin.execute("CREATE ROLE \"acme admin\" LOGIN CREATEROLE")
        try await admin.execute("CREATE ROLE acme_admins NOLOGIN")
        try await admin.execute("GRANT cdp_owner TO acme_admins")
        try await admin.execute("GRANT acme_admins TO \"acme admin\"")
        try await admin.execute("CREATE ROLE root_like SUPERUSER")
        try await admin.execute("GRANT cdp_owner TO root_like")
        let shared = try check()
        #expect(shared.status == 9, "\(shared.output)")
        #expect(shared.stderr.contains("the owner role cdp_owner owns the cdp schema of"), "\(shared.output)")
        #expect(shared.stderr.contains(first.database) && shared.stderr.contains(second.database), "\(shared.output)")
        #expect(shared.stderr.contains("acme admin, acme_admins are members of it without being a superuser"), "\(shared.output)")
        #expect(!shared.stderr.contains("root_like"), "\(shared.output)")
        #expect(shared.stderr.contains("(as a superuser: REVOKE cdp_owner FROM \"acme_admins\")"), "\(shared.output)")

        try await admin.execute("DROP ROLE \"acme admin\"")
        try await admin.execute("DROP ROLE acme_admins")
        try await admin.execute("DROP ROLE root_like")
        let again = try check()
        #expect(again.status == 0 && !again.stderr.contains("cdp_owner"), "\(again.output)")
        // As they were, for the other tests of this process.
        try await admin.execute("GRANT CONNECT, TEMPORARY ON DATABASE postgres, template1 TO PUBLIC")
    }
}
