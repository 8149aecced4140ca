import CDPCore
import CDPStore
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
        try AlertLog(lakeFolder: f.workspace.lakeFolder).append(
            AlertLog.Alert(
                at: "2025-11-28T03:00:00Z", workflow: "nightly", run: RunID(1), event: .qualityAlert,
                text: "data quality: email_format (crm) passes 62.5%, below its alert_below 90.0%"))

        let screen = try f.send("3")
        // The fixture's clock is 2025-11-28 03:20 UTC: 04:20 in Madrid, so the next 02:00 there is tomorrow's.
        let nightly = try #require(screen.split(separator: "\n").first { $0.contains("│nightly") })
        #expect(nightly.contains("0 0 2 * * ?") && nightly.contains("UNPAUSED") && nightly.contains("2025-11-29 02:00 +01:00"))
        #expect(screen.contains("last alert 2025-11-28 03:00 nightly R1: data quality: email_format (crm) passes 62.5%"))
        let weekly = try #require(screen.split(separator: "\n").first { $0.contains("weekly") })
        #expect(weekly.contains("PAUSED") && !weekly.contains("UNPAUSED") && weekly.contains("paused by ann"))
        assertTextSnapshot(screen, named: "runs-schedules")
    }
}

/// A failed run's alert quotes its error, which may quote a value a fatal rule refused: the Runs screen withholds
/// its detail from a user without view_pii, as `cdp runs show` does (attack 11, F1), and the alert log is private.
@Suite struct RunsAlertMaskingScreenTests {
    @Test func aFailedRunsAlertIsWithheldFromAViewerAndShownToAnAdmin() throws {
        let prepared = try ConsoleFixture.makeWorkspace("alert-masking")
        // ann is admin; vic, unlisted, the default viewer.
        try AccessScreenTests.access.write(to: prepared.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: prepared.root.path)
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        let refusal = "refused before writing anything: inbox/customers.csv:2: fatal rule 'email_length' failed: 'pilar.gonzalez53@yahoo.es' is longer than 20"
        try AlertLog(lakeFolder: workspace.lakeFolder).append(
            AlertLog.Alert(at: "2025-11-28T03:00:00Z", workflow: "customer_pipeline", run: RunID(1), event: .failure, text: refusal))
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.lakeFolder.appendingPathComponent(AlertLog.fileName).path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        for (user, shows) in [("vic", false), ("ann", true)] {
            let backend = InMemoryBackend(width: 200, height: 30)
            let app = ConsoleApp(workspace: try Workspace(at: workspace.root.path), environment: .fixed(at: 1_764_300_000, user: user), theme: .mono, backend: backend)
            try backend.enqueue(script: "3")
            app.drainEvents(settle: true)
            let screen = backend.screenText()
            #expect(screen.contains("last alert 2025-11-28 03:00 customer_pipeline R1: refused before writing anything: "), "\(screen)")
            #expect(screen.contains("pilar.gonzalez53") == shows, "\(user): \(screen)")
            #expect(screen.contains("withheld") != shows, "\(user): \(screen)")
        }
    }
}

/// File arrival triggers are listed beside the schedules: the folder, paused or not (and by whom), the next
/// check and the last file seen.
@Suite struct RunsTriggerScreenTests {
    @Test func theRunsScreenShowsFileArrivalTriggersBesideSchedules() throws {
        let f = try ConsoleFixture()
        let tasks = #""tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]"#
        try #"{"name": "nightly", "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"}, \#(tasks)}"#
            .write(to: f.workspace.workflowFile("nightly"), atomically: true, encoding: .utf8)
        let trigger = #"{"file_arrival": {"url": "inbox/", "wait_after_last_change_seconds": 30}}"#
        try #"{"name": "arrivals", "trigger": \#(trigger), \#(tasks)}"#
            .write(to: f.workspace.workflowFile("arrivals"), atomically: true, encoding: .utf8)
        try #"{"name": "drops", "trigger": {"file_arrival": {"url": "drops/"}}, \#(tasks)}"#
            .write(to: f.workspace.workflowFile("drops"), atomically: true, encoding: .utf8)
        try Scheduler(workspace: f.workspace, environment: ConsoleFixture.clock).tick()  // the first look sees inbox/customers.csv
        try ScheduleService(workspace: f.workspace, environment: ConsoleFixture.clock).pause("drops", reason: "supplier late")

        let screen = try f.send("3")
        let arrivals = try #require(screen.split(separator: "\n").first { $0.contains("│arrivals") }, "\(screen)")
        // The fixture's clock is 2025-11-28 03:20 UTC; the file settles 30 s after that look.
        #expect(arrivals.contains("inbox/ ") && arrivals.contains("UNPAUSED"))
        #expect(arrivals.contains("03:20:30 UTC · last file inbox/customers.csv"), "\(arrivals)")
        let drops = try #require(screen.split(separator: "\n").first { $0.contains("│drops") })
        #expect(drops.contains("drops/ ") && drops.contains("PAUSED") && !drops.contains("UNPAUSED") && drops.contains("paused by ann"))
        let nightly = try #require(screen.split(separator: "\n").first { $0.contains("│nightly") })
        #expect(nightly.contains("0 0 2 * * ?") && nightly.contains("2025-11-29 02:00 +00:00"))
        assertTextSnapshot(screen, named: "runs-triggers")
    }
}

