import CDPCore
import Foundation

/// Starts the runs that fall due by the workflows' schedules: the heart of `cdp scheduler`, which calls
/// ``tick(observer:)`` in a loop. Each look reads the workflow files afresh (an edit counts from the next look),
/// and the time comes from the injected clock, so a test walks it through days without waiting.
///
/// A schedule first seen starts nothing: it is watched from then on. A fire that fell due since the last
/// look starts one run (trigger `schedule`); when several fell due while the scheduler was not running
/// (downtime), one run stands for them all and the event says how many were missed. A paused schedule
/// starts nothing and nothing piles up for it. When another run holds the lake, the due run waits for the
/// next look. A workflow with a file arrival trigger instead starts a run when new files have settled in its
/// folder (``look(at:of:plan:book:observer:)``).
public struct Scheduler: Sendable {
    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// What one look did for one workflow.
    public struct Event: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            /// First seen: watched from now on.
            case watching
            /// A due run was started (and has finished: `run`, `state`).
            case started
            /// A due run could not start: another run holds the lake. It is tried again at the next look.
            case busy
            /// The workflow file cannot be read or run; nothing was started.
            case failed
        }

        public var workflow: String
        public var kind: Kind
        public var run: RunID?
        public var state: RunState?
        /// Fires that fell due but started no run of their own (the scheduler was down).
        public var missed: Int
        public var message: String

        public var description: String { "\(workflow): \(message)" }
    }

    /// Looks at every schedule once, at the clock's now, and runs what is due, one workflow after another.
    /// - Parameter observer: sees the events of each run started.
    /// - Returns: what it did, per workflow it acted on (nothing for one not due).
    /// - Throws: `.store` when the schedule book cannot be read or written.
    @discardableResult
    public func tick(observer: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(EngineError) -> [Event] {
        let book = ScheduleBook(lakeFolder: workspace.lakeFolder)
        var events: [Event] = []
        for name in workspace.workflowNames() {
            let plan: WorkflowPlan
            do {
                plan = try workspace.workflow(named: name)
            } catch {
                // A broken file is said once per look; the others still run.
                if let file = try? workspace.workflowFile(name), let text = try? String(contentsOf: file, encoding: .utf8), text.contains("\"schedule\"") {
                    events.append(
                        Event(
                            workflow: name, kind: .failed, missed: 0,
                            message: "cannot be read, so its schedule is not followed: \(error.description)"))
                }
                continue
            }
            if let arrival = plan.fileArrival {
                events += try look(at: arrival, of: name, plan: plan, book: book, observer: observer)
                continue
            }
            guard let schedule = plan.schedule else { continue }
            let now = environment.now()
            let decision = try book.update { (entries) throws(EngineError) -> Decision in
                var entry = entries[name] ?? ScheduleBook.Entry()
                defer { entries[name] = entry }
                guard let since = entry.lastFire else {
                    entry.lastFire = now
                    return .firstSeen
                }
                if entry.paused ?? schedule.pausedInFile {
                    entry.lastFire = max(since, now)  // nothing piles up while paused
                    return .waiting
                }
                guard let first = schedule.nextFire(after: since), first <= now else { return .waiting }
                var last = first
                var fires = 1
                while fires < 100_000, let next = schedule.nextFire(after: last), next <= now {
                    last = next
                    fires += 1
                }
                return .due(fires: fires, last: last)
            }
            let due: (fires: Int, last: Double)
            switch decision {
            case .waiting:
                continue
            case .firstSeen:
                let next = schedule.nextFire(after: now).map { ISOTime.timestamp($0) } ?? "never"
                events.append(
                    Event(
                        workflow: name, kind: .watching, missed: 0,
                        message: "schedule \(schedule.cron) (\(schedule.timeZone.identifier)) watched from now; next run \(next)"))
                continue
            case .due(let fires, let last):
                due = (fires, last)
            }
            let missed = due.fires - 1
            let catchUp =
                missed > 0
                ? " (\(missed) earlier fire\(missed == 1 ? "" : "s") missed while the scheduler was not running: run once for all)" : ""
            let runner = WorkflowRunner(workspace: workspace, environment: environment, trigger: "schedule")
            do {
                let summary = try runner.run(plan, observer: observer)
                try book.update { (entries) throws(EngineError) in
                    entries[name, default: ScheduleBook.Entry()].lastFire = due.last
                    entries[name, default: ScheduleBook.Entry()].lastRun = summary.id
                }
                events.append(
                    Event(
                        workflow: name, kind: .started, run: summary.id, state: summary.state, missed: missed,
                        message: "run \(summary.id) for the fire due \(ISOTime.timestamp(due.last)) \(summary.state.rawValue)\(catchUp)"))
            } catch  where error.code == .busy {
                events.append(
                    Event(
                        workflow: name, kind: .busy, missed: missed,
                        message: "due at \(ISOTime.timestamp(due.last)), but \(error.message); trying again at the next look"))
            } catch {
                // Refused (configuration, access) or stopped by an error: the fire is spent, said, and not retried.
                try book.update { (entries) throws(EngineError) in entries[name, default: ScheduleBook.Entry()].lastFire = due.last }
                events.append(
                    Event(
                        workflow: name, kind: .failed, missed: missed,
                        message: "due at \(ISOTime.timestamp(due.last)), but the run could not start or was stopped: \(error.description)"))
            }
        }
        return events
    }

    enum Decision {
        case firstSeen
        case waiting
        case due(fires: Int, last: Double)
    }

    /// When the next schedule fires or a file arrival trigger next has something to decide (seconds since
    /// 1970), or nil when nothing will.
    public func nextFire() -> Double? {
        let statuses = (try? ScheduleService(workspace: workspace, environment: environment).list()) ?? []
        let entries = (try? ScheduleBook(lakeFolder: workspace.lakeFolder).read()) ?? [:]
        let arrivals = workspace.workflowNames().compactMap { name -> Double? in
            guard let arrival = (try? workspace.workflow(named: name))?.fileArrival else { return nil }
            return nextArrivalDecision(arrival, entries[name])
        }
        return (statuses.compactMap(\.nextFire) + arrivals).min()
    }

    /// The folders file arrival triggers watch, in the workspace (for a service that waits on them).
    public func watchedFolders() -> [URL] {
        workspace.workflowNames().compactMap { name in
            (try? workspace.workflow(named: name))?.fileArrival.map { workspace.root.appendingPathComponent($0.folder) }
        }
    }
}
