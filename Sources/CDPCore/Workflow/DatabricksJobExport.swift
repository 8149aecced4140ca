/// A workflow written as a Databricks job (Jobs API 2.1 `JobSettings`), for `cdp workflow export --databricks`.
///
/// Each task that runs a step becomes a `python_wheel_task` running `cdp` from the `enterprise_cdp` wheel:
/// `cdp run --workspace {{job.parameters.cdp_workspace}} --step STEP [--source SOURCE]`, one step per task, so
/// Databricks orders, retries and times the tasks as `cdp` would. A `condition_task` is Databricks' own. The
/// schedule, the file arrival trigger (its folder under the workspace's location on Databricks), the job
/// parameters (plus `cdp_workspace`, where the workspace is), e-mail notifications, health rules,
/// `depends_on` (with outcomes), `run_if`, timeouts and retries are kept as they are.
///
/// What has no Databricks form is refused, every case at once: a webhook given by URL (Databricks calls
/// notification destinations by id), and a condition on a task's counts (`{{tasks.KEY.values.NAME}}`: a `cdp`
/// step does not set Databricks task values).
public struct DatabricksJobExport: Sendable {
    /// The wheel that holds `cdp`, and its entry point: what a `python_wheel_task` names.
    public static let packageName = "enterprise_cdp"
    public static let entryPoint = "cdp"
    /// The job parameter that says where the workspace is on Databricks.
    public static let workspaceParameter = "cdp_workspace"

    /// Where the workspace is, as Databricks reaches it (`/Volumes/main/cdp/acme`), without a trailing `/`.
    public let workspaceLocation: String

    public init(workspaceLocation: String) {
        var location = workspaceLocation
        while location.count > 1 && location.hasSuffix("/") { location.removeLast() }
        self.workspaceLocation = location
    }

    /// The job settings, or every reason it cannot be written.
    public func job(_ workflow: WorkflowDefinition) -> Result<DatabricksJob, WorkflowPlanError> {
        var issues: [ConfigurationIssue] = []
        if workflow.parameters.contains(where: { $0.name == Self.workspaceParameter }) {
            issues.append(
                ConfigurationIssue(
                    "parameters", "'\(Self.workspaceParameter)' is the parameter the export adds for the workspace's location; rename yours"))
        }
        if let hooks = workflow.webhookNotifications {
            for event in NotificationEvent.allCases where event != .qualityAlert {
                for (index, hook) in hooks.recipients(of: event).enumerated() {
                    issues.append(
                        ConfigurationIssue(
                            "webhook_notifications.\(event.rawValue)[\(index)]",
                            "\(hook.url) cannot be exported: Databricks calls webhooks by the id of a notification destination made in its workspace; remove it, export, then add the destination there"
                        ))
                }
            }
        }
        var tasks: [DatabricksJob.Task] = []
        for (index, task) in workflow.tasks.enumerated() {
            var exported = DatabricksJob.Task(
                taskKey: task.taskKey.rawValue, description: task.description,
                dependsOn: task.dependsOn.map { DatabricksJob.Dependency(taskKey: $0.taskKey.rawValue, outcome: $0.outcome) },
                runIf: task.runIf == .allSuccess ? nil : task.runIf.rawValue, timeoutSeconds: task.timeoutSeconds,
                maxRetries: task.maxRetries == 0 ? nil : task.maxRetries,
                minRetryIntervalMillis: task.minRetryIntervalMillis == 0 ? nil : task.minRetryIntervalMillis)
            if let step = task.step {
                var parameters = ["run", "--workspace", "{{job.parameters.\(Self.workspaceParameter)}}", "--step", step.step.rawValue]
                if let source = step.source { parameters += ["--source", source.rawValue] }
                exported.pythonWheelTask = DatabricksJob.PythonWheelTask(
                    packageName: Self.packageName, entryPoint: Self.entryPoint, parameters: parameters)
            } else if let condition = task.condition {
                for (side, operand) in [("left", condition.left), ("right", condition.right)] where operand.contains("{{tasks.") {
                    issues.append(
                        ConfigurationIssue(
                            "tasks[\(index)].condition_task.\(side)",
                            "'\(operand)' cannot be exported: a cdp step does not set Databricks task values; compare job parameters instead, or keep this workflow on cdp"
                        ))
                }
                exported.conditionTask = condition
            }
            tasks.append(exported)
        }
        guard issues.isEmpty else { return .failure(WorkflowPlanError(workflow: workflow.name, issues: issues)) }
        var trigger: WorkflowTrigger?
        if var arrival = workflow.trigger?.fileArrival, let written = workflow.trigger {
            let folder = arrival.url.split(separator: "/").joined(separator: "/")
            arrival.url = "\(workspaceLocation)/\(folder)/"
            trigger = WorkflowTrigger(fileArrival: arrival, pauseStatus: written.pauseStatus)
        }
        let job = DatabricksJob(
            name: workflow.name, description: workflow.description, tasks: tasks, timeoutSeconds: workflow.timeoutSeconds,
            maxConcurrentRuns: workflow.maxConcurrentRuns, schedule: workflow.schedule, trigger: trigger,
            parameters: [JobParameter(name: Self.workspaceParameter, defaultValue: workspaceLocation)] + workflow.parameters,
            emailNotifications: workflow.emailNotifications, health: workflow.health)
        return .success(job)
    }
}

