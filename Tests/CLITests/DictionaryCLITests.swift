import Foundation
import Testing

/// The data dictionary as a user of the CLI meets it: seeded by init, edited with permission and
/// validation, versioned, exported and imported, suggested from data, and driving masking in queries.
@Suite(.serialized) struct DictionaryCLITests {
    @Test func browseEditRefuseVersionExportAndImport() throws {
        let folder = CLI.temporaryFolder("dictionary")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)

        let gold = try CLI.run(["dictionary", "list", "--layer", "gold"] + ws)
        #expect(gold.status == 0)
        #expect(gold.stdout.contains("customer_360.email"))
        #expect(gold.stdout.contains("PII.Email"))
        #expect(!gold.stdout.contains("silver_customer"))

        let refused = try CLI.run(["dictionary", "edit", "silver_customer.city", "--tag", "PII.Address", "--as", "vic"] + ws)
        #expect(refused.status == 12)
        #expect(refused.stderr.contains("vic (viewer) may not edit the data dictionary: missing permission edit_dictionary"))
        #expect(try CLI.run(["audit", "--action", "access.refused"] + ws).stdout.contains("dictionary.edit silver_customer.city"))

        let invalid = try CLI.run(
            ["dictionary", "edit", "silver_customer.email", "--owner", "zed", "--rule", "emial_format", "--description", "", "--as", "sam"]
                + ws)
        #expect(invalid.status == 13)
        #expect(invalid.stderr.contains("cdp: error: silver_customer.email was not saved; fix and try again:"))
        #expect(invalid.stderr.contains("  - owner: 'zed' is not a user of governance/access.toml"))
        #expect(invalid.stderr.contains("  - rules: 'emial_format' is not a rule in governance/rules.toml (did you mean"))
        #expect(invalid.stderr.contains("  - description: must not be empty"))

        let saved = try CLI.run(
            [
                "dictionary", "edit", "silver_order.amount", "--owner", "sam", "--classification", "confidential", "--reason", "finance",
                "--as", "sam",
            ] + ws)
        #expect(saved.status == 0)
        #expect(saved.stdout.contains("saved silver_order.amount version 2: classification, owner"))
        let history = try CLI.run(["dictionary", "history", "silver_order.amount"] + ws)
        #expect(history.stdout.contains("seeded from the workspace schema"))
        #expect(history.stdout.contains("classification, owner"))
        let diff = try CLI.run(["dictionary", "diff", "silver_order.amount", "1", "2"] + ws)
        #expect(diff.stdout.contains("  classification\n    - internal\n    + confidential"))
        #expect(try CLI.run(["dictionary", "diff", "silver_order.amount", "1", "7"] + ws).status == 7)
        let shown = try CLI.run(["dictionary", "show", "silver_order.amount"] + ws)
        #expect(shown.stdout.contains("order_amount_valid: format amount · error · crm_orders"))
        #expect(try CLI.run(["dictionary", "show", "silver_order.amout"] + ws).stderr.contains("columns of silver_order: amount"))

        let markdown = folder.appendingPathComponent("dictionary.md")
        #expect(try CLI.run(["dictionary", "export", "--format", "md", "--out", markdown.path] + ws).status == 0)
        let documentation = try String(contentsOf: markdown, encoding: .utf8)
        #expect(documentation.contains("## Gold"))
        #expect(documentation.contains("### customer_360"))
        #expect(try CLI.run(["dictionary", "export", "--format", "json"] + ws).stdout.contains("\"data_type\" : \"TEXT\""))

        let toml = folder.appendingPathComponent("governance/dictionary.toml")
        #expect(try CLI.run(["dictionary", "export", "--format", "toml", "--out", toml.path] + ws).status == 0)
        var text = try String(contentsOf: toml, encoding: .utf8)
        text = text.replacingOccurrences(of: "description = \"Town or city.\"", with: "description = \"Where the customer lives.\"")
        try text.write(to: toml, atomically: true, encoding: .utf8)
        // Imported by its owner: acting for another user, cdp reads no file a user names (AttackTenCLITests).
        let imported = try CLI.run(["dictionary", "import", toml.path] + ws)
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("silver_customer.city: description"))
        #expect(imported.stdout.contains("2 entries changed"))  // silver_customer.city and customer_360.city
        #expect(try CLI.run(["dictionary", "import", toml.path, "--as", "vic"] + ws).status == 12)

        #expect(try CLI.run(["dictionary", "list", "--gaps"] + ws).stdout.contains("0 gaps"))
        #expect(
            try CLI.run(["dictionary", "edit", "silver_order.status", "--description", "", "--classification", "", "--as", "sam"] + ws)
                .status == 0)
        let gaps = try CLI.run(["dictionary", "list", "--gaps"] + ws)
        #expect(
            gaps.stdout.split(separator: "\n").contains {
                $0.contains("silver_order.status ") && $0.hasSuffix("description, classification")
            })
    }

    @Test func aTagInTheDictionaryDecidesWhatAQueryMasksAndSuggestionsCanBeAccepted() throws {
        let folder = CLI.temporaryFolder("dictionary-masking")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        let clearSQL = "SELECT city, email FROM silver_customer WHERE city IS NOT NULL AND email IS NOT NULL ORDER BY id LIMIT 1"
        let sql = clearSQL.replacingOccurrences(of: "FROM silver_customer", with: "FROM silver_customer_masked")
        let clear = try CLI.run(["query", clearSQL, "--format", "csv"] + ws).stdout.split(separator: "\n")[1].split(separator: ",")
        let before = try CLI.run(["query", sql, "--format", "csv", "--as", "ana"] + ws).stdout.split(separator: "\n")[1].split(
            separator: ",")
        #expect(before[0] == clear[0])
        #expect(before[1] != clear[1])

        #expect(try CLI.run(["dictionary", "edit", "silver_customer.city", "--tag", "PII.Address", "--as", "sam"] + ws).status == 0)
        #expect(try CLI.run(["dictionary", "edit", "silver_customer.email", "--remove-tag", "PII.Email", "--as", "sam"] + ws).status == 0)
        let after = try CLI.run(["query", sql, "--format", "csv", "--as", "ana"] + ws).stdout.split(separator: "\n")[1].split(
            separator: ",")
        #expect(after[0] != clear[0])
        #expect(after[0].contains("*"))
        #expect(after[1] == clear[1])

        // The data says the untagged column holds e-mail addresses; accepting tags it again.
        let suggested = try CLI.run(["dictionary", "suggest", "silver_customer.email", "--as", "sam"] + ws)
        #expect(suggested.stdout.contains("tags            PII.Email"))
        #expect(suggested.stdout.contains("100% of the values are e-mail addresses"))
        let accepted = try CLI.run(["dictionary", "suggest", "silver_customer.email", "--accept", "--as", "sam"] + ws)
        #expect(accepted.status == 0)
        #expect(accepted.stdout.contains("accepted: saved silver_customer.email version 3: tags"))
        let masked = try CLI.run(["query", sql, "--format", "csv", "--as", "ana"] + ws).stdout.split(separator: "\n")[1].split(
            separator: ",")
        #expect(masked[1] != clear[1])
        #expect(masked[1].contains("***@"))
    }
}
