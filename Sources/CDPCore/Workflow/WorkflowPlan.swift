import Foundation

/// A checked workflow with its tasks in a deterministic dependency order.
public struct WorkflowPlan: Hashable, Sendable {
    public let workflow: WorkflowDefinition
    /// Tasks such that each comes after everything it depends on; ties keep declaration order.
    public let orderedTasks: [WorkflowTask]
    /// Settings the file gives that cdp reads but does not run (a Databricks job's clusters, notebook tasks,
    /// tags, and keys nobody knows), each as `file:line:column: setting: ignored: why`, for a warning.
    public var ignoredSettings: [String] = []
    /// The schedule, read: when the workflow fires and on which clock.
    public let schedule: PlannedSchedule?

    /// Checks the definition against the workspace's sources and orders it.
    /// - Throws: `WorkflowPlanError` listing every problem found, not just the first.
    public init(_ workflow: WorkflowDefinition, sources: [SourceName]) throws(WorkflowPlanError) {
        var problems: [ConfigurationIssue] = []
        if workflow.name.isEmpty { problems.append(ConfigurationIssue("name", "the workflow has no name")) }
        if workflow.tasks.isEmpty { problems.append(ConfigurationIssue("tasks", "the workflow has no tasks")) }
        if let timeout = workflow.timeoutSeconds, timeout <= 0 {
            problems.append(ConfigurationIssue("timeout_seconds", "must be positive, found \(timeout)"))
        }
        if let concurrent = workflow.maxConcurrentRuns, concurrent != 1 {
            problems.append(
                ConfigurationIssue(
                    "max_concurrent_runs",
                    "must be 1 (found \(concurrent)): the embedded lake runs one workflow at a time per workspace (two runs would redo each other's half-written batches); set it to 1 or leave it out, and queue runs with `cdp run --wait`"))
        }
        var schedule: PlannedSchedule?
        if let written = workflow.schedule {
            let read = PlannedSchedule.read(written)
            schedule = read.schedule
            problems += read.issues
        }
        var keys: Set<TaskKey> = []
        for (index, task) in workflow.tasks.enumerated() where !keys.insert(task.taskKey).inserted {
            let first = workflow.tasks.firstIndex { $0.taskKey == task.taskKey } ?? 0
            problems.append(ConfigurationIssue("tasks[\(index)].task_key", "'\(task.taskKey)' is already the key of tasks[\(first)]; task keys must be unique"))
        }
        let knownSources = Set(sources)
        for (index, task) in workflow.tasks.enumerated() {
            let path = "tasks[\(index)]"
            if task.taskKey.rawValue.isEmpty { problems.append(ConfigurationIssue("\(path).task_key", "is empty")) }
            for (position, dependency) in task.dependsOn.enumerated() {
                let at = "\(path).depends_on[\(position)].task_key"
                if dependency.taskKey == task.taskKey {
                    problems.append(ConfigurationIssue(at, "task '\(task.taskKey)' depends on itself"))
                } else if !keys.contains(dependency.taskKey) {
                    var listed: Set<TaskKey> = []
                    let known = workflow.tasks.map(\.taskKey).filter { listed.insert($0).inserted }.map(\.rawValue).joined(separator: ", ")
                    problems.append(ConfigurationIssue(at, "'\(dependency.taskKey)' is not a task of this workflow (tasks: \(known))"))
                }
            }
            if let timeout = task.timeoutSeconds, timeout <= 0 {
                problems.append(ConfigurationIssue("\(path).timeout_seconds", "must be positive, found \(timeout)"))
            }
            if task.maxRetries < 0 {
                problems.append(ConfigurationIssue("\(path).max_retries", "must not be negative, found \(task.maxRetries)"))
            }
            switch task.step.step {
            case .ingest:
                if let source = task.step.source {
                    if !knownSources.contains(source) {
                        let known = sources.map(\.rawValue).joined(separator: ", ")
                        problems.append(ConfigurationIssue("\(path).cdp_task.source", "'\(source)' is not a source of cdp.toml (sources: \(known))"))
                    }
                } else {
                    problems.append(ConfigurationIssue("\(path).cdp_task", "step 'ingest' needs a 'source'"))
                }
            case .revalidate, .scorecard, .match, .gold:
                break
            }
        }
        guard problems.isEmpty else { throw WorkflowPlanError(workflow: workflow.name, issues: problems) }

        // Kahn's algorithm, always taking the earliest declared ready task, so the order is stable.
        var remaining = workflow.tasks
        var done: Set<TaskKey> = []
        var ordered: [WorkflowTask] = []
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.dependsOn.allSatisfy { done.contains($0.taskKey) } })
            else {
                let cycle = remaining.map(\.taskKey.rawValue).joined(separator: ", ")
                throw WorkflowPlanError(
                    workflow: workflow.name, issues: [ConfigurationIssue("tasks", "tasks form a dependency cycle: \(cycle)")])
            }
            let task = remaining.remove(at: next)
            done.insert(task.taskKey)
            ordered.append(task)
        }
        self.workflow = workflow
        self.orderedTasks = ordered
        self.schedule = schedule
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
    /// Every problem, each naming the setting (`tasks[2].depends_on[0].task_key`).
    public var issues: [ConfigurationIssue]
    public init(workflow: String, issues: [ConfigurationIssue]) {
        self.workflow = workflow
        self.issues = issues
    }
    /// The problems as text, `path: message`.
    public var problems: [String] { issues.map(\.description) }
    public var description: String {
        "workflow '\(workflow)' is invalid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// A schedule read and checked: the expression, the time zone it is read in, and whether the file pauses it.
public struct PlannedSchedule: Hashable, Sendable {
    public let cron: QuartzCron
    public let timeZone: TimeZone
    /// `pause_status` as the file gives it (`cdp schedule pause/resume` can override it).
    public let pausedInFile: Bool

    /// Reads a schedule; every problem names its setting (`schedule.timezone_id`).
    public static func read(_ schedule: WorkflowSchedule) -> (schedule: PlannedSchedule?, issues: [ConfigurationIssue]) {
        var issues: [ConfigurationIssue] = []
        let zone = TimeZone(identifier: schedule.timezoneID)
        if zone == nil {
            issues.append(
                ConfigurationIssue(
                    "schedule.timezone_id", "'\(schedule.timezoneID)' is not a time zone; use an IANA name such as Europe/Madrid, America/New_York or UTC"))
        }
        var cron: QuartzCron?
        do {
            cron = try QuartzCron(schedule.quartzCronExpression)
        } catch {
            issues.append(ConfigurationIssue("schedule.quartz_cron_expression", "'\(schedule.quartzCronExpression)' is not a Quartz cron expression: \(error)"))
        }
        guard let zone, let cron else { return (nil, issues) }
        return (PlannedSchedule(cron: cron, timeZone: zone, pausedInFile: schedule.pauseStatus == .paused), issues)
    }

    public init(cron: QuartzCron, timeZone: TimeZone, pausedInFile: Bool) {
        self.cron = cron
        self.timeZone = timeZone
        self.pausedInFile = pausedInFile
    }

    /// The next time it fires after `instant` (seconds since 1970), or nil if never again.
    public func nextFire(after instant: Double) -> Double? { cron.nextFire(after: instant, in: timeZone) }
}
