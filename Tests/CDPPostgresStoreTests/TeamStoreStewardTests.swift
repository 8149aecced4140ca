import CDPCore
import CDPEngine
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// A steward's decisions go through the functions: the change, the history and a chained audit row by the
    /// login role, in one transaction; the steward cannot make the change by hand.
    @Test func stewardDecisionsGoThroughAuditedFunctions() async throws {
        let fixture = try await TeamStoreFixture.make("steward")
        defer { Task { await fixture.drop() } }
        let reject = try fixture.psql("SELECT cdp.quarantine_reject(1, 'open', 'not a customer of ours')", as: "sam")
        #expect(reject.status == 0, "\(reject.output)")
        let release = try fixture.psql(
            #"SELECT cdp.quarantine_release(2, 'open', '{"first_name": "Pilar", "last_name": "González", "email": "pilar.gonzalez53@yahoo.es"}')"#,
            as: "sam")
        #expect(release.status == 0, "\(release.output)")
        // The pg1 function that marked a pair approved without merging is gone; the one that merges decides.
        let old = try fixture.psql("SELECT cdp.candidate_decide(1, 'approved', 'same person')", as: "sam")
        #expect(old.status != 0 && old.stderr.contains("function cdp.candidate_decide(integer, unknown, unknown) does not exist"), "\(old.output)")
        let approve = try fixture.psql("SELECT cdp.candidate_decide_as_read(1, 'approved', 'same person', NULL, NULL, NULL, NULL)", as: "sam")
        #expect(approve.status == 0, "\(approve.output)")
        let edit = try fixture.psql(
            #"SELECT cdp.dictionary_edit('silver', 'silver_customer', 'email', 1, '{"description": "Where we write to"}', 'clearer')"#,
            as: "sam")
        #expect(edit.status == 0, "\(edit.output)")
        // By hand: no privilege.
        for sql in [
            "UPDATE quarantine_record SET status = 'released' WHERE id = 1", "UPDATE match_candidate SET status = 'open'",
            "UPDATE dictionary_entry SET description = 'x'", "INSERT INTO pair_decision VALUES ('a', 'b', 'match', NULL, 'sam', 'x')",
        ] {
            let result = try fixture.psql(sql, as: "sam")
            #expect(result.stderr.contains("permission denied"), "\(sql) → \(result.output)")
        }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let rows = try await admin.rows(
            "SELECT actor, action, target, coalesce(before, '∅'), coalesce(after, '∅'), coalesce(reason, '∅') FROM cdp.audit_log WHERE id > 3 ORDER BY id"
        )
        #expect(
            rows.map { $0.prefix(3).map { $0 ?? "" } } == [
                ["sam", "quarantine.reject", "Q1"], ["sam", "quarantine.release", "Q2"], ["sam", "match.approve", "P1"],
                ["sam", "dictionary.edit", "silver_customer.email"],
            ])
        #expect(rows[0][5] == "not a customer of ours")
        #expect(rows[1][4] == "released to silver_customer")
        let statuses = try await admin.rows(
            "SELECT status, coalesce(resolution, '') FROM cdp.quarantine_record WHERE id IN (1, 2) ORDER BY id")
        #expect(statuses.map { $0.map { $0 ?? "" } } == [["rejected", "not a customer of ours"], ["released", "released by sam"]])
        let silver = try await admin.rows(
            "SELECT source_key, email, email_opt_in::text, is_current::text, bronze_id::text FROM cdp.silver_customer WHERE source_key = 'C0000004'"
        )
        #expect(silver.map { $0.map { $0 ?? "" } } == [["C0000004", "pilar.gonzalez53@yahoo.es", "", "1", "4"]])
        let history = try await admin.rows("SELECT actor, action FROM cdp.quarantine_history WHERE quarantine_id IN (1, 2) ORDER BY id")
        #expect(history.map { $0.map { $0 ?? "" } } == [["sam", "reject"], ["sam", "release"]])
        let decision = try await admin.rows("SELECT decision, decided_by FROM cdp.pair_decision WHERE record_b = 'crm_customers:C0000002'")
        #expect(decision.map { $0.map { $0 ?? "" } } == [["match", "sam"]])
        let entry = try await admin.rows(
            "SELECT description, version::text, updated_by FROM cdp.dictionary_entry WHERE dataset = 'silver_customer' AND column_name = 'email'"
        )
        #expect(entry.map { $0.map { $0 ?? "" } } == [["Where we write to", "2", "sam"]])
        // The chain holds, hashed as the embedded lake hashes (checked in Swift with AuditEntry.canonicalText).
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// Roles the decision needs: an analyst may not decide, and a steward's function call re-checks the role
    /// from the login role even after SET ROLE.
    @Test func decisionsNeedTheirPermission() async throws {
        let fixture = try await TeamStoreFixture.make("permission")
        defer { Task { await fixture.drop() } }
        for (user, sql) in [
            ("ana", "SELECT cdp.quarantine_reject(1, 'open', 'no')"), ("ana", "SELECT cdp.candidate_decide_as_read(1, 'rejected', NULL, NULL, NULL, NULL, NULL)"),
            ("vic", "SELECT cdp.dictionary_edit('silver', 'silver_customer', 'email', 1, '{}', 'x')"),
        ] {
            let result = try fixture.psql(sql, as: user)
            #expect(result.stderr.contains("permission denied for function"), "\(user): \(sql) → \(result.output)")
        }
        // Granted EXECUTE by mistake, the function still checks the login role's permission.
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute("GRANT EXECUTE ON FUNCTION cdp.quarantine_reject(bigint, text, text) TO \(fixture.group("analyst"))")
        let checked = try fixture.psql("SELECT cdp.quarantine_reject(1, 'open', 'no')", as: "ana")
        #expect(checked.stderr.contains("ana may not remediate quarantine: missing permission remediate_quarantine"), "\(checked.output)")
        #expect(checked.stderr.contains("\(fixture.group("admin")), \(fixture.group("steward"))"), "\(checked.output)")
        #expect(try await admin.rows("SELECT status FROM cdp.quarantine_record WHERE id = 1").first?.first == "open")
    }

    /// Two stewards decide the same record at once: the second waits for the first, finds it decided and
    /// changes nothing; only one decision and one audit row exist.
    @Test func twoStewardsOnOneRecordLoseNoDecision() async throws {
        let fixture = try await TeamStoreFixture.make("race")
        defer { Task { await fixture.drop() } }
        let first = try await fixture.session("sam")
        let second = try await fixture.session("ada")
        defer {
            Task {
                await first.close()
                await second.close()
            }
        }
        try await first.execute("BEGIN")
        try await first.execute("SELECT cdp.quarantine_reject(1, 'open', 'sam first')")
        // ada's release waits on sam's row lock; sam commits; ada finds the record rejected.
        let late = Task { () async -> PostgresStoreError? in
            do throws(PostgresStoreError) {
                try await second.execute("SELECT cdp.quarantine_release(1, 'open', '{}')")
                return nil
            } catch {
                return error
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try await first.execute("COMMIT")
        let error = await late.value
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("Q1 is now rejected, not open") == true, "\(String(describing: error))")
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        #expect(
            try await admin.rows("SELECT status, resolution FROM cdp.quarantine_record WHERE id = 1").first == ["rejected", "sam first"])
        #expect(
            try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE target = 'Q1' AND action LIKE 'quarantine.%'").first?.first
                == "2")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// Tampering the audit chain shows: a row edited with the triggers off, and the triggers left off.
    @Test func verificationFindsATamperedChain() async throws {
        let fixture = try await TeamStoreFixture.make("tamper")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
        try await admin.execute("ALTER TABLE cdp.audit_log DISABLE TRIGGER audit_log_append_only")
        try await admin.execute("UPDATE cdp.audit_log SET reason = 'nothing to see' WHERE id = 2")
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(problems.contains { $0.contains("audit row A2") && $0.contains("was edited") }, "\(problems)")
        #expect(problems.contains { $0.contains("audit_log_append_only") }, "\(problems)")
        // The last row deleted: the chain no longer reaches the head recorded beside it.
        try await admin.execute("DELETE FROM cdp.audit_log WHERE id = 3")
        let after = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(after.contains { $0.contains("cdp.audit_head records 3 rows") }, "\(after)")
    }

    // MARK: Access apply

    /// Applying the access file again follows it: a user taken out loses every privilege, a role's permissions
    /// change its grants, each apply is audited by the login role applying it.
    @Test func reapplyingTheAccessFileFollowsIt() async throws {
        let fixture = try await TeamStoreFixture.make("reapply")
        defer { Task { await fixture.drop() } }
        #expect(try fixture.psql("SELECT count(*) FROM silver_customer_masked", as: "ana").status == 0)
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        // ana leaves; analysts may now view personal data.
        let changed =
            TeamStoreFixture.accessTOML
            .replacingOccurrences(of: "ana = \"analyst\"\n", with: "")
            .replacingOccurrences(of: "analyst = [\"run_workflows\"]", with: "analyst = [\"run_workflows\", \"view_pii\"]")
            + "\ntom = \"analyst\"\n"
        try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(accessTOML: changed), admin)
        try await fixture.cluster.setPassword("tom", TeamStoreFixture.passwords["tom"] ?? "", admin)
        let gone = try fixture.psql("SELECT count(*) FROM silver_customer_masked", as: "ana")
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("permission denied for database"), "\(gone.output)")
        let tom = try fixture.psql("SELECT email FROM silver_customer ORDER BY id LIMIT 1", as: "tom")
        #expect(tom.stdout.contains("pilar.gonzalez53@yahoo.es"), "\(tom.output)")
        let audit = try await admin.rows("SELECT actor, before, after FROM cdp.audit_log WHERE action = 'access.apply' ORDER BY id")
        #expect(audit.count == 2)
        #expect(audit.last?[0] == "postgres")
        #expect(audit.last?[1] == audit.first?[2])
        #expect(audit.last?[2]?.contains("tom → \(fixture.group("analyst"))") == true)
        #expect(audit.last?[2]?.contains("ana → ") == false)
        // A column tagged afterwards is refused in its table and masked in its view at the next apply.
        var tagged = TeamStoreFixture.personalData
        tagged.columns["country"] = .other
        try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(personalData: tagged), admin)
        let country = try fixture.psql("SELECT country FROM customer_360_masked WHERE golden_id = 1", as: "ana")
        #expect(country.stdout.contains("E*"), "\(country.output)")
        #expect(try fixture.psql("SELECT count(*) FROM campaign_performance", as: "vic").status == 0)
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    @Test func aRoleNameThatCannotBeAGroupRoleIsRefused() throws {
        let toml = TeamStoreFixture.accessTOML.replacingOccurrences(of: "viewer  = []", with: "viewer  = []\n\"View-ers\" = []")
        let error = #expect(throws: EngineError.self) { try TeamStoreFixture.plan(accessTOML: toml) }
        #expect(error?.message.contains("roles.View-ers") == true)
        let reserved = TeamStoreFixture.accessTOML + "\ncdp_owner = \"admin\"\n"
        let refused = #expect(throws: EngineError.self) { try TeamStoreFixture.plan(accessTOML: reserved) }
        #expect(refused?.message.contains("users.cdp_owner") == true)
        // A role whose group name would not fit PostgreSQL's 63 bytes.
        let long = TeamStoreFixture.accessTOML.replacingOccurrences(
            of: "viewer  = []", with: "viewer  = []\n\(String(repeating: "r", count: 39)) = []")
        let tooLong = #expect(throws: EngineError.self) { try TeamStoreFixture.plan(accessTOML: long) }
        #expect(tooLong?.message.contains("at most 38") == true, "\(String(describing: tooLong))")
    }

    /// Group roles are the cluster's, so each database's are its own: `cdp_<database>_<role>`, with a database
    /// part that holds no `_` (so `acme` + `prod_analyst` and `acme_prod` + `analyst` differ), fits 63 bytes, and
    /// tells apart names that differ only in case or punctuation.
    @Test func groupRolesArePrefixedByTheirDatabase() {
        #expect(PostgresAccessPlan.groupRole("analyst", database: "acme") == "cdp_acme_analyst")
        let prod = PostgresAccessPlan.groupRole("analyst", database: "acme_prod")
        #expect(prod.hasPrefix("cdp_acmeprod") && prod.hasSuffix("_analyst"), "\(prod)")
        #expect(prod != PostgresAccessPlan.groupRole("prod_analyst", database: "acme"))
        #expect(PostgresAccessPlan.groupPrefix(database: "Acme") != PostgresAccessPlan.groupPrefix(database: "acme"))
        #expect(PostgresAccessPlan.groupPrefix(database: "acme-prod") != PostgresAccessPlan.groupPrefix(database: "acme_prod"))
        for database in ["acme", "acme_prod", String(repeating: "é", count: 63), "a\"b;DROP ROLE x", "x"] {
            let prefix = PostgresAccessPlan.groupPrefix(database: database)
            #expect(prefix.range(of: "^cdp_[a-z0-9]{1,20}_$", options: .regularExpression) != nil, "\(prefix)")
            #expect((prefix + String(repeating: "r", count: 38)).utf8.count <= 63)
        }
    }

    // MARK: The run lock

    /// Two sessions: the second run is refused while the first holds the lock, naming who holds it, and gets it
    /// once the first session ends (as when a run's process dies). Only roles that run workflows take it.
    @Test func twoRunsCannotOverlap() async throws {
        let fixture = try await TeamStoreFixture.make("runlock")
        defer { Task { await fixture.drop() } }
        let first = try await fixture.session("sam")
        try await PostgresTeamStore.takeRunLock(first)
        let second = try await fixture.session("ada")
        let busy = await #expect(throws: PostgresStoreError.self) { try await PostgresTeamStore.takeRunLock(second) }
        #expect(busy?.code == .busy)
        #expect(busy?.message.contains("sam (pid") == true, "\(String(describing: busy))")
        #expect(busy?.message.contains("cdp-tests-sam") == true, "\(String(describing: busy))")
        await first.close()
        var taken = false
        for _ in 0..<50 where !taken {
            do {
                try await PostgresTeamStore.takeRunLock(second)
                taken = true
            } catch {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(taken)
        try await PostgresTeamStore.releaseRunLock(second)
        await second.close()
        let viewer = try await fixture.session("vic")
        let refused = await #expect(throws: PostgresStoreError.self) { try await PostgresTeamStore.takeRunLock(viewer) }
        #expect(refused?.code == .forbidden)
        await viewer.close()
    }

    /// The run lock is the pipeline's: an analyst, who may start workflows but not read personal data, cannot
    /// take it (a run reads and writes personal data), through the store or through psql, even granted EXECUTE by
    /// mistake; so no analyst can hold it and keep runs out.
    @Test func anAnalystCannotHoldTheRunLock() async throws {
        let fixture = try await TeamStoreFixture.make("analystlock")
        defer { Task { await fixture.drop() } }
        let ana = try await fixture.session("ana")
        let refused = await #expect(throws: PostgresStoreError.self) { try await PostgresTeamStore.takeRunLock(ana) }
        #expect(refused?.code == .forbidden, "\(String(describing: refused))")
        await ana.close()
        #expect(try fixture.psql("SELECT cdp.try_run_lock()", as: "ana").stderr.contains("permission denied for function try_run_lock"))
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute("GRANT EXECUTE ON FUNCTION cdp.try_run_lock() TO \(fixture.group("analyst"))")
        let checked = try fixture.psql("SELECT cdp.try_run_lock()", as: "ana")
        #expect(checked.status != 0)
        #expect(
            checked.stderr.contains("ana may not run the pipeline (a run reads and writes personal data): missing permission view_pii"),
            "\(checked.output)")
        // Who holds it is still hers to see; sam (a steward) still takes it.
        #expect(try fixture.psql("SELECT cdp.run_lock_holder()", as: "ana").status == 0)
        let sam = try await fixture.session("sam")
        try await PostgresTeamStore.takeRunLock(sam)
        await sam.close()
    }

    /// An admin sees who holds the run lock and breaks it: the holding session is ended, the lock is free, and the
    /// audit log says who held it, who broke it and why. A steward may not break it; nobody holding it is said so.
    @Test func anAdminBreaksTheRunLockAudited() async throws {
        let fixture = try await TeamStoreFixture.make("breaklock")
        defer { Task { await fixture.drop() } }
        let sam = try await fixture.session("sam")
        try await PostgresTeamStore.takeRunLock(sam)
        let ada = try await fixture.session("ada")
        let holder = try await PostgresTeamStore.runLockHolder(ada)
        #expect(holder?.contains("sam (pid") == true, "\(String(describing: holder))")
        let steward = try await fixture.session("sam")
        let refused = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresTeamStore.breakRunLock(steward, reason: "mine now")
        }
        #expect(refused?.code == .forbidden)
        await steward.close()
        let broken = try await PostgresTeamStore.breakRunLock(ada, reason: "the nightly run hangs since 02:00")
        #expect(broken.contains("sam (pid"))
        // The holder's session is gone (the server ended it: `sam` is not used again); the lock is free for the next run.
        _ = sam
        #expect(try await PostgresTeamStore.runLockHolder(ada) == nil)
        try await PostgresTeamStore.takeRunLock(ada)
        try await PostgresTeamStore.releaseRunLock(ada)
        let nobody = await #expect(throws: PostgresStoreError.self) { _ = try await PostgresTeamStore.breakRunLock(ada, reason: "again") }
        #expect(nobody?.code == .notFound)
        await ada.close()
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        #expect(try await admin.rows("SELECT count(*)::text FROM pg_stat_activity WHERE usename = 'sam'").first?.first == "0")
        let audit = try await admin.rows("SELECT actor, before, after, reason FROM cdp.audit_log WHERE action = 'run.unlock'")
        #expect(audit.count == 1)
        #expect(audit.first?[0] == "ada")
        #expect(audit.first?[1]?.contains("sam (pid") == true)
        #expect(audit.first?[3] == "the nightly run hangs since 02:00")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }
}
