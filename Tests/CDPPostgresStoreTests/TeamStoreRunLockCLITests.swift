import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// `cdp runs lock --store` names who holds the team store's run lock; `cdp runs unlock --store … --reason …`
    /// breaks it as an admin (act_as), ending the holding session, audited as `run.unlock` with who held it and why.
    /// A steward without act_as is refused (exit 12), her session left alone, and the refusal is audited; a viewer may not look (exit 12);
    /// breaking a lock nobody holds is exit 7; a reason is required (exit 64).
    @Test func cdpRunsLockAndUnlockOnATeamStore() async throws {
        let fixture = try await TeamStoreFixture.make("runlockcli")
        defer { Task { await fixture.drop() } }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(fixture.cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        func address(_ user: String) -> String {
            "postgresql://\(user)@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)"
        }
        func cdpRuns(_ arguments: [String]) throws -> Subprocess.Result {
            try Subprocess.run([cdp, "runs"] + arguments, environment: environment)
        }

        let free = try cdpRuns(["lock", "--store", address("ada")])
        #expect(free.status == 0, "\(free.output)")
        #expect(free.stdout.contains("nobody holds the run lock"), "\(free.output)")
        let sam = try await fixture.session("sam")
        try await PostgresTeamStore.takeRunLock(sam)
        let held = try cdpRuns(["lock", "--store", address("ada")])
        #expect(held.status == 0, "\(held.output)")
        #expect(held.stdout.contains("the run lock is held by sam (pid "), "\(held.output)")
        let viewer = try cdpRuns(["lock", "--store", address("vic")])
        #expect(viewer.status == 12, "\(viewer.output)")

        let noReason = try cdpRuns(["unlock", "--store", address("ada")])
        #expect(noReason.status == 64, "\(noReason.output)")
        let steward = try cdpRuns(["unlock", "--store", address("sam"), "--reason", "mine to break"])
        #expect(steward.status == 12, "\(steward.output)")
        #expect(steward.stderr.contains("permission denied for function request_run_unlock"), "\(steward.output)")
        #expect(try await sam.rows("SELECT 'still here'").first?.first == "still here")

        let broken = try cdpRuns(["unlock", "--store", address("ada"), "--reason", "the run hung overnight"])
        #expect(broken.status == 0, "\(broken.output)")
        #expect(broken.stdout.contains("broke the run lock held by sam (pid "), "\(broken.output)")
        // The holding session was ended by the server (`sam` is not used again).
        _ = sam
        #expect(try cdpRuns(["lock", "--store", address("ada")]).stdout.contains("nobody holds the run lock"))
        let again = try cdpRuns(["unlock", "--store", address("ada"), "--reason", "again"])
        #expect(again.status == 7, "\(again.output)")
        #expect(again.stderr.contains("nobody holds the run lock"), "\(again.output)")

        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        #expect(try await admin.rows("SELECT count(*)::text FROM pg_stat_activity WHERE usename = 'sam'").first?.first == "0")
        let rows = try await admin.rows(
            """
            SELECT actor, action, target, before, after, reason FROM cdp.audit_log
            WHERE action IN ('run.unlock', 'access.refused') ORDER BY audit_log.id
            """)
        try #require(rows.count == 2, "\(rows)")
        #expect(rows[0][0] == "sam" && rows[0][1] == "access.refused" && rows[0][2] == "run.unlock", "\(rows[0])")
        #expect(rows[0][5]?.contains("permission denied for function request_run_unlock") == true, "\(rows[0])")
        #expect(rows[1][0] == "ada" && rows[1][1] == "run.unlock" && rows[1][4] == "broken", "\(rows[1])")
        #expect(rows[1][3]?.hasPrefix("sam (pid ") == true, "\(rows[1])")
        #expect(rows[1][5] == "the run hung overnight", "\(rows[1])")
    }
}