/// `p` on the Runs screen repairs the selected run in the background, in the same run record.
@Suite struct RunsRepairScreenTests {
    @Test func pRepairsTheSelectedFailedRun() throws {
        let f = try ConsoleFixture()
        let broken = """
            {"name": "gated", "tasks": [
              {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
              {"task_key": "gate", "depends_on": [{"task_key": "ingest"}],
               "condition_task": {"op": "GREATER_THAN", "left": "{{tasks.ingest.values.rows_red}}", "right": "5"}},
              {"task_key": "scorecard", "depends_on": [{"task_key": "gate", "outcome": "false"}], "cdp_task": {"step": "scorecard"}}
            ]}
            """
        try broken.write(to: f.workspace.workflowFile("gated"), atomically: true, encoding: .utf8)
        let failed = try WorkflowRunner(workspace: f.workspace, environment: ConsoleFixture.clock).run(f.workspace.workflow(named: "gated"))
        #expect(failed.state == .failed)
        try broken.replacingOccurrences(of: "rows_red", with: "rows_read").write(
            to: f.workspace.workflowFile("gated"), atomically: true, encoding: .utf8)

        try f.send("3")
        #expect(f.screen.contains("last alert"), "\(f.screen)")  // the failed run alerted
        let row = try #require(f.screen.split(separator: "\n").first { $0.contains("\(failed.id) ") })
        #expect(row.contains("failed"))
        try f.send("p")
        let deadline = Date().addingTimeInterval(60)
        while f.app.background.isRunning && Date() < deadline { usleep(20_000) }
        f.app.tick()
        f.app.draw()
        #expect(f.screen.contains("run \(failed.id) succeeded"), "\(f.screen)")
        let repaired = try #require(
            f.screen.split(separator: "\n").first { $0.contains("\(failed.id) ") && !$0.contains("run \(failed.id)") })
        #expect(repaired.contains("succeeded"))
        #expect(try f.workspace.store.runs().count == 2)  // the fixture's run and the repaired one: no new run
        let audit = try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "run.repair"))
        #expect(audit.map(\.target) == [failed.id.description])
    }
}

/// `P` on the Runs screen pauses or resumes a schedule or file arrival trigger picked from a list (`:pause-schedule
/// NAME` toggles one), through the engine and audited.
@Suite struct RunsPauseScreenTests {
    @Test func pPausesAndResumesThePickedScheduleOrTrigger() throws {
        let f = try ConsoleFixture()
        let tasks = #""tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]"#
        try #"{"name": "nightly", "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"}, \#(tasks)}"#
            .write(to: f.workspace.workflowFile("nightly"), atomically: true, encoding: .utf8)
        try #"{"name": "arrivals", "trigger": {"file_arrival": {"url": "inbox/"}}, \#(tasks)}"#
            .write(to: f.workspace.workflowFile("arrivals"), atomically: true, encoding: .utf8)
        func paused(_ name: String) throws -> Bool? {
            let all: [ScheduleService.Status] = try ScheduleService(workspace: f.workspace, environment: ConsoleFixture.clock).list()
            return all.first { $0.workflow == name }?.paused
        }

        try f.send("3 P")
        #expect(f.screen.contains("pause or resume · type to search"), "\(f.screen)")
        try f.send("nightly <enter>")
        #expect(f.app.message?.text == "nightly paused: no run starts on its own until resumed")
        #expect(try paused("nightly") == true && paused("arrivals") == false)
        let nightly = try #require(f.screen.split(separator: "\n").first { $0.contains("│nightly") })
        #expect(nightly.contains("PAUSED") && !nightly.contains("UNPAUSED") && nightly.contains("paused by ann"), "\(nightly)")
        let pause = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "schedule.pause")).first)
        #expect(pause.actor == "ann" && pause.target == "nightly" && pause.reason == "from the console")

        // The palette toggles it back; the trigger is paused the same way.
        try f.send(": pause-schedule <space> nightly <enter>")
        #expect(f.app.message?.text == "nightly resumed")
        #expect(try paused("nightly") == false)
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "schedule.resume")).first?.target == "nightly")
        try f.send("P arrivals <enter>")
        #expect(try paused("arrivals") == true)
    }

    @Test func withoutRunWorkflowsThePickerIsRefusedBeforeItOpens() throws {
        let prepared = try ConsoleFixture.makeWorkspace("pause-access")
        try AccessScreenTests.access.write(to: prepared.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let tasks = #""tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]"#
        try #"{"name": "nightly", "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"}, \#(tasks)}"#
            .write(to: prepared.workflowFile("nightly"), atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: prepared.root.path)
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = ConsoleApp(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "vic"), theme: .mono, backend: backend)
        try backend.enqueue(script: "3 P")
        app.drainEvents(settle: true)
        #expect(app.modal == nil)
        #expect(app.message?.text.contains("missing permission run_workflows") == true, "\(app.message?.text ?? "")")
    }
}
