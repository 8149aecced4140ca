import Foundation

/// A checked workflow with its tasks in a deterministic dependency order.
public struct WorkflowPlan: Hashable, Sendable {
    public let workflow: WorkflowDefinition
    /// Tasks such that each comes after everything it depends on; ties keep declaration order.
    public let orderedTasks: [WorkflowTask]

    /// How many tasks a run may run at once: `max_concurrent_tasks`, or the machine's cores.
    public var concurrentTasks: Int {
        max(1, workflow.maxConcurrentTasks ?? ProcessInfo.processInfo.activeProcessorCount)
    }
    /// Settings the file gives that cdp reads but does not run (a Databricks job's clusters, notebook tasks,
    /// tags, and keys nobody knows), each as `file:line:column: setting: ignored: why`, for a warning.
    public var ignoredSettings: [String] = []
    /// The schedule, read: when the workflow fires and on which clock.
    public let schedule: PlannedSchedule?
    /// The file arrival trigger, read: which folder starts runs, and how long it waits.
    public let fileArrival: PlannedFileArrival?
    /// The job parameters' values for this run: defaults, overridden by those given.
    public let parameters: [String: String]

    /// Checks the definition against the workspace's sources and orders it; `{{job.parameters.NAME}}` in
    /// task settings is replaced by the parameter's value.
    /// - Parameter parameters: values given for this run, overriding the defaults.
    /// - Throws: `WorkflowPlanError` listing every problem found, not just the first.
    public init(_ workflow: WorkflowDefinition, sources: [SourceName], parameters given: [String: String] = [:]) throws(WorkflowPlanError) {
        var problems: [ConfigurationIssue] = []
        var workflow = workflow
        var values: [String: String] = [:]
        for (index, parameter) in workflow.parameters.enumerated() {
            if parameter.name.isEmpty {
                problems.append(ConfigurationIssue("parameters[\(index)].name", "is empty"))
            } else if values[parameter.name] != nil {
                problems.append(ConfigurationIssue("parameters[\(index)].name", "'\(parameter.name)' is given twice; parameter names must be unique"))
            }
            values[parameter.name] = parameter.defaultValue
        }
        let declared = workflow.parameters.map(\.name).joined(separator: ", ")
        for name in given.keys.sorted() where values[name] == nil {
            problems.append(
                ConfigurationIssue("parameters", "'\(name)' is not a parameter of this workflow (\(declared.isEmpty ? "it has none" : "parameters: \(declared)"))"))
        }
        values.merge(given) { $1 }
        if workflow.name.isEmpty { problems.append(ConfigurationIssue("name", "the workflow has no name")) }
        if workflow.tasks.isEmpty { problems.append(ConfigurationIssue("tasks", "the workflow has no tasks")) }
        if let timeout = workflow.timeoutSeconds, timeout <= 0 {
            problems.append(ConfigurationIssue("timeout_seconds", "must be positive, found \(timeout)"))
        }
        if let tasks = workflow.maxConcurrentTasks, tasks < 1 {
            problems.append(ConfigurationIssue("max_concurrent_tasks", "must be at least 1, found \(tasks)"))
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
        var fileArrival: PlannedFileArrival?
        if let trigger = workflow.trigger {
            if workflow.schedule != nil {
                problems.append(
                    ConfigurationIssue(
                        "trigger", "a workflow has a schedule or a trigger, not both (as in Databricks); keep one, or split it into two workflows"))
            }
            let read = PlannedFileArrival.read(trigger)
            fileArrival = read.trigger
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
            switch (task.step, task.condition) {
            case (.some, .some):
                problems.append(ConfigurationIssue(path, "gives both a cdp_task and a condition_task; a task does one or the other"))
            case (nil, nil):
                problems.append(ConfigurationIssue("\(path).cdp_task", "is missing"))
            default:
                break
            }
            for (position, dependency) in task.dependsOn.enumerated() where dependency.outcome != nil {
                let at = "\(path).depends_on[\(position)].outcome"
                if dependency.outcome != "true" && dependency.outcome != "false" {
                    problems.append(ConfigurationIssue(at, "'\(dependency.outcome ?? "")' is not an outcome (\"true\" or \"false\")"))
                } else if let upstream = workflow.tasks.first(where: { $0.taskKey == dependency.taskKey }), upstream.condition == nil {
                    problems.append(ConfigurationIssue(at, "'\(dependency.taskKey)' is not a condition_task; only a condition's branches have an outcome"))
                }
            }
            func resolve(_ text: String, at: String, taskValues: Bool) -> String {
                for reference in DynamicValue.references(in: text) {
                    switch reference {
                    case .parameter(let name) where values[name] == nil:
                        problems.append(
                            ConfigurationIssue(at, "{{job.parameters.\(name)}}: no parameter '\(name)' (\(declared.isEmpty ? "the workflow declares none" : "parameters: \(declared)"))"))
                    case .taskValue(let upstream, _) where !taskValues:
                        problems.append(ConfigurationIssue(at, "{{tasks.\(upstream)...}}: task values can be compared in a condition_task only"))
                    case .taskValue(let upstream, _):
                        if !Self.upstream(of: task, in: workflow.tasks).contains(upstream) {
                            problems.append(
                                ConfigurationIssue(at, "{{tasks.\(upstream)...}}: '\(upstream)' is not a task this one depends on; add it to depends_on"))
                        }
                    case .unknown(let inner):
                        problems.append(ConfigurationIssue(at, "{{\(inner)}} is not a reference cdp knows ({{job.parameters.NAME}}, {{tasks.KEY.values.NAME}})"))
                    case .parameter:
                        break
                    }
                }
                return DynamicValue.substitute(text) { reference in
                    if case .parameter(let name) = reference { return values[name] }
                    return nil
                }
            }
            // Resolved first, assigned after: `resolve` reads the tasks being written.
            if let source = task.step?.source {
                let resolved = SourceName(resolve(source.rawValue, at: "\(path).cdp_task.source", taskValues: false))
                workflow.tasks[index].step?.source = resolved
            }
            if let condition = task.condition {
                let left = resolve(condition.left, at: "\(path).condition_task.left", taskValues: true)
                let right = resolve(condition.right, at: "\(path).condition_task.right", taskValues: true)
                workflow.tasks[index].condition?.left = left
                workflow.tasks[index].condition?.right = right
            }
            let planned = workflow.tasks[index]
            switch planned.step?.step {
            case nil:
                break
            case .ingest?:
                if let source = planned.step?.source {
                    if !knownSources.contains(source) {
                        let known = sources.map(\.rawValue).joined(separator: ", ")
                        problems.append(ConfigurationIssue("\(path).cdp_task.source", "'\(source)' is not a source of cdp.toml (sources: \(known))"))
                    }
                } else {
                    problems.append(ConfigurationIssue("\(path).cdp_task", "step 'ingest' needs a 'source'"))
                }
            case .revalidate?, .scorecard?, .match?, .gold?:
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
        self.fileArrival = fileArrival
        self.parameters = values
    }

    /// Every task `task` depends on, directly or not.
    static func upstream(of task: WorkflowTask, in tasks: [WorkflowTask]) -> Set<TaskKey> {
        var found: Set<TaskKey> = []
        var queue = task.dependsOn.map(\.taskKey)
        while let next = queue.popLast() {
            guard found.insert(next).inserted, let upstream = tasks.first(where: { $0.taskKey == next }) else { continue }
            queue += upstream.dependsOn.map(\.taskKey)
        }
        return found
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
