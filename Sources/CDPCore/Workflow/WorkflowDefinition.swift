/// A workflow in the shape of a Databricks Jobs definition: named tasks with dependencies, timeouts and
/// retries. Each task names an engine step in `cdp_task`.
public struct WorkflowDefinition: Hashable, Codable, Sendable {
    public var name: String
    public var description: String?
    public var tasks: [WorkflowTask]
    /// A run that exceeds this is failed; nil means no limit.
    public var timeoutSeconds: Int?
    /// Databricks' `max_concurrent_runs`. The embedded lake runs one workflow at a time per workspace (the
    /// engine's run lock), so 1 is the only value it can honour; the plan refuses any other.
    public var maxConcurrentRuns: Int?
    /// How many of a run's tasks may run at once (the others wait for a free slot): tasks whose dependencies
    /// have ended start together. Not a Databricks setting (a Databricks job runs every ready task); nil: as
    /// many as the machine has cores.
    public var maxConcurrentTasks: Int?
    /// When `cdp scheduler` starts runs of it (Databricks' `schedule`); nil: only when someone starts one.
    public var schedule: WorkflowSchedule?
    /// What else starts its runs (Databricks' `trigger`): files arriving in a folder.
    public var trigger: WorkflowTrigger?
    /// Job parameters, given to task settings as `{{job.parameters.NAME}}`.
    public var parameters: [JobParameter]
    /// Who is e-mailed on start, success, failure and a broken health rule.
    public var emailNotifications: NotificationTargets<String>?
    /// Which URLs are POSTed to on the same events.
    public var webhookNotifications: NotificationTargets<Webhook>?
    /// Limits whose breach notifies `on_duration_warning_threshold_exceeded` (`RUN_DURATION_SECONDS`).
    public var health: JobHealth?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, tasks, schedule, trigger, parameters, health
        case emailNotifications = "email_notifications"
        case webhookNotifications = "webhook_notifications"
        case timeoutSeconds = "timeout_seconds"
        case maxConcurrentRuns = "max_concurrent_runs"
        case maxConcurrentTasks = "max_concurrent_tasks"
    }

    /// The settings a workflow file may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(
        name: String, description: String? = nil, tasks: [WorkflowTask], timeoutSeconds: Int? = nil,
        maxConcurrentRuns: Int? = nil, schedule: WorkflowSchedule? = nil, parameters: [JobParameter] = []
    ) {
        self.name = name
        self.description = description
        self.tasks = tasks
        self.timeoutSeconds = timeoutSeconds
        self.maxConcurrentRuns = maxConcurrentRuns
        self.schedule = schedule
        self.parameters = parameters
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        tasks = try container.decode([WorkflowTask].self, forKey: .tasks)
        timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
        maxConcurrentRuns = try container.decodeIfPresent(Int.self, forKey: .maxConcurrentRuns)
        maxConcurrentTasks = try container.decodeIfPresent(Int.self, forKey: .maxConcurrentTasks)
        schedule = try container.decodeIfPresent(WorkflowSchedule.self, forKey: .schedule)
        trigger = try container.decodeIfPresent(WorkflowTrigger.self, forKey: .trigger)
        parameters = try container.decodeIfPresent([JobParameter].self, forKey: .parameters) ?? []
        // A job `cdp workflow export --databricks` wrote: its workspace parameter says where the workspace is
        // on Databricks, and the file arrival folder is read back relative to it.
        if let index = parameters.firstIndex(where: { $0.name == DatabricksJobExport.workspaceParameter }) {
            let location = parameters.remove(at: index).defaultValue
            if var arrival = trigger?.fileArrival, arrival.url.hasPrefix(location + "/") {
                arrival.url = String(arrival.url.dropFirst(location.count + 1))
                trigger?.fileArrival = arrival
            }
        }
        emailNotifications = try container.decodeIfPresent(NotificationTargets<String>.self, forKey: .emailNotifications)
        webhookNotifications = try container.decodeIfPresent(NotificationTargets<Webhook>.self, forKey: .webhookNotifications)
        health = try container.decodeIfPresent(JobHealth.self, forKey: .health)
    }
}

/// A workflow's schedule, in Databricks' words: `{"quartz_cron_expression": "0 0 2 * * ?", "timezone_id":
/// "Europe/Madrid", "pause_status": "UNPAUSED"}`.
public struct WorkflowSchedule: Hashable, Codable, Sendable {
    public var quartzCronExpression: String
    /// An IANA time zone (`Europe/Madrid`, `UTC`): the wall clock the expression is read on.
    public var timezoneID: String
    public var pauseStatus: PauseStatus

    public enum PauseStatus: String, Codable, Sendable, Hashable, CaseIterable {
        case paused = "PAUSED"
        case unpaused = "UNPAUSED"
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case quartzCronExpression = "quartz_cron_expression"
        case timezoneID = "timezone_id"
        case pauseStatus = "pause_status"
    }

