import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPEngine
@testable import CDPStore

/// `cdp verify` checks master data too: every customer there was to match links to one active golden record, and
/// each active golden record counts the customers linked to it.
@Suite(.serialized) struct GoldenLinkInvariantTests {
    static func matchedWorkspace(_ name: String) throws -> Workspace {
        let workspace = try EngineFixture.sampleWorkspace(name)
        // Landed a second before matching began, as a real run's clock would have it.
        _ = try EngineFixture.run(workspace, environment: .fixed(at: 1_764_400_000, user: "ann"))
        try workspace.store.write("date the landings before the match") { db in
            try db.execute(sql: "UPDATE batch SET landed_at = '2000-01-01T00:00:00Z'")
        }
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
        return workspace
    }

    @Test func aCustomerWhoseLinkWasRetiredIsReported() throws {
        let workspace = try Self.matchedWorkspace("golden-link-retired")
        try workspace.store.write("retire one customer's link") { db in
            try db.execute(sql: "UPDATE golden_xref SET valid_to_run = 1 WHERE id = (SELECT MIN(id) FROM golden_xref WHERE valid_to_run IS NULL)")
        }
        let problems = try LakeVerifier(workspace: workspace).verify().problems
        #expect(problems.contains { $0.hasPrefix("golden: 1 customers landed before the last match run have no golden record") }, "\(problems)")
        #expect(problems.contains { $0.contains("counts") && $0.contains("members but") }, "\(problems)")
    }

    @Test func aLinkToARetiredGoldenRecordIsReported() throws {
        let workspace = try Self.matchedWorkspace("golden-link-to-retired")
        try workspace.store.write("retire a golden record still linked") { db in
            try db.execute(sql: "UPDATE golden_record SET retired_run = 1 WHERE id = (SELECT MIN(golden_id) FROM golden_xref WHERE valid_to_run IS NULL)")
        }
        let problems = try LakeVerifier(workspace: workspace).verify().problems
        #expect(problems.contains { $0.hasPrefix("golden:") && $0.contains("link to a golden record that is retired or missing") }, "\(problems)")
    }

    @Test func aCustomerLandedAfterTheLastMatchWaitsForTheNextWithoutAProblem() throws {
        let workspace = try Self.matchedWorkspace("golden-link-landed-after")
        try workspace.store.write("land a customer after the match") { db in
            try db.execute(sql: "UPDATE batch SET landed_at = '2999-01-01T00:00:00Z' WHERE id = (SELECT MIN(batch_id) FROM silver_customer)")
            try db.execute(
                sql: """
                    UPDATE golden_xref SET valid_to_run = 1 WHERE valid_to_run IS NULL AND (source, source_key) IN (
                        SELECT source, source_key FROM silver_customer WHERE batch_id = (SELECT MIN(batch_id) FROM silver_customer))
                    """)
            // Their golden records lose those members, as the next match would find them.
            try db.execute(
                sql: """
                    UPDATE golden_record SET member_count = (SELECT COUNT(*) FROM golden_xref x WHERE x.golden_id = golden_record.id AND x.valid_to_run IS NULL)
                    """)
            try db.execute(sql: "UPDATE golden_record SET retired_run = 1 WHERE member_count = 0")
        }
        let problems = try LakeVerifier(workspace: workspace).verify().problems
        #expect(problems == [])
    }

    @Test func aCustomerReleasedFromQuarantineAfterTheMatchWaitsForTheNext() throws {
        let workspace = try Self.matchedWorkspace("golden-link-released-after")
        let id = try #require(
            try workspace.store.query(
                "SELECT id FROM quarantine_record WHERE entity = 'customer' AND status = 'open' AND rules LIKE '%email%' ORDER BY id LIMIT 1"
            ).rows.first?.first ?? nil)
        let steward = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_500_000, user: "ann"))
        let record = QuarantineID(rawValue: try #require(Int64(id)))
        _ = try steward.fix(record, edits: ["email": "released.later@example.com"])
        _ = try steward.release(record)
        #expect(try workspace.store.query("SELECT status FROM quarantine_record WHERE id = \(id)").rows.first?.first == "released")
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }
}
