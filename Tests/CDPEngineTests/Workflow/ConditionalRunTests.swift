import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Condition tasks, `run_if` and job parameters in real runs on a small workspace.
@Suite struct ConditionalRunTests {
    /// Four customers, one with a bad e-mail: 25% of the rows read go to quarantine.
    static func workspace(_ name: String, workflow: String) throws -> Workspace {
        let workspace = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules,
            files: [
                "customers.csv": """
                id,first,last,email,born
                1,Ann,Lee,ann@example.com,1980-01-02
                2,Bob,Stone,bob at example.com,1975-05-06
                3,Cy,Moss,cy@example.com,1970-01-01
                4,Di,Ray,di@example.com,1971-01-01

                """
            ])
        try workflow.write(to: workspace.workflowFile("gated"), atomically: true, encoding: .utf8)
        return workspace
    }

    /// Quarantine rate above the limit → the alert branch runs and the scorecard is skipped; below → the other way.
    static let gated = """
        {"name": "gated", "parameters": [{"name": "max_quarantine_pct", "default": "5"}],
         "tasks": [
          {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
          {"task_key": "too_much_quarantine", "depends_on": [{"task_key": "ingest"}],
           "condition_task": {"op": "GREATER_THAN", "left": "{{tasks.ingest.values.quarantine_rate}}", "right": "{{job.parameters.max_quarantine_pct}}"}},
          {"task_key": "recheck", "depends_on": [{"task_key": "too_much_quarantine", "outcome": "true"}], "cdp_task": {"step": "revalidate"}},
          {"task_key": "scorecard", "depends_on": [{"task_key": "too_much_quarantine", "outcome": "false"}], "cdp_task": {"step": "scorecard"}}
         ]}
        """

    static func states(_ run: RunSummary) -> [String: TaskState] {
        Dictionary(uniqueKeysWithValues: run.tasks.map { ($0.key.rawValue, $0.state) })
    }

    @Test func aConditionOnTheQuarantineRateChoosesTheBranchAndTheRunSucceeds() throws {
        let workspace = try Self.workspace("condition-true", workflow: Self.gated)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "gated"))
        #expect(run.state == .succeeded)
        #expect(
            Self.states(run) == ["ingest": .succeeded, "too_much_quarantine": .succeeded, "recheck": .succeeded, "scorecard": .skipped])
        #expect(run.tasks.first { $0.key == "too_much_quarantine" }?.counts == ["outcome": 1])
        let events = try workspace.store.events(of: run.id, limit: 100).map(\.message)
        #expect(events.contains("too_much_quarantine: 25.00 > 5 is true"))
        #expect(events.contains("skipped: too_much_quarantine took the true branch"))
    }

    @Test func aParameterGivenForTheRunChangesTheBranch() throws {
        let workspace = try Self.workspace("condition-false", workflow: Self.gated)
        let plan = try workspace.workflow(named: "gated", parameters: ["max_quarantine_pct": "50"])
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(plan)
        #expect(run.state == .succeeded)
        #expect(
            Self.states(run) == ["ingest": .succeeded, "too_much_quarantine": .succeeded, "recheck": .skipped, "scorecard": .succeeded])
        let refused = try #require(throws: EngineError.self) { try workspace.workflow(named: "gated", parameters: ["max_pct": "1"]) }
        #expect(
            refused.details.first?.contains("parameters: 'max_pct' is not a parameter of this workflow (parameters: max_quarantine_pct)")
                == true)
    }

    /// A condition that cannot find its value fails; each `run_if` then decides for the tasks after it.
    @Test func everyRunIfDecidesByHowItsDependenciesEnded() throws {
        let workflow = """
            {"name": "gated", "tasks": [
              {"task_key": "a", "cdp_task": {"step": "ingest", "source": "crm"}},
              {"task_key": "broken", "depends_on": [{"task_key": "a"}],
               "condition_task": {"op": "EQUAL_TO", "left": "{{tasks.a.values.no_such_value}}", "right": "1"}},
              {"task_key": "all_success", "depends_on": [{"task_key": "a"}, {"task_key": "broken"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "one_success", "run_if": "AT_LEAST_ONE_SUCCESS", "depends_on": [{"task_key": "a"}, {"task_key": "broken"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "none_failed", "run_if": "NONE_FAILED", "depends_on": [{"task_key": "a"}, {"task_key": "broken"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "all_done", "run_if": "ALL_DONE", "depends_on": [{"task_key": "a"}, {"task_key": "broken"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "one_failed", "run_if": "AT_LEAST_ONE_FAILED", "depends_on": [{"task_key": "a"}, {"task_key": "broken"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "all_failed", "run_if": "ALL_FAILED", "depends_on": [{"task_key": "a"}, {"task_key": "broken"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "only_failed", "run_if": "ALL_FAILED", "depends_on": [{"task_key": "broken"}], "cdp_task": {"step": "revalidate"}}
            ]}
            """
        let workspace = try Self.workspace("run-if", workflow: workflow)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "gated"))
        #expect(
            Self.states(run) == [
                "a": .succeeded, "broken": .failed, "all_success": .skipped, "one_success": .succeeded, "none_failed": .skipped,
                "all_done": .succeeded, "one_failed": .succeeded, "all_failed": .skipped, "only_failed": .succeeded,
            ])
        #expect(run.state == .failed)
        #expect(run.error == "3 of 9 tasks did not succeed: broken, all_success, none_failed")
        let broken = try #require(run.tasks.first { $0.key == "broken" })
        #expect(
            broken.error?.hasPrefix(
                "{{tasks.a.values.no_such_value}}: task a has no value 'no_such_value' (values: files_already_landed, files_landed, quarantine_rate,"
            ) == true)
        let events = try workspace.store.events(of: run.id, limit: 100).map(\.message)
        #expect(events.contains("skipped: broken did not succeed"))
        #expect(events.contains("skipped: run_if NONE_FAILED is not met (a succeeded, broken failed)"))
        #expect(events.contains("skipped: run_if ALL_FAILED is not met (a succeeded, broken failed)"))
    }
}
