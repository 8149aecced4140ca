import CDPCore

/// Where a workflow run is recorded: the run, its tasks and their event stream. The embedded lake
/// (`LakeStore`) is one implementation; a test puts a failing one in between to see how a run copes with a
/// lake it cannot write.
public protocol RunRepository: Sendable {
    /// Records a new run with the job parameters it runs with (its repair reuses them) and, in the same transaction,
    /// its `run.start` audit row (the workflow, and `cause` as the reason): a run's row never stands without it, so
    /// `cdp audit verify` names any that does as written outside `cdp run`.
    func startRun(
        workflow: String, tasks: [TaskOutline], actor: String, trigger: String, parameters: [String: String], pid: Int32?, at: String,
        cause: String?
    ) throws(StoreError) -> RunID
    func updateTask(_ run: RunID, _ record: TaskRunRecord, event: RunEvent?) throws(StoreError)
    func finishRun(_ run: RunID, state: RunState, error: String?, at: String) throws(StoreError)
    func abandonStaleRuns(failures: [RunID: String], at: String) throws(StoreError) -> [RunID]
    func run(_ id: RunID) throws(StoreError) -> RunSummary?
    /// Reopens a finished run to repair it: `tasks` go back to pending, every other task keeps how it ended.
    func reopenRun(_ run: RunID, tasks: [TaskKey], actor: String, parameters: [String: String], pid: Int32?, at: String) throws(StoreError)
    /// The newest runs first, with their tasks.
    func runs(limit: Int) throws(StoreError) -> [RunSummary]
    /// Events of a run after `afterEventID`, oldest first: a follower polls with the last id it saw.
    func events(of run: RunID, after afterEventID: Int64, limit: Int) throws(StoreError) -> [RunEvent]
    /// Appends one event to a run's stream (a warning the run could not attach to a task's update).
    func appendEvent(_ event: RunEvent) throws(StoreError)
    /// Takes the store's own run lock, held until ``releaseStoreRunLock()`` or the process ends, so two runs never
    /// overlap on a store several machines share. The embedded lake has none of its own (the workspace's lock file
    /// is the lock there).
    /// - Throws: `.conflict` naming who holds it; `.notAuthorized` for a role that may not run the pipeline.
    func takeStoreRunLock() throws(StoreError)
    func releaseStoreRunLock()
}

extension RunRepository {
    public func appendEvent(_ event: RunEvent) throws(StoreError) {
        throw StoreError(.unsupported, "this store does not keep run events apart from task updates")
    }
    public func takeStoreRunLock() throws(StoreError) {}
    public func releaseStoreRunLock() {}
}

public struct TaskOutline: Sendable {
    public var key: TaskKey
    public var step: String
    public var dependsOn: [TaskKey]
    public init(key: TaskKey, step: String, dependsOn: [TaskKey]) {
        self.key = key
        self.step = step
        self.dependsOn = dependsOn
    }
}
