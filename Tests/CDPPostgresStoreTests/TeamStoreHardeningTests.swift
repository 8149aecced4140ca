import CDPCore
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    // MARK: Apply against an idle reader

    /// A reader idle in an open transaction holds the masked views apply has to replace: apply waits a bounded
    /// time, then stops with nothing changed and names the session (pid, login role, program) and what to do; once
    /// the reader ends its transaction, apply goes through.
    @Test func applyStopsBehindAnIdleReaderAndNamesIt() async throws {
        let fixture = try await TeamStoreFixture.make("idlereader")
        defer { Task { await fixture.drop() } }
        let ana = try await fixture.session("ana")
        try await ana.execute("BEGIN")
        _ = try await ana.rows("SELECT count(*) FROM cdp.silver_customer_masked")
        let pid = try await ana.rows("SELECT pg_backend_pid()::text").first?.first ?? nil
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresStoreError.self) {
            try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(), admin, lockTimeout: .seconds(1))
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(error?.code == .busy, "\(String(describing: error))")
        #expect(error?.sqlState == "55P03")
        #expect(
            error?.message.contains("ana (pid \(pid ?? "?"), cdp-tests-ana, idle in transaction") == true, "\(String(describing: error))")
        #expect(error?.message.contains("pg_terminate_backend(\(pid ?? "?"))") == true)
        #expect(error?.message.contains("nothing changed") == true)
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE action = 'access.apply'").first?.first == "1")
        try await ana.execute("ROLLBACK")
        try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(), admin, lockTimeout: .seconds(1))
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE action = 'access.apply'").first?.first == "2")
        await ana.close()
    }

    // MARK: Creating objects

    /// Temporary tables and objects in `public`: a grant to PUBLIC made by hand since install is taken back by the
    /// next apply, so no login can create anything in the lake's database.
    @Test func applyTakesBackTemporaryTablesAndPublicSchemaFromEveryone() async throws {
        let fixture = try await TeamStoreFixture.make("temp")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute("GRANT CONNECT, TEMPORARY ON DATABASE \(fixture.database) TO PUBLIC")
        try await admin.execute("GRANT USAGE, CREATE ON SCHEMA public TO PUBLIC")
        let temporary = "CREATE TEMP TABLE scratch (a int)"
        let inPublic = "CREATE TABLE public.scratch (a int)"
        #expect(try fixture.psql(temporary, as: "ana").status == 0, "the grant by hand lets her: the test sees the difference")
        #expect(try fixture.psql(inPublic, as: "vic").status == 0)
        try await admin.execute("DROP TABLE public.scratch")
        try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(), admin)
        for user in ["ana", "vic", "sam"] {
            let temp = try fixture.psql(temporary, as: user)
            #expect(temp.stderr.contains("permission denied to create temporary tables"), "\(user): \(temp.output)")
            let table = try fixture.psql(inPublic, as: user)
            #expect(table.stderr.contains("permission denied for schema public"), "\(user): \(table.output)")
        }
    }

    /// `cdp access check --store` lists what every login may do in each database of the server (postgres and
    /// template1 let them connect and make temporary tables), exits 9 while any lets them create something, and
    /// prints the one line that closes them; run as the cluster's admin, that line does.
    @Test func cdpAccessCheckReportsTheClustersOtherDatabases() async throws {
        let fixture = try await TeamStoreFixture.make("check")
        defer { Task { await fixture.drop() } }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(fixture.cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        let address = "postgresql://postgres@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)"
        let admin = try await fixture.cluster.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute("GRANT CONNECT, TEMPORARY ON DATABASE postgres, template1 TO PUBLIC")
        let open = try Subprocess.run([cdp, "access", "check", "--store", address], environment: environment)
        #expect(open.status == 9, "\(open.output)")
        let lines = open.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("postgres") && $0.contains("CONNECT, TEMPORARY") }, "\(open.output)")
        #expect(lines.contains { $0.contains("template1") && $0.contains("CONNECT, TEMPORARY") }, "\(open.output)")
        #expect(lines.contains { $0.contains("\(fixture.database) (the team store)") && !$0.contains("TEMPORARY") }, "\(open.output)")
        #expect(open.stderr.contains("may create objects or temporary tables in postgres, template1"), "\(open.output)")
        let fix = try #require(lines.first { $0.contains("psql -U postgres") }, "\(open.output)").trimmingCharacters(in: .whitespaces)
        var adminEnvironment = environment
        adminEnvironment["PGHOST"] = fixture.cluster.folder
        adminEnvironment["PGPORT"] = String(fixture.cluster.port)
        adminEnvironment["PATH"] = PostgresTestCluster.binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let fixed = try Subprocess.run(["bash", "-c", fix], environment: adminEnvironment)
        #expect(fixed.status == 0, "\(fix)\n\(fixed.output)")
        let closed = try Subprocess.run([cdp, "access", "check", "--store", address], environment: environment)
        let after = closed.stdout.split(separator: "\n").map(String.init)
        #expect(!after.contains { $0.contains("postgres ") && $0.contains("TEMPORARY") }, "\(closed.output)")
        #expect(!after.contains { $0.contains("template1") && $0.contains("TEMPORARY") }, "\(closed.output)")
        #expect(closed.status == 0, "\(closed.output)")
        // As they were, for the other tests of this process.
        try await admin.execute("GRANT CONNECT, TEMPORARY ON DATABASE postgres, template1 TO PUBLIC")
    }

    // MARK: Two lakes on one server

    /// Two team stores on one cluster: ana is an analyst in one and not listed in the other. Each database has its
    /// own group roles, so she reads the first lake's masked views, cannot even connect to the second, and
    /// applying the second lake's file does not take her out of the first.
    @Test func twoLakesOnOneClusterShareNoGroupRole() async throws {
        let first = try await TeamStoreFixture.make("lakeone")
        defer { Task { await first.drop() } }
        let withoutAna = TeamStoreFixture.accessTOML.replacingOccurrences(of: "ana = \"analyst\"\n", with: "")
        let second = try await TeamStoreFixture.make("laketwo", accessTOML: withoutAna)
        defer { Task { await second.drop() } }
        #expect(first.group("analyst") != second.group("analyst"))
        let inFirst = try first.psql("SELECT count(*) FROM silver_customer_masked", as: "ana")
        #expect(inFirst.status == 0, "\(inFirst.output)")
        let inSecond = try second.psql("SELECT count(*) FROM silver_customer_masked", as: "ana")
        #expect(inSecond.stderr.contains("permission denied for database"), "\(inSecond.output)")
        // sam is a steward in both, through each database's own group.
        #expect(try second.psql("SELECT count(*) FROM silver_customer", as: "sam").status == 0)
        let admin = try await first.superuser()
        defer { Task { await admin.close() } }
        // Her groups (other tests' databases are dropped, their group roles stay: they are the cluster's).
        let groups = try await admin.rows(
            "SELECT r.rolname::text FROM pg_roles r WHERE pg_has_role('ana', r.oid, 'MEMBER') AND r.rolname LIKE 'cdp%' ORDER BY 1"
        ).compactMap { $0.first ?? nil }
        #expect(groups.contains(first.group("analyst")), "\(groups)")
        #expect(!groups.contains { $0.hasPrefix(PostgresAccessPlan.groupPrefix(database: second.database)) }, "\(groups)")
    }

    // MARK: default_role

    /// `default_role` is never granted on a team store (it would reach every login of the server); apply says so,
    /// in its result and its audit row, naming the logins of the server that get no role. Such a login cannot
    /// connect. An analyst with run_workflows but not view_pii is told it cannot take the run lock.
    @Test func applySaysWhyDefaultRoleIsNotGranted() async throws {
        let fixture = try await TeamStoreFixture.make("defaultrole")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dora') THEN CREATE ROLE dora LOGIN; END IF; END $$")
        try await fixture.cluster.setPassword("dora", "dora-secret-1", admin)
        let applied = try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(), admin)
        let note = try #require(applied.notes.first { $0.hasPrefix("default_role 'viewer' is not applied") }, "\(applied.notes)")
        #expect(note.contains("dora"), "\(note)")
        #expect(!note.contains("ana"), "ana is listed: \(note)")
        #expect(applied.notes.contains { $0.contains("role 'analyst' has run_workflows but not view_pii") }, "\(applied.notes)")
        let reason = try await admin.rows("SELECT reason FROM cdp.audit_log WHERE action = 'access.apply' ORDER BY id DESC LIMIT 1")
        #expect(reason.first?.first??.contains("default_role 'viewer' is not applied") == true)
        let dora = try fixture.psql("SELECT 1", as: "dora")
        #expect(dora.stderr.contains("permission denied for database"), "\(dora.output)")
    }
}
