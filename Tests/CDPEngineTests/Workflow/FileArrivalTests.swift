import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// `"trigger": {"file_arrival": …}`: the scheduler starts a run when new files have settled in a watched
/// folder. The looks are walked on an injected clock; only the files are real.
@Suite struct FileArrivalTests {
    typealias Clock = SchedulerTests.Clock

    static let customers = "id,first,last,email,born\n1,Ann,Lee,ann@example.com,1980-01-02\n"

    /// A workspace whose `arrivals` workflow (ingest, revalidate, scorecard) is started by files in `inbox/`.
    static func watchedWorkspace(_ name: String, trigger: String? = nil, files: [String: String] = ["customers.csv": customers]) throws
        -> Workspace
    {
        let workspace = try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: files)
        let given =
            trigger
            ?? #"{"file_arrival": {"url": "inbox/", "min_time_between_triggers_seconds": 60, "wait_after_last_change_seconds": 30}}"#
        try """
        {"name": "arrivals", "trigger": \(given),
         "tasks": [
           {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
           {"task_key": "revalidate", "depends_on": [{"task_key": "ingest"}], "cdp_task": {"step": "revalidate"}},
           {"task_key": "scorecard", "depends_on": [{"task_key": "revalidate"}], "cdp_task": {"step": "scorecard"}}]}
        """.write(to: workspace.workflowFile("arrivals"), atomically: true, encoding: .utf8)
        return workspace
    }

    static func drop(_ file: String, _ text: String, in workspace: Workspace) throws {
        try Data(text.utf8).write(to: workspace.root.appendingPathComponent("inbox/\(file)"))
    }

    @Test func aSettledNewFileStartsOneRunAndNeverAgain() throws {
        let workspace = try Self.watchedWorkspace("arrival-settled")
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)

        let first = try scheduler.tick()
        #expect(first.map(\.kind) == [.watching])
        #expect(first.first?.message == "watching inbox/ for new files (a file counts once unchanged for 30 s; at most one run every 60 s)")
        clock.set("2026-12-06T17:00:29Z")
        #expect(try scheduler.tick().isEmpty)  // not settled yet
        #expect(try workspace.store.runs().isEmpty)

        clock.set("2026-12-06T17:00:30Z")
        let started = try scheduler.tick()
        #expect(started.map(\.kind) == [.started])
        #expect(started.first?.state == .succeeded)
        #expect(started.first?.message.hasSuffix("for 1 new file in inbox/ (inbox/customers.csv) succeeded") == true)
        #expect(try workspace.store.batches().map(\.fileName) == ["inbox/customers.csv"])

        clock.set("2026-12-06T18:00:00Z")
        #expect(try scheduler.tick().isEmpty)  // the same file never starts another run

        // A second file starts a second run once it has settled; the run's audit row names it.
        try Self.drop("customers_2.csv", "id,first,last,email,born\n2,Bob,Ray,bob@example.com,1970-03-04\n", in: workspace)
        #expect(try scheduler.tick().isEmpty)
        clock.set("2026-12-06T18:00:31Z")
        #expect(try scheduler.tick().map(\.kind) == [.started])

        let runs = try workspace.store.runs()
        #expect(runs.map(\.trigger) == ["file_arrival", "file_arrival"])
        let audit = try workspace.store.auditEntries(LakeStore.AuditFilter()).filter { $0.action == "run.start" }
        #expect(audit.compactMap(\.reason).sorted() == ["file arrival: inbox/customers.csv", "file arrival: inbox/customers_2.csv"])
        #expect(audit.allSatisfy { $0.actor == "ann" })
    }

    @Test func aFileTheLakeHoldsAlreadyStartsNothing() throws {
        let workspace = try Self.watchedWorkspace("arrival-ingested")
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        try scheduler.tick()
        // Someone runs the pipeline by hand before the file settles: it is ingested, so it starts nothing.
        try WorkflowRunner(workspace: workspace, environment: clock.environment).run(try workspace.workflow(named: "arrivals"))
        clock.set("2026-12-06T17:01:00Z")
        #expect(try scheduler.tick().isEmpty)
        // A copy of an ingested file under another name holds nothing new either.
        try Self.drop("customers_copy.csv", Self.customers, in: workspace)
        try scheduler.tick()
        clock.set("2026-12-06T17:05:00Z")
        #expect(try scheduler.tick().isEmpty)
        #expect(try workspace.store.runs().map(\.trigger) == ["cli"])
        // Hidden files (a partial upload) and folders are not files to watch.
        try Self.drop(".customers_3.csv.part", "id,first", in: workspace)
        try FileManager.default.createDirectory(
            at: workspace.root.appendingPathComponent("inbox/archive"), withIntermediateDirectories: true)
        clock.set("2026-12-06T17:10:00Z")
        try scheduler.tick()
        clock.set("2026-12-06T17:15:00Z")
        #expect(try scheduler.tick().isEmpty)
    }

    @Test func aGrowingFileWaitsUntilItStopsChangingAndRunsKeepTheirMinimumGap() throws {
        let workspace = try Self.watchedWorkspace("arrival-growing", files: [:])
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        #expect(try scheduler.tick().map(\.kind) == [.watching])

        try Self.drop("customers.csv", "id,first,last,email,born\n", in: workspace)
        try scheduler.tick()
        clock.set("2026-12-06T17:00:20Z")
        try Self.drop("customers.csv", Self.customers, in: workspace)  // still being written
        #expect(try scheduler.tick().isEmpty)
        clock.set("2026-12-06T17:00:45Z")
        #expect(try scheduler.tick().isEmpty)  // 25 s since it last changed
        #expect(scheduler.nextFire() == Clock.instant("2026-12-06T17:00:50Z"))
        clock.set("2026-12-06T17:00:50Z")
        #expect(try scheduler.tick().map(\.kind) == [.started])

        // A file settled 40 s after that run waits for the 60 s between runs.
        try Self.drop("customers_2.csv", "id,first,last,email,born\n2,Bob,Ray,bob@example.com,1970-03-04\n", in: workspace)
        clock.set("2026-12-06T17:00:55Z")
        try scheduler.tick()
        clock.set("2026-12-06T17:01:30Z")
        #expect(try scheduler.tick().isEmpty)
        #expect(scheduler.nextFire() == Clock.instant("2026-12-06T17:01:50Z"))
        clock.set("2026-12-06T17:01:50Z")
        let second = try scheduler.tick()
        #expect(second.map(\.kind) == [.started])
        #expect(try workspace.store.batches().map(\.fileName) == ["inbox/customers.csv", "inbox/customers_2.csv"])
    }

    /// `cdp schedule list` and the Runs screen read the trigger as ``ScheduleService`` lists it: folder, last
    /// file seen, next check, last run; pausing and resuming it is audited like a schedule's.
    @Test func aTriggerIsListedBesideSchedulesAndPausesAndResumesLikeOne() throws {
        let workspace = try Self.watchedWorkspace("arrival-listed")
        try """
        {"name": "nightly", "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"},
         "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}
        """.write(to: workspace.workflowFile("nightly"), atomically: true, encoding: .utf8)
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        let service = ScheduleService(workspace: workspace, environment: clock.environment)
        try scheduler.tick()

        let listed = try service.list()
        #expect(listed.map(\.workflow) == ["arrivals", "nightly"])
        #expect(listed.map(\.what) == ["file arrival inbox/", "0 0 2 * * ?"])
        let waiting = try #require(listed.first)
        #expect(waiting.trigger == .fileArrival(folder: "inbox") && !waiting.paused)
        #expect(waiting.lastFile == "inbox/customers.csv" && waiting.lastFileSeen == Clock.instant("2026-12-06T17:00:00Z"))
        #expect(waiting.nextFire == Clock.instant("2026-12-06T17:00:30Z"))  // when the file has settled
        #expect(waiting.lastRun == nil && waiting.lastFire == nil)

        let paused = try service.pause("arrivals", reason: "supplier sends a bad file")
        #expect(paused.paused && paused.nextFire == nil && paused.changedBy == "ann")
        let again = try #require(throws: EngineError.self) { try service.pause("arrivals") }
        #expect(again.code == .refused)
        #expect(again.message.hasPrefix("the file arrival trigger of arrivals is paused already (by ann at 2026-12-06T17:00:00Z)"))
        clock.set("2026-12-06T18:00:00Z")
        #expect(try scheduler.tick().isEmpty)  // settled, but paused
        #expect(try workspace.store.runs().isEmpty)

        // Resumed, the file that arrived meanwhile starts a run at the next look.
        let resumed = try service.resume("arrivals")
        #expect(!resumed.paused && resumed.nextFire == Clock.instant("2026-12-06T17:00:30Z"))
        let started = try scheduler.tick()
        #expect(started.map(\.kind) == [.started])
        let ran = try #require(try service.list().first)
        #expect(ran.lastRun == started.first?.run && ran.lastFire == Clock.instant("2026-12-06T18:00:00Z"))
        #expect(ran.nextFire == nil && ran.lastFile == "inbox/customers.csv")

        let audit = try workspace.store.auditEntries(LakeStore.AuditFilter(target: "arrivals")).filter { $0.action.hasPrefix("schedule.") }
        #expect(audit.map(\.action).sorted() == ["schedule.pause", "schedule.resume"])
        #expect(audit.first { $0.action == "schedule.pause" }?.reason == "supplier sends a bad file")
        #expect(audit.first { $0.action == "schedule.pause" }.map { [$0.before, $0.after] } == ["UNPAUSED", "PAUSED"])
    }

    @Test func aPausedTriggerStartsNothingUntilItsFileSaysUnpaused() throws {
        let paused = #"{"pause_status": "PAUSED", "file_arrival": {"url": "inbox"}}"#
        let workspace = try Self.watchedWorkspace("arrival-paused", trigger: paused)
        let clock = Clock("2026-12-06T17:00:00Z")
        let scheduler = Scheduler(workspace: workspace, environment: clock.environment)
        try scheduler.tick()
        clock.set("2026-12-06T18:00:00Z")
        #expect(try scheduler.tick().isEmpty)
        #expect(scheduler.nextFire() == nil)
        let file = try workspace.workflowFile("arrivals")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "PAUSED", with: "UNPAUSED")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(try scheduler.tick().map(\.kind) == [.started])
    }

    @Test func aTriggerIsCheckedWithTheLineOfEachProblem() throws {
        let json = """
            {"name": "p",
             "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"},
             "trigger": {"periodic": {"interval": 1}, "file_arrival": {"url": "../elsewhere", "wait_after_last_change_seconds": -1}},
             "tasks": [{"task_key": "g", "cdp_task": {"step": "gold"}}]}
            """
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(json.utf8), file: "w.json", sources: [])
        }
        #expect(
            error.details == [
                "w.json:3:117: trigger.file_arrival.wait_after_last_change_seconds: -1 is out of range (0 to 2147483647 seconds)"
            ])
        let fixed = json.replacingOccurrences(of: "-1", with: "30")
        let plan = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(fixed.utf8), file: "w.json", sources: [])
        }
        #expect(
            plan.details == [
                "w.json:3:2: trigger: a workflow has a schedule or a trigger, not both (as in Databricks); keep one, or split it into two workflows",
                "w.json:3:60: trigger.file_arrival.url: '../elsewhere' must name a folder inside the workspace without '.' or '..', such as inbox/marketing/",
            ])
        let read = try ConfigurationLoader.workflow(
            jsonData: Data(
                fixed.replacingOccurrences(of: #""schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"},"#, with: "")
                    .replacingOccurrences(of: "../elsewhere", with: "inbox/marketing/").utf8),
            file: "w.json", sources: [])
        #expect(
            read.fileArrival
                == PlannedFileArrival(folder: "inbox/marketing", minTimeBetweenTriggers: 0, waitAfterLastChange: 30, pausedInFile: false))
        #expect(read.ignoredSettings.count == 1)
        #expect(read.ignoredSettings.first?.contains("trigger.periodic: ignored: cdp starts periodic runs with a schedule") == true)
    }
}

/// The scheduler's early wake: inotify on the watched folders, bounded waits on a temporary folder.
@Suite struct FolderWatcherTests {
    @Test func aFileArrivingEndsTheWaitAndNothingElseDoes() throws {
        let folder = EngineFixture.temporaryFolder("folder-watcher")
        let inbox = folder.appendingPathComponent("inbox/marketing")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let watcher = FolderWatcher()
        #if os(Linux)
            #expect(watcher.isActive)
        #endif
        guard watcher.isActive else { return }
        watcher.watch([folder.appendingPathComponent("inbox")])
        let quiet = Date()
        #expect(!watcher.wait(upTo: 0.2))
        #expect(Date().timeIntervalSince(quiet) >= 0.15)

        // A file in a subfolder wakes it (the event waits in the queue until the wait begins).
        try Data("{}\n".utf8).write(to: inbox.appendingPathComponent("contacts_2.jsonl"))
        let started = Date()
        #expect(watcher.wait(upTo: 10))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(!watcher.wait(upTo: 0.1))  // drained: the same arrival does not wake it twice
    }
}
