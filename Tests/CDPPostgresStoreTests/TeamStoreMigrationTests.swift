import CDPCore
import CDPEngine
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// `cdp store migrate` moves the sample workspace's lake, after a pipeline run, into an empty team store: every
    /// table's rows, values byte for byte (quarantined records' JSON, with its escapes and non-ASCII text, customers'
    /// extra attributes, a run's job parameters), the audit chain continued by a `store.migrate` row that follows the
    /// lake's head, and the move recorded in the lake's own log too; `cdp audit verify` passes on both sides. A second migration into the same store is refused,
    /// changing nothing.
    @Test func theSampleWorkspaceMovesIntoATeamStore() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("migrate")
        defer { Task { await cluster.drop(database) } }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-migrate-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        let made = try Subprocess.run(
            [cdp, "init", workspace, "--from", root.appendingPathComponent("sample-data").path], environment: environment)
        try #require(made.status == 0, "\(made.output)")
        // The CRM source keeps its loyalty tier also as an extra attribute; a workflow takes a job parameter.
        let configuration = URL(fileURLWithPath: workspace).appendingPathComponent("cdp.toml")
        let toml = try String(contentsOf: configuration, encoding: .utf8)
        let crmOrders = "[[sources]]\nname = \"crm_orders\""
        try #require(toml.contains(crmOrders))
        try toml.replacingOccurrences(of: crmOrders, with: "[sources.attributes]\ntier = \"loyalty_tier\"\n\n" + crmOrders)
            .write(to: configuration, atomically: true, encoding: .utf8)
        try #"{"name": "scored", "parameters": [{"name": "region", "default": "all"}], "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}"#
            .write(toFile: workspace + "/workflows/scored.json", atomically: true, encoding: .utf8)
        let ran = try Subprocess.run([cdp, "run", "-w", workspace], environment: environment)
        try #require(ran.status == 0, "\(ran.output)")
        let scored = try Subprocess.run([cdp, "run", "-w", workspace, "--workflow", "scored", "--param", "region=EU"], environment: environment)
        try #require(scored.status == 0, "\(scored.output)")
        let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
        let moved = try Subprocess.run([cdp, "store", "migrate", "--from", workspace, "--to", address], environment: environment)
        try #require(moved.status == 0, "\(moved.output)")
        #expect(moved.stdout.contains("verified on both sides"), "\(moved.output)")

        let lake = try Workspace(at: workspace, mode: .readOnly)
        let owner = try lake.session(actingAs: nil)
        func lakeRows(_ sql: String) throws -> [[String?]] {
            try lake.query(sql, limit: 1_000_000, as: owner).rows.map { $0.map(\.text) }
        }
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        let tables = [
            "batch", "silver_customer", "silver_order", "silver_campaign", "silver_event", "row_warning", "quarantine_record",
            "match_run", "match_candidate", "golden_record", "golden_xref", "customer_360", "customer_search", "campaign_performance",
            "dictionary_entry", "workflow_run", "audit_log",
        ]
        for table in tables {
            let inLake = try lakeRows("SELECT count(*) FROM \(table)").first?.first ?? nil
            let inStore = try await admin.rows("SELECT count(*)::text FROM cdp.\(table)").first?.first ?? nil
            // The store's chain ends with its own store.migrate row; the lake's with the one it records of the move.
            let expected = inLake
            #expect(inStore == expected, "\(table): lake \(inLake ?? "nil"), store \(inStore ?? "nil")")
            if table == "silver_customer" { #expect((Int(inLake ?? "0") ?? 0) > 1000) }
        }
        // Values byte for byte.
        let fields = try lakeRows("SELECT id, fields, failures, rules FROM quarantine_record ORDER BY id")
        let copied = try await admin.rows(
            "SELECT id::text, fields, failures, rules FROM cdp.quarantine_record ORDER BY quarantine_record.id")
        #expect(!fields.isEmpty)
        #expect(copied == fields)
        let customers = try lakeRows("SELECT id, email, full_name, birth_date, content_hash FROM silver_customer ORDER BY id")
        #expect(
            try await admin.rows(
                "SELECT id::text, email, full_name, birth_date, content_hash::text FROM cdp.silver_customer ORDER BY silver_customer.id")
                == customers)
        let attributes = try lakeRows("SELECT id, attributes FROM silver_customer ORDER BY id")
        #expect(attributes.contains { $0[1]?.contains(#""tier":"#) ?? false }, "\(attributes.prefix(3))")
        #expect(try await admin.rows("SELECT id::text, attributes FROM cdp.silver_customer ORDER BY silver_customer.id") == attributes)
        let runs = try lakeRows("SELECT id, workflow, parameters FROM workflow_run ORDER BY id")
        #expect(runs.contains { $0[2] == #"{"region":"EU"}"# }, "\(runs)")
        #expect(try await admin.rows("SELECT id::text, workflow, parameters FROM cdp.workflow_run ORDER BY workflow_run.id") == runs)
        // The chain goes on from the lake's head as it was copied, and verifies on both sides; the lake records the
        // move after it (L3: the whole lake left it), naming the store and who copied it.
        let recorded = try #require(try lakeRows("SELECT actor, action, target, after FROM audit_log ORDER BY id DESC LIMIT 1").first)
        #expect(recorded[1] == "store.migrate" && recorded[2]?.contains(database) == true, "\(recorded)")
        #expect(recorded[3]?.hasPrefix("copied to the team store as postgres: ") == true, "\(recorded)")
        let head = try #require(try lakeRows("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET 1").first)
        let last = try #require(
            try await admin.rows("SELECT id::text, action, previous_hash FROM cdp.audit_log ORDER BY audit_log.id DESC LIMIT 1").first)
        #expect(last[1] == "store.migrate")
        #expect(last[2] == head[1])
        #expect(Int(last[0] ?? "") == (Int(head[0] ?? "") ?? 0) + 1)
        #expect(try await admin.rows("SELECT hash FROM cdp.audit_head").first?.first != nil)
        #expect(try Subprocess.run([cdp, "audit", "verify", "-w", workspace], environment: environment).status == 0)
        let verified = try Subprocess.run([cdp, "audit", "verify", "--store", address], environment: environment)
        #expect(verified.status == 0, "\(verified.output)")
        // New rows get ids after the lake's.
        let next = try await admin.rows("SELECT nextval(pg_get_serial_sequence('cdp.silver_customer', 'id'))::text").first?.first ?? nil
        #expect(Int(next ?? "") == (Int(customers.last?[0] ?? "") ?? 0) + 1)

        let again = try Subprocess.run([cdp, "store", "migrate", "--from", workspace, "--to", address], environment: environment)
        #expect(again.status == 8, "\(again.output)")
        #expect(again.stderr.contains("already holds a lake"), "\(again.output)")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE action = 'store.migrate'").first?.first == "1")
    }

    /// A lake with a column the team store has no place for (a lake written by a newer cdp) is refused whole,
    /// naming the column, rather than moved without it.
    @Test func aLakeColumnTheStoreLacksIsRefusedNotDropped() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("newerlake")
        defer { Task { await cluster.drop(database) } }
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        try await PostgresTeamStore.install(admin)
        let rows: [String: [[String?]]] = [
            "batch": [["1", "crm", "c.csv", "lake/c.csv", "ab", "10", "2026-12-01T10:00:00Z", "ingested"]],
            "silver_campaign": [["1", "1", "1", "2", "crm", "K1", "7", "1", "Winter", "{\"vip\":true}"]],
        ]
        let source = PostgresTeamStore.LakeSource<Int>(
            tables: [
                "batch": ["id", "source", "file_name", "landed_path", "sha256", "bytes", "landed_at", "state"],
                "silver_campaign": ["id", "bronze_id", "batch_id", "line", "source", "source_key", "content_hash", "is_current", "name", "segments"],
                "id_sequence": ["name", "next_id"], "audit_anchor_state": ["id", "anchored_rows"],
            ], auditHashing: [2: 1], nextBronzeID: 2
        ) { table, _, _ throws(PostgresStoreError) in (rows[table] ?? [], nil) }
        let error = await #expect(throws: PostgresStoreError.self) { _ = try await PostgresTeamStore.migrate(source, into: admin) }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("silver_campaign.segments") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("id_sequence") == false, "\(error?.message ?? "")")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.batch").first?.first == "0")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log").first?.first == "0")
    }
}
