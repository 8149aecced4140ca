import Foundation
import Testing

/// The workflow commands as a user runs them.
@Suite struct WorkflowCLITests {
    /// A Databricks job's settings cdp does not run are warnings on stderr, and the check passes.
    @Test func checkWarnsOfIgnoredDatabricksSettingsAndPasses() throws {
        let folder = CLI.temporaryFolder("databricks-check")
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let workflow = folder.appendingPathComponent("workflows/customer_pipeline.json")
        let text = try String(contentsOf: workflow, encoding: .utf8)
        try text.replacingOccurrences(of: #""timeout_seconds": 3600,"#, with: #""timeout_seconds": 3600, "job_clusters": [],"#)
            .write(to: workflow, atomically: true, encoding: .utf8)
        let check = try CLI.run(["check", "--workspace", folder.path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(
            check.stderr
                == "cdp: warning: \(workflow.path):4:28: job_clusters: ignored: Databricks compute; cdp runs every task in its own process on this machine\n"
        )
        #expect(check.stdout.hasPrefix("configuration ok:"))
    }

    /// `cdp schedule list/pause/resume` and one look of `cdp scheduler`, as a user runs them.
    @Test func scheduleCommandsListPauseResumeAndTheSchedulerWatches() throws {
        let folder = CLI.temporaryFolder("schedule")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let none = try CLI.run(["schedule", "list"] + ws)
        #expect(none.status == 0 && none.stdout.hasPrefix("no workflow has a schedule"), "\(none.stderr)")
        try """
        {"name": "nightly", "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "Europe/Madrid"},
         "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}
        """.write(to: folder.appendingPathComponent("workflows/nightly.json"), atomically: true, encoding: .utf8)

        let list = try CLI.run(["schedule", "list"] + ws)
        #expect(list.status == 0, "\(list.stderr)")
        let row = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix("nightly") })
        #expect(row.contains("0 0 2 * * ?") && row.contains("Europe/Madrid") && row.contains("UNPAUSED") && row.contains(" 02:00 +0"))

        let look = try CLI.run(["scheduler", "--once"] + ws)
        #expect(look.status == 0, "\(look.stderr)")
        #expect(look.stdout.contains("scheduler started for"))
        #expect(look.stdout.contains("nightly: schedule 0 0 2 * * ? (Europe/Madrid) watched from now; next run"), "\(look.stdout)")

        let pause = try CLI.run(["schedule", "pause", "nightly", "--reason", "supplier late"] + ws)
        #expect(pause.status == 0, "\(pause.stderr)")
        #expect(pause.stdout.hasPrefix("paused the schedule of nightly"))
        let twice = try CLI.run(["schedule", "pause", "nightly"] + ws)
        #expect(twice.status == 8)
        #expect(twice.stderr.contains("the schedule of nightly is paused already"))
        let paused = try CLI.run(["schedule", "list"] + ws)
        #expect(paused.stdout.contains("PAUSED (by "), "\(paused.stdout)")
        let audit = try CLI.run(["audit", "--action", "schedule.pause"] + ws)
        #expect(audit.stdout.contains("nightly"), "\(audit.stdout)")
        let missing = try CLI.run(["schedule", "pause", "customer_pipeline"] + ws)
        #expect(missing.status == 7)
        #expect(missing.stderr.contains("workflow customer_pipeline has no schedule"))

        let resume = try CLI.run(["schedule", "resume", "nightly"] + ws)
        #expect(resume.status == 0 && resume.stdout.contains("next run"), "\(resume.stderr)")

        // A file arrival trigger is listed beside the schedule, with its folder and the last file it saw.
        try """
        {"name": "arrivals", "trigger": {"file_arrival": {"url": "inbox/marketing/", "wait_after_last_change_seconds": 3600}},
         "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}
        """.write(to: folder.appendingPathComponent("workflows/arrivals.json"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["scheduler", "--once"] + ws).stdout.contains("arrivals: watching inbox/marketing/ for new files"))
        let triggers = try CLI.run(["schedule", "list"] + ws)
        #expect(triggers.stdout.hasPrefix("workflow") && triggers.stdout.contains("last file seen"), "\(triggers.stdout)")
        let trigger = try #require(triggers.stdout.split(separator: "\n").first { $0.hasPrefix("arrivals") })
        #expect(trigger.contains("file arrival inbox/marketing/") && trigger.contains("UNPAUSED"), "\(trigger)")
        #expect(trigger.components(separatedBy: "inbox/marketing/").count == 3, "\(trigger)")  // the folder, and the last file seen
        let pauseTrigger = try CLI.run(["schedule", "pause", "arrivals"] + ws)
        #expect(pauseTrigger.stdout.hasPrefix("paused the file arrival trigger of arrivals (inbox/marketing/)"), "\(pauseTrigger.stderr)")
        let resumeTrigger = try CLI.run(["schedule", "resume", "arrivals"] + ws)
        #expect(resumeTrigger.stdout.hasPrefix("resumed the file arrival trigger of arrivals; files waiting: next check "), "\(resumeTrigger.stdout)")
        let trail = try CLI.run(["audit", "--action", "schedule.resume"] + ws)
        #expect(trail.stdout.contains("arrivals"), "\(trail.stdout)")
    }

    /// `cdp run --full` revalidates every held record; a plain run only what changed, saying why when it is all.
    @Test func runFullChecksEveryHeldRecord() throws {
        let folder = CLI.temporaryFolder("run-full")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        try #"{"name": "recheck", "tasks": [{"task_key": "revalidate", "cdp_task": {"step": "revalidate"}}]}"#
            .write(to: folder.appendingPathComponent("workflows/recheck.json"), atomically: true, encoding: .utf8)
        let first = try CLI.run(["run", "--workflow", "recheck"] + ws)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("revalidate: checking every held record: no earlier revalidation to start from"), "\(first.stderr)")
        let second = try CLI.run(["run", "--workflow", "recheck"] + ws)
        #expect(second.status == 0 && !second.stderr.contains("checking every held record"), "\(second.stderr)")
        let full = try CLI.run(["run", "--workflow", "recheck", "--full"] + ws)
        #expect(full.stderr.contains("revalidate: checking every held record: a full run (--full)"), "\(full.stderr)")
    }

