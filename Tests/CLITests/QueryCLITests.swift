import Foundation
import Testing

/// `cdp query` and `cdp export` as a user meets them: refusals for personal columns without view_pii, the
/// masked views, JSON numbers as numbers, and CSV that a spreadsheet cannot run as formulas.
@Suite(.serialized) struct QueryCLITests {
    @Test func queriesAndExportsKeepTheirPromises() throws {
        let folder = CLI.temporaryFolder("query")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)

        // Pilar González is C0000002 in the sample CRM.
        let compound = try CLI.run(
            ["query", "SELECT source_key FROM silver_customer WHERE 0 UNION ALL SELECT email FROM silver_customer", "--as", "ana"] + ws)
        #expect(compound.status == 12)
        #expect(!compound.stdout.contains("pilar.gonzalez53@yahoo.es"))
        #expect(compound.stderr.contains("ana (analyst) may not read personal data without permission view_pii"))
        #expect(compound.stderr.contains("silver_customer.email"))
        #expect(compound.stderr.contains("silver_customer_masked"))
        let landed = try CLI.run(["query", "SELECT landed_text('../../../../../../etc/passwd', 0, 200)"] + ws)
        #expect(landed.status == 12)
        #expect(!landed.stdout.contains("root:"))
        let masked = try CLI.run(
            ["query", "SELECT email FROM silver_customer_masked WHERE source_key = 'C0000002'", "--format", "csv", "--as", "ana"] + ws)
        #expect(masked.status == 0)
        #expect(masked.stdout == "email\np***@y****.es\n")

        // JSON: each value as SQLite stored it.
        let json = try CLI.run(
            [
                "query",
                "SELECT golden_id, sent, lifetime_value, last_order, 12.5 AS half, NULL AS missing FROM customer_360 ORDER BY lifetime_value DESC LIMIT 1",
                "--format", "json",
            ] + ws)
        #expect(json.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.first)
        #expect(row["golden_id"] is NSNumber && row["sent"] is NSNumber && row["lifetime_value"] is NSNumber)
        #expect(row["last_order"] is String)
        #expect((row["half"] as? NSNumber)?.doubleValue == 12.5)
        #expect(row["missing"] is NSNull)
        #expect(json.stdout.firstMatch(of: /"sent": \d+/) != nil)
        let exported = try CLI.run(["export", "campaign_performance", "--format", "json"] + ws)
        #expect(exported.stdout.firstMatch(of: /"sent": \d+, "unique_reached": \d+/) != nil)
        #expect(!exported.stdout.contains("\"sent\": \""))

        // CSV: formulas neutralised, negative numbers kept, a bare CR quoted; export and query alike.
        let sql = "SELECT '=HYPERLINK(\"http://evil\")' AS f, -5 AS n, '-5' AS t, '@x' AS a, 'a' || char(13) || 'b' AS cr"
        let csv = try CLI.run(["query", sql, "--format", "csv"] + ws)
        #expect(csv.stdout == "f,n,t,a,cr\n\"'=HYPERLINK(\"\"http://evil\"\")\",-5,-5,'@x,\"a\rb\"\n")
        let formula = "=1+2"
        #expect(try CLI.run(["dictionary", "edit", "silver_customer.city", "--description", formula, "--as", "sam"] + ws).status == 0)
        let dictionary = try CLI.run(["export", "dictionary_entry", "--format", "csv"] + ws)
        #expect(dictionary.stdout.contains(",'=1+2,"))
        #expect(!dictionary.stdout.contains(",=1+2,"))

        // Without view_pii an export reads the dataset's masked view.
        let export = try CLI.run(["export", "silver_customer", "--format", "csv", "--as", "vic"] + ws)
        #expect(export.status == 0)
        let text = export.stdout
        #expect(!text.contains("pilar.gonzalez53@yahoo.es"))
        #expect(text.contains("p***@y****.es"))

        // Each export is audited (attack 7, L3): who, the dataset read (the masked view without view_pii), rows, format.
        let exports = try CLI.run(
            ["query", "SELECT actor, action, target, after FROM audit_log WHERE action = 'lake.export' ORDER BY id", "--format", "csv"] + ws)
        let lines = exports.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(exports.stdout)\(exports.stderr)")
        #expect(lines.last?.hasPrefix("vic,lake.export,silver_customer_masked,") == true, "\(exports.stdout)\(exports.stderr)")
        #expect(lines.last?.hasSuffix(" rows as csv (masked)") == true, "\(exports.stdout)\(exports.stderr)")
        #expect(lines.dropFirst().first?.contains(",lake.export,campaign_performance,") == true, "\(exports.stdout)\(exports.stderr)")
    }
}
