import CDPCore
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// An editor without view_pii may tag a column but may not take a column's PII tag off or change its kind (the
    /// masked views follow the tags, so it would show the values to everyone without view_pii): the database refuses
    /// it, through psql too, leaving the tags, the version and the masked view as they were; through the engine's
    /// steward call the refusal is in the audit log. A steward with view_pii may.
    @Test func anEditorWithoutViewPIICannotLoosenMasking() async throws {
        let access = TeamStoreFixture.accessTOML.replacingOccurrences(
            of: #"analyst = ["run_workflows"]"#, with: #"analyst = ["run_workflows", "edit_dictionary"]"#)
        try #require(access != TeamStoreFixture.accessTOML)
        let fixture = try await TeamStoreFixture.make("loosen", accessTOML: access)
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(
            """
            INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, tags, allowed_values, rules,
                lineage, version, updated_by, updated_at, change)
            VALUES ('silver', 'silver_customer', 'country', 'x', 'text', '[]', '[]', '[]', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
            """)
        func edit(_ column: String, _ tags: String, version: Int, as user: String) throws -> Subprocess.Result {
            try fixture.psql(
                "SELECT cdp.dictionary_edit('silver', 'silver_customer', '\(column)', \(version), '{\"tags\": \"\(tags)\"}', 'retag')",
                as: user)
        }
        func tags(_ column: String) async throws -> [String?] {
            try await admin.rows(
                "SELECT tags, version::text FROM cdp.dictionary_entry WHERE dataset = 'silver_customer' AND column_name = $1", [column]
            ).first ?? []
        }

        for tags in ["[]", "[\\\"PII.Name\\\"]", "[\\\"Internal\\\"]"] {
            let refused = try edit("email", tags, version: 1, as: "ana")
            #expect(refused.status != 0, "\(tags): \(refused.output)")
            #expect(refused.stderr.contains("ana may not change the personal data tag of silver_customer.email"), "\(refused.output)")
            #expect(refused.stderr.contains("missing permission view_pii"), "\(refused.output)")
        }
        #expect(try await tags("email") == [#"["PII.Email"]"#, "1"])
        let masked = try fixture.psql("SELECT email FROM silver_customer_masked WHERE id = 1", as: "ana")
        #expect(masked.stdout.contains("p***@y****.es"), "\(masked.output)")

        // Tagging needs no more than edit_dictionary; untagging what she tagged is loosening too.
        let tagged = try edit("country", "[\\\"PII.Address\\\"]", version: 1, as: "ana")
        #expect(tagged.status == 0, "\(tagged.output)")
        #expect(try edit("country", "[]", version: 2, as: "ana").status != 0)
        #expect(try await tags("country") == [#"["PII.Address"]"#, "2"])

        // Through the engine's steward call the refusal is audited, in her name.
        let ana = try await fixture.session("ana")
        let error = await #expect(throws: PostgresStoreError.self) {
            try await PostgresTeamStore.stewardAction(
                ana, attempt: "dictionary.edit silver_customer.email", "SELECT cdp.dictionary_edit($1, $2, $3, $4::bigint, $5, $6)::text",
                ["silver", "silver_customer", "email", "1", #"{"tags": "[]"}"#, "untag"])
        }
        await ana.close()
        #expect(error?.code == .forbidden)
        #expect(error?.sqlState == "42501")
        let refusal = try await admin.rows(
            "SELECT actor, target, reason FROM cdp.audit_log WHERE action = 'access.refused' ORDER BY audit_log.id DESC LIMIT 1"
        ).first ?? []
        #expect(refusal.first == "ana")
        #expect(refusal.dropFirst().first == "dictionary.edit silver_customer.email")
        #expect(refusal.last??.contains("view_pii") == true, "\(refusal)")

        // Someone who may view personal data may loosen it.
        let untagged = try edit("email", "[]", version: 1, as: "sam")
        #expect(untagged.status == 0, "\(untagged.output)")
        #expect(try await tags("email") == ["[]", "2"])
    }
}
