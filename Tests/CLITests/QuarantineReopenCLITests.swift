import Foundation
import Testing

/// `cdp quarantine reopen` takes a rejection or a release back, with a reason, audited.
struct QuarantineReopenCLITests {
    /// A small workspace of one CSV source: Q1 holds C2's bad e-mail.
    static func workspace(_ name: String) throws -> [String] {
        let folder = CLI.temporaryFolder(name)
        let manager = FileManager.default
        for sub in ["inbox", "governance", "workflows"] {
            try manager.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try """
        [workspace]
        name = "Reopen"
        default_country = "GB"

        [[sources]]
        name = "crm"
        entity = "customer"
        format = "csv"
        path = "inbox/customers*.csv"
        primary_key = "id"

        [sources.mapping]
        first_name = "first"
        last_name = "last"
        email = "email"
        """.write(to: folder.appendingPathComponent("cdp.toml"), atomically: true, encoding: .utf8)
        try """
        [[rules]]
        name = "email_format"
        dataset = "crm"
        check = "format"
        field = "email"
        format = "email"
        """.write(to: folder.appendingPathComponent("governance/rules.toml"), atomically: true, encoding: .utf8)
        try """
        {"name": "p", "tasks": [{"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}}]}
        """.write(to: folder.appendingPathComponent("workflows/customer_pipeline.json"), atomically: true, encoding: .utf8)
        try "id,first,last,email\nC1,Ann,Lee,ann@example.com\nC2,Bob,Stone,bob at example.com\n"
            .write(to: folder.appendingPathComponent("inbox/customers.csv"), atomically: true, encoding: .utf8)
        let ws = ["--workspace", folder.path]
        let run = try CLI.run(["run"] + ws)
        try #require(run.status == 0, "\(run.stderr)")
        return ws
    }

    @Test func aReleaseIsReopenedAndReleasedAgain() throws {
        let ws = try Self.workspace("reopen")
        #expect(try CLI.run(["quarantine", "fix", "Q1", "email=bob@example.com"] + ws).status == 0)
        #expect(try CLI.run(["quarantine", "release", "Q1"] + ws).status == 0)

        let missing = try CLI.run(["quarantine", "reopen", "Q1", "--reason", " "] + ws)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("needs a reason"))

        let reopened = try CLI.run(["quarantine", "reopen", "Q1", "--reason", "released too soon"] + ws)
        #expect(reopened.status == 0, "\(reopened.stderr)")
        #expect(reopened.stdout.contains("Q1 reopened: fixed"))
        let silver = try CLI.run(["query", "SELECT COUNT(*) AS n FROM silver_customer WHERE source_key = 'C2'", "--format", "csv"] + ws)
        #expect(silver.stdout.contains("\n0"), "\(silver.stdout)")
        let audit = try CLI.run(["audit", "list", "--target", "Q1"] + ws)
        #expect(audit.stdout.contains("quarantine.reopen"))
        #expect(try CLI.run(["verify"] + ws).status == 0)

        let again = try CLI.run(["quarantine", "reopen", "Q1", "--reason", "twice"] + ws)
        #expect(again.status != 0)
        #expect(again.stderr.contains("only released or rejected records can be reopened"))
        #expect(try CLI.run(["quarantine", "release", "Q1"] + ws).status == 0)
        #expect(try CLI.run(["verify"] + ws).status == 0)
    }
}
