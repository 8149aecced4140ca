import Foundation
import Testing

/// The CLI's exit codes and messages, and a whole steward session on the sample data.
@Suite(.serialized) struct CLITests {
    @Test func aMissingWorkspaceIsNamedWithWhatToDo() throws {
        let result = try CLI.run(["status", "--workspace", "/nonexistent/acme"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("cdp: error: /nonexistent/acme is not a workspace (no cdp.toml); create one with `cdp init"))
    }

    @Test func aBadConfigurationIsRefusedWholeWithExitCode3() throws {
        let folder = CLI.temporaryFolder("badconfig")
        try CLI.run(["init", folder.path])
        // init creates the lake (it seeds the data dictionary); the refused run must not touch it.
        func lakeBytes() -> [Data?] {
            ["lake.sqlite", "lake.sqlite-wal"].map { try? Data(contentsOf: folder.appendingPathComponent("lake/\($0)")) }
        }
        let lakeBefore = lakeBytes()
        #expect(lakeBefore[0] != nil)
        let rules = folder.appendingPathComponent("governance/rules.toml")
        try (String(contentsOf: rules, encoding: .utf8) + "\n[[rules]]\nname = \"x\"\ndataset = \"crm_customers\"\ncheck = \"format\"\nfield = \"emial\"\nformat = \"email\"\n")
            .write(to: rules, atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "--workspace", folder.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("the configuration has 1 problem in rules.toml; nothing was done"), "\(result.stderr)")
        #expect(result.stderr.contains(".field: 'emial' is not a field of customer source 'crm_customers'"), "\(result.stderr)")
        #expect(lakeBytes() == lakeBefore)
    }

    /// `cdp check` checks every configuration file without running anything: exit 0 and the files checked,
    /// or exit 3 and every problem of every file with its line. `cdp run` refuses the same way before its
    /// first task (the issue: a broken matching.toml was found after seven tasks had run).
    @Test func checkListsEveryProblemOfEveryFileAndRunRefusesBeforeAnyTask() throws {
        let folder = CLI.temporaryFolder("check")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let ok = try CLI.run(["check"] + ws)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == """
            configuration ok: cdp.toml, governance/rules.toml, governance/access.toml, governance/matching.toml, \
            workflows/customer_pipeline.json\n
            """)

        let matching = folder.appendingPathComponent("governance/matching.toml")
        let matchingText = try String(contentsOf: matching, encoding: .utf8)
        try matchingText.replacingOccurrences(of: "max_cluster_size = 8", with: "max_cluster_size = \"eight\"")
            .replacingOccurrences(of: "min_density = 0.5", with: "min_densty = 0.5").write(to: matching, atomically: true, encoding: .utf8)
        let workflow = folder.appendingPathComponent("workflows/customer_pipeline.json")
        try String(contentsOf: workflow, encoding: .utf8).replacingOccurrences(of: #""timeout_seconds": 3600,"#, with: #""timeout_seconds": 1e400,"#)
            .write(to: workflow, atomically: true, encoding: .utf8)
        let lakeBefore = try Data(contentsOf: folder.appendingPathComponent("lake/lake.sqlite"))

        let broken = try CLI.run(["check"] + ws)
        #expect(broken.status == 3)
        #expect(broken.stdout.isEmpty)
        #expect(broken.stderr.contains("cdp: error: the configuration has 3 problems in matching.toml and customer_pipeline.json"), "\(broken.stderr)")
        let clusteringLine = try #require(matchingText.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("max_cluster_size") }) + 1
        #expect(broken.stderr.contains("matching.toml:\(clusteringLine):1: clustering.max_cluster_size: must be a whole number, found a string (\"eight\")"), "\(broken.stderr)")
        #expect(broken.stderr.contains("matching.toml:\(clusteringLine + 1):1: clustering.min_densty: is not a known setting"), "\(broken.stderr)")
        #expect(broken.stderr.contains("customer_pipeline.json:4:22: timeout_seconds: 1e400 is out of range (1 to 2147483647 seconds)"), "\(broken.stderr)")

        let run = try CLI.run(["run"] + ws)
        #expect(run.status == 3)
        #expect(run.stderr == broken.stderr)
        #expect(!run.stderr.contains("▶"), "no task may start")
        #expect(try Data(contentsOf: folder.appendingPathComponent("lake/lake.sqlite")) == lakeBefore)
        let runs = try CLI.run(["runs"] + ws)
        #expect(runs.status == 0 && !runs.stdout.contains("R1"), "\(runs.stdout)")
    }

    /// README's first command, without the console: builds the workspace from the sample data and runs the
    /// pipeline; asked again, runs it again on the same workspace.
    @Test func demoBuildsTheWorkspaceAndRunsThePipeline() throws {
        let folder = CLI.temporaryFolder("demo")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let arguments = ["demo", "--no-console", "--workspace", folder.appendingPathComponent("demo").path,
                         "--from", CLI.repositoryRoot.appendingPathComponent("sample-data").path]
        let first = try CLI.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("created workspace"))
        #expect(first.stdout.contains("succeeded"), "\(first.stdout)")
        let second = try CLI.run(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.contains("created workspace"))
        #expect(second.stdout.contains("succeeded"))
    }

