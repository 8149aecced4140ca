import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// A job exported from Databricks (clusters, notebook tasks, notifications, tags) is read: what cdp does not
/// run is listed as ignored, each at its file, line and column, and the tasks with a `cdp_task` are planned.
@Suite struct DatabricksJobReadingTests {
    static let export = """
        {
          "name": "nightly",
          "tags": {"team": "crm"},
          "job_clusters": [{"job_cluster_key": "small", "new_cluster": {"spark_version": "15.4.x-scala2.12"}}],
          "email_notifications": {"on_failure": ["ops@example.com"], "no_alert_for_skipped_runs": true},
          "format": "MULTI_TASK",
          "tasks": [
            {"task_key": "ingest", "job_cluster_key": "small",
             "notebook_task": {"notebook_path": "/Repos/crm/ingest"},
             "cdp_task": {"step": "ingest", "source": "crm"}, "libraries": [{"pypi": {"package": "x"}}]},
            {"task_key": "gold", "depends_on": [{"task_key": "ingest"}],
             "cdp_task": {"step": "gold"}, "owner_note": "ask Ann"}
          ],
          "x_custom": 1
        }
        """

    @Test func aDatabricksExportIsReadWithWhatCdpDoesNotRunListedAsIgnored() throws {
        let plan = try ConfigurationLoader.workflow(jsonData: Data(Self.export.utf8), file: "w.json", sources: ["crm"])
        #expect(plan.orderedTasks.map(\.taskKey) == ["ingest", "gold"])
        #expect(
            plan.ignoredSettings.map { String($0.prefix(while: { $0 != " " })) } == [
                "w.json:3:3:", "w.json:4:3:", "w.json:5:62:", "w.json:6:3:",
                "w.json:8:28:", "w.json:9:6:", "w.json:10:55:",
                "w.json:12:36:", "w.json:14:3:",
            ])
        #expect(plan.ignoredSettings[0] == "w.json:3:3: tags: ignored: \(DatabricksJobSettings.workspace)")
        #expect(plan.ignoredSettings[2].hasPrefix("w.json:5:62: email_notifications.no_alert_for_skipped_runs: ignored:"))
        #expect(plan.workflow.emailNotifications?.onFailure == ["ops@example.com"])
        #expect(plan.ignoredSettings[4] == "w.json:8:28: tasks[0].job_cluster_key: ignored: \(DatabricksJobSettings.compute)")
        #expect(
            plan.ignoredSettings[5]
                == "w.json:9:6: tasks[0].notebook_task: ignored: cdp does not run a notebook_task; it runs the task's cdp_task")
        #expect(
            plan.ignoredSettings[7].hasPrefix(
                "w.json:12:36: tasks[1].owner_note: ignored: neither cdp nor the Databricks Jobs API has this setting"))
        #expect(plan.ignoredSettings[8].hasPrefix("w.json:14:3: x_custom: ignored: neither cdp nor"))
    }

    @Test func aTaskCdpCannotRunIsRefusedSayingWhatToAdd() throws {
        let json = """
            {"name": "p", "tasks": [
              {"task_key": "a", "notebook_task": {"notebook_path": "/x"}}
            ]}
            """
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(json.utf8), file: "w.json", sources: [])
        }
        let steps = StepKind.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(
            error.details == [
                "w.json:2:3: tasks[0].cdp_task: is missing: cdp does not run a notebook_task; give the task a cdp_task (steps: \(steps)) or a condition_task, or remove it"
            ])
    }

    @Test(arguments: [
        ("timout_seconds", "tasks[0].timout_seconds"), ("max_retrys", "tasks[0].max_retrys"), ("dependson", "tasks[0].dependson"),
    ])
    func aNearMissOfASettingCdpRunsIsStillAProblem(_ key: String, _ path: String) throws {
        let json = #"{"name": "p", "tasks": [{"task_key": "a", "cdp_task": {"step": "gold"}, "\#(key)": 5}]}"#
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(json.utf8), file: "w.json", sources: [])
        }
        #expect(error.details.count == 1)
        #expect(error.details.first?.contains("\(path): is not a known setting") == true, "\(error.details)")
    }

    @Test func checkReportsTheIgnoredSettingsOfEveryWorkflow() throws {
        let folder = EngineFixture.temporaryFolder("databricks-check")
        try WorkspaceInitializer.initialize(at: folder.path)
        let file = folder.appendingPathComponent("workflows/exported.json")
        try #"{"name": "e", "tags": {}, "tasks": [{"task_key": "g", "cdp_task": {"step": "gold"}}]}"#.write(
            to: file, atomically: true, encoding: .utf8)
        let report = try Workspace.checkConfiguration(at: folder.path)
        #expect(report.files.contains("workflows/exported.json"))
        #expect(report.ignoredSettings == ["\(file.path):1:15: tags: ignored: \(DatabricksJobSettings.workspace)"])
    }
}
