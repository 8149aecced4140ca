import CDPCore
import CDPStore
import Foundation

/// How the tasks of a run have ended so far, as `run_if` and condition tasks read them.
struct RunProgress {
    private(set) var states: [TaskKey: TaskState] = [:]
    /// Skipped because something upstream failed: these count against the run, unlike a task left out by a
    /// condition's other branch or by a `run_if` such as `AT_LEAST_ONE_FAILED` when nothing failed.
    private(set) var blocked: Set<TaskKey> = []
    /// Each condition task's result.
    private(set) var branches: [TaskKey: Bool] = [:]
    /// Each finished task's values, for `{{tasks.KEY.values.NAME}}`.
    private(set) var values: [TaskKey: [String: String]] = [:]
    /// When this run (or repair) began its tasks, by the injected clock.
    var startedAt: Double = 0
    /// Whether a broken health rule was announced already (once per run).
    var healthAnnounced = false

    /// Why a task is skipped, and whether a failure upstream is the cause.
    struct Skip {
        var message: String
        var blocked: Bool
    }

    init() {}

    mutating func finished(_ key: TaskKey, _ state: TaskState, values: [String: String] = [:], branch: Bool? = nil) {
        states[key] = state
        self.values[key] = values
        if let branch { branches[key] = branch }
    }

    mutating func skipped(_ key: TaskKey, blocked isBlocked: Bool) {
        states[key] = .skipped
        if isBlocked { blocked.insert(key) }
    }

    func failedOrBlocked(_ key: TaskKey) -> Bool {
        states[key] == .failed || states[key] == .timedOut || blocked.contains(key)
    }

    /// How a dependency ended for `run_if`: a condition's branch not taken counts as not run.
    func outcome(of dependency: TaskDependency) -> RunIf.Outcome {
        switch states[dependency.taskKey] {
        case .succeeded?:
            if let wanted = dependency.outcome, let branch = branches[dependency.taskKey], String(branch) != wanted { return .notRun }
            return .succeeded
        case .failed?, .timedOut?:
            return .failed
        default:
            return .notRun
        }
    }

    /// nil when the task runs; otherwise why not.
    func reasonToSkip(_ task: WorkflowTask) -> Skip? {
        let outcomes = task.dependsOn.map(outcome(of:))
        guard !task.runIf.allows(outcomes) else { return nil }
        let failedUpstream = task.dependsOn.contains { failedOrBlocked($0.taskKey) }
        var notSucceeded: [String] = []
        var otherBranch: [String] = []
        for (dependency, outcome) in zip(task.dependsOn, outcomes) where outcome != .succeeded {
            if states[dependency.taskKey] == .succeeded, let branch = branches[dependency.taskKey] {
                otherBranch.append("\(dependency.taskKey) took the \(branch) branch")
            } else {
                notSucceeded.append(dependency.taskKey.rawValue)
            }
        }
        if task.runIf == .allSuccess {
            var parts: [String] = []
            if !notSucceeded.isEmpty { parts.append("\(notSucceeded.joined(separator: ", ")) did not succeed") }
            parts += otherBranch
            return Skip(message: "skipped: \(parts.joined(separator: "; "))", blocked: failedUpstream)
        }
        let described = zip(task.dependsOn, outcomes).map { dependency, outcome -> String in
            switch outcome {
            case .succeeded: return "\(dependency.taskKey) succeeded"
            case .failed: return "\(dependency.taskKey) \(states[dependency.taskKey] == .timedOut ? "timed out" : "failed")"
            case .notRun:
                if let branch = branches[dependency.taskKey], states[dependency.taskKey] == .succeeded {
                    return "\(dependency.taskKey) took the \(branch) branch"
                }
                return "\(dependency.taskKey) did not run"
            }
        }
        // A run_if that asks for failures is not blocked by them: it was waiting for them.
        let blockedByFailure = failedUpstream && [.atLeastOneSuccess, .noneFailed].contains(task.runIf)
        return Skip(
            message: "skipped: run_if \(task.runIf.rawValue) is not met (\(described.joined(separator: ", ")))", blocked: blockedByFailure)
    }