extension DatabricksJobExport {
    /// The step a `python_wheel_task` of the export runs (`cdp run --workspace … --step STEP [--source SOURCE]`),
    /// or nil when the task is not one: another wheel, or other arguments.
    public static func step(of wheel: DatabricksJob.PythonWheelTask) -> StepInvocation? {
        guard wheel.packageName == packageName, wheel.entryPoint == entryPoint, wheel.parameters.first == "run" else { return nil }
        var step: StepKind?
        var source: SourceName?
        var rest = wheel.parameters.dropFirst()
        while let option = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch option {
            case "--workspace": continue
            case "--step": step = StepKind(rawValue: value)
            case "--source": source = SourceName(value)
            default: return nil
            }
        }
        return step.map { StepInvocation(step: $0, source: source) }
    }
}

/// A Databricks job's settings as the Jobs API 2.1 takes them (`jobs/create`, `jobs/reset` `new_settings`).
public struct DatabricksJob: Hashable, Encodable, Sendable {
    public var name: String
    public var description: String?
    public var tasks: [Task]
    public var timeoutSeconds: Int?
    public var maxConcurrentRuns: Int?
    public var schedule: WorkflowSchedule?
    public var trigger: WorkflowTrigger?
    public var parameters: [JobParameter]
    public var emailNotifications: NotificationTargets<String>?
    public var health: JobHealth?

    enum CodingKeys: String, CodingKey {
        case name, description, tasks, schedule, trigger, parameters, health
        case timeoutSeconds = "timeout_seconds"
        case maxConcurrentRuns = "max_concurrent_runs"
        case emailNotifications = "email_notifications"
    }

    public struct Task: Hashable, Encodable, Sendable {
        public var taskKey: String
        public var description: String?
        public var dependsOn: [Dependency]
        public var runIf: String?
        public var timeoutSeconds: Int?
        public var maxRetries: Int?
        public var minRetryIntervalMillis: Int?
        public var pythonWheelTask: PythonWheelTask?
        public var conditionTask: ConditionTask?

        enum CodingKeys: String, CodingKey {
            case description
            case taskKey = "task_key"
            case dependsOn = "depends_on"
            case runIf = "run_if"
            case timeoutSeconds = "timeout_seconds"
            case maxRetries = "max_retries"
            case minRetryIntervalMillis = "min_retry_interval_millis"
            case pythonWheelTask = "python_wheel_task"
            case conditionTask = "condition_task"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(taskKey, forKey: .taskKey)
            try container.encodeIfPresent(description, forKey: .description)
            if !dependsOn.isEmpty { try container.encode(dependsOn, forKey: .dependsOn) }
            try container.encodeIfPresent(runIf, forKey: .runIf)
            try container.encodeIfPresent(timeoutSeconds, forKey: .timeoutSeconds)
            try container.encodeIfPresent(maxRetries, forKey: .maxRetries)
            try container.encodeIfPresent(minRetryIntervalMillis, forKey: .minRetryIntervalMillis)
            try container.encodeIfPresent(pythonWheelTask, forKey: .pythonWheelTask)
            try container.encodeIfPresent(conditionTask, forKey: .conditionTask)
        }
    }

    public struct Dependency: Hashable, Encodable, Sendable {
        public var taskKey: String
        public var outcome: String?
        enum CodingKeys: String, CodingKey {
            case taskKey = "task_key"
            case outcome
        }
    }

    public struct PythonWheelTask: Hashable, Codable, Sendable {
        public var packageName: String
        public var entryPoint: String
        public var parameters: [String]
        public init(packageName: String, entryPoint: String, parameters: [String]) {
            self.packageName = packageName
            self.entryPoint = entryPoint
            self.parameters = parameters
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case packageName = "package_name"
            case entryPoint = "entry_point"
            case parameters
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(tasks, forKey: .tasks)
        try container.encodeIfPresent(timeoutSeconds, forKey: .timeoutSeconds)
        try container.encodeIfPresent(maxConcurrentRuns, forKey: .maxConcurrentRuns)
        try container.encodeIfPresent(schedule, forKey: .schedule)
        try container.encodeIfPresent(trigger, forKey: .trigger)
        try container.encode(parameters, forKey: .parameters)
        try container.encodeIfPresent(emailNotifications, forKey: .emailNotifications)
        try container.encodeIfPresent(health, forKey: .health)
    }
}
