import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// A steward's quarantine work through cdp on the team store: fixes, releases and rejections (one at a time and in
/// bulk) go through the store's `SECURITY DEFINER` functions, which check the role and append the audit row in the
/// same transaction; the same scenario ends the same on both stores.
extension TeamStoreTests {
    /// The scenario: sam (a steward) fixes Q1's email, releases it to silver, rejects Q2 and, in bulk, every record
    /// failing `birth_date_valid`, then reopens Q2 and Q1 (whose silver row leaves again), fixes Q1 again, rejects
    /// it and undoes the rejection, releases it once more, and, once a newer version of its key has landed, is
    /// refused taking that release back; a viewer's rejection is refused. Returns what the lake holds after it.
    static func stewardScenario(on store: Store) async throws -> String {
        try await withSampleWorkspace(on: store, "steward") { workspace, database, run in
            try await ingestSample(workspace, database, run)
            func cdp(_ user: String, _ arguments: [String]) throws -> Subprocess.Result {
                try Self.run(as: user, on: store, workspace: workspace, arguments + ["-w", workspace], run)
            }
            func sam(_ arguments: [String]) throws -> Subprocess.Result { try cdp("sam", arguments) }
            let before = try statusCounts(run, workspace)
            let fixed = try sam(["quarantine", "fix", "Q1", "email=rebecca.scott1959@yahoo.ie"])
            #expect(fixed.status == 0 && fixed.output.contains("Q1 now passes every rule"), "\(store): \(fixed.output)")
            let released = try sam(["quarantine", "release", "Q1"])
            #expect(released.status == 0, "\(store): \(released.output)")
            if let database {
                // The release landed the record in silver on the store, written by the database's function.
                let admin = try await PostgresTestCluster.get().superuser(database)
                defer { Task { await admin.close() } }
                let silver = try await admin.rows("SELECT email FROM cdp.silver_customer WHERE source_key = 'C0000001' AND is_current = 1")
                #expect(silver.map { $0.first ?? nil } == ["rebecca.scott1959@yahoo.ie"], "\(silver)")
            }
            let rejected = try sam(["quarantine", "reject", "Q2", "--reason", "birth date cannot be checked"])
            #expect(rejected.status == 0, "\(store): \(rejected.output)")
            let bulk = try sam(["quarantine", "reject", "--rule", "birth_date_valid", "--source", "crm_customers", "--reason", "no such date", "--yes"])
            #expect(bulk.status == 0, "\(store): \(bulk.output)")
            // A second decision on a decided record is refused, changing nothing.
            let again = try sam(["quarantine", "reject", "Q2", "--reason", "twice"])
            #expect(again.status != 0, "\(store): \(again.output)")
            // Taking decisions back: the rejection of Q2, and the release of Q1 (its silver row leaves again).
            let reopened = try sam(["quarantine", "reopen", "Q2", "--reason", "the date checks out after all"])
            #expect(reopened.status == 0, "\(store): \(reopened.output)")
            let withdrawn = try sam(["quarantine", "reopen", "Q1", "--reason", "released too soon"])
            #expect(withdrawn.status == 0, "\(store): \(withdrawn.output)")
            let show = try sam(["quarantine", "show", "Q1"])
            #expect(show.stdout.contains("Q1 · fixed") && show.stdout.contains("taken back from silver_customer: released too soon"), "\(store): \(show.output)")
            // Fixed again, rejected, and the rejection undone: held again, as fixed as it was.
            let refixed = try sam(["quarantine", "fix", "Q1", "email=rebecca.scott@yahoo.ie"])
            #expect(refixed.status == 0 && refixed.output.contains("Q1 now passes every rule"), "\(store): \(refixed.output)")
            let rejectedByMistake = try sam(["quarantine", "reject", "Q1", "--reason", "wrong record"])
            #expect(rejectedByMistake.status == 0, "\(store): \(rejectedByMistake.output)")
            let undone = try sam(["quarantine", "undo", "Q1"])
            #expect(undone.status == 0 && undone.stdout.contains("Q1 undone: fixed again"), "\(store): \(undone.output)")
            let undoneTwice = try sam(["quarantine", "undo", "Q1"])
            #expect(undoneTwice.status != 0 && undoneTwice.stderr.contains("only released or rejected records can be reopened"), "\(store): \(undoneTwice.output)")
            // Released once more, then a newer version of its key lands: the release can no longer be taken back.
            let releasedAgain = try sam(["quarantine", "release", "Q1"])
            #expect(releasedAgain.status == 0, "\(store): \(releasedAgain.output)")
            try """
                customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in
                C0000001,Rebecca,Scott,rebecca.scott@yahoo.ie,082 492 2965,1959-09-01,62 Main Street,Galway,H91 X6N6,IE,2017-08-11 15:55:52,2025-03-01 10:00:00,bronze,Y,N

                """.write(toFile: workspace + "/inbox/crm/customers-newer.csv", atomically: true, encoding: .utf8)
            let newer = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(newer.status == 0, "\(store): \(newer.output)")
            let held = try statusCounts(run, workspace)
            let late = try sam(["quarantine", "reopen", "Q1", "--reason", "too late"])
            #expect(late.status != 0, "\(store): \(late.output)")
            #expect(
                late.stderr.contains("a newer version of key C0000001 of crm_customers is current in silver_customer; the release of Q1 can no longer be taken back (nothing was changed): leave it released"),
                "\(store): \(late.output)")
            #expect(try statusCounts(run, workspace) == held, "\(store): a refused reopening changed the lake")
            let viewer = try cdp("vic", ["quarantine", "reject", "Q4", "--reason", "not mine"])
            #expect(viewer.status != 0, "\(store): \(viewer.output)")
            let after = try statusCounts(run, workspace)
            #expect(after != before)
            let audit = try sam(["audit", "list", "--limit", "1000"])
            for action in ["quarantine.fix", "quarantine.release", "quarantine.reject", "quarantine.reopen", "quarantine.reject.undo"] {
                #expect(audit.stdout.contains(action), "\(store): \(action) not in \(audit.output)")
            }
            let verified = try run(["verify", "-w", workspace])
            #expect(verified.status == 0, "\(store): \(verified.output)")
            if let database {
                let cluster = try PostgresTestCluster.get()
                let admin = try await cluster.superuser(database)
                defer { Task { await admin.close() } }
                // Q1's second release stays, superseded by the newer version of the key.
                let silver = try await admin.rows(
                    "SELECT email || ' ' || is_current FROM cdp.silver_customer WHERE source_key = 'C0000001' ORDER BY id")
                #expect(silver.map { $0.first ?? nil } == ["rebecca.scott@yahoo.ie 0", "rebecca.scott@yahoo.ie 1"], "\(silver)")
                let undoRows = try await admin.rows(
                    "SELECT action, before, after FROM cdp.audit_log WHERE target = 'Q1' AND action LIKE '%.undo' ORDER BY id")
                #expect(undoRows.map { $0.map { $0 ?? "" } } == [["quarantine.reject.undo", "rejected", "fixed"]], "\(undoRows)")
                let actors = try await admin.rows("SELECT DISTINCT actor FROM cdp.audit_log WHERE action LIKE 'quarantine.%'").map { $0.first ?? nil }
                #expect(actors == ["sam"], "\(actors)")
                // The database itself refuses the viewer, whatever the engine would say.
                let refused = try cluster.psql("SELECT cdp.quarantine_reject(4, 'open', 'not mine')", as: "vic", database: database)
                #expect(refused.status != 0 && refused.stderr.contains("permission denied"), "\(refused.output)")
                let unmasked = try cluster.psql(
                    "SELECT cdp.quarantine_fix_as_read(4, 'open', '{}', 'x', '{}', '[]', 'open', '')", as: "ana", database: database)
                #expect(unmasked.status != 0 && unmasked.stderr.contains("permission denied"), "\(unmasked.output)")
                // Reopening too: the viewer and the analyst are refused the function itself.
                for user in ["vic", "ana"] {
                    let reopen = try cluster.psql(
                        "SELECT cdp.quarantine_reopen_as_read(2, 'rejected', '{}', 'x', '[]', 'open', 'mine now', false)", as: user, database: database)
                    #expect(reopen.status != 0 && reopen.stderr.contains("permission denied for function quarantine_reopen_as_read"), "\(user): \(reopen.output)")
                }
            }
            return after
        }
    }

    @Test func aStewardsQuarantineWorkEndsTheSameOnBothStores() async throws {
        try await Self.expectSameOnBothStores(Self.stewardScenario)
    }
}
