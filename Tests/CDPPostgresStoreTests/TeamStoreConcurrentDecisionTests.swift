import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// Two stewards deciding at once on the team store, interleaved deterministically: sam's decision holds its
/// transaction open while ada's runs, ada's waits for sam's locks, then sam commits. Whatever ada computed from what
/// she read before sam committed is a conflict that changes nothing, never a golden record corrupted.
extension TeamStoreTests {
    /// Customers of these tests (first name, surname, e-mail: the only values they hold), beside the fixture's.
    static let deciding: [String: (first: String, last: String, email: String)] = [
        "C0000011": ("Paula", "Gómez", "paula.gomez@example.es"), "C0000012": ("Peter", "Hughes", "peter.hughes@example.ie"),
        "C0000013": ("Marta", "Ruiz", "marta.ruiz@example.es"), "C0000014": ("Liam", "Byrne", "liam.byrne@example.ie"),
    ]

    static func record(_ key: String) -> String { "crm_customers:\(key)" }

    /// A golden record's values as the engine computes them: every value from `key`'s record, `overrides` winning.
    static func goldenValues(from key: String, overrides: [String: String] = [:]) -> String {
        let customer = deciding[key] ?? ("", "", "")
        let attributes = [("first_name", customer.first), ("last_name", customer.last), ("email", customer.email)].map { name, value in
            overrides[name].map { GoldenAttribute(name: name, value: $0, source: nil, rule: "override") }
                ?? GoldenAttribute(name: name, value: value, source: SourceRecordID(source: SourceName("crm_customers"), key: key), rule: "most_recent")
        }
        return GoldenAttribute.json(attributes)
    }

    /// The test customers in silver, golden records of `groups` (id → member keys), and candidates (id → pair of keys).
    static func seedDecisions(_ fixture: TeamStoreFixture, goldens groups: [Int: [String]], candidates: [Int: (String, String)]) async throws {
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for (index, key) in deciding.keys.sorted().enumerated() {
            let customer = deciding[key] ?? ("", "", "")
            try await admin.execute(
                """
                INSERT INTO cdp.silver_customer (bronze_id, batch_id, line, source, source_key, content_hash, is_current, first_name,
                    last_name, email) VALUES ($1::bigint, 1, $1::bigint, 'crm_customers', $2, $1::bigint, 1, $3, $4, $5)
                """, [String(100 + index), key, customer.first, customer.last, customer.email])
        }
        for (id, members) in groups.sorted(by: { $0.key < $1.key }) {
            try await admin.execute(
                "INSERT INTO cdp.golden_record (id, attributes, member_count, created_run, updated_run) VALUES ($1::bigint, $2, $3::bigint, 1, 1)",
                [String(id), goldenValues(from: members[0]), String(members.count)])
            for key in members {
                try await admin.execute(
                    "INSERT INTO cdp.golden_xref (source, source_key, golden_id, valid_from_run) VALUES ('crm_customers', $1, $2::bigint, 1)",
                    [key, String(id)])
            }
        }
        for (id, pair) in candidates.sorted(by: { $0.key < $1.key }) {
            try await admin.execute(
                """
                INSERT INTO cdp.match_candidate (id, run_id, record_a, record_b, probability, match_key, explanation)
                VALUES ($1::bigint, 1, $2, $3, 0.7, '+FIRST', '{}')
                """, [String(id), record(pair.0), record(pair.1)])
        }
    }

    /// sam's `first` runs in a transaction left open; ada's `second` starts and waits for sam's locks (the test waits
    /// until the server says so); sam commits; ada's outcome comes back.
    static func interleave(_ fixture: TeamStoreFixture, sam first: String, ada second: String) async throws -> PostgresStoreError? {
        let sam = try await fixture.session("sam")
        let ada = try await fixture.session("ada")
        let admin = try await fixture.superuser()
        defer {
            Task {
                await sam.close()
                await ada.close()
                await admin.close()
            }
        }
        try await sam.execute("BEGIN")
        try await sam.execute(first)
        let late = Task { () async -> PostgresStoreError? in
            do throws(PostgresStoreError) {
                try await ada.execute(second)
                return nil
            } catch {
                return error
            }
        }
        #expect(try await waitsForALock("ada", fixture, admin), "ada's decision waits for sam's")
        try await sam.execute("COMMIT")
        return await late.value
    }

