import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct WorkflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "Export a workflow for another scheduler.", subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a workflow as a Databricks job (Jobs API 2.1 settings) whose tasks run cdp from the enterprise_cdp wheel.",
            discussion: """
                Each task that runs a step becomes a python_wheel_task running `cdp run --workspace \
                {{job.parameters.cdp_workspace}} --step STEP [--source SOURCE]`; condition tasks, depends_on, run_if, \
                timeouts, retries, the schedule, the file arrival trigger (under --location), job parameters, e-mail \
                notifications and health rules are kept. What has no Databricks form (a webhook given by URL, a \
                condition on a task's counts) is refused, every case named, and nothing is written. `cdp check` \
                and `cdp run` read the exported file back as the same workflow.
                """)

        @OptionGroup var options: WorkspaceOptions

        @Option(help: "The workflow, by file name in workflows/.")
        var workflow: String = Workspace.defaultWorkflow

        @Option(help: ArgumentHelp("Where to write the job's JSON ('-' for standard output).", valueName: "job.json"))
        var databricks: String

        @Option(
            help: ArgumentHelp(
                "Where the workspace is on Databricks (a volume or DBFS path, such as /Volumes/main/cdp/acme): the job's cdp_workspace parameter and the base of the file arrival folder.",
                valueName: "path"))
        var location: String

        func validate() throws {
            if location.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--location must not be empty") }
        }

        func run() throws {
            let workspace = try options.open(readOnly: true)
            let environment = try options.environment(in: workspace)
            let text = try present { () throws(EngineError) in try workspace.databricksJob(workflow, location: location) }
            if databricks == "-" {
                print(text, terminator: "")
                return
            }
            // A file a user names: refused while acting for another user and among the workspace's own files (but its
            // workflows, where an exported job is read back), written privately and whole (attack 12, F1: it replaced
            // the lake).
            func real(_ url: URL) -> String { url.standardizedFileURL.resolvingSymlinksInPath().path }
            let named = URL(fileURLWithPath: databricks)
            let amongWorkflows = real(named.deletingLastPathComponent()) == real(workspace.root.appendingPathComponent(Workspace.workflowsFolder))
            try present { () throws(EngineError) in
                let file =
                    amongWorkflows
                    ? try ExportFile(workspaceDocument: databricks, for: environment) : try ExportFile(path: databricks, in: workspace, for: environment)
                try file.write(text)
                try file.commit()
            }
            print("wrote the Databricks job \(workflow) to \(databricks); create it with `databricks jobs create --json @\(databricks)`")
        }
    }
}
