import Foundation
import Testing

/// A run killed with SIGKILL mid-ingest, then run again, ends with no duplicate and no lost row.
struct KillAndRerunTests {
    func statusJSON(_ folder: URL) throws -> String {
        let result = try CLI.run(["query", "SELECT source, COUNT(*) FROM bronze_row GROUP BY source UNION ALL SELECT 'silver', COUNT(*) FROM silver_customer UNION ALL SELECT 'quarantine', COUNT(*) FROM quarantine_record", "--format", "csv", "--workspace", folder.path])
        return result.stdout
    }

    @Test func aKilledRunIsRedoneWithoutLossOrDuplicates() throws {
        let data = CLI.temporaryFolder("kill-data")
        #expect(try CLI.run(["generate", "--customers", "20000", "--seed", "5", "--events-per-customer", "0", "--out", data.path]).status == 0)
        let killed = CLI.temporaryFolder("kill-killed"), clean = CLI.temporaryFolder("kill-clean")
        #expect(try CLI.run(["init", killed.path, "--from", data.path]).status == 0)
        #expect(try CLI.run(["init", clean.path, "--from", data.path]).status == 0)

        let child = try CLI.start(["run", "--workspace", killed.path], quiet: true)
        // Wait until the child has committed some rows of a batch that is still being ingested.
        let deadline = Date().addingTimeInterval(120)
        var sawPartial = false
        while Date() < deadline, child.isRunning {
            let probe = try CLI.run(["query", "SELECT COUNT(*) FROM batch b WHERE b.state = 'ingesting' AND EXISTS (SELECT 1 FROM bronze_row r WHERE r.batch_id = b.id)", "--format", "csv", "--workspace", killed.path])
            if probe.stdout.split(separator: "\n").last.map(String.init) == "1" { sawPartial = true; break }
            usleep(20_000)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try #require(sawPartial, "the run finished before it could be killed mid-batch; use more rows")

        let broken = try CLI.run(["verify", "--workspace", killed.path])
        #expect(broken.status == 9)
        #expect(broken.stderr.contains("half-ingested"))

        #expect(try CLI.run(["run", "--workspace", killed.path]).status == 0)
        #expect(try CLI.run(["run", "--workspace", clean.path]).status == 0)
        #expect(try CLI.run(["verify", "--workspace", killed.path]).status == 0)
        #expect(try statusJSON(killed) == statusJSON(clean))
        let runs = try CLI.run(["runs", "--workspace", killed.path])
        #expect(runs.stdout.contains("abandoned"))
    }
}
