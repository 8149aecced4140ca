import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPEngine
@testable import CDPStore

/// `timeout_seconds` stops every kind of step, not only ingest, and skips what depends on it.
struct StepTimeoutTests {
    /// A clock that moves a second on every reading: any task with a timeout runs past it at its next check.
    static func hurriedClock() -> Environment {
        let seconds = LockedBox(1_764_300_000.0)
        return Environment(now: {
            seconds.value += 1
            return seconds.value
        }, user: "ann")
    }

    static let steps = ["ingest", "revalidate", "scorecard", "match", "gold"]

    /// The steps in a chain, each depending on the one before; `task` has a timeout of one second.
    static func pipeline(timeoutOn task: String) -> String {
        let tasks = steps.enumerated().map { index, key in
            let step = key == "ingest" ? #"{"step": "ingest", "source": "crm"}"# : #"{"step": "\#(key)"}"#
            let depends = index == 0 ? "" : #", "depends_on": [{"task_key": "\#(steps[index - 1])"}]"#
            let timeout = key == task ? #", "timeout_seconds": 1"# : ""
            return #"{"task_key": "\#(key)"\#(depends)\#(timeout), "cdp_task": \#(step)}"#
        }
        return #"{"name": "p", "tasks": [\#(tasks.joined(separator: ", "))]}"#
    }

    /// What each step writes: nothing of it is kept when it is stopped.
    static let written = [
        "scorecard": "SELECT COUNT(*) FROM dq_scorecard", "match": "SELECT COUNT(*) FROM golden_record",
        "gold": "SELECT COUNT(*) FROM customer_360",
    ]

    @Test(arguments: ["revalidate", "scorecard", "match", "gold"])
    func aStepPastItsTimeoutIsStoppedAndItsDependantsSkipped(task: String) throws {
        let workspace = try EngineFixture.customerWorkspace(
            "timeout-\(task)", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,ann@x.io,1980-01-02\nC2,Bo,Ng,bad,1990-03-04\n"])
        try Self.pipeline(timeoutOn: task).write(to: workspace.workflowFile("customer_pipeline"), atomically: true, encoding: .utf8)
        let run = try WorkflowRunner(workspace: workspace, environment: Self.hurriedClock()).run(workspace.workflow())
        #expect(run.state == .failed)
        let position = try #require(Self.steps.firstIndex(of: task))
        #expect(run.tasks.map(\.key.rawValue) == Self.steps)
        #expect(run.tasks[..<position].allSatisfy { $0.state == .succeeded })
        #expect(run.tasks[position].state == .timedOut)
        #expect(run.tasks[position].error?.hasPrefix("task \(task) exceeded its timeout_seconds (1 s)") == true)
        #expect(run.tasks[(position + 1)...].allSatisfy { $0.state == .skipped })
        if let sql = Self.written[task] {
            #expect(try Self.count(sql, workspace) == 0)
        }
    }

    @Test func theWorkflowsTimeoutStopsTheTaskRunningAndSaysSo() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "timeout-workflow", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,ann@x.io,1980-01-02\n"])
        let text = Self.pipeline(timeoutOn: "none").replacingOccurrences(of: #"{"name": "p","#, with: #"{"name": "p", "timeout_seconds": 1,"#)
        try text.write(to: workspace.workflowFile("customer_pipeline"), atomically: true, encoding: .utf8)
        let run = try WorkflowRunner(workspace: workspace, environment: Self.hurriedClock()).run(workspace.workflow())
        #expect(run.state == .failed)
        #expect(run.tasks[0].state == .timedOut)
        #expect(run.tasks[0].error?.hasPrefix("the run exceeded the workflow's timeout_seconds (1 s)") == true)
        #expect(run.tasks.dropFirst().allSatisfy { $0.state == .skipped })
    }

    static func count(_ sql: String, _ workspace: Workspace) throws -> Int {
        try workspace.store.read("count") { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test func aGoldRebuildPastItsTimeoutIsStoppedKeepingTheOldLayer() throws {
        let workspace = try EngineFixture.sampleWorkspace("timeout-gold")
        try EngineFixture.run(workspace)
        let sql = "SELECT COUNT(*) + CAST(SUM(lifetime_value) AS INTEGER) + SUM(sent) FROM customer_360"
        let before = try Self.count(sql, workspace)
        #expect(before > 0)
        let service = Customer360Service(workspace: workspace, environment: EngineFixture.clock)
        let asked = LockedBox(0)
        #expect {
            try service.rebuildGold(run: nil, shouldStop: {
                asked.value += 1
                return asked.value > 2 ? EngineError(.runFailed, "task gold exceeded its timeout_seconds (1 s)") : nil
            })
        } throws: { error in
            (error as? EngineError)?.message == "task gold exceeded its timeout_seconds (1 s); the gold layer was left as it was"
        }
        // Stopped inside the rebuild (asked more than at its start), and nothing of it was kept.
        #expect(asked.value > 2)
        #expect(try Self.count(sql, workspace) == before)
    }
}
