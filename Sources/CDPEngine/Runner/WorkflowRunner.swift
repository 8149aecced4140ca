import CDPCore
import CDPRepositories
import Foundation

/// Executes a workflow plan in dependency order and records the run, every task's state, timings and
/// counts, and a stream of events in the lake, so another process (the console) can follow it live.
///
/// One run at a time per workspace: the run holds the lake's ``RunLock`` from before it looks for stale runs
/// until it has recorded its end. A second run refuses (`EngineError.busy`, naming the run that holds the
/// lake) or, with `waiting`, waits for it.
public struct WorkflowRunner: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    /// How the run was started (`cli`, `console`), shown in the runs list.
    public let trigger: String
    /// What a run that finds the lake held does: `nil` refuses at once; otherwise it waits as this says.
    public var waiting: RunLock.Waiting?
    /// Why the run was started, beyond its trigger (the files that arrived): the reason of its `run.start` audit row.
    public var cause: String?
    /// Rebuild rather than update: `revalidate_quarantine` checks every held record and `build_gold` rebuilds every
    /// golden customer, campaign and day (`cdp run --full`).
    public var full = false
    /// Where the run is recorded: the lake (a test puts a failing one in between).
    var runs: any RunRepository

    public init(workspace: Workspace, environment: Environment, trigger: String = "cli", waiting: RunLock.Waiting? = nil) {
        self.init(workspace: workspace, environment: environment, trigger: trigger, waiting: waiting, runs: workspace.repositories.runs)
    }

    init(workspace: Workspace, environment: Environment, trigger: String, waiting: RunLock.Waiting?, runs: any RunRepository) {
        self.workspace = workspace
        self.environment = environment
        self.trigger = trigger
        self.waiting = waiting
        self.runs = runs
    }

    /// Runs the plan. Before anything is written, every configuration file is checked (a problem throws
    /// `.invalidConfiguration` listing them all). Before any task runs, every new file is checked (header against mapping, fatal rules);
    /// a problem there fails the run before anything is written.
    /// - Parameter observer: sees each event as it is recorded (for terminal progress).
    /// - Returns: the finished run. A failed task fails the run, which is returned, not thrown.
    /// - Throws: `.busy` when another run holds the lake (and waiting, if asked, ran out); `.forbidden`
    ///   without `run_workflows`; when an error stops the run itself (the lake cannot be written: a full
    ///   disk), that first error, once the run is marked failed; if even that cannot be written, the error
    ///   says so and the next run marks it failed with it.
    @discardableResult
    public func run(_ plan: WorkflowPlan, observer: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(EngineError) -> RunSummary {
        try workspace.checkConfiguration()  // every configuration file, before anything is written
        try workspace.authorize(.runWorkflows, environment, attempt: "run \(plan.workflow.name)")
        // Whoever started the run sees its failures as their role lets them read the lake.
        let masker = workspace.masker(for: environment)
        let observer: @Sendable (RunEvent) -> Void = { [observer] event in observer(masker.runEvent(event)) }
        var holder = RunLock.Holder(
            workflow: plan.workflow.name, actor: environment.user, trigger: trigger, startedAt: environment.timestamp)
        let lock = try RunLock.acquire(in: workspace.lakeFolder, for: holder, waiting: waiting)
        defer { lock.release() }
        // A team store shared by several machines has a run lock of its own (an advisory lock the database holds).
        let storeRuns = self.runs
        try storeCall { () throws(StoreError) in try storeRuns.takeStoreRunLock() }
        defer { storeRuns.releaseStoreRunLock() }
        // With the lock held no other run is going: every run still `running` lost its process. One that
        // failed without being able to say so (a full disk) left its error in the lock file.
        var unrecorded: [RunID: String] = [:]
        if let previous = lock.previous, let run = previous.run, let failure = previous.unrecordedFailure {
            unrecorded[run] = failure
        }
        let runs = self.runs
        _ = try storeCall { () throws(StoreError) in try runs.abandonStaleRuns(failures: unrecorded, at: environment.timestamp) }
        let outlines = plan.orderedTasks.map {
            TaskOutline(key: $0.taskKey, step: $0.kindName, dependsOn: $0.dependsOn.map(\.taskKey))
        }
        let run = try storeCall { () throws(StoreError) in
            try runs.startRun(
                workflow: plan.workflow.name, tasks: outlines, actor: environment.user, trigger: trigger,
                parameters: plan.parameters, pid: getpid(), at: environment.timestamp, cause: cause)
        }
        holder.run = run
        lock.record(holder)
        observer(RunEvent(run: run, task: nil, at: environment.timestamp, kind: .runStarted, message: "run \(run) of \(plan.workflow.name) started"))
        announce(
            .start, "run \(run) of \(plan.workflow.name) started (\(trigger), \(environment.user))", run: run, plan: plan,
            state: RunState.running.rawValue, startedAt: environment.now(), observer: observer)
        return masker.runSummary(
            try complete(run, plan, audit: nil, progress: RunProgress(), only: nil, lock: lock, holder: holder, observer: observer))
    }

    /// Runs the tasks of a recorded run (`only` those, when given) and records its end; a failure to record
    /// it is kept in the lock file for the next run.
    /// - Parameter audit: what to audit before the tasks run (a repair's `run.repair`); a new run's `run.start` was
    ///   recorded with its row.
    func complete(
        _ run: RunID, _ plan: WorkflowPlan, audit: AuditDraft?, progress: RunProgress, only: Set<TaskKey>?, lock: RunLock,
        holder: RunLock.Holder, observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) -> RunSummary {
        var holder = holder
        var progress = progress
        progress.startedAt = environment.now()
        let failure: RunFailure?
        do {
            let lake = workspace.repositories
            if let audit { try storeCall { () throws(StoreError) in try lake.audit.appendAudit(audit, at: environment.timestamp) } }
            failure = try runTasks(plan, run: run, progress: progress, only: only, observer: observer)
        } catch {
            // The first error is what the user hears of; a failure to record it comes after it.
            do {
                try finish(run, .failed, "stopped by an error: \(error.message)", observer)
                announce(
                    .failure, "stopped by an error", detail: error.message, run: run, plan: plan, state: RunState.failed.rawValue,
                    startedAt: progress.startedAt, observer: observer)
            } catch let recording {
                holder.unrecordedFailure = error.message
                lock.record(holder)
                throw EngineError(
                    error.code, "run \(run) failed: \(error.message)",
                    details: error.details + [
                        "the lake could not record that run \(run) failed (\(recording.message)); the next run marks it failed with this error"
                    ])
            }
            throw EngineError(error.code, "run \(run) failed: \(error.message)", details: error.details)
        }
        var finished = try summary(run)
        finished.failure = failure
        let succeeded = finished.state == .succeeded
        // A refusal before writing quotes the values its file's rules refused; a failed task's summary names tasks only.
        var text = succeeded ? "run \(run) of \(plan.workflow.name) succeeded" : finished.error ?? "failed"
        var detail: String?
        if failure == .fatalRule || failure == .inputRefused, let colon = text.firstIndex(of: ":") {
            detail = text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            text = String(text[..<colon])
        }
        announce(
            succeeded ? .success : .failure, text, detail: detail, run: run, plan: plan, state: finished.state.rawValue,
            startedAt: progress.startedAt, observer: observer)
        return finished
    }

    /// Everything a run does once recorded as started, up to recording its end. Returns why it failed, if it did.
    /// - Parameters:
    ///   - progress: how the tasks not to run ended (a repair's kept tasks); empty for a new run.
    ///   - only: the tasks to run; nil runs them all.
    private func runTasks(
        _ plan: WorkflowPlan, run: RunID, progress initial: RunProgress, only: Set<TaskKey>?, observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) -> RunFailure? {
        let selected = plan.orderedTasks.filter { only?.contains($0.taskKey) ?? true }
        var problems: [SourceIngestor.PreflightProblem] = []
        for task in selected where task.step?.step == .ingest {
            guard let sourceName = task.step?.source else { continue }
            let source = try workspace.source(sourceName)
            problems += try SourceIngestor(workspace: workspace, source: source, environment: environment, run: run).preflight()
        }
        if !problems.isEmpty {
            let message = "refused before writing anything:\n" + problems.map { "  - \($0.message)" }.joined(separator: "\n")
            for (position, task) in plan.orderedTasks.enumerated() where only?.contains(task.taskKey) ?? true {
                try record(run, TaskRunRecord(key: task.taskKey, position: position, step: task.kindName, dependsOn: [], state: .skipped), nil)
            }
            try finish(run, .failed, message, observer)
            // A file that cannot be read as configured is the input's fault before any rule's.
            return problems.contains { $0.code != .fatalRule } ? .inputRefused : .fatalRule
        }

        var progress = initial
        let runStarted = progress.startedAt
        // Tasks start as soon as everything they depend on in this pass has ended, in the plan's order, up to
        // `max_concurrent_tasks` at once; skips and condition tasks are decided here, between them. Steps run
        // beside others of their own stage only (ingest, revalidate, then scorecard and match, then gold), so
        // a workflow that leaves an order unsaid still never reads silver while an ingest writes it. Ingest tasks
        // take turns in the plan's order: they number the lake's rows (bronze, quarantine, silver) as they write
        // them, so taking turns keeps every id what a run one task at a time gives; each ingest already keeps
        // the cores busy (it parses, standardises and writes on threads of its own).
        var waiting = plan.orderedTasks.enumerated().filter { only?.contains($0.element.taskKey) ?? true }
        let inPass = Set(waiting.map(\.element.taskKey))
        var ended: Set<TaskKey> = []
        let limit = plan.concurrentTasks
        let endings = BoundedChannel<TaskEnding>(capacity: limit)
        var running = 0
        var runningByStage: [Int: Int] = [:]
        func mayStart(_ task: WorkflowTask) -> Bool {
            guard task.dependsOn.allSatisfy({ !inPass.contains($0.taskKey) || ended.contains($0.taskKey) }) else { return false }
            if task.condition != nil || progress.reasonToSkip(task) != nil { return true }
            guard running < limit, let stage = task.step.map({ Self.stage(of: $0.step) }) else { return running < limit }
            guard runningByStage.allSatisfy({ $0.key == stage || $0.value == 0 }) else { return false }
            guard task.step?.step == .ingest else { return true }
            return runningByStage[stage, default: 0] == 0
                && waiting.first(where: { $0.element.step?.step == .ingest })?.element.taskKey == task.taskKey
        }
        // The first error that stops the run (the lake cannot be written); the tasks already going are let end.
        var stopping: EngineError?
        while stopping == nil || running > 0 {
            if stopping == nil, let index = waiting.firstIndex(where: { mayStart($0.element) }) {
                let (position, task) = waiting.remove(at: index)
                let record = TaskRunRecord(
                    key: task.taskKey, position: position, step: task.kindName,
                    dependsOn: task.dependsOn.map(\.taskKey), state: .pending)
                do {
                    if let reason = progress.reasonToSkip(task) {
                        try skip(task, record, reason: reason, run: run, progress: &progress, observer: observer)
                        ended.insert(task.taskKey)
                    } else if let condition = task.condition {
                        try evaluate(condition, of: task, record, run: run, progress: &progress, observer: observer)
                        ended.insert(task.taskKey)
                        checkHealth(plan, run: run, progress: &progress, observer: observer)
                    } else {
                        running += 1
                        if let step = task.step?.step { runningByStage[Self.stage(of: step), default: 0] += 1 }
                        let runner = self
                        Self.startTaskThread {
                            do throws(EngineError) {
                                let finished = try runner.execute(task, record: record, run: run, runStarted: runStarted, plan: plan, observer: observer)
                                endings.send(TaskEnding(task: task, outcome: .success(finished)))
                            } catch {
                                endings.send(TaskEnding(task: task, outcome: .failure(error)))
                            }
                        }
                    }
                } catch {
                    stopping = error
                }
                continue
            }
            guard running > 0, let ending = endings.receive() else { break }
            running -= 1
            if let step = ending.task.step?.step { runningByStage[Self.stage(of: step), default: 0] -= 1 }
            ended.insert(ending.task.taskKey)
            switch ending.outcome {
            case .success(let finished):
                progress.finished(ending.task.taskKey, finished.state, values: Self.values(of: ending.task, finished.counts))
                if ending.task.step?.step == .scorecard && finished.state == .succeeded {
                    checkQuality(plan, run: run, startedAt: runStarted, observer: observer)
                }
            case .failure(let error):
                if stopping == nil { stopping = error }
            }
            checkHealth(plan, run: run, progress: &progress, observer: observer)
        }
        if let stopping { throw stopping }
        checkHealth(plan, run: run, progress: &progress, observer: observer)
        let failed = plan.orderedTasks.filter { progress.failedOrBlocked($0.taskKey) }
        if failed.isEmpty {
            try finish(run, .succeeded, nil, observer)
        } else {
            try finish(run, .failed, "\(failed.count) of \(plan.orderedTasks.count) tasks did not succeed: \(failed.map(\.taskKey.rawValue).joined(separator: ", "))", observer)
        }
        return failed.isEmpty ? nil : .taskFailed
    }

    /// Runs a step task, with its retries; returns its record as it ended.
    private func execute(
        _ task: WorkflowTask, record initial: TaskRunRecord, run: RunID, runStarted: Double, plan: WorkflowPlan,
        observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) -> TaskRunRecord {
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
                    return EngineError(.runFailed, "the run exceeded the workflow's timeout_seconds (\(plan.workflow.timeoutSeconds ?? 0) s)")
                }
                return nil
            }
            let progressRecord = LockedBox(record)
            let runs = self.runs
            let environment = self.environment
            let progress: @Sendable (IngestProgress) -> Void = { update in
                var current = progressRecord.value
                current.processed = update.rowsProcessed
                current.total = update.rowsEstimated
                progressRecord.value = current
                let event = RunEvent(
                    run: run, task: key, at: environment.timestamp, kind: .progress, processed: update.rowsProcessed,
                    total: update.rowsEstimated, message: "\(update.file): \(update.rowsProcessed) of ~\(update.rowsEstimated) rows")
                try? runs.updateTask(run, current, event: event)
                observer(event)
            }
            // Something the task passed over (an inbox entry that is not a regular file): a warning event.
            let warning: (String) -> Void = { message in
                let event = RunEvent(run: run, task: key, at: environment.timestamp, kind: .warning, message: message)
                try? runs.updateTask(run, progressRecord.value, event: event)
                observer(event)
            }
            // What the task says of how it went (a full rebuild, and why): a log event.
            let log: (String) -> Void = { message in
                let event = RunEvent(run: run, task: key, at: environment.timestamp, kind: .log, message: message)
                try? runs.updateTask(run, progressRecord.value, event: event)
                observer(event)
            }
            do {
                let counts = try perform(task, run: run, progress: progress, shouldStop: shouldStop, warning: warning, log: log)
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
                    processed: record.processed, total: record.total,
                    message: "\(task.taskKey) succeeded: \(summary)\(task.step.map { Self.note($0.step, counts) } ?? "")")
                try self.record(run, record, event)
                observer(event)
                return record
            } catch {
                record = progressRecord.value
                record.finishedAt = environment.timestamp
                record.durationMilliseconds = Int((environment.now() - started) * 1000)
                // A task stopped by its timeout says so first; what it was doing when stopped comes after.
                let stop = shouldStop()
                let timedOut = stop != nil
                if let stop, stop.message != error.message, !error.message.hasPrefix(stop.message) {
                    record.error = "\(stop.message) (stopped: \(error.description))"
                } else {
                    record.error = error.description
                }
                if attempt < attempts && !timedOut {
                    record.state = .running
                    let event = RunEvent(
                        run: run, task: task.taskKey, at: environment.timestamp, kind: .taskRetrying,
                        message: "\(task.taskKey) failed (attempt \(attempt) of \(attempts)), retrying: \(error.message)")
                    try recordFailure(run, record, event, of: task, error)
                    observer(event)
                    if task.minRetryIntervalMillis > 0 { usleep(UInt32(min(task.minRetryIntervalMillis, 60_000)) * 1000) }
                    continue
                }
                record.state = timedOut ? .timedOut : .failed
                let event = RunEvent(
                    run: run, task: task.taskKey, at: environment.timestamp, kind: .taskFailed,
                    message: "\(task.taskKey) \(timedOut ? "timed out" : "failed"): \(record.error ?? error.description)")
                try recordFailure(run, record, event, of: task, error)
                observer(event)
                return record
            }
        }
        record.state = .failed
        return record
    }

    private func perform(
        _ task: WorkflowTask, run: RunID, progress: @escaping @Sendable (IngestProgress) -> Void,
        shouldStop: @escaping @Sendable () -> EngineError?, warning: (String) -> Void, log: (String) -> Void
    ) throws(EngineError) -> [String: Int] {
        guard let step = task.step else { throw EngineError(.invalidConfiguration, "task \(task.taskKey) runs no step") }
        switch step.step {
        case .ingest:
            guard let name = step.source else { throw EngineError(.invalidConfiguration, "task \(task.taskKey) names no source") }
            let ingestor = SourceIngestor(workspace: workspace, source: try workspace.source(name), environment: environment, run: run)
            return try ingestor.ingest(progress: progress, shouldStop: shouldStop, warning: warning).asCounts
        case .revalidate:
            let service = QuarantineService(workspace: workspace, environment: environment.acting(as: "pipeline"))
            return try service.revalidateHeld(run: run, full: full, log: log, shouldStop: shouldStop)
        case .scorecard:
            do {
                return ["scorecard_rows": try workspace.repositories.status.recordScorecard(run: run, shouldStop: { shouldStop() != nil })]
            } catch {
                if error.code == .interrupted, let stop = shouldStop() { throw stop }
                throw EngineError.store(error)
            }
        case .match:
            let scope: MatchService.Scope = full ? .whole(because: "a full run (--full)") : .incremental
            let report = try MatchService(workspace: workspace, environment: environment.acting(as: "pipeline"))
                .runAuthorized(scope: scope, shouldStop: shouldStop)
            log(MatchService.scopeMessage(report))
            return [
                "records_matched": report.statistics.records, "golden_records": report.golden,
                "candidates_for_review": report.statistics.reviewPairs, "comparisons": report.statistics.comparisons,
            ]
        case .gold:
            let counts = try Customer360Service(workspace: workspace, environment: environment).updateGold(run: run, full: full, shouldStop: shouldStop)
            log(
                counts.fullBecause.map { "building the whole gold layer: \($0)" }
                    ?? "updated the \(counts.customersRebuilt) golden customer\(counts.customersRebuilt == 1 ? "" : "s") whose records changed")
            return [
                "customers": counts.customers, "customers_rebuilt": counts.customersRebuilt, "search_keys": counts.searchKeys,
                "campaigns": counts.campaigns, "engagement_days": counts.engagementDays,
            ]
        }
    }

    /// What a task's counts mean beyond their numbers, for its finished message.
    static func note(_ step: StepKind, _ counts: [String: Int]) -> String {
        guard step == .revalidate, let meanwhile = counts["decided_meanwhile"], meanwhile > 0 else { return "" }
        return "; \(meanwhile) record\(meanwhile == 1 ? " was" : "s were") decided by a steward while this ran, and left as decided"
    }

    /// Records a task's failure; when that cannot be written (a full disk), throws the task's own error
    /// first, with the failure to record it after (reported the other way round, it hid the cause).
    private func recordFailure(
        _ run: RunID, _ record: TaskRunRecord, _ event: RunEvent, of task: WorkflowTask, _ error: EngineError
    ) throws(EngineError) {
        do {
            try self.record(run, record, event)
        } catch let recording {
            throw EngineError(
                error.code, "task \(task.taskKey) failed: \(error.message)",
                details: error.details + ["recording that failure failed too: \(recording.message)"])
        }
    }

    private func record(_ run: RunID, _ record: TaskRunRecord, _ event: RunEvent?) throws(EngineError) {
        let runs = self.runs
        try storeCall { () throws(StoreError) in try runs.updateTask(run, record, event: event) }
    }

    private func finish(_ run: RunID, _ state: RunState, _ error: String?, _ observer: @Sendable (RunEvent) -> Void) throws(EngineError) {
        let runs = self.runs
        try storeCall { () throws(StoreError) in try runs.finishRun(run, state: state, error: error, at: environment.timestamp) }
        observer(RunEvent(run: run, task: nil, at: environment.timestamp, kind: .runFinished, message: error.map { "run \(run) \(state.rawValue): \($0)" } ?? "run \(run) \(state.rawValue)"))
    }

    private func summary(_ run: RunID) throws(EngineError) -> RunSummary {
        let runs = self.runs
        guard let summary = try storeCall({ () throws(StoreError) in try runs.run(run) }) else {
            throw EngineError(.store, "run \(run) vanished from the lake")
        }
        return summary
    }
}

/// How a task that ran on its own thread ended: its record, or the error that stops the run.
struct TaskEnding: Sendable {
    var task: WorkflowTask
    var outcome: Result<TaskRunRecord, EngineError>
}

extension WorkflowRunner {
    /// Where a step stands in the lake's flow of data: steps of one stage may run together, since none reads
    /// what another writes; a later stage reads what earlier ones write.
    static func stage(of step: StepKind) -> Int {
        switch step {
        case .ingest: return 0
        case .revalidate: return 1
        case .scorecard, .match: return 2
        case .gold: return 3
        }
    }

    /// Runs a task on a thread of its own, with a main thread's stack: steps recurse (JSON, matching) as deep
    /// as they would run in the foreground.
    static func startTaskThread(_ body: @escaping @Sendable () -> Void) {
        Thread.start(stackSize: 8 << 20, name: "cdp task", body)
    }
}

extension Environment {
    /// The same clock, acting as another user (the pipeline's own actions are audited as `pipeline`).
    public func acting(as user: String) -> Environment { Environment(now: now, user: user) }
}
