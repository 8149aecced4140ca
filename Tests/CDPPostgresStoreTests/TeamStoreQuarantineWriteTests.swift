import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// A steward's quarantine work through cdp on the team store: fixes, releases and rejections (one at a time and in
/// bulk) go through the store's `SECURITY DEFINER` functions, which check the role and append the audit row in the
/// same transaction; the same scenario ends the same on both stores.
extension TeamStoreTests {
    /// The scenario: sam (a steward) fixes Q1's email, releases it to silver, rejects Q2 and, in bulk, every record
    /// failing `birth_date_valid`; a viewer's rejection is refused. Returns what the lake holds after it.
    static func stewardScenario(on store: Store) async throws -> String {
        try await withSampleWorkspace(on: store, "steward") { workspace, database, run in
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            if let database { try await letSampleUsersLogIn(database) }
            func sam(_ arguments: [String]) throws -> Subprocess.Result {
                try Self.run(as: "sam", on: store, workspace: workspace, arguments + ["-w", workspace], run)
            }
            let before = try statusCounts(run, workspace)
            let fixed = try sam(["quarantine", "fix", "Q1", "email=rebecca.scott1959@yahoo.ie"])
            #expect(fixed.status == 0 && fixed.output.contains("Q1 now passes every rule"), "\(store): \(fixed.output)")
            let released = try sam(["quarantine", "release", "Q1"])
            #expect(released.status == 0, "\(store): \(released.output)")
            let rejected = try sam(["quarantine", "reject", "Q2", "--reason", "birth date cannot be checked"])
            #expect(rejected.status == 0, "\(store): \(rejected.output)")
            let bulk = try sam(["quarantine", "reject", "--rule", "birth_date_valid", "--source", "crm_customers", "--reason", "no such date", "--yes"])
            #expect(bulk.status == 0, "\(store): \(bulk.output)")
            // A second decision on a decided record is refused, changing nothing.
            let again = try sam(["quarantine", "reject", "Q2", "--reason", "twice"])
            #expect(again.status != 0, "\(store): \(again.output)")
            let viewer = try Self.run(as: "vic", on: store, workspace: workspace, ["quarantine", "reject", "Q4", "--reason", "not mine", "-w", workspace], run)
            #expect(viewer.status != 0, "\(store): \(viewer.output)")
            let after = try statusCounts(run, workspace)
            #expect(after != before)
            let show = try sam(["quarantine", "show", "Q1"])
            #expect(show.stdout.contains("released"), "\(store): \(show.output)")
            let audit = try sam(["audit", "list", "--limit", "1000"])
            for action in ["quarantine.fix", "quarantine.release", "quarantine.reject"] {
                #expect(audit.stdout.contains(action), "\(store): \(action) not in \(audit.output)")
            }
            let verified = try run(["verify", "-w", workspace])
            #expect(verified.status == 0, "\(store): \(verified.output)")
            if let database {
                let cluster = try PostgresTestCluster.get()
                // The release landed the record in silver on the store, written by the database's function.
                let admin = try await cluster.superuser(database)
                defer { Task { await admin.close() } }
                let silver = try await admin.rows(
                    "SELECT email FROM cdp.silver_customer WHERE source_key = 'C0000001' AND is_current = 1")
                #expect(silver.map { $0.first ?? nil } == ["rebecca.scott1959@yahoo.ie"], "\(silver)")
                let actors = try await admin.rows("SELECT DISTINCT actor FROM cdp.audit_log WHERE action LIKE 'quarantine.%'").map { $0.first ?? nil }
                #expect(actors == ["sam"], "\(actors)")
                // The database itself refuses the viewer, whatever the engine would say.
                let refused = try cluster.psql("SELECT cdp.quarantine_reject(4, 'open', 'not mine')", as: "vic", database: database)
                #expect(refused.status != 0 && refused.stderr.contains("permission denied"), "\(refused.output)")
                let unmasked = try cluster.psql(
                    "SELECT cdp.quarantine_fix_as_read(4, 'open', '{}', 'x', '{}', '[]', 'open', '')", as: "ana", database: database)
                #expect(unmasked.status != 0 && unmasked.stderr.contains("permission denied"), "\(unmasked.output)")
            }
            return after
        }
    }

    @Test func aStewardsQuarantineWorkEndsTheSameOnBothStores() async throws {
        let embedded = try await Self.stewardScenario(on: .embedded)
        let onStore = try await Self.stewardScenario(on: .postgres)
        #expect(onStore == embedded, "\(Self.firstDifference(onStore, embedded))")
    }
}
