import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// Dividing the work on the team store: claims, assignments, take-overs and letting go through
/// `cdp.work_claims_change` (the role checked and each change audited by the database, a bulk assignment in one
/// call), comments withheld from roles without view_pii, and each user's saved views; the same scenario ends the
/// same on both stores.
extension TeamStoreTests {
    /// Makes ada an admin (`assign_work`) in the workspace's access file and applies it (to the store too).
    static func addAdmin(on store: Store, _ workspace: String, _ database: String?, _ run: ([String]) throws -> Subprocess.Result) async throws {
        let file = workspace + "/governance/access.toml"
        let access = try String(contentsOfFile: file, encoding: .utf8)
        try access.replacingOccurrences(of: "sam = \"steward\"", with: "sam = \"steward\"\nada = \"admin\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try applyAccessFile(on: store, workspace, database, run)
        if let database {
            let cluster = try PostgresTestCluster.get()
            let admin = try await cluster.superuser(database)
            defer { Task { await admin.close() } }
            try await cluster.setPassword("ada", try #require(TeamStoreFixture.passwords["ada"]), admin)
        }
    }

    /// `cdp access apply` of the workspace's access file, to the team store too when the workspace is on one.
    static func applyAccessFile(
        on store: Store, _ workspace: String, _ database: String?, _ run: ([String]) throws -> Subprocess.Result
    ) throws {
        var apply = ["access", "apply", "-w", workspace]
        if let database {
            let cluster = try PostgresTestCluster.get()
            apply += ["--store", "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"]
        }
        let applied = try run(apply)
        try #require(applied.status == 0, "\(store): \(applied.output)")
    }

    /// The scenario: sam claims Q1 and Q2; vic may not claim; ada, an admin, is refused sam's Q1, assigns Q3–Q7 to
    /// sam at once, may not assign to vic, then takes Q1 over; sam may not assign; sam lets go of Q2 and Q3, ada
    /// takes Q4 away; sam's rejection of Q6 ends its assignment; sam comments on Q1, which ana reads withheld and vic
    /// may not do; sam saves a view that ana does not have. Returns the holds left and the audit rows of it all (times
    /// left out).
    static func workClaimScenario(on store: Store) async throws -> String {
        try await withSampleWorkspace(on: store, "claims") { workspace, database, run in
            try await ingestSample(workspace, database, run)
            func cdp(_ user: String, _ arguments: [String]) throws -> Subprocess.Result {
                try Self.run(as: user, on: store, workspace: workspace, arguments + ["-w", workspace], run)
            }
            try await addAdmin(on: store, workspace, database, run)
            let claimed = try cdp("sam", ["quarantine", "claim", "Q1", "Q2"])
            #expect(claimed.status == 0 && claimed.stdout.contains("claimed by sam for 30 minutes: Q1, Q2"), "\(store): \(claimed.output)")
            let viewer = try cdp("vic", ["quarantine", "claim", "Q3"])
            #expect(viewer.status != 0 && viewer.stderr.contains("remediate_quarantine"), "\(store): \(viewer.output)")
            let held = try cdp("ada", ["quarantine", "claim", "Q1"])
            #expect(held.status != 0 && held.stderr.contains("Q1 is claimed by sam until"), "\(store): \(held.output)")
            let assigned = try cdp("ada", ["quarantine", "assign", "Q3", "Q4", "Q5", "Q6", "Q7", "--to", "sam"])
            #expect(assigned.status == 0 && assigned.stdout.contains("assigned to sam: Q3, Q4, Q5, Q6, Q7"), "\(store): \(assigned.output)")
            let toViewer = try cdp("ada", ["quarantine", "assign", "Q8", "--to", "vic"])
            #expect(toViewer.status != 0 && toViewer.stderr.contains("cannot be assigned to them"), "\(store): \(toViewer.output)")
            let takenOver = try cdp("ada", ["quarantine", "assign", "Q1", "--to", "ada", "--take-over"])
            #expect(takenOver.status == 0 && takenOver.stdout.contains("taken over from sam: Q1"), "\(store): \(takenOver.output)")
            let stewardAssigns = try cdp("sam", ["quarantine", "assign", "Q9", "--to", "sam"])
            #expect(stewardAssigns.status != 0 && stewardAssigns.stderr.contains("assign_work"), "\(store): \(stewardAssigns.output)")
            let letGo = try cdp("sam", ["quarantine", "unassign", "Q2", "Q3"])
            #expect(letGo.status == 0 && letGo.stdout.contains("unassigned: Q2, Q3"), "\(store): \(letGo.output)")
            let takenAway = try cdp("ada", ["quarantine", "unassign", "Q4"])
            #expect(takenAway.status == 0 && takenAway.stdout.contains("unassigned: Q4"), "\(store): \(takenAway.output)")
            // A decision ends the hold, audited as work.release.
            let decided = try cdp("sam", ["quarantine", "reject", "Q6", "--reason", "not a customer of ours"])
            #expect(decided.status == 0, "\(store): \(decided.output)")
            let samTakesAway = try cdp("sam", ["quarantine", "unassign", "Q1"])
            #expect(samTakesAway.status != 0 && samTakesAway.stderr.contains("assign_work"), "\(store): \(samTakesAway.output)")
            // Comments: the text for those who may read personal data, withheld from the others.
            let commented = try cdp("sam", ["quarantine", "comment", "Q1", "--text", "called Rebecca: she moved to Cork"])
            #expect(commented.status == 0 && commented.stdout.contains("commented on Q1 as sam"), "\(store): \(commented.output)")
            let thread = try cdp("ada", ["quarantine", "comment", "Q1"])
            #expect(thread.status == 0 && thread.stdout.contains("sam: called Rebecca: she moved to Cork"), "\(store): \(thread.output)")
            let masked = try cdp("ana", ["quarantine", "comment", "Q1"])
            #expect(masked.status == 0 && masked.stdout.contains("sam: ") && !masked.stdout.contains("Rebecca"), "\(store): \(masked.output)")
            let viewerComment = try cdp("vic", ["quarantine", "comment", "Q1", "--text", "hello"])
            #expect(viewerComment.status != 0, "\(store): \(viewerComment.output)")
            // Saved views are each user's own.
            let saved = try cdp("sam", ["quarantine", "list", "--rule", "email_format", "--save-view", "bad-emails"])
            #expect(saved.status == 0, "\(store): \(saved.output)")
            let listed = try cdp("sam", ["quarantine", "list", "--view", "bad-emails", "--json"])
            #expect(listed.status == 0 && listed.stdout.contains("email_format"), "\(store): \(listed.output)")
            let notAnas = try cdp("ana", ["quarantine", "list", "--view", "bad-emails"])
            #expect(notAnas.status != 0 && notAnas.stderr.contains("no saved view 'bad-emails'"), "\(store): \(notAnas.output)")
            let verified = try run(["verify", "-w", workspace])
            #expect(verified.status == 0, "\(store): \(verified.output)")
            if let database {
                let cluster = try PostgresTestCluster.get()
                // The database decides, whatever the client says: a steward cannot assign, claim for someone else,
                // or take a hold over audited as a plain claim; a viewer cannot call the function at all.
                let change = { (claim: String, action: String, target: String, expected: String) in
                    #"SELECT cdp.work_claims_change('[{"kind":"quarantine","id":\#(target.dropFirst()),\#(expected)"claim":\#(claim),"audit":{"action":"\#(action)","target":"\#(target)"}}]')"#
                }
                let expiry = "2999-01-01T00:00:00Z"
                for (user, sql, refusal) in [
                    ("sam", change(#"{"owner":"sam","hold":"assignment","held_by":"sam","since":"x"}"#, "work.assign", "Q9", ""), "missing permission assign_work"),
                    ("sam", change(#"{"owner":"ana","hold":"claim","held_by":"sam","since":"x","expires_at":"\#(expiry)"}"#, "work.claim", "Q9", ""), "a claim is one's own"),
                    ("sam", change(#"{"owner":"sam","hold":"claim","held_by":"sam","since":"x","expires_at":"\#(expiry)"}"#, "work.claim", "Q9", ""), "lapses within a day"),
                    ("sam", change(#"{"owner":"sam","hold":"claim","held_by":"ada","since":"x","expires_at":"2026-01-01T00:00:00Z"}"#, "work.claim", "Q9", ""), "lapses within a day"),
                    ("vic", change("null", "work.unassign", "Q5", #""expected_owner":"sam","#), "permission denied for function work_claims_change"),
                    ("ana", change("null", "work.unassign", "Q5", #""expected_owner":"sam","#), "permission denied for function work_claims_change"),
                ] {
                    let result = try cluster.psql(sql, as: user, database: database)
                    #expect(result.status != 0 && result.stderr.contains(refusal), "\(user): \(sql) → \(result.output)")
                }
                let admin = try await cluster.superuser(database)
                defer { Task { await admin.close() } }
                let soon = try #require(try await admin.rows("SELECT to_char((now() + interval '10 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')").first?.first ?? nil)
                // Q5 is assigned to sam: ada's claim of it must say it takes it over.
                let plain = try cluster.psql(
                    change(#"{"owner":"ada","hold":"claim","held_by":"ada","since":"x","expires_at":"\#(soon)"}"#, "work.claim", "Q5", #""expected_owner":"sam","#),
                    as: "ada", database: database)
                #expect(plain.status != 0 && plain.stderr.contains("audited as work.take_over on Q5, not as work.claim"), "\(plain.output)")
                // Someone else's expected holder is a conflict, changing nothing.
                let stale = try cluster.psql(change("null", "work.unassign", "Q5", #""expected_owner":"ana","#), as: "ada", database: database)
                #expect(stale.status != 0 && stale.stderr.contains("Q5 changed hands meanwhile: sam holds it now"), "\(stale.output)")
                let holders = try await admin.rows("SELECT owner FROM cdp.work_claim WHERE item_id = 5").map { $0.first ?? nil }
                #expect(holders == ["sam"], "\(holders)")
                // ana reads the comment's text withheld in the database too.
                let reason = try cluster.psql("SELECT reason FROM audit_log_masked WHERE action = 'work.comment'", as: "ana", database: database)
                #expect(reason.status == 0 && !reason.stdout.contains("Rebecca"), "\(reason.output)")
                let actors = try await admin.rows("SELECT DISTINCT actor FROM cdp.audit_log WHERE action LIKE 'work.%' ORDER BY 1").map { $0.first ?? nil }
                #expect(actors == ["ada", "sam"], "\(actors)")
                #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
            }
            let holds = try run(["quarantine", "holds", "-w", workspace, "--json"])
            try #require(holds.status == 0, "\(store): \(holds.output)")
            let kept = try jsonObjects(holds).map { $0.filter { $0.key != "since" && $0.key != "expiresAt" } }
            let audit = try run(["audit", "list", "-w", workspace, "--limit", "1000", "--json"])
            try #require(audit.status == 0, "\(store): \(audit.output)")
            let work = try jsonObjects(audit).filter { ($0["action"] as? String)?.hasPrefix("work.") == true || ($0["action"] as? String)?.hasPrefix("view.") == true }
                .map { entry in
                    ["actor", "action", "target", "before", "reason"].map { "\(entry[$0] ?? "∅")" }.joined(separator: " | ")
                        .replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "TIME", options: .regularExpression)
                }
            return try sortedJSON(["holds": kept, "audit": work])
        }
    }

    @Test func dividingTheWorkEndsTheSameOnBothStores() async throws {
        try await Self.expectSameOnBothStores(Self.workClaimScenario)
    }
}
