import Foundation
import Testing

/// Attack 8's findings on the embedded lake, replayed through `cdp` as an attacker would type them.
@Suite struct AttackEightCLITests {
    /// A run's workflow chooses who is notified and where its webhooks go: it comes from the workspace's
    /// `workflows/` folder by name, never from a path (an analyst's own file, or another owner-only `.json`).
    @Test func aWorkflowIsANameInTheWorkflowsFolderNeverAPath() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack8-workflow-path", from: "sample-data")
        let evil = folder.deletingLastPathComponent().appendingPathComponent("attack8-evil.json")
        try #"{"name":"evil","tasks":[{"task_key":"i","cdp_task":{"step":"ingest","source":"crm_customers"}}]}"#
            .write(to: evil, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: evil) }
        let ws = ["-w", folder.path]
        for name in ["../../attack8-evil", "../attack8-evil.json", "/etc/hostname", ".hidden"] {
            let run = try CLI.run(["run", "--workflow", name] + ws)
            #expect(run.status != 0, "\(name)")
            #expect(run.stderr.contains("is not a workflow name"), "\(name): \(run.stderr)")
        }
        #expect(try CLI.run(["runs", "list", "--json"] + ws).stdout.contains("evil") == false)
        #expect(try CLI.run(["workflow", "export", "--databricks", "-", "--location", "/Volumes/main/cdp/acme", "--workflow", "../../attack8-evil"] + ws).status != 0)
    }

    /// A Spark run writes personal values unmasked: an analyst (run_workflows, no view_pii) is refused before
    /// anything is submitted, and the refusal is audited.
    @Test func anAnalystMayNotRunTheWorkspaceOnSpark() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack8-spark-analyst", from: "sample-data")
        let ws = ["-w", folder.path]
        let run = try CLI.run(["spark", "run", "--as", "ana", "--spark-submit", "/bin/false"] + ws)
        #expect(run.status != 0)
        #expect(run.stderr.contains("view_pii"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("spark-output").path))
        let audit = try CLI.run(["audit", "--action", "access.refused", "--json"] + ws)
        #expect(audit.stdout.contains("spark.run"))
    }
}