    /// Whether `user`'s test session waits for a lock within 10 s, as the server says.
    static func waitsForALock(_ user: String, _ fixture: TeamStoreFixture, _ admin: PostgresSession) async throws -> Bool {
        let waiting = """
            SELECT count(*)::text FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND wait_event_type = 'Lock'
            """
        for _ in 0..<200 {
            if try await admin.rows(waiting, [fixture.database, "cdp-tests-\(user)"]).first?.first == "1" { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func goldenState(_ fixture: TeamStoreFixture) async throws -> [String: String] {
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        var state: [String: String] = [:]
        for row in try await admin.rows(
            """
            SELECT 'G' || g.id, coalesce(g.retired_run::text, 'live') || ' ' || g.member_count || ' ' ||
                coalesce((SELECT string_agg(x.source_key, ',' ORDER BY x.source_key) FROM cdp.golden_xref x
                    WHERE x.golden_id = g.id AND x.valid_to_run IS NULL), '-') || ' ' ||
                (SELECT string_agg(e ->> 'value', ',' ORDER BY e ->> 'name') FROM jsonb_array_elements(g.attributes::jsonb) e)
            FROM cdp.golden_record g WHERE g.id > 1
            """)
        {
            state[row[0] ?? ""] = row[1] ?? ""
        }
        return state
    }

    /// Two unmerges at once, from two golden records: both computed the same next id; the second is told who made it
    /// (and changes nothing) instead of joining its record to the first's in one golden record; read again, it goes
    /// through with the id after.
    @Test func twoUnmergesAtOnceNeverShareAGoldenRecord() async throws {
        let fixture = try await TeamStoreFixture.make("twounmerges")
        defer { Task { await fixture.drop() } }
        try await Self.seedDecisions(fixture, goldens: [2: ["C0000011", "C0000012"], 3: ["C0000013", "C0000014"]], candidates: [:])
        func unmerge(_ golden: Int, _ key: String, fresh: Int, other: String) -> String {
            """
            SELECT cdp.golden_unmerge_as_read(\(golden), '\(Self.record(key))', \(fresh), '{\(Self.record(other))}',
                '\(Self.goldenValues(from: other))', '\(Self.goldenValues(from: key))', 'not the same person')
            """
        }
        let error = try await Self.interleave(
            fixture, sam: unmerge(2, "C0000011", fresh: 4, other: "C0000012"), ada: unmerge(3, "C0000013", fresh: 4, other: "C0000014"))
        #expect(error?.code == .conflict, "\(String(describing: error))")
        #expect(error?.message.contains("G4 was made meanwhile by sam: nothing was changed, read G3 again") == true, "\(String(describing: error))")
        var state = try await Self.goldenState(fixture)
        #expect(state["G4"] == "live 1 C0000011 paula.gomez@example.es,Paula,Gómez", "\(state)")
        #expect(state["G3"] == "live 2 C0000013,C0000014 marta.ruiz@example.es,Marta,Ruiz", "\(state)")
        // Read again, ada's unmerge takes the next id.
        let again = try fixture.psql(unmerge(3, "C0000013", fresh: 5, other: "C0000014"), as: "ada")
        #expect(again.status == 0, "\(again.output)")
        state = try await Self.goldenState(fixture)
        #expect(state["G5"] == "live 1 C0000013 marta.ruiz@example.es,Marta,Ruiz", "\(state)")
        #expect(state["G3"] == "live 1 C0000014 liam.byrne@example.ie,Liam,Byrne", "\(state)")
    }

    /// Two approves at once whose pairs share a golden record (P11 joins G2 and G3, P12 joins G3 and G4): the first
    /// retires G3; the second, computed while G3 was alive, is a conflict, and G3 stays retired.
    @Test func twoApprovesSharingAGoldenRecordNeverRevivesIt() async throws {
        let fixture = try await TeamStoreFixture.make("twoapproves")
        defer { Task { await fixture.drop() } }
        try await Self.seedDecisions(
            fixture, goldens: [2: ["C0000011"], 3: ["C0000012"], 4: ["C0000013"]],
            candidates: [11: ("C0000011", "C0000012"), 12: ("C0000012", "C0000013")])
        let first = """
            SELECT cdp.candidate_decide_as_read(11, 'approved', 'same person', 2, 3, '{\(Self.record("C0000011")),\(Self.record("C0000012"))}',
                '\(Self.goldenValues(from: "C0000011"))')
            """
        let second = """
            SELECT cdp.candidate_decide_as_read(12, 'approved', 'same person', 3, 4, '{\(Self.record("C0000012")),\(Self.record("C0000013"))}',
                '\(Self.goldenValues(from: "C0000012"))')
            """
        let error = try await Self.interleave(fixture, sam: first, ada: second)
        #expect(error?.code == .conflict, "\(String(describing: error))")
        #expect(error?.message.contains("the golden records of P12 changed meanwhile (G2 and G4 now)") == true, "\(String(describing: error))")
        let state = try await Self.goldenState(fixture)
        #expect(state["G2"] == "live 2 C0000011,C0000012 paula.gomez@example.es,Paula,Gómez", "\(state)")
        #expect(state["G3"] == "1 0 - peter.hughes@example.ie,Peter,Hughes", "\(state)")
        #expect(state["G4"] == "live 1 C0000013 marta.ruiz@example.es,Marta,Ruiz", "\(state)")
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        #expect(try await admin.rows("SELECT status FROM cdp.match_candidate WHERE id = 12") == [["open"]])
    }

    /// An approve computed before an override of its surviving golden record committed would save values without the
    /// override: it is a conflict naming who overrode what, and the override stays.
    @Test func anApproveNeverOverwritesAnOverrideCommittedMeanwhile() async throws {
        let fixture = try await TeamStoreFixture.make("approveoverride")
        defer { Task { await fixture.drop() } }
        try await Self.seedDecisions(fixture, goldens: [2: ["C0000011"], 3: ["C0000012"]], candidates: [11: ("C0000011", "C0000012")])
        let override = """
            SELECT cdp.golden_override_as_read(2, 'first_name', 'Paulina', '{\(Self.record("C0000011"))}',
                '\(Self.goldenValues(from: "C0000011", overrides: ["first_name": "Paulina"]))', 'she asked')
            """
        let approve = """
            SELECT cdp.candidate_decide_as_read(11, 'approved', 'same person', 2, 3, '{\(Self.record("C0000011")),\(Self.record("C0000012"))}',
                '\(Self.goldenValues(from: "C0000011"))')
            """
        let error = try await Self.interleave(fixture, sam: override, ada: approve)
        #expect(error?.code == .conflict, "\(String(describing: error))")
        #expect(error?.message.contains("G2's first_name was overridden by sam at") == true, "\(String(describing: error))")
        let state = try await Self.goldenState(fixture)
        #expect(state["G2"] == "live 1 C0000011 paula.gomez@example.es,Paulina,Gómez", "\(state)")
        #expect(state["G3"] == "live 1 C0000012 peter.hughes@example.ie,Peter,Hughes", "\(state)")
    }

    /// The database takes no golden value on trust: a value its named member does not hold (a masked one, or one made
    /// up from psql), a member's value where an override is set, or a value left out is refused; and a role that may
    /// decide merges but not view personal data may not save values at all (it would compute masked ones, and the
    /// check would tell it a value it guessed).
    @Test func goldenValuesAreCheckedByTheDatabase() async throws {
        let access = TeamStoreFixture.accessTOML.replacingOccurrences(of: #"analyst = ["run_workflows"]"#, with: #"analyst = ["decide_merges"]"#)
        let fixture = try await TeamStoreFixture.make("goldenvalues", accessTOML: access)
        defer { Task { await fixture.drop() } }
        try await Self.seedDecisions(fixture, goldens: [2: ["C0000011"], 3: ["C0000012"]], candidates: [11: ("C0000011", "C0000012")])
        func override(_ values: String) -> String {
            "SELECT cdp.golden_override_as_read(2, 'email', 'paula@example.es', '{\(Self.record("C0000011"))}', '\(values)', 'new address')"
        }
        let masked = Self.goldenValues(from: "C0000011", overrides: ["email": "paula@example.es"]).replacingOccurrences(of: "Paula", with: "P****")
        let forged = try fixture.psql(override(masked), as: "sam")
        #expect(forged.status != 0 && forged.stderr.contains("G2's first_name is not the value crm_customers:C0000011 holds now"), "\(forged.output)")
        let withoutOverride = try fixture.psql(override(Self.goldenValues(from: "C0000011")), as: "sam")
        #expect(withoutOverride.status != 0 && withoutOverride.stderr.contains("G2's email was overridden by sam"), "\(withoutOverride.output)")
        let partial = #"[{"name":"email","rule":"override","value":"paula@example.es"}]"#
        let leftOut = try fixture.psql(override(partial), as: "sam")
        #expect(leftOut.status != 0 && leftOut.stderr.contains("G2's first_name is missing from the values sent"), "\(leftOut.output)")
        let notAnAttribute = try fixture.psql(override(#"[{"name":"salary","value":"1"}]"#), as: "sam")
        #expect(notAnAttribute.status != 0 && notAnAttribute.stderr.contains("G2: salary is not a golden attribute"), "\(notAnAttribute.output)")
        // ana may decide merges here, not view personal data: refused before anything is checked, even with right values.
        let right = Self.goldenValues(from: "C0000011", overrides: ["email": "paula@example.es"])
        let masking = try fixture.psql(override(right), as: "ana")
        #expect(
            masking.status != 0 && masking.stderr.contains("ana may not write the values of a golden record: missing permission view_pii"),
            "\(masking.output)")
        let approve = try fixture.psql(
            """
            SELECT cdp.candidate_decide_as_read(11, 'approved', NULL, 2, 3, '{\(Self.record("C0000011")),\(Self.record("C0000012"))}',
                '\(Self.goldenValues(from: "C0000011"))')
            """, as: "ana")
        #expect(approve.status != 0 && approve.stderr.contains("missing permission view_pii"), "\(approve.output)")
        // Rejecting writes no values: ana may.
        let reject = try fixture.psql("SELECT cdp.candidate_decide_as_read(11, 'rejected', 'namesakes', NULL, NULL, NULL, NULL)", as: "ana")
        #expect(reject.status == 0, "\(reject.output)")
        let done = try fixture.psql(override(right), as: "sam")
        #expect(done.status == 0, "\(done.output)")
        let state = try await Self.goldenState(fixture)
        #expect(state["G2"] == "live 1 C0000011 paula@example.es,Paula,Gómez", "\(state)")
    }
}

/// A role that may decide merges but not view personal data, on both stores alike.
extension TeamStoreTests {
    /// ana may decide merges and nothing else: approving, unmerging and overriding (which save golden values computed
    /// from personal data, masked for her on the team store) are refused by the engine naming view_pii, and audited;
    /// rejecting and undoing save no values and go through. Both stores end with the same rows.
    @Test func aDecideMergesOnlyRoleRejectsButSavesNoGoldenValuesOnBothStores() async throws {
        try await Self.expectSameOnBothStores { store in
            try await Self.withSampleWorkspace(on: store, "decideonly") { workspace, database, run in
                try await Self.ingestSample(workspace, database, run)
                let matched = try run(["match", "run", "-w", workspace])
                try #require(matched.status == 0, "\(store): \(matched.output)")
                let file = workspace + "/governance/access.toml"
                let access = try String(contentsOfFile: file, encoding: .utf8)
                try access.replacingOccurrences(of: "viewer = []", with: "viewer = []\nreviewer = [\"decide_merges\"]")
                    .replacingOccurrences(of: "ana = \"analyst\"", with: "ana = \"reviewer\"").write(toFile: file, atomically: true, encoding: .utf8)
                try Self.applyAccessFile(on: store, workspace, database, run)
                let before = try await Self.matchResult(workspace: workspace, database: database)
                let several = try #require(before[1].first { ($0[1].flatMap { Int($0) } ?? 0) > 2 && $0[5] == nil }?[0])
                let member = try #require(before[2].first { $0[3] == several && $0[5] == nil })
                var outcomes: [String] = []
                for step in [
                    ["candidates", "approve", "P1"], ["golden", "unmerge", "G\(several)", "--record", "\(member[1] ?? ""):\(member[2] ?? "")", "--reason", "x"],
                    ["golden", "override", "G2", "email=giorgia.ferrara@example.it"], ["candidates", "reject", "P2", "--reason", "namesakes"],
                    ["candidates", "undo", "P2"], ["candidates", "reject", "P2", "--reason", "namesakes"],
                ] {
                    let done = try Self.run(as: "ana", on: store, workspace: workspace, step + ["-w", workspace], run)
                    let refused = done.stderr.contains("ana (reviewer) may not view personal data: missing permission view_pii")
                        && done.stderr.contains("saves a golden record's values")
                    outcomes.append("\(step[0]) \(step[1]): exit \(done.status)\(refused ? " refused for view_pii" : "")")
                }
                #expect(
                    outcomes == [
                        "candidates approve: exit 12 refused for view_pii", "golden unmerge: exit 12 refused for view_pii",
                        "golden override: exit 12 refused for view_pii", "candidates reject: exit 0", "candidates undo: exit 0",
                        "candidates reject: exit 0",
                    ], "\(store): \(outcomes)")
                let after = try await Self.matchResult(workspace: workspace, database: database)
                #expect(after[1] == before[1] && after[2] == before[2], "\(store): no golden record or link changed")
                let audited = try await Self.lakeRows(
                    """
                    SELECT actor, action, target, reason FROM audit_log WHERE actor = 'ana' AND action <> 'customer.lookup' ORDER BY audit_log.id
                    """, workspace: workspace, database: database)
                return try Self.sortedJSON(["outcomes": outcomes, "audited": audited.map { $0.map { $0 ?? "∅" } }])
            }
        }
    }
}
