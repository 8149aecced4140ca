import Foundation
import Testing

/// Two `cdp run` processes on one workspace: the second, started while the first is inside an ingest,
/// refuses naming the first (exit 14); with `--wait` it queues and runs after it; the lake stays sound.
struct ConcurrentRunTests {
    func query(_ sql: String, _ folder: URL) throws -> String {
        try CLI.run(["query", sql, "--format", "csv", "--workspace", folder.path]).stdout
            .split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Whether a batch is being ingested: rows of it committed, the batch not finished.
    func insideAnIngest(_ folder: URL) throws -> Bool {
        try query(
            "SELECT COUNT(*) FROM batch b WHERE b.state = 'ingesting' AND EXISTS (SELECT 1 FROM bronze_row r WHERE r.batch_id = b.id)",
            folder) == "1"
    }

    /// Waits until `file` holds `text` (a child's stderr written to a file), up to a minute.
    func wait(for text: String, in file: URL) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let written = try? String(contentsOf: file, encoding: .utf8), written.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    @Test
    func aSecondRunRefusesOrWaitsAndTheLakeStaysSound() throws {
        let data = CLI.temporaryFolder("concurrent-data"), folder = CLI.temporaryFolder("concurrent")
        #expect(try CLI.run(["generate", "--customers", "20000", "--seed", "11", "--events-per-customer", "0", "--out", data.path]).status == 0)
        #expect(try CLI.run(["init", folder.path, "--from", data.path]).status == 0)

        let first = try CLI.start(["run", "--workspace", folder.path], quiet: true)
        defer {
            kill(first.processIdentifier, SIGCONT)
            if first.isRunning { kill(first.processIdentifier, SIGKILL) }
        }
        // Freeze the first run inside an ingest, so what follows happens while it is there however slow the
        // machine (probed again once frozen: a bare probe races with the batch finishing).
        let deadline = Date().addingTimeInterval(300)
        var frozenInside = false
        while Date() < deadline, first.isRunning {
            if try insideAnIngest(folder) {
                kill(first.processIdentifier, SIGSTOP)
                if try insideAnIngest(folder) { frozenInside = true; break }
                kill(first.processIdentifier, SIGCONT)
            }
            usleep(20_000)
        }
        try #require(frozenInside, "the first run finished before it was caught inside an ingest; use more rows")

        let refused = try CLI.run(["run", "--workspace", folder.path])
        #expect(refused.status == 14)
        #expect(refused.stderr.contains("is busy: run R1 of customer_pipeline, started"))
        #expect(refused.stderr.contains("(cli, pid \(first.processIdentifier))"))
        #expect(refused.stderr.contains("cdp run --wait"))

        let impatient = try CLI.run(["run", "--wait", "--wait-timeout", "0.5", "--workspace", folder.path])
        #expect(impatient.status == 14)
        #expect(impatient.stderr.contains("waiting for the lake: run R1 of customer_pipeline"))
        #expect(impatient.stderr.contains("waited 0.5 s"))

        // A queued run: it says it waits, and runs once the first has finished.
        let log = folder.appendingPathComponent("queued.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let queued = Process()
        queued.executableURL = try CLI.executable
        queued.arguments = ["run", "--wait", "--workspace", folder.path]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        environment["USER"] = "cli-tester"
        queued.environment = environment
        queued.standardOutput = FileHandle.nullDevice
        queued.standardError = try FileHandle(forWritingTo: log)
        try queued.run()
        #expect(wait(for: "waiting for the lake: run R1", in: log))
        kill(first.processIdentifier, SIGCONT)
        first.waitUntilExit()
        queued.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(queued.terminationStatus == 0)

        #expect(try CLI.run(["verify", "--workspace", folder.path]).status == 0)
        // Two runs recorded (the refused ones left nothing), both succeeded, the second after the first.
        #expect(try query("SELECT GROUP_CONCAT(id || ':' || state, ' ') FROM (SELECT id, state FROM workflow_run ORDER BY id)", folder) == "1:succeeded 2:succeeded")
        #expect(try query("SELECT COUNT(*) FROM batch WHERE run_id = 2", folder) == "0")
    }

    @Test func maxConcurrentRunsAboveOneIsAConfigurationError() throws {
        let folder = CLI.temporaryFolder("concurrent-config")
        #expect(try CLI.run(["init", folder.path, "--from", CLI.repositoryRoot.appendingPathComponent("sample-data").path]).status == 0)
        let file = folder.appendingPathComponent("workflows/customer_pipeline.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "{", with: "{\"max_concurrent_runs\": 2, ", options: [], range: text.range(of: "{"))
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "--workspace", folder.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("customer_pipeline.json:1:2: max_concurrent_runs: must be 1 (found 2)"))
    }
}
