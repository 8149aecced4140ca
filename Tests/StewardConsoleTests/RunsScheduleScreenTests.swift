import CDPCore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import CDPEngine
@testable import StewardConsole

/// The Runs screen lists the workflows' schedules above the runs: expression, paused or not (and by whom),
/// and the next run on the schedule's own clock.
@Suite struct RunsScheduleScreenTests {
    @Test func theRunsScreenShowsSchedulesTheirStateAndNextRun() throws {
        let f = try ConsoleFixture()
        let tasks = #""tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]"#
        try #"{"name": "nightly", "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "Europe/Madrid"}, \#(tasks)}"#
            .write(to: f.workspace.workflowFile("nightly"), atomically: true, encoding: .utf8)
        try #"{"name": "weekly", "schedule": {"quartz_cron_expression": "0 30 6 ? * MON", "timezone_id": "America/New_York"}, \#(tasks)}"#
            .write(to: f.workspace.workflowFile("weekly"), atomically: true, encoding: .utf8)
        try ScheduleService(workspace: f.workspace, environment: ConsoleFixture.clock).pause("weekly", reason: "holiday")

        let screen = try f.send("3")
        // The fixture's clock is 2025-11-28 03:20 UTC: 04:20 in Madrid, so the next 02:00 there is tomorrow's.
        let nightly = try #require(screen.split(separator: "\n").first { $0.contains("nightly") })
        #expect(nightly.contains("0 0 2 * * ?") && nightly.contains("UNPAUSED") && nightly.contains("2025-11-29 02:00 +01:00"))
        let weekly = try #require(screen.split(separator: "\n").first { $0.contains("weekly") })
        #expect(weekly.contains("PAUSED") && !weekly.contains("UNPAUSED") && weekly.contains("paused by ann"))
        assertTextSnapshot(screen, named: "runs-schedules")
    }
}
