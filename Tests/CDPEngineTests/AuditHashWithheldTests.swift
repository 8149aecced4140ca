import CDPCore
import CDPRepositories
import Foundation
import Testing

@testable import CDPEngine

/// The audit chain's hashes are SHA-256 over each row's real values, with every other field of the row shown: a
/// reader without view_pii who had them could hash guesses of a masked value until one matched.
@Suite struct AuditHashWithheldTests {
    @Test func aReaderWithoutViewPIIGetsNoAuditHashFromQueries() throws {
        let workspace = try EngineFixture.sampleWorkspace("audit-hash-withheld")
        let analyst = Environment.fixed(at: 1_764_400_000, user: "ana")
        let admin = Environment.fixed(at: 1_764_400_000, user: "ann")
        let rows = try workspace.query("SELECT hash, previous_hash FROM audit_log_masked", limit: 1_000, as: analyst).rows
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.allSatisfy { $0.text == PIIMasker.withheldText || $0.text == nil } }, "\(rows.prefix(2))")
        // Read by the table's name, the hashes are refused as a personal column is.
        let refused = #expect(throws: EngineError.self) { _ = try workspace.query("SELECT hash FROM audit_log", limit: 1, as: analyst) }
        #expect(refused?.message.contains("audit_log.hash") == true, "\(refused?.message ?? "")")
        let heads = try workspace.query("SELECT audit_head FROM workflow_run_masked", limit: 100, as: analyst).rows
        #expect(heads.allSatisfy { $0.first?.text == nil || $0.first?.text == PIIMasker.withheldText })
        let real = try workspace.query("SELECT hash FROM audit_log", limit: 1, as: admin).rows
        #expect(real.first?.first?.text?.count == 64)
        let shown = try workspace.reader(for: analyst).auditEntries(AuditFilter(limit: 5))
        #expect(!shown.isEmpty && shown.allSatisfy { $0.hash == PIIMasker.withheldText })
    }
}
