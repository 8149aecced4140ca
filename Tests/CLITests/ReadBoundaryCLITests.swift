import Foundation
import Testing

/// Every command reads through the engine, which masks by the data dictionary's tags: once `city` is
/// tagged `PII.Address`, an analyst sees it masked in every command that prints it, and a search cannot
/// confirm a value the analyst may not see.
@Suite(.serialized) struct ReadBoundaryCLITests {
    /// The value of the `city` row of `cdp candidates show` (left and right record).
    static func cityRow(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("city ") }.map(String.init)
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func aCityTaggedPersonalIsMaskedInEveryCommandForAnAnalyst() throws {
        let folder = CLI.temporaryFolder("boundary")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)

        // A candidate pair whose first record has a city, and Pilar González's (C0000002) city.
        let list = try #require(try Self.json(CLI.run(["candidates", "list", "--json", "--limit", "30"] + ws).stdout) as? [[String: Any]])
        var candidate: String?
        var clearRow: String?
        for row in list {
            guard let number = row["id"] as? Int else { continue }
            let id = "P\(number)"
            let shown = try CLI.run(["candidates", "show", id] + ws).stdout
            if let city = Self.cityRow(shown), city.split(separator: " ").count >= 2, !city.contains("*") {
                candidate = id
                clearRow = city
                break
            }
        }
        let pair = try #require(candidate)
        let clearCities = try #require(clearRow).split(separator: " ").dropFirst().filter { $0 != "≠" && $0 != "│" && $0 != "|" }
        #expect(!clearCities.isEmpty)
        let hits = try #require(try Self.json(CLI.run(["customer", "search", "PILAR GONZALES", "--json"] + ws).stdout) as? [[String: Any]])
        let pilar = try #require(hits.first?["customer"] as? [String: Any])
        let pilarCity = try #require(pilar["city"] as? String)
        let golden = "G\(try #require(pilar["golden"] as? Int))"

        // Before the tag the analyst sees cities, as they are not personal yet.
        #expect(try CLI.run(["customer", "search", "PILAR GONZALES", "--as", "ana"] + ws).stdout.contains(pilarCity))

        #expect(try CLI.run(["dictionary", "edit", "silver_customer.city", "--tag", "PII.Address", "--as", "sam"] + ws).status == 0)

        let shown = try CLI.run(["candidates", "show", pair, "--as", "ana"] + ws)
        #expect(shown.status == 0)
        let maskedRow = try #require(Self.cityRow(shown.stdout))
        #expect(maskedRow.contains("*"))
        for city in clearCities { #expect(!maskedRow.contains(city)) }
        let shownJSON = try CLI.run(["candidates", "show", pair, "--json", "--as", "ana"] + ws).stdout
        for city in clearCities { #expect(!shownJSON.contains("\"\(city)\"")) }

        let search = try CLI.run(["customer", "search", "PILAR GONZALES", "--as", "ana"] + ws)
        #expect(search.status == 0)
        #expect(!search.stdout.contains(pilarCity))
        #expect(search.stdout.contains(String(pilarCity.prefix(1)) + "*"))
        #expect(!(try CLI.run(["customer", "search", "PILAR GONZALES", "--json", "--as", "ana"] + ws).stdout.contains("\"\(pilarCity)\"")))

        // And the rest: the profile, the golden record.
        for command in [["customer", "show", "crm_customers:C0000002"], ["golden", "show", golden]] {
            let output = try CLI.run(command + ["--as", "ana"] + ws)
            #expect(output.status == 0)
            #expect(!output.stdout.contains(pilarCity))
        }
        // The admin still sees it.
        #expect(try CLI.run(["customer", "search", "PILAR GONZALES"] + ws).stdout.contains(pilarCity))
    }

    @Test func aQuarantineSearchCannotConfirmAHiddenValue() throws {
        let folder = CLI.temporaryFolder("boundary-search")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        // A held record with a last name, as the admin sees it.
        let held = try #require(
            try Self.json(CLI.run(["quarantine", "list", "--status", "all", "--limit", "200", "--json"] + ws).stdout) as? [[String: Any]])
        let record = try #require(held.first { (($0["fields"] as? [String: String])?["last_name"] ?? "").count >= 4 })
        let id = try #require(record["id"] as? Int)
        let lastName = try #require((record["fields"] as? [String: String])?["last_name"])
        let admin = try CLI.run(["quarantine", "list", "--status", "all", "--search", lastName, "--limit", "1000", "--json"] + ws)
        #expect((try Self.json(admin.stdout) as? [[String: Any]])?.contains { $0["id"] as? Int == id } == true)

        let analyst = try CLI.run(
            ["quarantine", "list", "--status", "all", "--search", lastName, "--limit", "1000", "--json", "--as", "ana"] + ws)
        #expect(analyst.status == 0)
        #expect(!analyst.stdout.contains(lastName))
        #expect((try Self.json(analyst.stdout) as? [[String: Any]])?.contains { $0["id"] as? Int == id } == false)
    }
}
