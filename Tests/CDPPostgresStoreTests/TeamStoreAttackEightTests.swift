import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The eighth security review of the team store (#17): what a lock holder, a steward or a viewer did with plain psql,
/// replayed as that login role, now refused by the database.
extension TeamStoreTests {
    /// Whether a lake timestamp is within five minutes of the database's clock (the server's time, not a client's).
    static func isServerTime(_ stamp: String?, _ admin: PostgresSession) async throws -> Bool {
        guard let stamp else { return false }
        let near = try await admin.rows(
            "SELECT (abs(extract(epoch FROM now() - $1::timestamptz)) < 300)::text", [stamp])
        return near.first?.first == "true"
    }

    /// S1: the session holding the run lock recorded a run of its own as succeeded, with start and end times of its
    /// choosing and no tasks, which `cdp status` then headlined. Its start and end are the server's now, it succeeds
    /// only with a task that succeeded (tasks are recorded pending), and `cdp audit verify` names a run whose start
    /// is not when its `run.start` was audited.
    @Test func aLockHolderCannotRecordARunOfItsOwnTimesOrWithoutTasks() async throws {
        let fixture = try await TeamStoreFixture.make("runclock")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let start = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at) VALUES (60, 'customer_pipeline', 'running', 'sam', 'cli', '2020-01-01T00:00:00Z');
                SELECT cdp.append_own_audit('run.start', 'R60', NULL, 'customer_pipeline', NULL)
                """), as: "sam")
        #expect(start.status == 0, "\(start.output)")
        func run() async throws -> [String?] {
            try await admin.rows("SELECT state, started_at, finished_at FROM cdp.workflow_run WHERE id = 60").first ?? []
        }
        let started = try await run()
        #expect(try await Self.isServerTime(started[1], admin), "\(started)")

        let untasked = try fixture.psql(
            Self.holdingTheRunLock("UPDATE cdp.workflow_run SET state = 'succeeded', finished_at = '2020-01-01T00:05:00Z' WHERE id = 60"), as: "sam")
        #expect(untasked.status != 0, "\(untasked.output)")
        #expect(untasked.stderr.contains("run 60 cannot succeed: none of its tasks is recorded as succeeded"), "\(untasked.output)")
        let doneAlready = try fixture.psql(
            Self.holdingTheRunLock(
                "INSERT INTO cdp.task_run (run_id, task_key, position, step, depends_on, state, processed) VALUES (60, 'ingest', 0, 'ingest', '', 'succeeded', 14000000)"),
            as: "sam")
        #expect(doneAlready.stderr.contains("task ingest of run 60 is recorded pending, with nothing done yet (not succeeded)"), "\(doneAlready.output)")
        #expect(try await run()[0] == "running")

        // Its tasks recorded and done, it succeeds, ending when the server says.
        let finished = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.task_run (run_id, task_key, position, step, depends_on, state) VALUES (60, 'ingest', 0, 'ingest', '', 'pending');
                UPDATE cdp.task_run SET state = 'succeeded' WHERE run_id = 60;
                UPDATE cdp.workflow_run SET state = 'succeeded', finished_at = '2020-01-01T00:05:00Z' WHERE id = 60
                """), as: "sam")
        #expect(finished.status == 0, "\(finished.output)")
        let ended = try await run()
        #expect(ended[0] == "succeeded" && ended[2] != "2020-01-01T00:05:00Z", "\(ended)")
        #expect(try await Self.isServerTime(ended[2], admin), "\(ended)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)

        // A start rewritten behind the store's back (by its owner) is named by the audit check.
        try await admin.execute("UPDATE cdp.workflow_run SET started_at = '2020-01-01T00:00:00Z' WHERE id = 60")
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(
            problems.contains { $0.contains("run R60 of sam says it started at 2020-01-01T00:00:00Z but its run.start was audited at") },
            "\(problems)")
    }

    /// S2/S2b: the lock holder rewrote the rule results and scorecard of a batch another, finished run ingested, and
    /// appended events and warnings to others' runs. A run writes only its own rows, while it runs, and events take
    /// the server's time.
    @Test func aLockHolderWritesOnlyItsOwnRunsRows() async throws {
        let fixture = try await TeamStoreFixture.make("runrows")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for statement in [
            "INSERT INTO cdp.rule_result (run_id, batch_id, source, rule, severity, evaluated, failed) VALUES (1, 1, 'crm_customers', 'email_format', 'error', 3, 2)",
            "INSERT INTO cdp.dq_scorecard (run_id, source, rule, severity, evaluated, failed, pass_rate) VALUES (1, 'crm_customers', 'email_format', 'error', 3, 2, 0.33)",
            "INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at) VALUES (70, 'ingest_only', 'running', 'ada', 'cli', cdp.now_text())",
            "SELECT cdp.append_audit('ada', 'run.start', 'R70', NULL, 'ingest_only', NULL)",
        ] {
            try await admin.execute(statement)
        }
        // sam's own running run, ingesting a batch of its own.
        let own = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at) VALUES (71, 'ingest_only', 'running', 'sam', 'cli', 'x');
                SELECT cdp.append_own_audit('run.start', 'R71', NULL, 'ingest_only', NULL);
                INSERT INTO cdp.batch (id, source, file_name, landed_path, sha256, bytes, landed_at, run_id, state)
                    VALUES (7, 'crm_customers', 'more.csv', 'p7', 'h7', 1, '2026-12-07T09:00:00Z', 71, 'landed');
                UPDATE cdp.batch SET state = 'ingesting' WHERE id = 7
                """), as: "sam")
        #expect(own.status == 0, "\(own.output)")
        func held() async throws -> [String?] {
            try await admin.rows(
                """
                SELECT (SELECT string_agg(run_id || ':' || batch_id || ':' || failed, ',' ORDER BY batch_id) FROM cdp.rule_result),
                    (SELECT string_agg(run_id || ':' || failed, ',' ORDER BY run_id) FROM cdp.dq_scorecard),
                    (SELECT count(*)::text FROM cdp.run_event), (SELECT count(*)::text FROM cdp.row_warning)
                """
            ).first ?? []
        }
        let before = try await held()
        #expect(before == ["1:1:2", "1:2", "0", "1"], "\(before)")
        let attacks: [(String, String)] = [
            ("UPDATE cdp.rule_result SET failed = 0 WHERE batch_id = 1", "sam may not write cdp.rule_result of run 1: it is failed"),
            (
                "INSERT INTO cdp.rule_result (run_id, batch_id, source, rule, severity, evaluated, failed) VALUES (71, 1, 'crm_customers', 'email_format', 'error', 3, 0) ON CONFLICT (batch_id, rule) DO UPDATE SET failed = 0",
                "sam may not write cdp.rule_result of batch 1 for run 71: the batch is run 1's"
            ),
            (
                "INSERT INTO cdp.rule_result (run_id, batch_id, source, rule, severity, evaluated, failed) VALUES (1, 7, 'crm_customers', 'phone_format', 'error', 3, 0)",
                "sam may not write cdp.rule_result of run 1: it is failed"
            ),
            ("UPDATE cdp.dq_scorecard SET failed = 0, pass_rate = 1 WHERE run_id = 1", "sam may not write cdp.dq_scorecard of run 1: it is failed"),
            (
                "INSERT INTO cdp.dq_scorecard (run_id, source, rule, severity, evaluated, failed, pass_rate) VALUES (70, 'crm_customers', 'x', 'error', 1, 0, 1)",
                "sam may not write cdp.dq_scorecard of run 70: it is ada's"
            ),
            (
                "INSERT INTO cdp.run_event (run_id, at, kind, message) VALUES (1, '2026-12-01T10:00:05Z', 'run_finished', 'run succeeded')",
                "sam may not write cdp.run_event of run 1: it is failed"
            ),
            (
                "INSERT INTO cdp.run_event (run_id, at, kind, message) VALUES (70, '2026-12-07T09:00:05Z', 'log', 'ada exported every customer')",
                "sam may not write cdp.run_event of run 70: it is ada's"
            ),
            (
                "INSERT INTO cdp.row_warning (bronze_id, batch_id, source, rule, field, value, message) VALUES (2, 1, 'crm_customers', 'x', 'email', 'a', 'forged')",
                "sam may not add warnings to batch 1: it is ingested"
            ),
        ]
        for (attack, refusal) in attacks {
            let result = try fixture.psql(Self.holdingTheRunLock(attack), as: "sam")
            #expect(result.status != 0, "\(attack): \(result.output)")
            #expect(result.stderr.contains(refusal), "\(attack): \(result.output)")
        }
        #expect(try await held() == before)

        // Its own run's rows go in, the event at the server's time.
        let written = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.row_warning (bronze_id, batch_id, source, rule, field, value, message) VALUES (9, 7, 'crm_customers', 'x', 'email', 'a', 'odd');
                INSERT INTO cdp.rule_result (run_id, batch_id, source, rule, severity, evaluated, failed) VALUES (71, 7, 'crm_customers', 'email_format', 'error', 1, 1);
                INSERT INTO cdp.dq_scorecard (run_id, source, rule, severity, evaluated, failed, pass_rate) VALUES (71, 'crm_customers', 'email_format', 'error', 1, 1, 0);
                INSERT INTO cdp.run_event (run_id, at, kind, message) VALUES (71, '2020-01-01T00:00:00Z', 'log', 'ingesting')
                """), as: "sam")
        #expect(written.status == 0, "\(written.output)")
        #expect(try await held() == ["1:1:2,71:7:1", "1:2,71:1", "1", "2"])
        let at = try await admin.rows("SELECT at FROM cdp.run_event WHERE run_id = 71").first?.first ?? nil
        #expect(try await Self.isServerTime(at, admin), "\(at ?? "none")")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// L1: `cdp.dictionary_seed(…, false)` added entries unaudited, the caller choosing. No flag is left to pass, and
    /// every seed that adds an entry is audited.
    @Test func everyDictionarySeedIsAudited() async throws {
        let fixture = try await TeamStoreFixture.make("seedaudit")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let city = #"[{"layer":"silver","dataset":"silver_customer","column_name":"city","description":"City","data_type":"text","tags":"[]","allowed_values":"[]","rules":"[]","lineage":"[]"}]"#
        func seeds() async throws -> [[String?]] {
            try await admin.rows("SELECT actor, after FROM cdp.audit_log WHERE action = 'dictionary.seed' ORDER BY id")
        }
        let unaudited = try fixture.psql("SELECT cdp.dictionary_seed('\(city)', 'seeded', false)", as: "sam")
        #expect(unaudited.status != 0 && unaudited.stderr.contains("function cdp.dictionary_seed(unknown, unknown, boolean) does not exist"), "\(unaudited.output)")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.dictionary_entry WHERE column_name = 'city'").first?.first == "0")
        let seeded = try fixture.psql("SELECT cdp.dictionary_seed('\(city)', 'seeded')", as: "sam")
        #expect(seeded.status == 0, "\(seeded.output)")
        let logged = try await seeds()
        #expect(logged == [["sam", "1 entries added from the workspace schema"]], "\(logged)")
        // Nothing added, nothing to audit.
        #expect(try fixture.psql("SELECT cdp.dictionary_seed('\(city)', 'seeded')", as: "sam").status == 0)
        #expect(try await seeds().count == 1)
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// L2: `cdp.work_claims_change` logged the before, after and reason the client wrote and kept the `since` it
    /// said: a steward recorded a claim as "approved by the DPO", taken years ago. The database writes what it
    /// changed, at its own time; only a let-go keeps the client's reason, bounded.
    @Test func aClaimIsAuditedAsTheDatabaseMadeIt() async throws {
        let fixture = try await TeamStoreFixture.make("claimaudit")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let soon = try #require(
            try await admin.rows("SELECT to_char((now() + interval '10 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')").first?.first ?? nil)
        func change(_ claim: String, _ action: String, expected: String?, reason: String) -> String {
            let expectedOwner = expected.map { #""expected_owner":"\#($0)","# } ?? ""
            return #"SELECT cdp.work_claims_change('[{"kind":"quarantine","id":2,\#(expectedOwner)"claim":\#(claim),"audit":{"action":"\#(action)","target":"Q2","before":"nothing","after":"claimed by ana forever","reason":"\#(reason)"}}]')"#
        }
        let claim = #"{"owner":"sam","hold":"claim","held_by":"sam","since":"2020-01-01T00:00:00Z","expires_at":"\#(soon)"}"#
        for sql in [
            change(claim, "work.claim", expected: nil, reason: "approved by the DPO"),
            change(claim, "work.claim", expected: "sam", reason: "approved by the DPO"),
            change("null", "work.release", expected: "sam", reason: String(repeating: "r", count: 300)),
        ] {
            let result = try fixture.psql(sql, as: "sam")
            #expect(result.status == 0, "\(sql): \(result.output)")
        }
        let rows = try await admin.rows(
            "SELECT action, coalesce(before, '∅'), coalesce(after, '∅'), coalesce(reason, '∅') FROM cdp.audit_log WHERE target = 'Q2' ORDER BY id")
        let held = "claimed by sam until \(soon)"
        #expect(
            rows == [
                ["work.claim", "∅", held, "∅"], ["work.claim", held, held, "renewed"], ["work.release", held, "∅", String(repeating: "r", count: 200)],
            ], "\(rows)")
        // The hold's since is the server's.
        #expect(try fixture.psql(change(claim, "work.claim", expected: nil, reason: ""), as: "sam").status == 0)
        let since = try await admin.rows("SELECT since FROM cdp.work_claim WHERE item_id = 2").first?.first ?? nil
        #expect(try await Self.isServerTime(since, admin), "\(since ?? "none")")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// Decided items end their holds on the store as on the embedded lake (`v11-decided-items-end-their-holds`):
    /// holds a decision left behind are ended by the migration, audited (one taken after the decision is kept), and
    /// deciding a pair ends its hold from then on, audited as `work.release`.
    @Test func decidedItemsEndTheirHolds() async throws {
        let fixture = try await TeamStoreFixture.make("decidedholds")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for statement in [
            "UPDATE cdp.match_candidate SET status = 'rejected', decided_by = 'sam', decided_at = '2026-12-01T10:00:00Z' WHERE id = 2",
            """
            INSERT INTO cdp.work_claim (item_kind, item_id, owner, hold, held_by, since, expires_at) VALUES
                ('candidate', 2, 'sam', 'assignment', 'ada', '2026-12-01T09:00:00Z', NULL),
                ('quarantine', 3, 'sam', 'assignment', 'ada', '2026-12-02T09:00:00Z', NULL),
                ('quarantine', 1, 'sam', 'assignment', 'ada', '2026-12-01T09:00:00Z', NULL)
            """,
        ] {
            try await admin.execute(statement)
        }
        try await admin.execute(PostgresSchema.decidedHoldsCleanup)
        func holds() async throws -> [String?] {
            try await admin.rows("SELECT item_kind || ' ' || item_id FROM cdp.work_claim ORDER BY 1").map { $0.first ?? nil }
        }
        #expect(try await holds() == ["quarantine 1", "quarantine 3"])
        let ended = try await admin.rows("SELECT target, before, reason FROM cdp.audit_log WHERE action = 'work.release' ORDER BY id")
        #expect(
            ended == [["P2", "assigned to sam by ada", "P2 was rejected before the store ended holds on deciding: a decision ends the work on it"]],
            "\(ended)")

        // From now on, deciding a pair ends its hold.
        try await admin.execute(
            "INSERT INTO cdp.work_claim (item_kind, item_id, owner, hold, held_by, since, expires_at) VALUES ('candidate', 1, 'sam', 'assignment', 'ada', cdp.now_text(), NULL)")
        let decided = try fixture.psql("SELECT cdp.candidate_decide_as_read(1, 'approved', 'same person', NULL, NULL, NULL, NULL)", as: "sam")
        #expect(decided.status == 0, "\(decided.output)")
        #expect(try await holds() == ["quarantine 1", "quarantine 3"])
        let released = try await admin.rows(
            "SELECT actor, action, target, reason FROM cdp.audit_log WHERE target = 'P1' ORDER BY id").map { $0.map { $0 ?? "∅" } }
        #expect(
            released == [["sam", "work.release", "P1", "P1 was approved: a decision ends the work on it"], ["sam", "match.approve", "P1", "same person"]],
            "\(released)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// L3 (both stores): a JSON Lines line that did not parse was held with a failure quoting the character at its
    /// column ("expected a value, found 'p'"), and the failure names no field, so nothing masked it: an analyst read a
    /// personal value a character at a time. The failure says the line, column and member, never what is there; the
    /// landed line (which has it) stays for roles with view_pii.
    @Test func aJSONLineThatDoesNotParseQuotesNothingOfIt() async throws {
        for store in Store.allCases {
            try await Self.withSampleWorkspace(on: store, "badjsonl") { workspace, database, run in
                try (#"{"contact_id":"BAD-1","email":pilar.gonzalez53@yahoo.es}"# + "\n")
                    .write(toFile: workspace + "/inbox/marketing/contacts_bad.jsonl", atomically: true, encoding: .utf8)
                let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
                try #require(ran.status == 0, "\(store): \(ran.output)")
                if let database { try await Self.letSampleUsersLogIn(database) }
                let said = "contacts_bad.jsonl:1: expected a value at column 31, member"
                let listed = try Self.run(
                    as: "ana", on: store, workspace: workspace, ["quarantine", "list", "-w", workspace, "--rule", "parse.json", "--json"], run)
                #expect(listed.status == 0 && listed.stdout.contains(said), "\(store): \(listed.output)")
                #expect(!listed.stdout.contains("'p'") && !listed.stdout.contains("found"), "\(store): \(listed.output)")
                if let database {
                    let read = try PostgresTestCluster.get().psql(
                        "SELECT failures FROM quarantine_record_masked WHERE failures LIKE '%parse.json%'", as: "ana", database: database)
                    #expect(read.status == 0 && read.stdout.contains(said), "\(read.output)")
                    #expect(!read.stdout.contains("'p'") && !read.stdout.contains("found"), "\(read.output)")
                }
            }
        }
    }

    /// A viewer, who may write nothing, held the audit log's head by leaving a transaction open after a console visit,
    /// and every steward's write waited 15 s and failed. A viewer's row waits in the store's inbox instead, holding
    /// nothing anyone needs: the steward's write goes through at once, and the visit joins the chain, in order, at the
    /// next audited write once the viewer commits. The inbox is the store's alone.
    @Test func aViewerCannotHoldTheAuditLogsHead() async throws {
        let fixture = try await TeamStoreFixture.make("viewerhead")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let viewer = try await fixture.session("vic")
        try await viewer.execute("BEGIN")
        let pending = try await viewer.rows("SELECT cdp.append_own_audit('console.visit', 'quarantine', NULL, NULL, NULL)::text")
        #expect(pending.first?.first == .some(nil), "\(pending)")
        let started = Date()
        let reject = try fixture.psql("SELECT cdp.quarantine_reject(2, 'open', 'duplicate')", as: "sam")
        #expect(reject.status == 0, "\(reject.output)")
        #expect(Date().timeIntervalSince(started) < 10)
        try await viewer.execute("COMMIT")
        await viewer.close()
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE action = 'console.visit'").first?.first == "0")
        let comment = try fixture.psql("SELECT cdp.append_own_audit('work.comment', 'Q1', NULL, NULL, 'called her')", as: "sam")
        #expect(comment.status == 0, "\(comment.output)")
        let tail = try await admin.rows("SELECT actor || ' ' || action FROM cdp.audit_log ORDER BY id DESC LIMIT 3").map { $0.first ?? nil }
        #expect(tail == ["sam work.comment", "vic console.visit", "sam quarantine.reject"], "\(tail)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
        for user in ["vic", "sam"] {
            let read = try fixture.psql("SELECT count(*) FROM cdp.audit_inbox", as: user)
            #expect(read.status != 0 && read.stderr.contains("permission denied for table audit_inbox"), "\(user): \(read.output)")
        }
    }
}