    /// The value `{{tasks.KEY.values.NAME}}` names, or why there is none.
    func value(_ task: TaskKey, _ name: String) -> Result<String, EngineError> {
        guard let found = values[task] else {
            return .failure(
                EngineError(.runFailed, "{{tasks.\(task).values.\(name)}}: task \(task) did not run in this run, so it has no values"))
        }
        guard let value = found[name] else {
            let known = found.keys.sorted().joined(separator: ", ")
            return .failure(
                EngineError(
                    .runFailed,
                    "{{tasks.\(task).values.\(name)}}: task \(task) has no value '\(name)' (values: \(known.isEmpty ? "none" : known))"))
        }
        return .success(value)
    }
}

extension WorkflowRunner {
    /// A finished task's values for conditions: its counts, and for an ingest the share of rows read that
    /// went to quarantine, in percent (`quarantine_rate`).
    static func values(of task: WorkflowTask, _ counts: [String: Int]) -> [String: String] {
        var values = counts.mapValues(String.init)
        if task.step?.step == .ingest, let read = counts["rows_read"] {
            let rate = read > 0 ? Double(counts["rows_quarantined"] ?? 0) * 100 / Double(read) : 0
            values["quarantine_rate"] = String(format: "%.2f", rate)
        }
        return values
    }

    func skip(
        _ task: WorkflowTask, _ initial: TaskRunRecord, reason: RunProgress.Skip, run: RunID, progress: inout RunProgress,
        observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) {
        var record = initial
        record.state = .skipped
        progress.skipped(task.taskKey, blocked: reason.blocked)
        let event = RunEvent(run: run, task: task.taskKey, at: environment.timestamp, kind: .taskSkipped, message: reason.message)
        let runs = self.runs
        try storeCall { () throws(StoreError) in try runs.updateTask(run, record, event: event) }
        observer(event)
    }

    /// Evaluates a condition task: it succeeds with its result (`outcome` 1 for true, 0 for false), which
    /// the tasks depending on a branch follow; a value it cannot find fails it.
    func evaluate(
        _ condition: ConditionTask, of task: WorkflowTask, _ initial: TaskRunRecord, run: RunID, progress: inout RunProgress,
        observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) {
        var record = initial
        record.startedAt = environment.timestamp
        record.attempt = 1
        var failure: EngineError?
        func resolve(_ text: String) -> String {
            let current = progress
            return DynamicValue.substitute(text) { reference in
                guard case .taskValue(let upstream, let name) = reference else { return nil }
                switch current.value(upstream, name) {
                case .success(let value): return value
                case .failure(let error):
                    if failure == nil { failure = error }
                    return nil
                }
            }
        }
        let left = resolve(condition.left), right = resolve(condition.right)
        record.finishedAt = environment.timestamp
        record.durationMilliseconds = 0
        let event: RunEvent
        if let failure {
            record.state = .failed
            record.error = failure.message
            progress.finished(task.taskKey, .failed)
            event = RunEvent(
                run: run, task: task.taskKey, at: environment.timestamp, kind: .taskFailed,
                message: "\(task.taskKey) failed: \(failure.message)")
        } else {
            let result = ConditionTask.compare(left, condition.op, right)
            record.state = .succeeded
            record.counts = ["outcome": result ? 1 : 0]
            progress.finished(task.taskKey, .succeeded, values: ["outcome": String(result)], branch: result)
            event = RunEvent(
                run: run, task: task.taskKey, at: environment.timestamp, kind: .taskFinished,
                message: "\(task.taskKey): \(left) \(condition.op.symbol) \(right) is \(result)")
        }
        let runs = self.runs
        try storeCall { () throws(StoreError) in try runs.updateTask(run, record, event: event) }
        observer(event)
    }
}
