import CDPCore
import CDPRepositories
import CDPStore
import Foundation

/// The workflows' schedules and file arrival triggers: what they are, when they fire or look next, and pausing
/// and resuming them (`cdp schedule list/pause/resume`, the console's Runs screen). A pause or resume
/// overrides the file's `pause_status` until the next one, and is audited.
public struct ScheduleService: Sendable {
    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// What starts a workflow's runs.
    public enum Trigger: Hashable, Sendable {
        /// A Quartz cron schedule, on its time zone's clock.
        case cron(String)
        /// A file arrival trigger on a folder of the workspace (`inbox/marketing`).
        case fileArrival(folder: String)
    }

    /// A workflow's schedule or file arrival trigger as it stands.
    public struct Status: Hashable, Sendable {
        /// The workflow file's name (`customer_pipeline`), as `cdp run --workflow` takes it.
        public var workflow: String
        public var trigger: Trigger
        /// The schedule's time zone; `UTC` for a file arrival trigger.
        public var timeZone: String
        public var paused: Bool
        /// `pause_status` in the file; `paused` differs when `cdp schedule pause/resume` overrode it.
        public var pausedInFile: Bool
        /// Who paused or resumed it last, and when; nil when the file's `pause_status` stands.
        public var changedBy: String?
        public var changedAt: String?
        /// When it fires next (seconds since 1970); nil while paused or when it never fires again. For a file
        /// arrival trigger, when the scheduler next has something to decide (a file settles, or the minimum time
        /// between runs ends with files waiting); nil when no file waits.
        public var nextFire: Double?
        /// The last fire the scheduler acted on; for a file arrival trigger, when it last started a run.
        public var lastFire: Double?
        public var lastRun: RunID?
        /// A file arrival trigger's newest file (path in the workspace) and when the scheduler first saw it as
        /// it is; nil for a schedule, or before the first look found a file.
        public var lastFile: String?
        public var lastFileSeen: Double?

        /// The cron expression, or `file arrival inbox/marketing/`.
        public var what: String {
            switch trigger {
            case .cron(let expression): expression
            case .fileArrival(let folder): "file arrival \(folder)/"
            }
        }

