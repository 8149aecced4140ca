import CDPCore
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// Extra attributes (pg5): an analyst is refused silver_customer and reads `attributes` in its masked view with
    /// every member masked — a name the dictionary knows as its kind, a name it does not know (mapped after the last
    /// apply) as generic personal data, a nested value withheld; a steward reads them in clear.
    @Test func extraAttributesAreMaskedMemberByMember() async throws {
        let fixture = try await TeamStoreFixture.make("attributes")
        defer { Task { await fixture.drop() } }
        let refused = try fixture.psql("SELECT attributes FROM silver_customer", as: "ana")
        #expect(refused.stderr.contains("permission denied for table silver_customer"), "\(refused.output)")
        let masked = try fixture.psql("SELECT attributes FROM silver_customer_masked ORDER BY id", as: "ana")
        #expect(masked.status == 0, "\(masked.output)")
        for (name, value) in [("national_id", "Y7734521K"), ("loyalty_card", "LC-55120987"), ("national_id", "X9981234L")] {
            let expected = "\"\(name)\": \"\(PIIMasker.mask(value, as: .other))\""
            #expect(masked.stdout.contains(expected), "\(expected) not in\n\(masked.stdout)")
        }
        #expect(masked.stdout.contains("\"household\": \"\(PostgresSchema.withheldText)\""), "\(masked.stdout)")
        for value in ["7734521", "9981234", "55120987", "rebecca"] {
            #expect(!masked.stdout.lowercased().contains(value), "\(masked.stdout)")
        }
        let steward = try fixture.psql("SELECT attributes FROM silver_customer WHERE id = 1", as: "sam")
        #expect(steward.stdout.contains("Y7734521K") && steward.stdout.contains("Rebecca Scott"), "\(steward.output)")

        // Whatever the column holds, nothing of it comes back unmasked.
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for text in ["Pilar González", "[\"Pilar\"]", "\"Pilar\"", "{not json Pilar", "42"] {
            let result = try await admin.rows("SELECT cdp.pii_mask_attributes($1)", [text]).first?.first ?? nil
            #expect(result == PostgresSchema.withheldText, "\(text)")
        }
        let members = try await admin.rows(
            "SELECT cdp.pii_mask_attributes($1)", [#"{"email":"pilar.gonzalez53@yahoo.es","opt":true,"n":1234567,"none":null}"#]
        ).first?.first ?? nil
        #expect(
            members == #"{"n": "\#(PIIMasker.mask("1234567", as: .other))", "opt": "\#(PIIMasker.mask("true", as: .other))", "#
                + #""none": null, "email": "p***@y****.es"}"#)
    }

    /// A held record keeps its extra attributes as `attributes.<name>` members of its fields and failures: the
    /// masked view masks them as the attribute is — a name the dictionary knows as its kind, one it does not as
    /// generic personal data (attack 11, F2: `quarantine_record_masked` showed national ids in clear to a viewer).
    @Test func aHeldRecordsExtraAttributesAreMaskedInItsFieldsAndFailures() async throws {
        let fixture = try await TeamStoreFixture.make("heldattributes")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        _ = try await admin.rows(
            """
            UPDATE cdp.quarantine_record SET
                fields = (fields::jsonb || '{"attributes.national_id": "Y7734521K", "Attributes.Loyalty_Card": "LC-55120987"}')::text,
                failures = '[{"field":"attributes.national_id","message":"''Y7734521K'' is not a national id","rule":"id_format","severity":"error","value":"Y7734521K"}]'
            WHERE id = 1
            """)
        for user in ["ana", "vic"] {
            let masked = try fixture.psql("SELECT fields, failures FROM quarantine_record_masked WHERE id = 1", as: user)
            #expect(masked.status == 0, "\(masked.output)")
            #expect(masked.stdout.contains(#""attributes.national_id": "\#(PIIMasker.mask("Y7734521K", as: .other))""#), "\(masked.stdout)")
            for value in ["7734521", "55120987", "rebecca"] {
                #expect(!masked.stdout.lowercased().contains(value), "\(user): \(masked.stdout)")
            }
        }
        let steward = try fixture.psql("SELECT fields FROM quarantine_record WHERE id = 1", as: "sam")
        #expect(steward.stdout.contains("Y7734521K") && steward.stdout.contains("LC-55120987"), "\(steward.output)")
        let kinds = try await admin.rows(
            "SELECT cdp.pii_kind('attributes.national_id'), cdp.pii_kind('attributes.loyalty_card'), cdp.pii_kind('email'), cdp.pii_kind('plan')")
        #expect(kinds.first == ["PII", "PII", "PII.Email", nil])
    }
}
