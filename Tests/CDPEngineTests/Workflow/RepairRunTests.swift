import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// `cdp runs repair`: the failed and skipped tasks of a run, and what depends on them, rerun in the same run
/// record; what succeeded keeps its result.
@Suite struct RepairRunTests {
    /// A gate whose value is misnamed fails, and both branches after it are skipped.
    static let broken = """
        {"name": "gated", "tasks": [
          {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
          {"task_key": "gate", "depends_on": [{"task_key": "ingest"}],
           "condition_task": {"op": "GREATER_THAN", "left": "{{tasks.ingest.values.quarantine_ratio}}", "right": "5"}},
          {"task_key": "recheck", "depends_on": [{"task_key": "gate", "outcome": "true"}], "cdp_task": {"step": "revalidate"}},
          {"task_key": "scorecard", "depends_on": [{"task_key": "gate", "outcome": "false"}], "cdp_task": {"step": "scorecard"}}
        ]}
        """

    @Test func aRepairRerunsWhatFailedAndWhatDependsOnItInTheSameRun() throws {
        let workspace = try ConditionalRunTests.workspace("repair", workflow: Self.broken)
        let runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        let failed = try runner.run(workspace.workflow(named: "gated"))
        #expect(failed.state == .failed)
        #expect(ConditionalRunTests.states(failed) == ["ingest": .succeeded, "gate": .failed, "recheck": .skipped, "scorecard": .skipped])
        let ingest = try #require(failed.tasks.first { $0.key == "ingest" })

        // Nothing to repair in a run that succeeded; a workflow whose tasks changed cannot repair an old run.
        let fixed = Self.broken.replacingOccurrences(of: "quarantine_ratio", with: "quarantine_rate")
        try fixed.replacingOccurrences(of: #""task_key": "recheck""#, with: #""task_key": "recheck2""#)
            .write(to: workspace.workflowFile("gated"), atomically: true, encoding: .utf8)
        let changed = try #require(throws: EngineError.self) { try runner.repair(failed.id) }
        #expect(changed.code == .refused)
        #expect(changed.message.hasPrefix("the workflow gated changed since run \(failed.id) (added recheck2; removed recheck)"))

        try fixed.write(to: workspace.workflowFile("gated"), atomically: true, encoding: .utf8)
        let repaired = try WorkflowRunner(workspace: workspace, environment: .fixed(at: 1_764_400_000, user: "bo")).repair(failed.id)
        #expect(repaired.id == failed.id)
        #expect(repaired.state == .succeeded)
        #expect(
            ConditionalRunTests.states(repaired) == [
                "ingest": .succeeded, "gate": .succeeded, "recheck": .succeeded, "scorecard": .skipped,
            ])
        // The ingest kept its result (not run again: it would have found nothing new), the gate used its values.
        #expect(repaired.tasks.first { $0.key == "ingest" } == ingest)
        #expect(try workspace.store.runs().count == 1)
        let events = try workspace.store.events(of: failed.id, limit: 200).map(\.message)
        #expect(events.contains("run \(failed.id) repaired by bo: rerunning gate, recheck, scorecard"))
        #expect(events.contains("gate: 25.00 > 5 is true"))
        let audit = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "run.repair"))
        #expect(audit.map(\.actor) == ["bo"])
        #expect(
            audit.first?.target == failed.id.description && audit.first?.before == "failed"
                && audit.first?.after == "gate,recheck,scorecard")

        let again = try #require(throws: EngineError.self) { try runner.repair(failed.id) }
        #expect(again.code == .refused)
        #expect(again.message == "run \(failed.id) succeeded: there is nothing to repair")
        let unknown = try #require(throws: EngineError.self) { try runner.repair(RunID(99)) }
        #expect(unknown.code == .notFound)
    }

    /// `broken` with its gate's limit a job parameter (default 5), and `extra` parameters besides.
    static func withLimit(extra: String = "") -> String {
        broken.replacingOccurrences(of: #"{"name": "gated", "tasks""#, with: #"{"name": "gated", "parameters": [{"name": "limit", "default": "5"}\#(extra)], "tasks""#)
            .replacingOccurrences(of: #""right": "5""#, with: #""right": "{{job.parameters.limit}}""#)
    }

    @Test func aRepairRerunsWithTheParametersTheRunWasStartedWith() throws {
        let gated = Self.withLimit()
        let workspace = try ConditionalRunTests.workspace("repair-parameters", workflow: gated)
        let runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        let failed = try runner.run(workspace.workflow(named: "gated", parameters: ["limit": "50"]))
        #expect(failed.state == .failed)
        #expect(try workspace.store.run(failed.id)?.parameters == ["limit": "50"])

        // Repaired without parameters, the gate compares with the run's 50, not the default 5: 25 > 50 is false.
        try gated.replacingOccurrences(of: "quarantine_ratio", with: "quarantine_rate")
            .write(to: workspace.workflowFile("gated"), atomically: true, encoding: .utf8)
        let repaired = try runner.repair(failed.id)
        #expect(repaired.state == .succeeded)
        #expect(ConditionalRunTests.states(repaired)["scorecard"] == .succeeded)
        #expect(ConditionalRunTests.states(repaired)["recheck"] == .skipped)
        #expect(try workspace.store.events(of: failed.id, limit: 200).map(\.message).contains("gate: 25.00 > 50 is false"))
        #expect(repaired.parameters == ["limit": "50"])
    }

    @Test func aParameterGivenToTheRepairOverridesTheRunsAndIsKept() throws {
        let gated = Self.withLimit(extra: #", {"name": "unused", "default": "x"}"#)
        let workspace = try ConditionalRunTests.workspace("repair-parameters-given", workflow: gated)
        let runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        let failed = try runner.run(workspace.workflow(named: "gated", parameters: ["limit": "50", "unused": "y"]))
        #expect(failed.parameters == ["limit": "50", "unused": "y"])
        // The workflow drops `unused` and is fixed; the repair gives limit=1: 25 > 1 is true.
        try gated.replacingOccurrences(of: "quarantine_ratio", with: "quarantine_rate")
            .replacingOccurrences(of: #", {"name": "unused", "default": "x"}"#, with: "")
            .write(to: workspace.workflowFile("gated"), atomically: true, encoding: .utf8)
        let repaired = try runner.repair(failed.id, parameters: ["limit": "1"])
        #expect(ConditionalRunTests.states(repaired)["recheck"] == .succeeded)
        #expect(try workspace.store.run(failed.id)?.parameters == ["limit": "1"])
    }
}