    /// `cdp workflow export --databricks` writes the job; `cdp check` reads it back, and `cdp run --step` runs
    /// what one of its tasks runs.
    @Test func workflowExportWritesADatabricksJobThatChecks() throws {
        let folder = CLI.temporaryFolder("export")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let job = folder.appendingPathComponent("workflows/exported.json")
        let export = try CLI.run(["workflow", "export", "--databricks", job.path, "--location", "/Volumes/main/cdp/acme"] + ws)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("wrote the Databricks job customer_pipeline to \(job.path)"))
        let text = try String(contentsOf: job, encoding: .utf8)
        #expect(text.contains(#""python_wheel_task" : {"#) && !text.contains("cdp_task"), "\(text)")
        let check = try CLI.run(["check"] + ws)
        #expect(check.status == 0 && check.stderr.isEmpty, "\(check.stderr)")
        let step = try CLI.run(["run", "--step", "scorecard"] + ws)
        #expect(step.status == 0 && step.stdout.contains("run R1 step scorecard: succeeded"), "\(step.stdout)\(step.stderr)")
        let wrong = try CLI.run(["run", "--step", "gold", "--workflow", "exported"] + ws)
        #expect(wrong.status != 0 && wrong.stderr.contains("give --step or --workflow, not both"))

        try #"{"name": "hooks", "webhook_notifications": {"on_start": [{"url": "https://example.com/h"}]}, "tasks": [{"task_key": "s", "cdp_task": {"step": "scorecard"}}]}"#
            .write(to: folder.appendingPathComponent("workflows/hooks.json"), atomically: true, encoding: .utf8)
        let refused = try CLI.run(["workflow", "export", "--workflow", "hooks", "--databricks", "-", "--location", "/Volumes/x"] + ws)
        #expect(refused.status != 0 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("webhook_notifications.on_start[0]: https://example.com/h cannot be exported"), "\(refused.stderr)")
    }

    /// `cdp run --param` picks a condition's branch; `cdp runs repair` reruns what failed, in the same run.
    @Test func runWithAParameterAndRepairAFailedRun() throws {
        let folder = CLI.temporaryFolder("repair")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let workflow = folder.appendingPathComponent("workflows/gated.json")
        let broken = """
            {"name": "gated", "parameters": [{"name": "limit", "default": "5"}], "tasks": [
              {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "campaigns"}},
              {"task_key": "gate", "depends_on": [{"task_key": "ingest"}],
               "condition_task": {"op": "GREATER_THAN", "left": "{{tasks.ingest.values.rows_red}}", "right": "{{job.parameters.limit}}"}},
              {"task_key": "scorecard", "depends_on": [{"task_key": "gate", "outcome": "true"}], "cdp_task": {"step": "scorecard"}}
            ]}
            """
        try broken.write(to: workflow, atomically: true, encoding: .utf8)
        let failed = try CLI.run(["run", "--workflow", "gated", "--param", "limit=0"] + ws)
        #expect(failed.status == 11, "\(failed.stderr)")
        #expect(failed.stdout.contains("run R1 gated: failed"), "\(failed.stdout)")
        let unknown = try CLI.run(["run", "--workflow", "gated", "--param", "limt=0"] + ws)
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("parameters: 'limt' is not a parameter of this workflow (parameters: limit)"), "\(unknown.stderr)")

        try broken.replacingOccurrences(of: "rows_red", with: "rows_read").write(to: workflow, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["runs", "show", "R1"] + ws).stdout.contains("\nparameters: limit=0\n"))
        // The repair reruns with the run's own parameters, without repeating them.
        let repaired = try CLI.run(["runs", "repair", "R1"] + ws)
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout.contains("run R1 gated: succeeded"), "\(repaired.stdout)")
        #expect(repaired.stdout.contains("\nparameters: limit=0\n"), "\(repaired.stdout)")
        let again = try CLI.run(["runs", "repair", "R1"] + ws)
        #expect(again.status == 8)
        #expect(again.stderr.contains("run R1 succeeded: there is nothing to repair"))
        let audit = try CLI.run(["audit", "--action", "run.repair"] + ws)
        #expect(audit.stdout.contains("R1"))
    }

    /// `cdp metrics` prints the Prometheus text format.
    @Test func metricsPrintThePrometheusTextFormat() throws {
        let folder = CLI.temporaryFolder("metrics")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let workflow = folder.appendingPathComponent("workflows/small.json")
        try #"{"name": "small", "tasks": [{"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "campaigns"}}]}"#
            .write(to: workflow, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--workflow", "small"] + ws).status == 0)
        let metrics = try CLI.run(["metrics"] + ws)
        #expect(metrics.status == 0, "\(metrics.stderr)")
        #expect(metrics.stdout.contains("# TYPE cdp_layer_rows gauge\n"))
        #expect(metrics.stdout.contains(#"cdp_last_run_succeeded{workflow="small"} 1.0"#), "\(metrics.stdout)")
        #expect(metrics.stdout.contains(#"cdp_layer_rows{layer="silver",source="campaigns"} "#))
        let badAddress = try CLI.run(["metrics", "--serve", "9464"] + ws)
        #expect(badAddress.status == 64)
        #expect(badAddress.stderr.contains("--serve takes host:port, such as 127.0.0.1:9464; found '9464'"), "\(badAddress.stderr)")
    }
}
