import CDPCore
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// A refused steward action leaves an audit row although its transaction is rolled back: an analyst without
    /// EXECUTE, an analyst granted EXECUTE by mistake (the function's own check), and a steward deciding a record
    /// someone decided meanwhile. The actor is always the login role; a refusal cannot be recorded as anything else.
    @Test func refusedStewardActionsAreAudited() async throws {
        let fixture = try await TeamStoreFixture.make("refusals")
        defer { Task { await fixture.drop() } }
        let reject = "SELECT cdp.quarantine_reject($1::bigint, $2, $3)"
        let ana = try await fixture.session("ana")
        let noExecute = await #expect(throws: PostgresStoreError.self) {
            try await PostgresTeamStore.stewardAction(ana, attempt: "quarantine.reject Q1", reject, ["1", "open", "not a customer"])
        }
        #expect(noExecute?.code == .forbidden)
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute("GRANT EXECUTE ON FUNCTION cdp.quarantine_reject(bigint, text, text) TO \(fixture.group("analyst"))")
        let checked = await #expect(throws: PostgresStoreError.self) {
            try await PostgresTeamStore.stewardAction(ana, attempt: "quarantine.reject Q1", reject, ["1", "open", "not a customer"])
        }
        #expect(checked?.message.contains("missing permission remediate_quarantine") == true)
        // The steward's first decision goes through; the same decision again, on the status seen before, is stale.
        let sam = try await fixture.session("sam")
        #expect(
            try await PostgresTeamStore.stewardAction(sam, attempt: "quarantine.reject Q2", reject, ["2", "open", "duplicate"])
                == "rejected")
        let stale = await #expect(throws: PostgresStoreError.self) {
            try await PostgresTeamStore.stewardAction(sam, attempt: "quarantine.reject Q2", reject, ["2", "open", "duplicate"])
        }
        #expect(stale?.code == .conflict)
        let rows = try await admin.rows(
            "SELECT actor, action, target, reason FROM cdp.audit_log WHERE action LIKE '%.refused' ORDER BY id")
        #expect(rows.count == 3, "\(rows)")
        #expect(rows.map { $0[0] } == ["ana", "ana", "sam"])
        #expect(rows.map { $0[1] } == ["access.refused", "access.refused", "decision.refused"])
        #expect(rows.allSatisfy { $0[2] == "quarantine.reject Q1" || $0[2] == "quarantine.reject Q2" })
        #expect(rows[0][3]?.contains("permission denied for function quarantine_reject") == true, "\(rows)")
        #expect(rows[2][3]?.contains("Q2 is now rejected, not open") == true, "\(rows)")
        #expect(try await admin.rows("SELECT status FROM cdp.quarantine_record WHERE id = 1").first?.first == "open")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
        // Only refusals, in one's own name.
        let forged = try fixture.psql("SELECT cdp.audit_refusal('quarantine.reject Q1', '00000', 'all fine')", as: "vic")
        #expect(forged.stderr.contains("only a refusal"), "\(forged.output)")
        await ana.close()
        await sam.close()
    }
}
