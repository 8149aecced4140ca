import CDPCore
import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// A steward tags a column in the team store's dictionary: from that commit on, an analyst reads it masked,
    /// without another `cdp access apply` — in a table that already had a masked view (silver_customer.country) and
    /// in one that had none (campaign_performance.name, which she read whole before and may then read only through
    /// its new masked view). Untagging shows it again. A steward with view_pii still reads the table.
    @Test func aNewlyTaggedColumnIsMaskedWithoutReapplying() async throws {
        let fixture = try await TeamStoreFixture.make("follow")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for (dataset, column) in [("silver_customer", "country"), ("campaign_performance", "name")] {
            try await admin.execute(
                """
                INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, tags, allowed_values, rules,
                    lineage, version, updated_by, updated_at, change)
                VALUES ('silver', $1, $2, 'x', 'text', '[]', '[]', '[]', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
                """, [dataset, column])
        }
        #expect(try fixture.psql("SELECT country FROM silver_customer_masked WHERE id = 1", as: "ana").stdout.contains("ES"))
        #expect(try fixture.psql("SELECT name FROM campaign_performance", as: "ana").stdout.contains("Winter sale"))

        func tag(_ dataset: String, _ column: String, _ tags: String, version: Int) throws -> Subprocess.Result {
            try fixture.psql(
                "SELECT cdp.dictionary_edit('silver', '\(dataset)', '\(column)', \(version), '{\"tags\": \"\(tags)\"}', 'tagged')",
                as: "sam")
        }
        let tagged = try tag("silver_customer", "country", "[\\\"PII.Address\\\"]", version: 1)
        #expect(tagged.status == 0, "\(tagged.output)")
        let maskedCountry = try await admin.rows("SELECT cdp.pii_mask('ES', 'PII.Address')").first?.first ?? nil
        let country = try fixture.psql("SELECT country FROM silver_customer_masked WHERE id = 1", as: "ana")
        #expect(country.stdout.contains(try #require(maskedCountry)), "\(country.output)")
        #expect(!country.stdout.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "ES" }, "\(country.output)")

        #expect(try tag("campaign_performance", "name", "[\\\"PII.Name\\\"]", version: 1).status == 0)
        let base = try fixture.psql("SELECT name FROM campaign_performance", as: "ana")
        #expect(base.stderr.contains("permission denied for table campaign_performance"), "\(base.output)")
        let view = try fixture.psql("SELECT name, sent FROM campaign_performance_masked", as: "ana")
        #expect(view.status == 0, "\(view.output)")
        #expect(!view.stdout.contains("Winter sale"), "\(view.output)")
        #expect(try fixture.psql("SELECT name FROM campaign_performance", as: "sam").stdout.contains("Winter sale"))

        // Untagged again: shown again, and the table is hers to read again.
        #expect(try tag("campaign_performance", "name", "[]", version: 2).status == 0)
        #expect(try fixture.psql("SELECT name FROM campaign_performance", as: "ana").stdout.contains("Winter sale"))
        // The edit and the rebuild are one transaction: a refused edit changes no view.
        #expect(try tag("silver_customer", "country", "[]", version: 1).status != 0)
        #expect(!(try fixture.psql("SELECT country FROM silver_customer_masked WHERE id = 1", as: "ana").stdout.contains(" ES")))
    }
}
