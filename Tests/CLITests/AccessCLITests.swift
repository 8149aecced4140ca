import Foundation
import Testing

/// Roles, refusals and masking as a user of the CLI meets them.
@Suite(.serialized) struct AccessCLITests {
    @Test func rolesRefusalsAndMaskingOnEveryOutput() throws {
        let folder = CLI.temporaryFolder("access")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)

        let whoami = try CLI.run(["whoami", "--as", "ana"] + ws)
        #expect(whoami.stdout.contains("ana · role analyst"))
        #expect(whoami.stdout.contains("✘ view_pii"))
        #expect(whoami.stdout.contains("personal data is shown masked"))

        let clear = try CLI.run(["quarantine", "list", "--rule", "email_format", "--limit", "1", "--json"] + ws)
        let id = "Q" + (try #require(clear.stdout.firstMatch(of: /"id" : (\d+)/)?.output.1))
        let email = try #require(clear.stdout.firstMatch(of: /"email" : "([^"]+)"/)?.output.1).description

        let listed = try CLI.run(["quarantine", "list", "--rule", "email_format", "--limit", "1", "--json", "--as", "ana"] + ws)
        #expect(listed.status == 0)
        #expect(!listed.stdout.contains(email))
        let shown = try CLI.run(["quarantine", "show", id, "--as", "ana"] + ws)
        #expect(!shown.stdout.contains(email))
        #expect(shown.stdout.contains("raw row: (withheld"))

        let refused = try CLI.run(["quarantine", "fix", id, "email=ana@example.com", "--as", "ana"] + ws)
        #expect(refused.status == 12)
        #expect(refused.stderr.contains("ana (analyst) may not remediate quarantine: missing permission remediate_quarantine"))
        let audit = try CLI.run(["audit", "--action", "access.refused"] + ws)
        #expect(audit.stdout.contains("quarantine.fix \(id)"))

        let refusedQuery = try CLI.run(["query", "SELECT email FROM silver_customer ORDER BY id LIMIT 1", "--format", "csv", "--as", "vic"] + ws)
        #expect(refusedQuery.status == 12)
        #expect(refusedQuery.stderr.contains("personal column silver_customer.email"))
        #expect(refusedQuery.stderr.contains("query silver_customer_masked instead"))
        let query = try CLI.run(["query", "SELECT email FROM silver_customer_masked ORDER BY id LIMIT 1", "--format", "csv", "--as", "vic"] + ws)
        let plainQuery = try CLI.run(["query", "SELECT email FROM silver_customer ORDER BY id LIMIT 1", "--format", "csv"] + ws)
        let plainEmail = plainQuery.stdout.split(separator: "\n")[1]
        #expect(plainEmail.contains("@"))
        #expect(!query.stdout.contains(plainEmail))
        #expect(query.stdout.contains("***@"))

        #expect(try CLI.run(["quarantine", "fix", id, "email=sam.fixed@example.com", "--as", "sam"] + ws).status == 0)
        let maskedAudit = try CLI.run(["audit", "--action", "quarantine.fix", "--as", "vic"] + ws)
        #expect(!maskedAudit.stdout.contains("sam.fixed@example.com"))
        #expect(maskedAudit.stdout.contains("s***@e******.com"))

        let stewardActing = try CLI.run(["run", "--as", "vic"] + ws)
        #expect(stewardActing.status == 12)
        #expect(stewardActing.stderr.contains("vic (viewer) may not run workflows"))
    }
}
