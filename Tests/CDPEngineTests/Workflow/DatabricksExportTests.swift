import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// `cdp workflow export --databricks`: a workflow as a Databricks job whose tasks run `cdp` from a wheel, read
/// back by the workflow reader as the same workflow.
@Suite struct DatabricksExportTests {
    static let workflow = """
        {"name": "nightly", "description": "the nightly pipeline", "timeout_seconds": 7200, "max_concurrent_runs": 1,
         "trigger": {"pause_status": "PAUSED",
                     "file_arrival": {"url": "inbox/", "min_time_between_triggers_seconds": 60, "wait_after_last_change_seconds": 30}},
         "parameters": [{"name": "limit", "default": "5"}, {"name": "crm", "default": "crm"}],
         "email_notifications": {"on_failure": ["ops@example.com"]},
         "health": {"rules": [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 600}]},
         "tasks": [
           {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "{{job.parameters.crm}}"}, "timeout_seconds": 900,
            "max_retries": 2, "min_retry_interval_millis": 1000},
           {"task_key": "gate", "depends_on": [{"task_key": "ingest"}],
            "condition_task": {"op": "GREATER_THAN", "left": "{{job.parameters.limit}}", "right": "3"}},
           {"task_key": "revalidate", "depends_on": [{"task_key": "gate", "outcome": "true"}], "cdp_task": {"step": "revalidate"}},
           {"task_key": "scorecard", "description": "pass rates", "depends_on": [{"task_key": "revalidate"}, {"task_key": "gate", "outcome": "false"}],
            "run_if": "AT_LEAST_ONE_SUCCESS", "cdp_task": {"step": "scorecard"}}
         ]}
        """

    static func workspace(_ name: String, workflow: String = Self.workflow) throws -> Workspace {
        let workspace = try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: [:])
        try workflow.write(to: workspace.workflowFile("nightly"), atomically: true, encoding: .utf8)
        return workspace
    }

    @Test func anExportedJobReadsBackAsTheSameWorkflow() throws {
        let workspace = try Self.workspace("export-round-trip")
        let text = try workspace.databricksJob("nightly", location: "/Volumes/main/cdp/acme/")
        let job = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        // The Databricks shape: a wheel task running cdp, the trigger under the workspace's location.
        let tasks = try #require(job["tasks"] as? [[String: Any]])
        let wheel = try #require(tasks.first?["python_wheel_task"] as? [String: Any])
        #expect(wheel["package_name"] as? String == "enterprise_cdp" && wheel["entry_point"] as? String == "cdp")
        #expect(
            wheel["parameters"] as? [String]
                == ["run", "--workspace", "{{job.parameters.cdp_workspace}}", "--step", "ingest", "--source", "{{job.parameters.crm}}"])
        #expect(tasks.allSatisfy { $0["cdp_task"] == nil })
        #expect(tasks[1]["condition_task"] as? [String: String] == ["op": "GREATER_THAN", "left": "{{job.parameters.limit}}", "right": "3"])
        let arrival = (job["trigger"] as? [String: Any])?["file_arrival"] as? [String: Any]
        #expect(arrival?["url"] as? String == "/Volumes/main/cdp/acme/inbox/")
        let parameters = try #require(job["parameters"] as? [[String: String]])
        #expect(parameters.first == ["name": "cdp_workspace", "default": "/Volumes/main/cdp/acme"])

        // Read back by the workflow reader: no setting ignored, and the same definition as the original.
        try text.write(to: workspace.workflowFile("exported"), atomically: true, encoding: .utf8)
        let plan = try workspace.workflow(named: "exported")
        #expect(plan.ignoredSettings.isEmpty, "\(plan.ignoredSettings)")
        let original = try JSONDecoder().decode(WorkflowDefinition.self, from: Data(contentsOf: workspace.workflowFile("nightly")))
        let readBack = try JSONDecoder().decode(WorkflowDefinition.self, from: Data(text.utf8))
        #expect(readBack == original)
        #expect(plan.workflow == (try workspace.workflow(named: "nightly")).workflow)
        #expect(plan.fileArrival?.folder == "inbox")
    }

    /// A wheel that is not cdp's stays a task cdp does not run.
    @Test func anotherWheelIsStillRefusedAsATaskCdpDoesNotRun() throws {
        let other = """
            {"name": "nightly", "tasks": [{"task_key": "t", "python_wheel_task": {"package_name": "other", "entry_point": "main", "parameters": []}}]}
            """
        let workspace = try Self.workspace("export-other-wheel", workflow: other)
        let error = try #require(throws: EngineError.self) { try workspace.workflow(named: "nightly") }
        #expect(error.description.contains("tasks[0].cdp_task: is missing: cdp does not run a python_wheel_task"), "\(error.description)")
    }

    @Test func whatHasNoDatabricksFormIsRefusedEveryCaseNamed() throws {
        let workflow = """
            {"name": "nightly", "webhook_notifications": {"on_failure": [{"url": "http://127.0.0.1:9/hook"}]},
             "tasks": [
               {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
               {"task_key": "gate", "depends_on": [{"task_key": "ingest"}],
                "condition_task": {"op": "GREATER_THAN", "left": "{{tasks.ingest.values.rows_read}}", "right": "5"}}
             ]}
            """
        let workspace = try Self.workspace("export-refused", workflow: workflow)
        let error = try #require(throws: EngineError.self) { try workspace.databricksJob("nightly", location: "/Volumes/main/cdp/acme") }
        #expect(error.code == .refused)
        #expect(error.message.hasSuffix("nightly.json cannot be exported as a Databricks job; nothing was written"))
        #expect(error.details.count == 2)
        #expect(error.details.contains { $0.hasPrefix("webhook_notifications.on_failure[0]: http://127.0.0.1:9/hook cannot be exported") })
        #expect(error.details.contains { $0.hasPrefix("tasks[1].condition_task.left: '{{tasks.ingest.values.rows_read}}' cannot be exported") })
    }

    /// `cdp run --step` (what each exported task runs) runs one step as a run of its own.
    @Test func aStepRunsAsAOneTaskWorkflow() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "export-step", rules: EngineFixture.standardRules, files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,ann@example.com,1980-01-02\n"])
        let plan = try workspace.stepWorkflow(StepInvocation(step: .ingest, source: "crm"))
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(plan)
        #expect(run.state == .succeeded && run.workflow == "step ingest_crm" && run.tasks.map(\.key) == ["ingest_crm"])
        #expect(try workspace.store.batches().count == 1)
        let unknown = try #require(throws: EngineError.self) { try workspace.stepWorkflow(StepInvocation(step: .ingest, source: "erp")) }
        #expect(unknown.code == .invalidConfiguration)
    }
}
