import CDPCore
import CDPStore
import Foundation

extension WorkflowRunner {
    /// Repairs a run that did not succeed (Databricks' repair run): reruns its failed, timed-out and skipped
    /// tasks and every task that depends on them, in the same run record; the tasks that succeeded keep
    /// their result (a condition keeps its branch, a task its values). Audited as `run.repair`.
    ///
    /// The workflow is read as it is now, with the parameters the run had (those the workflow still
    /// declares; one added since takes its default), each overridden by `parameters`; the run keeps the
    /// values it was repaired with. A run whose workflow lost or gained tasks since is refused.
    /// - Throws: `.notFound` for an unknown run or a workflow no longer in `workflows/`; `.refused` for a
    ///   run that succeeded or whose workflow changed its tasks; `.busy` when another run holds the lake;
    ///   `.forbidden` without `run_workflows`; as ``run(_:observer:)`` otherwise.
    @discardableResult
    public func repair(
        _ id: RunID, parameters: [String: String] = [:], observer: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) throws(EngineError) -> RunSummary {
        try workspace.checkConfiguration()
        try workspace.authorize(.runWorkflows, environment, attempt: "repair \(id)")
        let masker = workspace.masker(for: environment)
        let observer: @Sendable (RunEvent) -> Void = { [observer] event in observer(masker.runEvent(event)) }
        let runs = self.runs
        guard let known = try storeCall({ () throws(StoreError) in try runs.run(id) }) else {
            throw EngineError(.notFound, "no run \(id); see `cdp runs`")
        }
        var holder = RunLock.Holder(workflow: known.workflow, actor: environment.user, trigger: "repair", startedAt: environment.timestamp)
        let lock = try RunLock.acquire(in: workspace.lakeFolder, for: holder, waiting: waiting)
        defer { lock.release() }
        // A team store shared by several machines has a run lock of its own (an advisory lock the database holds).
        let storeRuns = self.runs
        try storeCall { () throws(StoreError) in try storeRuns.takeStoreRunLock() }
        defer { storeRuns.releaseStoreRunLock() }
        var unrecorded: [RunID: String] = [:]
        if let previous = lock.previous, let run = previous.run, let failure = previous.unrecordedFailure { unrecorded[run] = failure }
        _ = try storeCall { () throws(StoreError) in try runs.abandonStaleRuns(failures: unrecorded, at: environment.timestamp) }
        // Read again under the lock: the run may have ended (or been abandoned) meanwhile.
        guard let previous = try storeCall({ () throws(StoreError) in try runs.run(id) }) else {
            throw EngineError(.notFound, "no run \(id); see `cdp runs`")
        }
        guard previous.state != .succeeded else {
            throw EngineError(.refused, "run \(id) succeeded: there is nothing to repair")
        }
        let plan = try workflowPlan(named: previous.workflow, parameters: parameters, had: previous.parameters, for: id)
        let recorded = Set(previous.tasks.map(\.key)), planned = Set(plan.orderedTasks.map(\.taskKey))
        guard recorded == planned else {
            let added = planned.subtracting(recorded).map(\.rawValue).sorted(),
                removed = recorded.subtracting(planned).map(\.rawValue).sorted()
            var changes: [String] = []
            if !added.isEmpty { changes.append("added \(added.joined(separator: ", "))") }
            if !removed.isEmpty { changes.append("removed \(removed.joined(separator: ", "))") }
            throw EngineError(
                .refused,
                "the workflow \(previous.workflow) changed since run \(id) (\(changes.joined(separator: "; "))); repair reruns the tasks of the run as recorded, so start a new run instead (`cdp run --workflow …`)"
            )
        }
        let ended = Dictionary(uniqueKeysWithValues: previous.tasks.map { ($0.key, $0) })
        var rerun = Set(plan.orderedTasks.filter { ended[$0.taskKey]?.state != .succeeded }.map(\.taskKey))
        for key in Array(rerun) { rerun.formUnion(plan.dependents(of: key)) }
        var progress = RunProgress()
        for task in plan.orderedTasks where !rerun.contains(task.taskKey) {
            let counts = ended[task.taskKey]?.counts ?? [:]
            let branch = task.condition != nil ? counts["outcome"].map { $0 == 1 } : nil
            progress.finished(
                task.taskKey, .succeeded,
                values: task.condition != nil ? ["outcome": String(branch ?? false)] : Self.values(of: task, counts),
                branch: branch)
        }
        let order = plan.orderedTasks.map(\.taskKey).filter { rerun.contains($0) }
        try storeCall { () throws(StoreError) in
            try runs.reopenRun(id, tasks: order, actor: environment.user, parameters: plan.parameters, pid: getpid(), at: environment.timestamp)
        }
        holder.run = id
        lock.record(holder)
        observer(
            RunEvent(
                run: id, task: nil, at: environment.timestamp, kind: .runStarted,
                message: "run \(id) of \(previous.workflow) repaired: rerunning \(order.map(\.rawValue).joined(separator: ", "))"))
        let audit = AuditDraft(
            actor: environment.user, action: "run.repair", target: id.description, before: previous.state.rawValue,
            after: order.map(\.rawValue).joined(separator: ","))
        return masker.runSummary(try complete(id, plan, audit: audit, progress: progress, only: rerun, lock: lock, holder: holder, observer: observer))
    }

    /// The plan of the workflow a run was of, found by its name among `workflows/*.json`, with the parameters
    /// the run `had` that the workflow still declares, overridden by those `given`.
    private func workflowPlan(
        named name: String, parameters given: [String: String], had: [String: String], for run: RunID
    ) throws(EngineError) -> WorkflowPlan {
        var problem: EngineError?
        for file in workspace.workflowNames() {
            let found: WorkflowPlan
            do {
                found = try workspace.workflow(named: file)
            } catch {
                // Only the workflow's own file matters; remember why a file that may be it cannot be read.
                if file == name { problem = error }
                continue
            }
            guard found.workflow.name == name else { continue }
            let declared = Set(found.workflow.parameters.map(\.name))
            let kept = had.filter { declared.contains($0.key) }
            return try workspace.workflow(named: file, parameters: kept.merging(given) { $1 })
        }
        if let problem { throw problem }
        throw EngineError(
            .notFound, "run \(run) was of workflow \(name), which is no longer in \(Workspace.workflowsFolder)/; it cannot be repaired")
    }
}
