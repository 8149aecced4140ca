import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// JSON members follow the dictionary's tags at once (migration `pg-json-members-follow-the-dictionarys-tags`): a
/// member is masked by its name, and the names were known only as the last `cdp access apply` compiled them.
extension TeamStoreTests {
    /// A steward tags `silver_customer.city` through the engine's dictionary (`cdp dictionary edit`); with no
    /// `cdp access apply` after it, the analyst's very next read of a held record shows its `city` member masked,
    /// in `psql` and in `cdp query` alike (before the fix it stayed in clear until the next apply).
    @Test func aHeldRecordsMemberIsMaskedFromTheTagsCommitWithoutReapplying() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "taggedmember") { workspace, database, run in
            let database = try #require(database)
            try await Self.ingestSample(workspace, database, run)
            let cluster = try PostgresTestCluster.get()
            let admin = try await cluster.superuser(database)
            defer { Task { await admin.close() } }
            let held = try #require(
                try await admin.rows(
                    """
                    SELECT id::text, fields::jsonb ->> 'city' FROM cdp.quarantine_record
                    WHERE coalesce(fields::jsonb ->> 'city', '') <> '' ORDER BY id LIMIT 1
                    """
                ).first)
            let id = try #require(held[0]), city = try #require(held[1])
            let member = "\"city\": \"\(city)\""
            let query = "SELECT fields FROM quarantine_record_masked WHERE id = \(id)"
            let before = try cluster.psql(query, as: "ana", database: database)
            #expect(before.status == 0 && before.stdout.contains(member), "the sample's city reads in clear before the tag: \(before.output)")

            let tagged = try Self.run(
                as: "sam", on: .postgres, workspace: workspace,
                ["dictionary", "edit", "silver_customer.city", "--tag", "PII.Address", "-w", workspace], run)
            try #require(tagged.status == 0, "\(tagged.output)")

            let masked = "\"city\": \"\(PIIMasker.mask(city, as: .address))\""
            let psql = try cluster.psql(query, as: "ana", database: database)
            #expect(psql.status == 0, "\(psql.output)")
            #expect(!psql.stdout.contains(member) && psql.stdout.contains(masked), "\(psql.output)")
            let cdpQuery = try Self.run(
                as: "ana", on: .postgres, workspace: workspace, ["query", query, "--format", "json", "-w", workspace], run)
            #expect(cdpQuery.status == 0, "\(cdpQuery.output)")
            // The document is a string in cdp's JSON: its quotes escaped.
            func quoted(_ text: String) -> String { text.replacingOccurrences(of: "\"", with: "\\\"") }
            #expect(!cdpQuery.stdout.contains(quoted(member)) && cdpQuery.stdout.contains(quoted(masked)), "\(cdpQuery.output)")
            // No apply ran since init: the last access.apply is init's.
            let applies = try await admin.rows("SELECT count(*)::text FROM cdp.audit_log WHERE action = 'access.apply'")
            #expect(applies.first?.first == "1", "\(applies)")
        }
    }

    /// What `cdp.pii_kind` answers as tags change, without an apply: a name tagged in one dataset is personal
    /// everywhere; a specific kind wins over generic `PII` whichever dataset says it; a held record's
    /// `attributes.<name>` takes the tag's kind; a name untagged again shows again unless the last apply's map has
    /// it (masking more, never less), and a tag's kind wins over the apply's.
    @Test func aMembersKindIsTheDictionarysNowAndTheLastApplysOtherwise() async throws {
        let fixture = try await TeamStoreFixture.make("taggednames")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for (layer, dataset, column) in [
            ("silver", "silver_customer", "country"), ("bronze", "crm_customers", "country"), ("silver", "silver_customer", "city"),
        ] {
            try await admin.execute(
                """
                INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, tags, allowed_values, rules,
                    lineage, version, updated_by, updated_at, change)
                VALUES ($1, $2, $3, 'x', 'text', '[]', '[]', '[]', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
                """, [layer, dataset, column])
        }
        _ = try await admin.rows(
            #"UPDATE cdp.quarantine_record SET fields = (fields::jsonb || '{"Country": "ES", "attributes.country": "ES"}')::text WHERE id = 1"#)
        func kinds() throws -> String {
            let read = try fixture.psql(
                "SELECT concat_ws('|', cdp.pii_kind('country'), cdp.pii_kind('attributes.country'), cdp.pii_kind('CITY'))",
                as: "ana")
            #expect(read.status == 0, "\(read.output)")
            return read.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.dropFirst(2).first ?? ""
        }
        func tag(_ layer: String, _ dataset: String, _ column: String, _ tags: String, version: Int) throws {
            let edited = try fixture.psql(
                "SELECT cdp.dictionary_edit('\(layer)', '\(dataset)', '\(column)', \(version), '{\"tags\": \"\(tags)\"}', 'tagged')",
                as: "sam")
            #expect(edited.status == 0, "\(edited.output)")
        }
        // The fixture's apply knows city as an address and country not at all.
        #expect(try kinds() == "PII|PII.Address")
        let clear = try fixture.psql("SELECT fields FROM quarantine_record_masked WHERE id = 1", as: "ana")
        #expect(clear.stdout.contains(#""Country": "ES""#), "\(clear.output)")

        try tag("silver", "silver_customer", "country", #"[\"PII\"]"#, version: 1)
        #expect(try kinds() == "PII|PII|PII.Address")
        try tag("bronze", "crm_customers", "country", #"[\"PII.Address\"]"#, version: 1)
        #expect(try kinds() == "PII.Address|PII.Address|PII.Address")
        let masked = try fixture.psql("SELECT fields FROM quarantine_record_masked WHERE id = 1", as: "ana")
        #expect(masked.status == 0, "\(masked.output)")
        let country = PIIMasker.mask("ES", as: .address)
        #expect(masked.stdout.contains(#""Country": "\#(country)""#), "\(masked.output)")
        #expect(masked.stdout.contains(#""attributes.country": "\#(country)""#), "\(masked.output)")

        try tag("silver", "silver_customer", "city", #"[\"PII.Name\"]"#, version: 1)
        #expect(try kinds() == "PII.Address|PII.Address|PII.Name")
        try tag("silver", "silver_customer", "country", "[]", version: 2)
        try tag("bronze", "crm_customers", "country", "[]", version: 2)
        try tag("silver", "silver_customer", "city", "[]", version: 2)
        #expect(try kinds() == "PII|PII.Address")
        let shown = try fixture.psql("SELECT fields FROM quarantine_record_masked WHERE id = 1", as: "ana")
        #expect(shown.stdout.contains(#""Country": "ES""#), "\(shown.output)")
    }

    /// Two stewards tag columns at once: each edit compiles the tagged names into `cdp.pii_tagged_column_kind`, and a
    /// function replaced by two open transactions fails one of them ("tuple concurrently updated"). The second edit
    /// waits for the first to commit, then compiles both names.
    @Test func twoTagEditsAtOnceBothTakeHold() async throws {
        let fixture = try await TeamStoreFixture.make("tagsatonce")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for (dataset, column) in [("silver_customer", "country"), ("campaign_performance", "channel")] {
            try await admin.execute(
                """
                INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, tags, allowed_values, rules,
                    lineage, version, updated_by, updated_at, change)
                VALUES ('silver', $1, $2, 'x', 'text', '[]', '[]', '[]', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
                """, [dataset, column])
        }
        let edit = "SELECT cdp.dictionary_edit('silver', $1, $2, 1, $3, 'tagged')::text"
        let sam = try await fixture.session("sam")
        defer { Task { await sam.close() } }
        let ada = try await fixture.session("ada")
        defer { Task { await ada.close() } }
        try await sam.execute("BEGIN")
        _ = try await sam.rows(edit, ["silver_customer", "country", #"{"tags": "[\"PII.Address\"]"}"#])
        let second = Task { try await ada.rows(edit, ["campaign_performance", "channel", #"{"tags": "[\"PII\"]"}"#]) }
        #expect(try await Self.waitsForALock("ada", fixture, admin))
        try await sam.execute("COMMIT")
        _ = try await second.value
        let kinds = try await admin.rows("SELECT cdp.pii_kind('country'), cdp.pii_kind('channel')")
        #expect(kinds == [["PII.Address", "PII"]], "\(kinds)")
    }
}
