import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// Every decision takes the golden records it changes before the audit log's head (review of
/// `pg-decisions-lock-their-golden-records`): an approve of a claimed pair ended the claim with an audit row — taking
/// the head — before locking its golden records, while an override or unmerge locks its golden record first and takes
/// the head last. The two at once deadlocked and PostgreSQL aborted one.
extension TeamStoreTests {
    @Test func anApproveOfAClaimedPairTakesItsGoldenRecordsBeforeTheAuditHead() async throws {
        let fixture = try await TeamStoreFixture.make("approvelockorder")
        defer { Task { await fixture.drop() } }
        try await Self.seedDecisions(fixture, goldens: [2: ["C0000011"], 3: ["C0000012"]], candidates: [11: ("C0000011", "C0000012")])
        let admin = try await fixture.superuser()
        let other = try await fixture.superuser()
        let ada = try await fixture.session("ada")
        defer {
            Task {
                await admin.close()
                await other.close()
                await ada.close()
            }
        }
        try await admin.execute(
            "INSERT INTO cdp.work_claim VALUES ('candidate', 11, 'ada', 'claim', 'ada', '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z')")
        // Another decision on G2, half done, as an override stands before its audit row: it holds the golden record.
        try await other.execute("BEGIN")
        try await other.execute("SELECT 1 FROM cdp.golden_record WHERE id = 2 FOR UPDATE")
        let approve = Task { () async -> PostgresStoreError? in
            do throws(PostgresStoreError) {
                try await ada.execute(
                    """
                    SELECT cdp.candidate_decide_as_read(11, 'approved', 'same person', 2, 3, '{\(Self.record("C0000011")),\(Self.record("C0000012"))}',
                        '\(Self.goldenValues(from: "C0000011"))')
                    """)
                return nil
            } catch {
                return error
            }
        }
        #expect(try await Self.waitsForALock("ada", fixture, admin), "ada's approve waits for G2")
        // The other decision reaches its audit row: the head must be free (ada holds only what she waits behind).
        var finished: PostgresStoreError?
        do throws(PostgresStoreError) {
            try await other.execute("SELECT cdp.append_audit('tester', 'golden.override', 'G2.first_name', NULL, NULL, 'the other decision')")
            try await other.execute("COMMIT")
        } catch {
            finished = error
        }
        #expect(finished == nil, "the other decision: \(String(describing: finished))")
        let approved = await approve.value
        #expect(approved == nil, "ada's approve: \(String(describing: approved))")
        #expect(try await admin.rows("SELECT status FROM cdp.match_candidate WHERE id = 11") == [["approved"]])
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.work_claim WHERE item_kind = 'candidate' AND item_id = 11") == [["0"]])
        #expect(try await admin.rows("SELECT actor FROM cdp.audit_log WHERE action = 'work.release' AND target = 'P11'") == [["ada"]])
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }
}
