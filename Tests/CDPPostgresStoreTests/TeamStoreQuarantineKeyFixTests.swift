import CDPPostgresStore
import Foundation
import Testing

/// A fix of a held record's key on the team store.
extension TeamStoreTests {
    /// A customer held only because its key repeats another's: the steward gives it a key of its own, it passes now
    /// and is released. The team store refused the key fix ("not served by the team store yet"); it goes through
    /// `cdp.quarantine_fix_key_as_read` now and both stores end with the same quarantine, history and silver rows.
    @Test func aKeyFixEndsTheSameOnBothStores() async throws {
        try await Self.expectSameOnBothStores { store in
            try await Self.withSampleWorkspace(on: store, "keyfix") { workspace, database, run in
                try await Self.ingestSample(workspace, database, run)
                let held = try #require(
                    try await Self.lakeRows(
                        """
                        SELECT CAST(id AS TEXT), source_key FROM quarantine_record
                        WHERE source = 'crm_customers' AND status = 'open' AND rules = ',customer_key_unique,'
                        ORDER BY source_key, line LIMIT 1
                        """, workspace: workspace, database: database
                    ).first, "\(store): a customer held for its repeated key alone")
                let id = held[0] ?? ""
                let fixed = try run(["quarantine", "fix", "Q\(id)", "customer_id=C9990001", "-w", workspace])
                #expect(fixed.status == 0, "\(store): \(fixed.output)")
                let released = try run(["quarantine", "release", "Q\(id)", "-w", workspace])
                #expect(released.status == 0, "\(store): \(released.output)")
                var rows: [[[String?]]] = []
                for sql in [
                    // Not the resolution: it names who released it, the login on the store and the account embedded.
                    "SELECT source_key, status, fields, failures, rules FROM quarantine_record WHERE id = \(id)",
                    "SELECT action, detail FROM quarantine_history WHERE quarantine_id = \(id) ORDER BY quarantine_history.id",
                    """
                    SELECT source, source_key, first_name, last_name, email, phone, CAST(is_current AS TEXT) FROM silver_customer
                    WHERE source_key IN ('C9990001', '\(held[1] ?? "")') ORDER BY source_key, silver_customer.id
                    """,
                ] {
                    rows.append(try await Self.lakeRows(sql, workspace: workspace, database: database))
                }
                #expect(rows[0].first?[0] == "C9990001" && rows[0].first?[1] == "released", "\(store): \(rows[0])")
                #expect(rows[2].contains { $0[1] == "C9990001" && $0[6] == "1" }, "\(store): \(rows[2])")
                let audited = try await Self.lakeRows(
                    "SELECT action FROM audit_log WHERE target = 'Q\(id)' ORDER BY audit_log.id", workspace: workspace, database: database)
                #expect(audited == [["quarantine.fix"], ["quarantine.release"]], "\(store): \(audited)")
                return try Self.sortedJSON(rows.map { $0.map { $0.map { $0 ?? "∅" } } })
            }
        }
    }
}
