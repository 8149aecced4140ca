import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// `cdp scheduler`'s looks, walked through days on an injected clock: nothing here waits for real time.
@Suite struct SchedulerTests {
    /// A workspace with a `nightly` workflow (the scorecard only: quick) due at 02:00 in Madrid.
    static func scheduledWorkspace(
        _ name: String, schedule: String = #"{"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "Europe/Madrid"}"#
    )
        throws -> Workspace
    {
        let workspace = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\n1,Ann,Lee,ann@example.com,1980-01-02\n"])
        try """
        {"name": "nightly", "schedule": \(schedule),
         "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}
        """.write(to: workspace.workflowFile("nightly"), atomically: true, encoding: .utf8)
        return workspace
    }

    /// A clock a test moves.
    final class Clock: Sendable {
        let box: LockedBox<Double>
        init(_ text: String) { box = LockedBox(Self.instant(text)) }
        func set(_ text: String) { box.value = Self.instant(text) }
        var environment: Environment {
            let box = self.box
            return Environment(now: { box.value }, user: "ann")
        }
        static func instant(_ text: String) -> Double { ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 }
    }

    @Test func aScheduleStartsItsRunWhenDueAndMissedFiresRunOnceSayingSo() throws {
        let workspace = try Self.scheduledWorkspace("scheduler-due")
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)

        let first = try scheduler.tick()
        #expect(first.map(\.kind) == [.watching])
        #expect(first.first?.message == "schedule 0 0 2 * * ? (Europe/Madrid) watched from now; next run 2026-12-07T01:00:00Z")

        clock.set("2026-12-07T00:59:59Z")
        #expect(try scheduler.tick().isEmpty)  // 01:59:59 in Madrid: not yet

        clock.set("2026-12-07T01:00:05Z")
        let due = try scheduler.tick()
        #expect(due.map(\.kind) == [.started])
        #expect(due.first?.missed == 0)
        #expect(due.first?.state == .succeeded)
        #expect(try scheduler.tick().isEmpty)  // the same fire starts one run only

        // The scheduler was down for three nights: one run stands for them all, and says so.
        clock.set("2026-12-10T09:00:00Z")
        let late = try scheduler.tick()
        #expect(late.map(\.kind) == [.started])
        #expect(late.first?.missed == 2)
        #expect(
            late.first?.message.contains(
                "for the fire due 2026-12-10T01:00:00Z succeeded (2 earlier fires missed while the scheduler was not running: run once for all)"
            ) == true)

        let runs = try workspace.store.runs()
        #expect(runs.map(\.trigger) == ["schedule", "schedule"])
        #expect(runs.map(\.workflow) == ["nightly", "nightly"])
        #expect(try ScheduleService(workspace: workspace, environment: clock.environment).list().first?.lastRun == runs.first?.id)
    }

    @Test func aPausedScheduleStartsNothingAndResumingDoesNotMakeUpWhatFellDue() throws {
        let workspace = try Self.scheduledWorkspace("scheduler-pause")
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        let service = ScheduleService(workspace: workspace, environment: clock.environment)
        try scheduler.tick()

        let paused = try service.pause("nightly", reason: "supplier late")
        #expect(paused.paused && paused.nextFire == nil && paused.changedBy == "ann")
        let again = try #require(throws: EngineError.self) { try service.pause("nightly") }
        #expect(again.code == .refused)
        #expect(again.message.hasPrefix("the schedule of nightly is paused already (by ann at 2026-12-06T17:00:00Z)"))

        clock.set("2026-12-09T12:00:00Z")
        #expect(try scheduler.tick().isEmpty)
        #expect(try workspace.store.runs().isEmpty)

        let resumed = try service.resume("nightly")
        #expect(resumed.nextFire == Clock.instant("2026-12-10T01:00:00Z"))
        #expect(try scheduler.tick().isEmpty)  // three nights fell due while paused: none is made up
        clock.set("2026-12-10T01:00:00Z")
        #expect(try scheduler.tick().map(\.kind) == [.started])

        let audit = try workspace.store.auditEntries(LakeStore.AuditFilter(target: "nightly")).filter { $0.action.hasPrefix("schedule.") }
        #expect(audit.map(\.action).sorted() == ["schedule.pause", "schedule.resume"])
        #expect(audit.first { $0.action == "schedule.pause" }?.reason == "supplier late")
        #expect(audit.allSatisfy { $0.actor == "ann" })
    }

    @Test func aPauseStatusInTheFileHoldsUntilResumed() throws {
        let workspace = try Self.scheduledWorkspace(
            "scheduler-file-paused", schedule: #"{"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC", "pause_status": "PAUSED"}"#
        )
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        try scheduler.tick()
        clock.set("2026-12-08T17:00:00Z")
        #expect(try scheduler.tick().isEmpty)
        let service = ScheduleService(workspace: workspace, environment: clock.environment)
        #expect(try service.list().map(\.paused) == [true])
        try service.resume("nightly")
        clock.set("2026-12-09T02:00:00Z")
        #expect(try scheduler.tick().map(\.kind) == [.started])
    }

    @Test func aDueRunWaitsWhileAnotherRunHoldsTheLake() throws {
        let workspace = try Self.scheduledWorkspace("scheduler-busy")
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        try scheduler.tick()
        clock.set("2026-12-07T01:00:00Z")
        let lock = try RunLock.acquire(
            in: workspace.lakeFolder, for: RunLock.Holder(workflow: "customer_pipeline", actor: "bob", trigger: "cli", startedAt: "now"))
        let busy = try scheduler.tick()
        #expect(busy.map(\.kind) == [.busy])
        #expect(busy.first?.message.contains("trying again at the next look") == true)
        lock.release()
        #expect(try scheduler.tick().map(\.kind) == [.started])
    }

    @Test func aScheduleIsCheckedWithTheLineOfEachProblem() throws {
        let json = """
            {"name": "p",
             "schedule": {"quartz_cron_expression": "0 0 2 * * *", "timezone_id": "Mars/Olympus", "pause_status": "OFF"},
             "tasks": [{"task_key": "g", "cdp_task": {"step": "gold"}}]}
            """
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(json.utf8), file: "w.json", sources: [])
        }
        #expect(error.details == [#"w.json:2:103: schedule.pause_status: 'OFF' is not a pause status (PAUSED or UNPAUSED)"#])
        let fixed = json.replacingOccurrences(of: #""pause_status": "OFF""#, with: #""pause_status": "PAUSED""#)
        let plan = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(fixed.utf8), file: "w.json", sources: [])
        }
        #expect(
            plan.details == [
                "w.json:2:15: schedule.quartz_cron_expression: '0 0 2 * * *' is not a Quartz cron expression: day-of-week: day-of-month ('*') and day-of-week ('*') are both given; write ? in one of them, as Quartz requires (e.g. \"0 0 2 * * ?\")",
                "w.json:2:56: schedule.timezone_id: 'Mars/Olympus' is not a time zone; use an IANA name such as Europe/Madrid, America/New_York or UTC",
            ])
    }
}