    /// The settings a schedule may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(quartzCronExpression: String, timezoneID: String, pauseStatus: PauseStatus = .unpaused) {
        self.quartzCronExpression = quartzCronExpression
        self.timezoneID = timezoneID
        self.pauseStatus = pauseStatus
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        quartzCronExpression = try container.decode(String.self, forKey: .quartzCronExpression)
        timezoneID = try container.decode(String.self, forKey: .timezoneID)
        pauseStatus = try container.decodeIfPresent(PauseStatus.self, forKey: .pauseStatus) ?? .unpaused
    }
}

public struct WorkflowTask: Hashable, Codable, Sendable {
    public var taskKey: TaskKey
    public var description: String?
    public var dependsOn: [TaskDependency]
    public var timeoutSeconds: Int?
    public var maxRetries: Int
    public var minRetryIntervalMillis: Int
    /// The engine step it runs (`cdp_task`); nil for a condition task.
    public var step: StepInvocation?
    /// The comparison it makes (`condition_task`); nil for a task that runs a step.
    public var condition: ConditionTask?
    /// When it runs, by how its dependencies ended (`run_if`; default `ALL_SUCCESS`).
    public var runIf: RunIf

    /// The settings a task may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case description
        case taskKey = "task_key"
        case dependsOn = "depends_on"
        case timeoutSeconds = "timeout_seconds"
        case maxRetries = "max_retries"
        case minRetryIntervalMillis = "min_retry_interval_millis"
        case step = "cdp_task"
        case condition = "condition_task"
        case runIf = "run_if"
    }

    public init(
        taskKey: TaskKey, description: String? = nil, dependsOn: [TaskKey] = [], timeoutSeconds: Int? = nil,
        maxRetries: Int = 0, minRetryIntervalMillis: Int = 0, step: StepInvocation, runIf: RunIf = .allSuccess
    ) {
        self.taskKey = taskKey
        self.description = description
        self.dependsOn = dependsOn.map { TaskDependency($0) }
        self.timeoutSeconds = timeoutSeconds
        self.maxRetries = maxRetries
        self.minRetryIntervalMillis = minRetryIntervalMillis
        self.step = step
        self.runIf = runIf
    }

    /// A condition task.
    public init(taskKey: TaskKey, dependsOn: [TaskDependency] = [], condition: ConditionTask, runIf: RunIf = .allSuccess) {
        self.taskKey = taskKey
        self.dependsOn = dependsOn
        self.maxRetries = 0
        self.minRetryIntervalMillis = 0
        self.condition = condition
        self.runIf = runIf
    }

    enum DatabricksTaskKeys: String, CodingKey { case pythonWheelTask = "python_wheel_task" }

    /// What the task does, for the runs list: its step, or `condition`.
    public var kindName: String { step?.step.rawValue ?? "condition" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        taskKey = try container.decode(TaskKey.self, forKey: .taskKey)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        dependsOn = try container.decodeIfPresent([TaskDependency].self, forKey: .dependsOn) ?? []
        timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
        maxRetries = try container.decodeIfPresent(Int.self, forKey: .maxRetries) ?? 0
        minRetryIntervalMillis = try container.decodeIfPresent(Int.self, forKey: .minRetryIntervalMillis) ?? 0
        step = try container.decodeIfPresent(StepInvocation.self, forKey: .step)
        if step == nil {
            // A task of a job `cdp workflow export --databricks` wrote runs its step as a wheel task.
            let databricks = try decoder.container(keyedBy: DatabricksTaskKeys.self)
            if let wheel = try? databricks.decodeIfPresent(DatabricksJob.PythonWheelTask.self, forKey: .pythonWheelTask) {
                step = DatabricksJobExport.step(of: wheel)
            }
        }
        condition = try container.decodeIfPresent(ConditionTask.self, forKey: .condition)
        runIf = try container.decodeIfPresent(RunIf.self, forKey: .runIf) ?? .allSuccess
    }
}

public struct TaskDependency: Hashable, Codable, Sendable {
    public var taskKey: TaskKey
    /// On a condition task: the branch this dependency follows (`"true"` or `"false"`).
    public var outcome: String?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case taskKey = "task_key"
        case outcome
    }
    /// The settings a dependency may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    public init(_ taskKey: TaskKey, outcome: String? = nil) {
        self.taskKey = taskKey
        self.outcome = outcome
    }
}

/// The engine step a task runs.
public enum StepKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Land a source's new files in bronze, standardise and validate them into silver or quarantine.
    case ingest
    /// Re-check open quarantine against current data (a late reference may now resolve).
    case revalidate
    /// Record each rule's pass rate for the run: the data quality scorecard.
    case scorecard
    /// Match current customers into golden records (`governance/matching.toml`).
    case match
    /// Rebuild the gold layer: `customer_360` and its search keys, `campaign_performance`, `engagement_daily`.
    case gold
}

public struct StepInvocation: Hashable, Codable, Sendable {
    public var step: StepKind
    public var source: SourceName?

    enum CodingKeys: String, CodingKey, CaseIterable { case step, source }
    /// The settings a `cdp_task` may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(step: StepKind, source: SourceName? = nil) {
        self.step = step
        self.source = source
    }
}
