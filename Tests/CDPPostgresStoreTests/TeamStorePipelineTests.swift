import CDPCore
import CDPPostgresStore
import CDPStore
import Foundation
import Testing

/// The whole sample pipeline on the team store: `cdp run` (ingest, revalidate, scorecard, match, gold) finishes there as
/// on the embedded lake, `cdp verify` passes on both, and every layer holds the same records.
extension TeamStoreTests {
    /// Each layer of a lake after a whole run, as text both stores answer alike: held records (status, failed rules),
    /// their history (who is left out: the revalidate step is `pipeline` on the embedded lake and the login role on the
    /// store), and the audit rows a run writes, each with the actor expected on its store.
    static func pipelineLayers(workspace: String, database: String?, run: ([String]) throws -> Subprocess.Result) async throws -> [String] {
        let counts = try statusCounts(run, workspace)
        let match = try await matchResult(workspace: workspace, database: database)
        let gold = try await goldTables(workspace: workspace, database: database)
        let queries = [
            "SELECT CAST(id AS TEXT), status, rules, source_key FROM quarantine_record ORDER BY quarantine_record.id",
            "SELECT CAST(quarantine_id AS TEXT), action, detail FROM quarantine_history ORDER BY quarantine_history.id",
            "SELECT actor, action, target, before, after FROM audit_log WHERE action LIKE 'quarantine.%' ORDER BY audit_log.id",
        ]
        var rows: [[[String?]]] = []
        for sql in queries { rows.append(try await lakeRows(sql, workspace: workspace, database: database)) }
        // The revalidate step's actor: the pipeline on the embedded lake, the login role (postgres here) on the store.
        let runner = database == nil ? "pipeline" : "postgres"
        rows[2] = rows[2].map { row in [row[0] == runner ? "RUNNER" : row[0]] + row.dropFirst() }
        return [counts, "\(match)", "\(gold)", "\(rows[0])", "\(rows[1])", "\(rows[2])"]
    }

    static func samplePipeline(on store: Store) async throws -> [String] {
        try await withSampleWorkspace(on: store, "pipeline") { workspace, database, run in
            let ran = try run(["run", "-w", workspace])
            try #require(ran.status == 0, "\(store): \(ran.output)")
            let verified = try run(["verify", "-w", workspace])
            #expect(verified.status == 0, "\(store): \(verified.output)")
            let chain = try run(["audit", "verify", "-w", workspace])
            #expect(chain.status == 0, "\(store): \(chain.output)")
            return try await pipelineLayers(workspace: workspace, database: database, run: run)
        }
    }

    /// `cdp run` runs the whole sample pipeline on the team store, the revalidate step included (its records marked a
    /// batch at a time, in one call), `cdp verify` and `cdp audit verify` pass, and silver, quarantine (statuses, rules, history), the
    /// match result, gold and the quarantine audit rows are what the embedded lake holds.
    @Test func theWholeSamplePipelineRunsOnBothStoresAlike() async throws {
        let embedded = try await Self.samplePipeline(on: .embedded)
        let postgres = try await Self.samplePipeline(on: .postgres)
        let names = ["status counts", "match result", "gold", "held records", "their history", "quarantine audit rows"]
        for (index, name) in names.enumerated() {
            #expect(postgres[index] == embedded[index], "\(name): \(Self.firstDifference(postgres[index], embedded[index]))")
        }
        #expect(embedded[5].contains("quarantine.revalidate") && embedded[4].contains("revalidate"), "the step marked records fixed")
        #expect(!postgres[5].contains("pipeline"), "the store records the login role, never a name the client gives")
    }

    /// Marking records that pass now is a run's write: an analyst may not call the function, a steward not holding the
    /// run lock is refused by it; under the lock a batch marks only the records still open as read (one edited and
    /// one rejected meanwhile are skipped), each with its history and audit row under the login role.
    @Test func revalidationIsARunsWriteAndSkipsRecordsDecidedMeanwhile() async throws {
        let fixture = try await TeamStoreFixture.make("revalidation")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let records = """
            [{"id": 1, "source_key": "C0000003", "failures": "[]", "detail": "passes now (run 2)",
              "fields": {"birth_date": "1990-11-02", "email": "rebecca.scott at yahoo.ie", "first_name": "Rebecca", "last_name": "Scott", "phone": "+353871234567"}},
             {"id": 2, "source_key": "C0000004", "failures": "[]", "detail": "passes now (run 2)", "fields": {"email": "someone.else@example.com"}},
             {"id": 3, "source_key": "C0000005", "failures": "[]", "detail": "passes now (run 2)", "fields": {"email": "pilar.gonzalez53@yahoo.es"}}]
            """
        let call = "SELECT cdp.quarantine_revalidate_as_read('\(records)')"
        let analyst = try fixture.psql(call, as: "ana")
        #expect(analyst.status != 0 && analyst.stderr.contains("permission denied for function quarantine_revalidate_as_read"), "\(analyst.output)")
        let unlocked = try fixture.psql(call, as: "sam")
        #expect(
            unlocked.status != 0 && unlocked.stderr.contains("sam may not revalidate held records: only a run holding the store's run lock does"),
            "\(unlocked.output)")
        let statuses = "SELECT string_agg(id || ' ' || status || ' ' || rules, ', ' ORDER BY id) FROM cdp.quarantine_record"
        #expect(try await admin.rows(statuses).first?.first == "1 open email_format, 2 open email_format, 3 rejected email_format")

        let marked = try fixture.psql(Self.holdingTheRunLock(call), as: "sam")
        #expect(marked.status == 0 && marked.stdout.contains(" 1\n"), "\(marked.output)")
        #expect(try await admin.rows(statuses).first?.first == "1 fixed ,email_format,, 2 open email_format, 3 rejected email_format")
        #expect(
            try await admin.rows("SELECT actor, action, detail FROM cdp.quarantine_history WHERE quarantine_id = 1")
                == [["sam", "revalidate", "passes now (run 2)"]])
        #expect(
            try await admin.rows("SELECT actor, target, before, after FROM cdp.audit_log WHERE action = 'quarantine.revalidate'")
                == [["sam", "Q1", "open", "fixed"]])
    }
}
