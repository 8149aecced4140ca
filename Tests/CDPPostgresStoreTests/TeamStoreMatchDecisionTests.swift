import CDPCore
import CDPPostgresStore
import CDPStore
import Foundation
import Testing

/// A steward's match decisions on the team store: the same decisions end with the same queue, golden records, links,
/// pair decisions and audit trail as on the embedded lake; the database refuses them to a role without
/// `decide_merges`, however it calls, and a decision made on a stale read changes nothing.
extension TeamStoreTests {
    /// What decisions leave in a lake besides the match result: pair decisions and overrides (their times left out:
    /// each store stamps its own) and the audit rows of the decisions, oldest first (the match run's left out: its
    /// actor is whoever ran it).
    static let decisionQueries = [
        "SELECT record_a, record_b, decision, reason, decided_by FROM pair_decision ORDER BY record_a, record_b",
        "SELECT CAST(golden_id AS TEXT), attribute, value, set_by FROM golden_override ORDER BY golden_override.golden_id, attribute",
        """
        SELECT actor, action, target, before, after, reason FROM audit_log
        WHERE action IN ('match.approve', 'match.reject', 'match.undo', 'golden.unmerge', 'golden.override', 'work.release')
        ORDER BY audit_log.id
        """,
    ]

    static func decisionRows(workspace: String, database: String?) async throws -> [[[String?]]] {
        var result = try await matchResult(workspace: workspace, database: database)
        for sql in decisionQueries { result.append(try await lakeRows(sql, workspace: workspace, database: database)) }
        return result
    }

    /// The sample matched, then a steward's day of decisions through the CLI: approve (merging two golden records),
    /// reject, approve and undo, unmerge a record from a golden record of several, override an attribute.
    static func sampleDecisions(on store: Store) async throws -> [[[String?]]] {
        try await withSampleWorkspace(on: store, "decisions") { workspace, database, run in
            try await ingestSample(workspace, database, run)
            let matched = try run(["match", "run", "-w", workspace])
            try #require(matched.status == 0, "\(store): \(matched.output)")
            let before = try await matchResult(workspace: workspace, database: database)
            // A golden record of several members and its first member (the same ids on both stores).
            let several = try #require(before[1].first { ($0[1].flatMap { Int($0) } ?? 0) > 2 && $0[5] == nil }?[0])
            let member = try #require(before[2].first { $0[3] == several && $0[5] == nil })
            let steps: [[String]] = [
                ["candidates", "approve", "P1", "--reason", "same person, moved house"],
                ["candidates", "reject", "P2", "--reason", "namesakes"],
                ["candidates", "approve", "P3"],
                ["candidates", "undo", "P3"],
                ["golden", "unmerge", "G\(several)", "--record", "\(member[1] ?? ""):\(member[2] ?? "")", "--reason", "a colleague's account"],
                ["golden", "override", "G2", "email=giorgia.ferrara@example.it", "--reason", "she called"],
            ]
            for step in steps {
                let done = try Self.run(as: "sam", on: store, workspace: workspace, step + ["-w", workspace], run)
                try #require(done.status == 0, "\(store) \(step): \(done.output)")
            }
            return try await decisionRows(workspace: workspace, database: database)
        }
    }

    /// Approve, reject, undo, unmerge and override on the team store end as on the embedded lake: the same queue,
    /// golden records (ids, members, surviving values), links (closed ones too), pair decisions, overrides and audit
    /// rows, each decision recorded under the steward's login.
    @Test func aStewardsMatchDecisionsEndTheSameOnBothStores() async throws {
        let embedded = try await Self.sampleDecisions(on: .embedded)
        let postgres = try await Self.sampleDecisions(on: .postgres)
        let names = ["candidates", "golden records", "links", "pair decisions", "overrides", "audit rows"]
        for (index, name) in names.enumerated() {
            #expect(postgres[index].count == embedded[index].count, "\(name): \(postgres[index].count) vs \(embedded[index].count)")
            let first = zip(postgres[index], embedded[index]).first { $0.0 != $0.1 }
            #expect(first == nil, "\(name) differ first at \(String(describing: first))")
        }
        let actions = embedded[5].map { "\($0[1] ?? "") \($0[2] ?? "")" }
        #expect(actions.starts(with: ["match.approve P1", "match.reject P2", "match.approve P3", "match.undo P3"]), "\(actions)")
        #expect(actions.contains { $0.hasPrefix("golden.unmerge G") } && actions.last == "golden.override G2.email", "\(actions)")
        #expect(postgres[5].allSatisfy { $0[0] == "sam" }, "\(postgres[5])")
        // The approve merged two golden records: one retired, its members moved.
        #expect(embedded[1].contains { $0[5] != nil }, "a golden record was retired")
    }

