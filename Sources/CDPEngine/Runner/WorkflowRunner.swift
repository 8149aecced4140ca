import CDPCore
import CDPStore
import Foundation

/// Executes a workflow plan in dependency order and records the run, every task's state, timings and
/// counts, and a stream of events in the lake, so another process (the console) can follow it live.
public struct WorkflowRunner: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    /// How the run was started (`cli`, `console`), shown in the runs list.
    public let trigger: String

    public init(workspace: Workspace, environment: Environment, trigger: String = "cli") {
        self.workspace = workspace
        self.environment = environment
        self.trigger = trigger
    }

    /// Runs the plan. Before any task runs, every new file is checked (header against mapping, fatal rules);
    /// a problem there fails the run before anything is written.
    /// - Parameter observer: sees each event as it is recorded (for terminal progress).
    /// - Returns: the finished run. A failed run is returned, not thrown; throws only when the run cannot be
    ///   recorded at all.
    @discardableResult
    public func run(_ plan: WorkflowPlan, observer: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(EngineError) -> RunSummary {
        try workspace.authorize(.runWorkflows, environment, attempt: "run \(plan.workflow.name)")
        let store = workspace.store
        _ = try storeCall { () throws(StoreError) in
            try store.abandonStaleRuns(isAlive: { kill($0, 0) == 0 }, at: environment.timestamp)
        }
        let outlines = plan.orderedTasks.map {
            LakeStore.TaskOutline(key: $0.taskKey, step: $0.step.step.rawValue, dependsOn: $0.dependsOn.map(\.taskKey))
        }
        let run = try storeCall { () throws(StoreError) in
            try store.startRun(
                workflow: plan.workflow.name, tasks: outlines, actor: environment.user, trigger: trigger,
                pid: getpid(), at: environment.timestamp)
        }
        observer(RunEvent(run: run, task: nil, at: environment.timestamp, kind: .runStarted, message: "run \(run) of \(plan.workflow.name) started"))
        try storeCall { () throws(StoreError) in
            try store.appendAudit(
                LakeStore.AuditDraft(actor: environment.user, action: "run.start", target: run.description, after: plan.workflow.name),
                at: environment.timestamp)
        }

        var problems: [String] = []
        for task in plan.orderedTasks where task.step.step == .ingest {
            guard let sourceName = task.step.source else { continue }
            let source = try workspace.source(sourceName)
            problems += try SourceIngestor(workspace: workspace, source: source, environment: environment, run: run).preflight()
        }
        if !problems.isEmpty {
            let message = "refused before writing anything:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
            for (position, task) in plan.orderedTasks.enumerated() {
                try record(run, TaskRunRecord(key: task.taskKey, position: position, step: task.step.step.rawValue, dependsOn: [], state: .skipped), nil)
            }
            try finish(run, .failed, message, observer)
            return try summary(run)
        }

        var states: [TaskKey: TaskState] = [:]
        let runStarted = environment.now()
        for (position, task) in plan.orderedTasks.enumerated() {
            var record = TaskRunRecord(
                key: task.taskKey, position: position, step: task.step.step.rawValue,
                dependsOn: task.dependsOn.map(\.taskKey), state: .pending)
            let blockers = task.dependsOn.map(\.taskKey).filter { states[$0] != .succeeded }
            if !blockers.isEmpty {
                record.state = .skipped
                states[task.taskKey] = .skipped
                let event = RunEvent(
                    run: run, task: task.taskKey, at: environment.timestamp, kind: .taskSkipped,
                    message: "skipped: \(blockers.map(\.rawValue).joined(separator: ", ")) did not succeed")
                try self.record(run, record, event)
                observer(event)
                continue
            }
            states[task.taskKey] = try execute(task, record: record, run: run, runStarted: runStarted, plan: plan, observer: observer)
        }
        let failed = plan.orderedTasks.filter { states[$0.taskKey] != .succeeded }
        if failed.isEmpty {
            try finish(run, .succeeded, nil, observer)
        } else {
            try finish(run, .failed, "\(failed.count) of \(plan.orderedTasks.count) tasks did not succeed: \(failed.map(\.taskKey.rawValue).joined(separator: ", "))", observer)
        }
        return try summary(run)
    }

    private func execute(
        _ task: WorkflowTask, record initial: TaskRunRecord, run: RunID, runStarted: Double, plan: WorkflowPlan,
        observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) -> TaskState {
        var record = initial
        let attempts = 1 + task.maxRetries
        for attempt in 1...attempts {
            let started = environment.now()
            record.state = .running
            record.attempt = attempt
            record.startedAt = environment.timestamp
            record.processed = 0
            record.total = nil
            record.error = nil
            let startEvent = RunEvent(
                run: run, task: task.taskKey, at: environment.timestamp, kind: .taskStarted,
                message: "\(task.taskKey) started\(attempt > 1 ? " (attempt \(attempt) of \(attempts))" : "")")
            try self.record(run, record, startEvent)
            observer(startEvent)
            let deadline = task.timeoutSeconds.map { started + Double($0) }
            let runDeadline = plan.workflow.timeoutSeconds.map { runStarted + Double($0) }
            let now = environment.now
            let key = task.taskKey
            let shouldStop: @Sendable () -> EngineError? = {
                if let deadline, now() > deadline {
                    return EngineError(.runFailed, "task \(key) exceeded its timeout_seconds (\(task.timeoutSeconds ?? 0) s)")
                }
                if let runDeadline, now() > runDeadline {
                    return EngineError(.runFailed, "the run exceeded the workflow's timeout_seconds")
                }
                return nil
            }
            let progressRecord = LockedBox(record)
            let store = workspace.store
            let environment = self.environment
            let progress: @Sendable (IngestProgress) -> Void = { update in
                var current = progressRecord.value
                current.processed = update.rowsProcessed
                current.total = update.rowsEstimated
                progressRecord.value = current
                let event = RunEvent(
                    run: run, task: key, at: environment.timestamp, kind: .progress, processed: update.rowsProcessed,
                    total: update.rowsEstimated, message: "\(update.file): \(update.rowsProcessed) of ~\(update.rowsEstimated) rows")
                try? store.updateTask(run, current, event: event)
                observer(event)
            }
            do {
                let counts = try perform(task, run: run, progress: progress, shouldStop: shouldStop)
                record = progressRecord.value
                record.state = .succeeded
                record.counts = counts
                record.processed = counts["rows_read"] ?? counts["records_checked"] ?? record.processed
                record.total = record.processed
                record.finishedAt = environment.timestamp
                record.durationMilliseconds = Int((environment.now() - started) * 1000)
                let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                let event = RunEvent(
                    run: run, task: task.taskKey, at: environment.timestamp, kind: .taskFinished,
                    processed: record.processed, total: record.total, message: "\(task.taskKey) succeeded: \(summary)")
                try self.record(run, record, event)
                observer(event)
                return .succeeded
            } catch {
                record = progressRecord.value
                record.finishedAt = environment.timestamp
                record.durationMilliseconds = Int((environment.now() - started) * 1000)
                record.error = error.description
                let timedOut = shouldStop() != nil
                if attempt < attempts && !timedOut {
                    record.state = .running
                    let event = RunEvent(
                        run: run, task: task.taskKey, at: environment.timestamp, kind: .taskRetrying,
                        message: "\(task.taskKey) failed (attempt \(attempt) of \(attempts)), retrying: \(error.message)")
                    try self.record(run, record, event)
                    observer(event)
                    if task.minRetryIntervalMillis > 0 { usleep(UInt32(min(task.minRetryIntervalMillis, 60_000)) * 1000) }
                    continue
                }
                record.state = timedOut ? .timedOut : .failed
                let event = RunEvent(
                    run: run, task: task.taskKey, at: environment.timestamp, kind: .taskFailed,
                    message: "\(task.taskKey) \(timedOut ? "timed out" : "failed"): \(error.description)")
                try self.record(run, record, event)
                observer(event)
                return record.state
            }
        }
        return .failed
    }

    private func perform(
        _ task: WorkflowTask, run: RunID, progress: @escaping @Sendable (IngestProgress) -> Void,
        shouldStop: @escaping @Sendable () -> EngineError?
    ) throws(EngineError) -> [String: Int] {
        switch task.step.step {
        case .ingest:
            guard let name = task.step.source else { throw EngineError(.invalidConfiguration, "task \(task.taskKey) names no source") }
            let ingestor = SourceIngestor(workspace: workspace, source: try workspace.source(name), environment: environment, run: run)
            return try ingestor.ingest(progress: progress, shouldStop: shouldStop).asCounts
        case .revalidate:
            let service = QuarantineService(workspace: workspace, environment: environment.acting(as: "pipeline"))
            return try service.revalidateHeld(run: run)
        case .scorecard:
            let rows = try storeCall { () throws(StoreError) in try workspace.store.recordScorecard(run: run) }
            return ["scorecard_rows": rows]
        case .match:
            let report = try MatchService(workspace: workspace, environment: environment.acting(as: "pipeline")).runAuthorized()
            return [
                "records_matched": report.statistics.records, "golden_records": report.golden,
                "candidates_for_review": report.statistics.reviewPairs, "comparisons": report.statistics.comparisons,
            ]
        case .gold:
            let counts = try Customer360Service(workspace: workspace, environment: environment).rebuildGold(run: run)
            return [
                "customers": counts.customers, "search_keys": counts.searchKeys, "campaigns": counts.campaigns,
                "engagement_days": counts.engagementDays,
            ]
        }
    }

    private func record(_ run: RunID, _ record: TaskRunRecord, _ event: RunEvent?) throws(EngineError) {
        try storeCall { () throws(StoreError) in try workspace.store.updateTask(run, record, event: event) }
    }

    private func finish(_ run: RunID, _ state: RunState, _ error: String?, _ observer: @Sendable (RunEvent) -> Void) throws(EngineError) {
        try storeCall { () throws(StoreError) in try workspace.store.finishRun(run, state: state, error: error, at: environment.timestamp) }
        observer(RunEvent(run: run, task: nil, at: environment.timestamp, kind: .runFinished, message: error.map { "run \(run) \(state.rawValue): \($0)" } ?? "run \(run) \(state.rawValue)"))
    }

    private func summary(_ run: RunID) throws(EngineError) -> RunSummary {
        guard let summary = try storeCall({ () throws(StoreError) in try workspace.store.run(run) }) else {
            throw EngineError(.store, "run \(run) vanished from the lake")
        }
        return summary
    }
}

extension Environment {
    /// The same clock, acting as another user (the pipeline's own actions are audited as `pipeline`).
    public func acting(as user: String) -> Environment { Environment(now: now, user: user) }
}
