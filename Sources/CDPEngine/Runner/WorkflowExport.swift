import CDPCore
import Foundation

extension Workspace {
    /// A workflow as a Databricks job (Jobs API 2.1 settings, JSON), for `cdp workflow export --databricks`.
    /// The workflow is checked whole first, as `cdp run` would check it.
    /// - Parameter location: where the workspace is on Databricks (`/Volumes/main/cdp/acme`).
    /// - Throws: `.invalidConfiguration` for a workflow that does not check; `.refused` listing every setting
    ///   that has no Databricks form, and what to do about each.
    public func databricksJob(_ name: String, location: String) throws(EngineError) -> String {
        _ = try workflow(named: name)
        let file = try workflowFile(name)
        let definition: WorkflowDefinition
        do {
            definition = try JSONDecoder().decode(WorkflowDefinition.self, from: Data(contentsOf: file))
        } catch {
            throw EngineError(.workspace, "cannot read \(file.path) again: \(error.localizedDescription)")
        }
        switch DatabricksJobExport(workspaceLocation: location).job(definition) {
        case .failure(let refusal):
            throw EngineError(
                .refused, "\(file.path) cannot be exported as a Databricks job; nothing was written",
                details: refusal.problems)
        case .success(let job):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            do {
                return String(decoding: try encoder.encode(job), as: UTF8.self) + "\n"
            } catch {
                throw EngineError(.workspace, "cannot write the job of \(file.path): \(error.localizedDescription)")
            }
        }
    }

    /// A workflow of one task running `step`: what `cdp run --step` runs (a task of an exported Databricks job).
    /// - Throws: `.invalidConfiguration` for a source the workspace does not have, or a step that needs one.
    public func stepWorkflow(_ step: StepInvocation) throws(EngineError) -> WorkflowPlan {
        let key = TaskKey(rawValue: step.source.map { "\(step.step.rawValue)_\($0)" } ?? step.step.rawValue)
        let definition = WorkflowDefinition(name: "step \(key)", tasks: [WorkflowTask(taskKey: key, step: step)])
        do {
            return try WorkflowPlan(definition, sources: configuration.sources.map(\.name))
        } catch {
            throw EngineError(.invalidConfiguration, "--step \(step.step.rawValue) cannot run", details: error.problems)
        }
    }
}
