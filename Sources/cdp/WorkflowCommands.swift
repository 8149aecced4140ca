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
            let text = try present { () throws(EngineError) in try workspace.databricksJob(workflow, location: location) }
            if databricks == "-" {
                print(text, terminator: "")
                return
            }
            let file = URL(fileURLWithPath: databricks)
            try present { () throws(EngineError) in
                do {
                    try Data(text.utf8).write(to: file, options: .atomic)
                } catch {
                    throw EngineError(.workspace, "cannot write \(file.path): \(error.localizedDescription); check the folder exists and is writable")
                }
            }
            print("wrote the Databricks job \(workflow) to \(databricks); create it with `databricks jobs create --json @\(databricks)`")
        }
    }
}
