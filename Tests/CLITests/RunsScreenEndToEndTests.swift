import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux: the Runs screen shows a workflow's schedule, and `p` repairs a failed
/// run in place; the CLI then sees the run succeeded and the repair audited.
struct RunsScreenEndToEndTests {
    @Test func theRunsScreenShowsAScheduleAndRepairsAFailedRun() throws {
        let folder = CLI.temporaryFolder("runs-screen-e2e")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        try """
        {"name": "nightly", "schedule": {"quartz_cron_expression": "0 30 2 * * ?", "timezone_id": "Europe/Madrid"},
         "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}
        """.write(to: folder.appendingPathComponent("workflows/nightly.json"), atomically: true, encoding: .utf8)
        // A gate that reads a misnamed value fails the run; fixed in the file, a repair reruns it.
        let gated = """
            {"name": "gated", "tasks": [
              {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "campaigns"}},
              {"task_key": "gate", "depends_on": [{"task_key": "ingest"}],
               "condition_task": {"op": "GREATER_THAN", "left": "{{tasks.ingest.values.rows_red}}", "right": "5"}},
              {"task_key": "scorecard", "depends_on": [{"task_key": "gate", "outcome": "true"}], "cdp_task": {"step": "scorecard"}}
            ]}
            """
        let file = folder.appendingPathComponent("workflows/gated.json")
        try gated.write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--workflow", "gated"] + ws).status == 11)
        try gated.replacingOccurrences(of: "rows_red", with: "rows_read").write(to: file, atomically: true, encoding: .utf8)

        let session = try TmuxSession(
            command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)'",
            width: 120, height: 40)
        defer { session.close() }
        try session.waitFor("Dashboard")
        try session.send("3")
        let screen = try session.waitFor("0 30 2 * * ?")
        let schedule = try #require(screen.split(separator: "\n").first { $0.contains("0 30 2 * * ?") })
        #expect(schedule.contains("nightly") && schedule.contains("UNPAUSED"), "\(screen)")
        let failed = try #require(
            screen.split(separator: "\n").first { $0.contains("R1") && $0.contains("gated") && !$0.contains("last alert") })
        #expect(failed.contains("failed"), "\(screen)")
        try session.send("p")
        try session.waitFor("run R1 succeeded", timeout: 60)
        try session.send("C-c")
        try session.waitFor("[exit 0]")

        let shown = try CLI.run(["runs", "show", "R1"] + ws)
        #expect(shown.stdout.contains("run R1 gated: succeeded"), "\(shown.stdout)")
        let audit = try CLI.run(["audit", "list", "--action", "run.repair"] + ws)
        #expect(audit.stdout.contains("R1"), "\(audit.stdout)")
    }
}
