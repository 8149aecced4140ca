/// A checked workflow with its tasks in a deterministic dependency order.
public struct WorkflowPlan: Hashable, Sendable {
    public let workflow: WorkflowDefinition
    /// Tasks such that each comes after everything it depends on; ties keep declaration order.
    public let orderedTasks: [WorkflowTask]

    /// Checks the definition against the workspace's sources and orders it.
    /// - Throws: `WorkflowPlanError` listing every problem found, not just the first.
    public init(_ workflow: WorkflowDefinition, sources: [SourceName]) throws(WorkflowPlanError) {
        var problems: [String] = []
        if workflow.name.isEmpty { problems.append("the workflow has no name") }
        if workflow.tasks.isEmpty { problems.append("the workflow has no tasks") }
        if let concurrent = workflow.maxConcurrentRuns, concurrent != 1 {
            problems.append(
                "max_concurrent_runs is \(concurrent), but the embedded lake runs one workflow at a time per workspace (two runs would redo each other's half-written batches); set it to 1 or leave it out, and queue runs with `cdp run --wait`")
        }
        var keys: Set<TaskKey> = []
        for task in workflow.tasks where !keys.insert(task.taskKey).inserted {
            problems.append("task '\(task.taskKey)' is defined twice")
        }
        let knownSources = Set(sources)
        for task in workflow.tasks {
            let label = "task '\(task.taskKey)'"
            if task.taskKey.rawValue.isEmpty { problems.append("a task has an empty task_key") }
            for dependency in task.dependsOn where !keys.contains(dependency.taskKey) {
                problems.append("\(label) depends on unknown task '\(dependency.taskKey)'")
            }
            if task.dependsOn.contains(where: { $0.taskKey == task.taskKey }) {
                problems.append("\(label) depends on itself")
            }
            if let timeout = task.timeoutSeconds, timeout <= 0 {
                problems.append("\(label): timeout_seconds must be positive, got \(timeout)")
            }
            if task.maxRetries < 0 { problems.append("\(label): max_retries must not be negative") }
            switch task.step.step {
            case .ingest:
                if let source = task.step.source {
                    if !knownSources.contains(source) {
                        let known = sources.map(\.rawValue).joined(separator: ", ")
                        problems.append("\(label): unknown source '\(source)' (sources: \(known))")
                    }
                } else {
                    problems.append("\(label): step 'ingest' needs a 'source'")
                }
            case .revalidate, .scorecard, .match, .gold:
                break
            }
        }
        guard problems.isEmpty else { throw WorkflowPlanError(workflow: workflow.name, problems: problems) }

        // Kahn's algorithm, always taking the earliest declared ready task, so the order is stable.
        var remaining = workflow.tasks
        var done: Set<TaskKey> = []
        var ordered: [WorkflowTask] = []
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.dependsOn.allSatisfy { done.contains($0.taskKey) } })
            else {
                let cycle = remaining.map(\.taskKey.rawValue).joined(separator: ", ")
                throw WorkflowPlanError(
                    workflow: workflow.name, problems: ["tasks form a dependency cycle: \(cycle)"])
            }
            let task = remaining.remove(at: next)
            done.insert(task.taskKey)
            ordered.append(task)
        }
        self.workflow = workflow
        self.orderedTasks = ordered
    }

    /// Every task that depends, directly or not, on `key`.
    public func dependents(of key: TaskKey) -> [TaskKey] {
        var affected: Set<TaskKey> = [key]
        var result: [TaskKey] = []
        for task in orderedTasks where task.dependsOn.contains(where: { affected.contains($0.taskKey) }) {
            affected.insert(task.taskKey)
            result.append(task.taskKey)
        }
        return result
    }
}

public struct WorkflowPlanError: Error, Hashable, Sendable, CustomStringConvertible {
    public var workflow: String
    public var problems: [String]
    public var description: String {
        "workflow '\(workflow)' is invalid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
