import Foundation
import Testing

/// Customer 360 as a CLI user meets it: search, profiles, exports, masking and read-only SQL.
@Suite(.serialized) struct Customer360CLITests {
    @Test func searchShowExportAndQueryTheGoldLayer() throws {
        let folder = CLI.temporaryFolder("customer360")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let run = try CLI.run(["run"] + ws)
        #expect(run.status == 0)
        #expect(run.stdout.contains("build_gold"))

        // Pilar González is in the sample CRM as C0000002 with pilar.gonzalez53@yahoo.es.
        let search = try CLI.run(["customer", "search", "PILAR GONZALES"] + ws)
        #expect(search.status == 0)
        let firstHit = try #require(search.stdout.split(separator: "\n").dropFirst(2).first)
        #expect(firstHit.contains("Pilar González"))

        let show = try CLI.run(["customer", "show", "pilar.gonzalez53@yahoo.es"] + ws)
        #expect(show.status == 0)
        #expect(show.stdout.contains("crm_customers:C0000002"))
        #expect(show.stdout.contains("email       pilar.gonzalez53@yahoo.es"))
        #expect(show.stdout.contains("timeline, newest first"))
        #expect(show.stdout.contains("per month"))

        let masked = try CLI.run(["customer", "show", "crm_customers:C0000002", "--as", "ana"] + ws)
        #expect(masked.status == 0)
        #expect(!masked.stdout.contains("pilar.gonzalez53@yahoo.es"))
        #expect(masked.stdout.contains("p***@y****.es"))

        let missing = try CLI.run(["customer", "show", "nobody@nowhere.example"] + ws)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no customer 'nobody@nowhere.example'"))

        // Acting as ana, cdp writes no file (it would be the account's that acts); standard output is ana's.
        let export = try CLI.run(["export", "customer_360", "--format", "csv", "--as", "ana"] + ws)
        #expect(export.status == 0)
        let csv = export.stdout
        let count = try CLI.run(["query", "SELECT COUNT(*) AS n FROM customer_360", "--format", "csv"] + ws)
        #expect(csv.split(separator: "\n").count - 1 == Int(count.stdout.split(separator: "\n")[1]))
        #expect(!csv.contains("pilar.gonzalez53@yahoo.es"))

        let markdown = try CLI.run(["export", "campaign_performance", "--format", "md"] + ws)
        #expect(markdown.stdout.hasPrefix("| campaign_id | name |"))

        let badTable = try CLI.run(["export", "customers_everywhere"] + ws)
        #expect(badTable.status != 0)
        #expect(badTable.stderr.contains("no table or view 'customers_everywhere'"))
        let badFormat = try CLI.run(["export", "customer_360", "--format", "xlsx"] + ws)
        #expect(badFormat.status != 0)
        #expect(badFormat.stderr.contains("--format must be one of: csv, json, md"))

        let write = try CLI.run(["query", "DELETE FROM customer_360"] + ws)
        #expect(write.status != 0)
        #expect(write.stderr.contains("read-only"))
        #expect(try CLI.run(["query", "SELECT COUNT(*) AS n FROM customer_360", "--format", "csv"] + ws).stdout == count.stdout)
    }
}
