import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The run lock read in one place (`pg-the-run-lock-is-read-in-one-place`), and admin requests left without an end
/// named by `cdp store sessions` (`pg-admin-requests-left-are-listed`).
extension TeamStoreTests {
    /// Only `cdp.run_lock_holder_pid()` reads `pg_locks` for the run lock; the functions that spelt the lock's key out
    /// again ask it, and still answer as before: the holder named, "mine" for its login only, "this session's" for
    /// its session only, `cdp store sessions` showing the run lock beside the relations a session holds.
    @Test func theRunLockIsReadInOnePlace() async throws {
        let fixture = try await TeamStoreFixture.make("runlockreaders")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let readers = try await admin.rows(
            """
            SELECT p.proname::text FROM pg_proc p WHERE p.pronamespace = 'cdp'::regnamespace
                AND p.prosrc LIKE '%pg_locks%' AND p.prosrc LIKE '%advisory%' AND p.prosrc LIKE '%\(PostgresSchema.runLockKey)%'
            ORDER BY 1
            """)
        #expect(readers == [["run_lock_holder_pid"]], "\(readers)")

        let holder = try await fixture.session("sam")
        defer { Task { await holder.close() } }
        let other = try await fixture.session("sam")
        defer { Task { await other.close() } }
        let ada = try await fixture.session("ada")
        defer { Task { await ada.close() } }
        #expect(try await PostgresTeamStore.runLockHolder(ada) == nil)
        try await PostgresTeamStore.takeRunLock(holder)
        let pid = try #require(try await holder.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        try await holder.execute("BEGIN")
        _ = try await holder.rows("SELECT count(*) FROM cdp.batch")
        let held = try #require(try await PostgresTeamStore.runLockHolder(ada))
        #expect(held.hasPrefix("sam (pid \(pid), cdp-tests-sam, connected since "), "\(held)")
        let asked = "SELECT cdp.run_lock_is_mine()::text, cdp.run_lock_is_this_sessions()::text"
        #expect(try await holder.rows(asked) == [["true", "true"]])
        #expect(try await other.rows(asked) == [["true", "false"]])
        #expect(try await ada.rows(asked) == [["false", "false"]])
        let sessions = try await PostgresTeamStore.sessions(ada)
        let listed = try #require(sessions.first { String($0.pid) == pid })
        #expect(listed.holds.contains("the run lock") && listed.holds.contains("batch"), "\(listed)")
        #expect(sessions.filter { String($0.pid) != pid }.allSatisfy { !$0.holds.contains("the run lock") }, "\(sessions)")
        try await holder.execute("COMMIT")
    }

    /// F2's residue: an admin's request whose second step never ran, or was rolled back after ending the session,
    /// was an audit row `session.end.requested` with nothing after it. `cdp store sessions` now names each such
    /// request and what became of its session; a request carried out is not named.
    @Test func storeSessionsNamesARequestLeftWithoutItsEnd() async throws {
        let fixture = try await TeamStoreFixture.make("requestsleft")
        defer { Task { await fixture.drop() } }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(fixture.cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        let address = "postgresql://ada@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)"
        func number(_ result: Subprocess.Result) throws -> String {
            try #require(result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { Int($0) != nil }, "\(result.output)")
        }
        let ended = try await fixture.session("sam")
        let endedPid = try #require(try await ended.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        let waiting = try await fixture.session("vic")
        defer { Task { await waiting.close() } }
        let waitingPid = try #require(try await waiting.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        let done = try await fixture.session("ana")
        let donePid = try #require(try await done.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)

        // Ended, but the ending rolled back; asked, never carried out; carried out through cdp.
        let rolledBack = try number(try fixture.psql("SELECT cdp.request_end_session(\(endedPid), 'left open all night')", as: "ada"))
        #expect(try fixture.psql("BEGIN; SELECT cdp.end_session(\(rolledBack)); ROLLBACK;", as: "ada").status == 0)
        let neverRun = try number(try fixture.psql("SELECT cdp.request_end_session(\(waitingPid), 'cdp stopped')", as: "ada"))
        let carried = try Subprocess.run(
            [cdp, "store", "end-session", donePid, "--store", address, "--reason", "done"], environment: environment)
        #expect(carried.status == 0, "\(carried.output)")

        let listed = try Subprocess.run([cdp, "store", "sessions", "--store", address], environment: environment)
        #expect(listed.status == 0, "\(listed.output)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        let first = try #require(lines.first { $0.hasPrefix("request \(rolledBack) by ada at ") }, "\(listed.output)")
        #expect(first.contains("to end the session of sam (pid \(endedPid)") && first.contains("(left open all night)"), "\(first)")
        #expect(first.hasSuffix("the session is gone, but no session.end was recorded: the second step ended it and was rolled back, "
            + "or the session ended on its own"), "\(first)")
        let second = try #require(lines.first { $0.hasPrefix("request \(neverRun) by ada at ") }, "\(listed.output)")
        #expect(second.contains("to end the session of vic (pid \(waitingPid)"), "\(second)")
        #expect(second.contains("not carried out yet: the session is still logged in; the request may be carried out until "), "\(second)")
        #expect(!listed.stdout.contains("pid \(donePid)"), "\(listed.output)")
        // Its list is an admin's, as the sessions are.
        let analyst = try Subprocess.run(
            [cdp, "store", "sessions", "--store", address.replacingOccurrences(of: "ada@", with: "ana@")], environment: environment)
        #expect(analyst.status == 12, "\(analyst.output)")
    }

    /// A request's reason is free text, withheld from an `act_as` role without `view_pii` as `audit_log_masked` withholds
    /// it (`pg-admin-request-reasons-need-view-pii`); an admin with `view_pii` reads it.
    @Test func aRequestsReasonNeedsViewPII() async throws {
        let toml = TeamStoreFixture.accessTOML.replacingOccurrences(of: "viewer  = []", with: "viewer  = []\nauditor = [\"act_as\"]")
            .replacingOccurrences(of: "vic = \"viewer\"", with: "vic = \"viewer\"\ntom = \"auditor\"")
        let fixture = try await TeamStoreFixture.make("requestreason", accessTOML: toml)
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await fixture.cluster.setPassword("tom", try #require(TeamStoreFixture.passwords["tom"]), admin)
        let vic = try await fixture.session("vic")
        defer { Task { await vic.close() } }
        let pid = try #require(try await vic.rows("SELECT pg_backend_pid()::text").first?.first ?? nil)
        let asked = try fixture.psql("SELECT cdp.request_end_session(\(pid), 'Pilar Gonzalez called about her card')", as: "ada")
        #expect(asked.status == 0, "\(asked.output)")
        let auditor = try fixture.psql("SELECT reason FROM cdp.admin_requests_left()", as: "tom")
        #expect(auditor.status == 0 && auditor.stdout.contains(PostgresSchema.withheldText), "\(auditor.output)")
        #expect(!auditor.stdout.contains("Pilar"), "\(auditor.output)")
        let ada = try fixture.psql("SELECT reason FROM cdp.admin_requests_left()", as: "ada")
        #expect(ada.stdout.contains("Pilar Gonzalez called about her card"), "\(ada.output)")
    }
}
