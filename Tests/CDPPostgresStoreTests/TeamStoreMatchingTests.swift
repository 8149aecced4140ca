import CDPCore
import CDPPostgresStore
import CDPStore
import Foundation
import Testing

/// Matching on the team store: the sample's match gives the embedded lake's queue, golden records and links, id for
/// id, and what a match run writes is written only by a run holding the run lock.
extension TeamStoreTests {
    /// What a match run left in a lake, as text rows both stores answer alike: the queue, the golden records and
    /// every link (closed ones too), each in id order (the table's id: PostgreSQL would sort by a column named like it).
    static let matchResultQueries = [
        "SELECT CAST(id AS TEXT), CAST(run_id AS TEXT), record_a, record_b, CAST(probability AS TEXT), match_key, explanation, status FROM match_candidate ORDER BY match_candidate.id",
        "SELECT CAST(id AS TEXT), CAST(member_count AS TEXT), attributes, CAST(created_run AS TEXT), CAST(updated_run AS TEXT), CAST(retired_run AS TEXT) FROM golden_record ORDER BY golden_record.id",
        "SELECT CAST(id AS TEXT), source, source_key, CAST(golden_id AS TEXT), CAST(valid_from_run AS TEXT), CAST(valid_to_run AS TEXT) FROM golden_xref ORDER BY golden_xref.id",
    ]

    /// The rows of ``matchResultQueries`` on a workspace's lake (the embedded file, or the store's database), with
    /// each probability cut to 9 decimals (the two stores print a double with different digits).
    static func matchResult(workspace: String, database: String?) async throws -> [[[String?]]] {
        var result: [[[String?]]] = []
        for sql in matchResultQueries {
            var rows: [[String?]]
            if let database {
                let admin = try await PostgresTestCluster.get().superuser(database)
                defer { Task { await admin.close() } }
                rows = try await admin.rows(sql.replacingOccurrences(of: " FROM ", with: " FROM cdp."))
            } else {
                let lake = try LakeStore(path: workspace + "/lake/lake.sqlite", mode: .readOnly)
                rows = try lake.query(sql, limit: 1_000_000).rows
            }
            if sql.contains("probability") {
                rows = rows.map { row in
                    var row = row
                    row[4] = row[4].flatMap(Double.init).map { String(format: "%.9f", $0) }
                    return row
                }
            }
            result.append(rows)
        }
        return result
    }

    /// The sample's ingest then `cdp match run`, twice, on one store: the match result after the first, and what
    /// each run reported writing.
    static func sampleMatch(on store: Store) async throws -> (result: [[[String?]]], written: [[String: Int]], listed: String) {
        try await withSampleWorkspace(on: store, "match") { workspace, database, run in
            let ingested = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ingested.status == 0, "\(ingested.output)")
            var written: [[String: Int]] = []
            var result: [[[String?]]] = []
            for _ in 0..<2 {
                let matched = try run(["match", "run", "-w", workspace, "--json"])
                try #require(matched.status == 0, "\(store): \(matched.output)")
                let report = try #require(try JSONSerialization.jsonObject(with: Data(matched.stdout.utf8)) as? [String: Any])
                written.append(try #require(report["written"] as? [String: Int], "\(matched.stdout.prefix(500))"))
                if result.isEmpty { result = try await matchResult(workspace: workspace, database: database) }
            }
            let list = try run(["candidates", "list", "-w", workspace, "--limit", "20", "--json"])
            try #require(list.status == 0, "\(list.output)")
            let show = try run(["candidates", "show", "P3", "-w", workspace, "--json"])
            try #require(show.status == 0, "\(show.output)")
            let golden = try run(["golden", "show", "G2", "-w", workspace, "--json"])
            try #require(golden.status == 0, "\(golden.output)")
            return (result, written, list.stdout + show.stdout + golden.stdout)
        }
    }

    /// `cdp match run` on the team store queues the same candidate pairs (ids, records, scores, explanations), makes
    /// the same golden records (ids, members, surviving values) and links as on the embedded lake; a second run
    /// changes nothing and keeps every id; `cdp candidates list/show` and `cdp golden show` print the same.
    @Test func theSampleMatchIsTheSameOnBothStores() async throws {
        let embedded = try await Self.sampleMatch(on: .embedded)
        let postgres = try await Self.sampleMatch(on: .postgres)
        #expect(embedded.result[0].count > 10 && embedded.result[1].count > 1000, "\(embedded.result.map(\.count))")
        #expect(embedded.result[1].contains { $0[1] != "1" }, "some golden record has several members")
        for (index, name) in ["candidates", "golden records", "links"].enumerated() {
            #expect(postgres.result[index].count == embedded.result[index].count, "\(name)")
            let first = zip(postgres.result[index], embedded.result[index]).first { $0.0 != $0.1 }
            #expect(first == nil, "\(name) differ first at \(String(describing: first))")
        }
        #expect(postgres.written == embedded.written, "\(postgres.written) vs \(embedded.written)")
        #expect(postgres.written.last?["goldenCreated"] == 0 && postgres.written.last?["linksChanged"] == 0, "\(postgres.written)")
        #expect((postgres.written.first?["goldenCreated"] ?? 0) > 1000, "\(postgres.written)")
        #expect(postgres.listed == embedded.listed, "\(postgres.listed.prefix(800))\n---\n\(embedded.listed.prefix(800))")
    }