        /// `2026-12-07 02:00 +01:00`: a time on the schedule's own clock, with its offset from UTC then.
        public func localTime(_ instant: Double) -> String {
            let zone = TimeZone(identifier: timeZone) ?? .gmt
            let wall = QuartzCron.WallTime(instant, in: zone)
            let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: instant))
            let hours = abs(offset) / 3600, minutes = abs(offset) / 60 % 60
            let sign = offset < 0 ? "-" : "+"
            return "\(String(wall.description.prefix(16))) \(sign)\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
        }
    }

    /// Every workflow that has a schedule or a file arrival trigger, by file name. A workflow that cannot be
    /// read is left out (`cdp check` says why).
    /// - Throws: `.store` when the schedule book cannot be read.
    public func list() throws(EngineError) -> [Status] {
        let book = try ScheduleBook(lakeFolder: workspace.lakeFolder).read()
        return workspace.workflowNames().compactMap { name in
            guard let plan = try? workspace.workflow(named: name) else { return nil }
            if let schedule = plan.schedule { return status(name, schedule, book[name]) }
            if let arrival = plan.fileArrival { return status(name, arrival, book[name]) }
            return nil
        }
    }

    func status(_ name: String, _ schedule: PlannedSchedule, _ entry: ScheduleBook.Entry?) -> Status {
        let paused = entry?.paused ?? schedule.pausedInFile
        return Status(
            workflow: name, trigger: .cron(schedule.cron.text), timeZone: schedule.timeZone.identifier, paused: paused,
            pausedInFile: schedule.pausedInFile, changedBy: entry?.changedBy, changedAt: entry?.changedAt,
            nextFire: paused ? nil : schedule.nextFire(after: max(entry?.lastFire ?? 0, environment.now())),
            lastFire: entry?.lastFire, lastRun: entry?.lastRun)
    }

    func status(_ name: String, _ arrival: PlannedFileArrival, _ entry: ScheduleBook.Entry?) -> Status {
        // The newest file is the one seen changing last, then the one modified last; then the greater path, so
        // the pick is stable.
        let newest = (entry?.files ?? [:]).max {
            ($0.value.changedAt, $0.value.modified, $0.key) < ($1.value.changedAt, $1.value.modified, $1.key)
        }
        return Status(
            workflow: name, trigger: .fileArrival(folder: arrival.folder), timeZone: "UTC",
            paused: entry?.paused ?? arrival.pausedInFile, pausedInFile: arrival.pausedInFile, changedBy: entry?.changedBy,
            changedAt: entry?.changedAt,
            nextFire: Scheduler(workspace: workspace, environment: environment).nextArrivalDecision(arrival, entry),
            lastFire: entry?.lastTrigger, lastRun: entry?.lastRun, lastFile: newest?.key, lastFileSeen: newest?.value.changedAt)
    }

    /// Pauses a workflow's schedule or file arrival trigger: `cdp scheduler` starts no run of it until it is
    /// resumed. Audited as `schedule.pause`.
    /// - Throws: `.forbidden` without `run_workflows`; `.notFound` for a workflow with neither a schedule nor
    ///   a trigger; `.refused` when it is paused already.
    @discardableResult
    public func pause(_ workflow: String, reason: String? = nil) throws(EngineError) -> Status {
        try change(workflow, pause: true, reason: reason)
    }

    /// Resumes a paused schedule or trigger. Fires missed while paused are not made up: the next run is the
    /// next fire from now. Files that arrived in a trigger's folder while it was paused start a run once they
    /// have settled. Audited as `schedule.resume`.
    /// - Throws: as ``pause(_:reason:)``, `.refused` when it is not paused.
    @discardableResult
    public func resume(_ workflow: String, reason: String? = nil) throws(EngineError) -> Status {
        try change(workflow, pause: false, reason: reason)
    }

    private func change(_ workflow: String, pause: Bool, reason: String?) throws(EngineError) -> Status {
        let verb = pause ? "pause" : "resume"
        try workspace.authorize(.runWorkflows, environment, attempt: "schedule.\(verb) \(workflow)")
        let plan = try workspace.workflow(named: workflow)
        let name = Self.fileName(workflow)
        let pausedInFile: Bool
        let described: (ScheduleBook.Entry) -> Status
        if let schedule = plan.schedule {
            pausedInFile = schedule.pausedInFile
            described = { status(name, schedule, $0) }
        } else if let arrival = plan.fileArrival {
            pausedInFile = arrival.pausedInFile
            described = { status(name, arrival, $0) }
        } else {
            let file = try workspace.workflowFile(name)
            throw EngineError(
                .notFound,
                "workflow \(name) has no schedule or trigger; add \"schedule\": {\"quartz_cron_expression\": \"0 0 2 * * ?\", \"timezone_id\": \"UTC\"} or \"trigger\": {\"file_arrival\": {\"url\": \"inbox/\"}} to \(file.path)"
            )
        }
        let kind = plan.schedule == nil ? "file arrival trigger" : "schedule"
        let now = environment.now()
        let user = environment.user
        let stamp = environment.timestamp
        let entry = try ScheduleBook(lakeFolder: workspace.lakeFolder).update { (entries) throws(EngineError) -> ScheduleBook.Entry in
            var entry = entries[name] ?? ScheduleBook.Entry()
            let paused = entry.paused ?? pausedInFile
            guard paused != pause else {
                let by =
                    entry.changedBy.map { " (by \($0) at \(entry.changedAt ?? "?"))" }
                    ?? (pausedInFile ? " (pause_status in the file)" : "")
                throw EngineError(.refused, "the \(kind) of \(name) is \(pause ? "paused" : "running") already\(by); nothing changed")
            }
            entry.paused = pause
            entry.changedBy = user
            entry.changedAt = stamp
            // Resumed, a schedule fires next at its next time from now: what fell due while paused is not made up.
            if !pause && plan.schedule != nil { entry.lastFire = max(entry.lastFire ?? now, now) }
            entries[name] = entry
            return entry
        }
        try storeCall { () throws(StoreError) in
            try workspace.repositories.audit.appendAudit(
                AuditDraft(
                    actor: user, action: "schedule.\(verb)", target: name, before: pause ? "UNPAUSED" : "PAUSED",
                    after: pause ? "PAUSED" : "UNPAUSED", reason: reason),
                at: stamp)
        }
        return described(entry)
    }

    /// `customer_pipeline` for `customer_pipeline.json` or `customer_pipeline`.
    static func fileName(_ workflow: String) -> String {
        workflow.hasSuffix(".json") ? String(workflow.dropLast(5)) : workflow
    }
}

extension Workspace {
    /// The workflows of the workspace by file name (`customer_pipeline`), sorted.
    public func workflowNames() -> [String] {
        let folder = root.appendingPathComponent(Self.workflowsFolder)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}
