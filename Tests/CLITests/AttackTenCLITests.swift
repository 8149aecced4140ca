import Foundation
import Testing

/// Attack 10's findings on the embedded lake that are not about exports (those are `ExportDestinationCLITests`).
@Suite struct AttackTenCLITests {
    /// F6: a steward without assign_work who assigned by searching a customer's e-mail left the e-mail in the refusal's
    /// audit target, which every role reads unmasked.
    @Test func aRefusedAssignmentBySearchKeepsTheWordsOutOfTheAuditTarget() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack10-assign-search", from: "sample-data")
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        let email = "pilar.gonzalez53@yahoo.es"
        let refused = try CLI.run(["quarantine", "assign", "--search", email, "--to", "tom", "--as", "sam"] + ws)
        #expect(refused.status == 12, "\(refused.stderr)")
        for reader in ["vic", "sam"] {
            let audit = try CLI.run(["audit", "list", "--action", "access.refused", "--as", reader] + ws)
            #expect(audit.status == 0, "\(audit.stderr)")
            #expect(audit.stdout.contains("work.assign records matching a text search to tom"), "\(audit.stdout)")
            #expect(!audit.stdout.contains("pilar"), "\(audit.stdout)")
        }
    }

    /// F5: through README's sudo wrapper `cdp dictionary import FILE` read any file of the service account (its
    /// `.pgpass`), quoting what its parse errors found. Acting for another user, cdp reads no file a user names.
    @Test func actingForAnotherUserReadsNoFileAUserNames() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack10-import", from: "sample-data")
        let ws = ["-w", folder.path]
        let secret = CLI.temporaryFolder("attack10-import-secret")
        try FileManager.default.createDirectory(at: secret, withIntermediateDirectories: true)
        let file = secret.appendingPathComponent("pgpass")
        try Data("db.example:5432:acme:cdp:hunter2-secret\n".utf8).write(to: file)
        let refused = try CLI.run(["dictionary", "import", file.path, "--as", "sam"] + ws)
        #expect(refused.status == 12, "\(refused.stderr)")
        #expect(refused.stderr.contains("does not read \(file.path) while \(HardeningIdentityCLITests.kernelUser) acts as sam"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("hunter2") && !refused.stderr.contains("db.example"), "\(refused.stderr)")
        // As themselves, a user imports their own file as before (this one is no dictionary: its problem is named).
        let own = try CLI.run(["dictionary", "import", file.path] + ws)
        #expect(own.status != 0 && own.status != 12, "\(own.stderr)")
        // Attack 11, F6: `cdp match evaluate --truth FILE` too (its errors gave the file's lines and fields).
        let truth = try CLI.run(["match", "evaluate", "--truth", file.path, "--as", "sam"] + ws)
        #expect(truth.status == 12, "\(truth.stderr)")
        #expect(truth.stderr.contains("does not read \(file.path) while \(HardeningIdentityCLITests.kernelUser) acts as sam"), "\(truth.stderr)")
    }
}

extension AttackTenCLITests {
    /// F4: tagging `silver_customer.city` personal masked it in the CLI's reads but left its copy in `customer_360`
    /// readable by `cdp query` and `cdp export`: the columns derived from a newly tagged one take the same tag.
    @Test func aTagFollowsTheLineageToEveryCopyOfTheColumn() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack10-lineage", from: "sample-data")
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        let query = ["query", "SELECT city FROM customer_360 WHERE city IS NOT NULL LIMIT 1", "--format", "csv", "--as", "vic"] + ws
        let before = try CLI.run(query)
        let city = try #require(before.stdout.split(separator: "\n").dropFirst().first.map(String.init))
        #expect(!city.contains("*"), "\(before.stdout)")

        let tagged = try CLI.run(["dictionary", "edit", "silver_customer.city", "--tag", "PII.Address", "--as", "sam"] + ws)
        #expect(tagged.status == 0, "\(tagged.stderr)")
        #expect(try CLI.run(["dictionary", "show", "customer_360.city"] + ws).stdout.contains("PII.Address"))
        let refused = try CLI.run(query)
        #expect(refused.status == 12 && refused.stderr.contains("reads the personal column customer_360.city"), "\(refused.stderr)")
        let masked = try CLI.run(["query", "SELECT city FROM customer_360_masked WHERE city IS NOT NULL LIMIT 1", "--format", "csv", "--as", "vic"] + ws)
        #expect(!masked.stdout.contains(city) && masked.stdout.contains("*"), "\(masked.stdout)\(masked.stderr)")
        let exported = try CLI.run(["export", "customer_360", "--format", "csv", "--as", "vic"] + ws)
        #expect(!exported.stdout.contains(",\(city),"), "\(exported.stdout.prefix(400))")
        let audit = try CLI.run(["audit", "list", "--action", "dictionary.edit"] + ws)
        #expect(audit.stdout.contains("customer_360.city") && audit.stdout.contains("follows silver_customer.city's PII.Address tag"), "\(audit.stdout)")
        #expect(try CLI.run(["audit", "verify"] + ws).status == 0)
    }
}