    /// What a match run writes is a run's: a steward cannot rewrite a link, a golden record or the queue by a plain
    /// statement, even granted the table by mistake (the run-write guard refuses); the staging tables take rows only
    /// from a session holding the run lock and no role reads them; the result is applied only by a run holding it;
    /// an analyst can start no match run; and `cdp audit verify` reports the guard missing.
    @Test func matchResultsAreWrittenOnlyByARunHoldingTheLock() async throws {
        let fixture = try await TeamStoreFixture.make("matchwrites")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let links = "SELECT count(*)::text FROM cdp.golden_xref"
        let before = try await admin.rows("SELECT id::text, attributes FROM cdp.golden_record ORDER BY id")

        // Granted the tables by mistake, a steward is still refused by the guard.
        try await admin.execute(
            "GRANT INSERT, UPDATE, DELETE ON cdp.golden_xref, cdp.golden_record, cdp.match_candidate, cdp.match_run TO \(fixture.group("steward"))")
        for statement in [
            "INSERT INTO cdp.golden_xref (source, source_key, golden_id, valid_from_run) VALUES ('crm_customers', 'C0000002', 1, 1)",
            "UPDATE cdp.golden_record SET attributes = '[]' WHERE id = 1",
            "DELETE FROM cdp.match_candidate WHERE id = 1",
            "UPDATE cdp.match_run SET finished_at = 'x'",
        ] {
            let refused = try fixture.psql(statement, as: "sam")
            let table = try #require(statement.split(separator: " ").first { $0.hasPrefix("cdp.") })
            #expect(refused.status != 0 && refused.stderr.contains("sam may not write \(table): only a pipeline run writes it"), "\(refused.output)")
        }
        // The staging tables: no reading, no writing without the lock; the result is applied only under it.
        let read = try fixture.psql("SELECT * FROM cdp.golden_xref_incoming", as: "sam")
        #expect(read.stderr.contains("permission denied for table golden_xref_incoming"), "\(read.output)")
        let staged = try fixture.psql(
            "INSERT INTO cdp.golden_xref_incoming VALUES (1, 1, 'crm_customers', 'C0000002', 1)", as: "sam")
        #expect(staged.stderr.contains("sam may not write cdp.golden_xref_incoming"), "\(staged.output)")
        let applied = try fixture.psql("SELECT cdp.match_write_result(1, '{}', '{}', 'x')", as: "sam")
        #expect(applied.stderr.contains("sam may not write a match result: only a run holding the store's run lock does"), "\(applied.output)")
        // Holding the lock, the result goes to a running match run of the caller's only, never a finished one.
        try await admin.execute("UPDATE cdp.match_run SET finished_at = '2026-12-01T10:05:00Z' WHERE id = 1")
        let oldRun = try fixture.psql(Self.holdingTheRunLock("SELECT cdp.match_write_result(1, '{}', '{}', 'x')"), as: "sam")
        #expect(oldRun.stderr.contains("match run 1 is not a running match run of sam"), "\(oldRun.output)")
        let analyst = try fixture.psql("SELECT cdp.match_run_start('x')", as: "ana")
        #expect(analyst.stderr.contains("permission denied for function match_run_start"), "\(analyst.output)")
        #expect(try await admin.rows(links).first?.first == "0")
        #expect(try await admin.rows("SELECT id::text, attributes FROM cdp.golden_record ORDER BY id") == before)

        // A run of sam's, under the lock: its result lands, the run is recorded as sam's.
        let run = try fixture.psql(
            Self.holdingTheRunLock(
                """
                SELECT cdp.match_run_start('2026-12-07T09:00:00Z');
                INSERT INTO cdp.golden_record_incoming VALUES (2, 1, '[]', 2);
                INSERT INTO cdp.golden_xref_incoming VALUES (2, 1, 'crm_customers', 'C0000001', 1), (2, 2, 'crm_customers', 'C0000002', 1);
                SELECT cdp.match_write_result(2, '{}', '{}', '2026-12-07T09:01:00Z')
                """), as: "sam")
        #expect(run.status == 0 && run.stdout.contains("0 1 0 2"), "\(run.output)")
        #expect(try await admin.rows("SELECT actor, finished_at FROM cdp.match_run WHERE id = 2").first == ["sam", "2026-12-07T09:01:00Z"])
        #expect(try await admin.rows(links).first?.first == "2")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.golden_xref_incoming").first?.first == "0")

        try await admin.execute("ALTER TABLE cdp.golden_xref DISABLE TRIGGER run_write_needs_the_run_lock")
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(problems.contains { $0.contains("trigger golden_xref.run_write_needs_the_run_lock is missing or disabled") }, "\(problems)")
    }
}