    /// The database decides who may decide: an analyst or a viewer calling the decision functions from psql is
    /// refused the function, and granted it by mistake is refused by the function's own check; a steward's decision on
    /// a stale read (a candidate decided meanwhile, a golden record whose members changed) is a conflict that changes
    /// nothing; the decision that went through is audited under the steward's login.
    @Test func matchDecisionsAreRefusedByTheDatabaseToRolesWithoutDecideMerges() async throws {
        let fixture = try await TeamStoreFixture.make("decisions")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let calls = [
            "SELECT cdp.candidate_decide_as_read(1, 'rejected', 'no', NULL, NULL, NULL, NULL)", "SELECT cdp.candidate_undo(1, 'rejected')",
            "SELECT cdp.golden_unmerge_as_read(1, 'crm_customers:C0000001', 9, '{}', '[]', '[]', NULL)",
            "SELECT cdp.golden_override_as_read(1, 'email', 'x@example.com', '{}', '[]', NULL)",
        ]
        let state = "SELECT status || ' ' || coalesce(decided_by, '-') FROM cdp.match_candidate WHERE id = 1"
        for call in calls {
            let function = try #require(call.split(separator: "(").first?.split(separator: ".").last)
            for user in ["ana", "vic"] {
                let refused = try fixture.psql(call, as: user)
                #expect(refused.status != 0 && refused.stderr.contains("permission denied for function \(function)"), "\(user): \(refused.output)")
            }
        }
        try await admin.execute(
            """
            GRANT EXECUTE ON FUNCTION cdp.candidate_decide_as_read(bigint, text, text, bigint, bigint, text[], text),
                cdp.candidate_undo(bigint, text), cdp.golden_unmerge_as_read(bigint, text, bigint, text[], text, text, text),
                cdp.golden_override_as_read(bigint, text, text, text[], text, text) TO \(fixture.group("analyst"))
            """)
        for call in calls {
            let refused = try fixture.psql(call, as: "ana")
            #expect(refused.status != 0 && refused.stderr.contains("ana may not decide merges: missing permission decide_merges"), "\(refused.output)")
        }
        #expect(try await admin.rows(state).first?.first == "open -")

        // The steward decides P1; the same decision again, read before it, is stale; an undo expecting another status too.
        let decided = try fixture.psql(calls[0], as: "sam")
        #expect(decided.status == 0, "\(decided.output)")
        #expect(try await admin.rows(state).first?.first == "rejected sam")
        let again = try fixture.psql(calls[0], as: "sam")
        #expect(again.status != 0 && again.stderr.contains("P1 is already rejected: someone decided it meanwhile"), "\(again.output)")
        let staleUndo = try fixture.psql("SELECT cdp.candidate_undo(1, 'approved')", as: "sam")
        #expect(staleUndo.status != 0 && staleUndo.stderr.contains("P1 is rejected now, not approved"), "\(staleUndo.output)")
        // An override computed from other members than G1 holds now changes nothing.
        let staleOverride = try fixture.psql(
            "SELECT cdp.golden_override_as_read(1, 'email', 'x@example.com', '{crm_customers:C0000002}', '[]', NULL)", as: "sam")
        #expect(staleOverride.status != 0 && staleOverride.stderr.contains("G1 holds other records now than when cdp read it"), "\(staleOverride.output)")
        #expect(try await admin.rows("SELECT value FROM cdp.golden_override WHERE golden_id = 1") == [["pilar.gonzalez53@yahoo.es"]])
        let audited = try await admin.rows("SELECT actor, action, target FROM cdp.audit_log WHERE action LIKE 'match.%' ORDER BY id")
        #expect(audited == [["sam", "match.reject", "P1"]], "\(audited)")
    }
}
