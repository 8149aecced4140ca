/// The life of a workflow run and its tasks, as recorded in the store and followed by the console.
public enum RunState: String, Codable, Sendable, Hashable, CaseIterable {
    case running, succeeded, failed
    /// The process running it died (killed, crashed); noticed by the next run.
    case abandoned

    public var isFinished: Bool { self != .running }
}

public enum TaskState: String, Codable, Sendable, Hashable, CaseIterable {
    case pending, running, succeeded, failed
    /// Not run because a task it depends on failed.
    case skipped
    case timedOut = "timed_out"

    public var isFinished: Bool { self != .pending && self != .running }
}

public enum RunEventKind: String, Codable, Sendable, Hashable, CaseIterable {
    case runStarted = "run_started"
    case taskStarted = "task_started"
    case progress
    case log
    case warning
    case taskFinished = "task_finished"
    case taskFailed = "task_failed"
    case taskRetrying = "task_retrying"
    case taskSkipped = "task_skipped"
    case runFinished = "run_finished"

    public var isError: Bool { self == .taskFailed || self == .warning }
}

public struct RunEvent: Hashable, Codable, Sendable {
    public var id: Int64
    public var run: RunID
    public var task: TaskKey?
    public var at: String
    public var kind: RunEventKind
    public var processed: Int?
    public var total: Int?
    public var message: String

    public init(
        id: Int64 = 0, run: RunID, task: TaskKey?, at: String, kind: RunEventKind, processed: Int? = nil,
        total: Int? = nil, message: String
    ) {
        self.id = id
        self.run = run
        self.task = task
        self.at = at
        self.kind = kind
        self.processed = processed
        self.total = total
        self.message = message
    }
}

public struct RunSummary: Hashable, Codable, Sendable {
    public var id: RunID
    public var workflow: String
    public var state: RunState
    public var actor: String
    public var trigger: String
    public var pid: Int32?
    public var startedAt: String
    public var finishedAt: String?
    public var error: String?
    public var tasks: [TaskRunRecord]
    /// Why the run failed, when the runner that ran it says so (not stored: a run read back has nil).
    public var failure: RunFailure?
    /// The job parameters it ran with (defaults and values given), by name; a repair reuses them.
    public var parameters: [String: String]

    public init(
        id: RunID, workflow: String, state: RunState, actor: String, trigger: String, pid: Int32?,
        startedAt: String, finishedAt: String?, error: String?, tasks: [TaskRunRecord], failure: RunFailure? = nil,
        parameters: [String: String] = [:]
    ) {
        self.id = id
        self.workflow = workflow
        self.state = state
        self.actor = actor
        self.trigger = trigger
        self.pid = pid
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.tasks = tasks
        self.failure = failure
        self.parameters = parameters
    }
}

/// Why a run failed, so a caller decides by kind rather than by the words of the message.
public enum RunFailure: String, Codable, Sendable, Hashable {
    /// A new file was refused before anything was written (its header does not fit the mapping, it repeats a
    /// column, it cannot be read).
    case inputRefused = "input_refused"
    /// A fatal rule failed on a new file before anything was written.
    case fatalRule = "fatal_rule"
    /// A task failed or timed out.
    case taskFailed = "task_failed"
}

public struct TaskRunRecord: Hashable, Codable, Sendable {
    public var key: TaskKey
    public var position: Int
    public var step: String
    public var dependsOn: [TaskKey]
    public var state: TaskState
    public var attempt: Int
    public var startedAt: String?
    public var finishedAt: String?
    public var durationMilliseconds: Int?
    public var processed: Int
    public var total: Int?
    /// Step-specific counts, e.g. rows read, to silver, quarantined.
    public var counts: [String: Int]
    public var error: String?

    public init(
        key: TaskKey, position: Int, step: String, dependsOn: [TaskKey], state: TaskState, attempt: Int = 0,
        startedAt: String? = nil, finishedAt: String? = nil, durationMilliseconds: Int? = nil,
        processed: Int = 0, total: Int? = nil, counts: [String: Int] = [:], error: String? = nil
    ) {
        self.key = key
        self.position = position
        self.step = step
        self.dependsOn = dependsOn
        self.state = state
        self.attempt = attempt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMilliseconds = durationMilliseconds
        self.processed = processed
        self.total = total
        self.counts = counts
        self.error = error
    }
}