    @Test func usageErrorsExitWith64() throws {
        #expect(try CLI.run(["quarantine", "show", "banana", "--workspace", "/tmp"]).status == 64)
        #expect(try CLI.run(["frobnicate"]).status == 64)
    }

    @Test func aStewardSessionOnTheSampleData() throws {
        let folder = CLI.temporaryFolder("session")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let run = try CLI.run(["run"] + ws)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("succeeded"))
        #expect(run.stderr.contains("▶ ingest_crm_customers started"))

        let list = try CLI.run(["quarantine", "list", "--rule", "email_format", "--json"] + ws)
        #expect(list.status == 0)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let first = try #require(records.first)
        let id = "Q\(try #require(first["id"] as? Int))"

        let refused = try CLI.run(["quarantine", "release", id] + ws)
        #expect(refused.status == 8)
        #expect(refused.stderr.contains("cannot be released: it still fails email_format"))

        let fixed = try CLI.run(["quarantine", "fix", id, "email=jane.fixed@example.com", "--as", "sam"] + ws)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let failures = (first["failures"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
        if failures == ["email_format"] {
            #expect(fixed.stdout.contains("now passes every rule"))
            let released = try CLI.run(["quarantine", "release", id, "--as", "sam"] + ws)
            #expect(released.status == 0, "\(released.stderr)")
            let silver = try CLI.run(["query", "SELECT email FROM silver_customer WHERE email = 'jane.fixed@example.com'", "--format", "csv"] + ws)
            #expect(silver.stdout.contains("jane.fixed@example.com"))
        }
        let audit = try CLI.run(["audit", "list", "--target", id] + ws)
        #expect(audit.stdout.contains("sam"))
        #expect(audit.stdout.contains("quarantine.fix"))

        let rejected = try CLI.run(["quarantine", "reject", "Q2", "--reason", "test record"] + ws)
        #expect(rejected.status == 0 || rejected.stderr.contains("only open or fixed"))

        let status = try CLI.run(["status", "--json"] + ws)
        #expect(status.status == 0)
        #expect(status.stdout.contains("\"crm_customers\""))
        #expect(try CLI.run(["verify"] + ws).status == 0)
        #expect(try CLI.run(["audit", "verify"] + ws).stdout.contains("audit chain intact"))

        let write = try CLI.run(["query", "DELETE FROM batch"] + ws)
        #expect(write.status == 8)
        #expect(write.stderr.contains("read-only"))
        #expect(try CLI.run(["runs"] + ws).stdout.contains("R1"))
    }

    @Test func generateIsDeterministic() throws {
        let first = CLI.temporaryFolder("gen-a"), second = CLI.temporaryFolder("gen-b")
        #expect(try CLI.run(["generate", "--customers", "300", "--seed", "3", "--out", first.path]).status == 0)
        #expect(try CLI.run(["generate", "--customers", "300", "--seed", "3", "--out", second.path]).status == 0)
        for file in ["inbox/crm/customers.csv", "inbox/marketing/contacts.jsonl", "truth/entities.csv", "cdp.toml"] {
            let a = try Data(contentsOf: first.appendingPathComponent(file)), b = try Data(contentsOf: second.appendingPathComponent(file))
            #expect(a == b, "\(file) differs")
        }
    }
}
