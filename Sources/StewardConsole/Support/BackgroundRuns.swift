import CDPCore
import CDPEngine
import Foundation
import TermUI

/// Pipeline runs started from the console, each on a detached thread; the UI thread polls this box.
final class BackgroundRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    private var startedRun: RunID?
    private var finished: StatusMessage?

    var isRunning: Bool { lock.withLock { running } }

    func start(workspace: Workspace, environment: Environment, plan: WorkflowPlan) {
        start(workspace: workspace, environment: environment, trigger: "console") { runner, observer throws(EngineError) in
            try runner.run(plan, observer: observer)
        }
    }

    /// Repairs a run that did not succeed (its failed and skipped tasks, and what depends on them).
    func repair(workspace: Workspace, environment: Environment, run: RunID) {
        start(workspace: workspace, environment: environment, trigger: "repair") { runner, observer throws(EngineError) in
            try runner.repair(run, observer: observer)
        }
    }

    private func start(
        workspace: Workspace, environment: Environment, trigger: String,
        work: @escaping @Sendable (WorkflowRunner, @escaping @Sendable (RunEvent) -> Void) throws(EngineError) -> RunSummary
    ) {
        lock.withLock { running = true }
        Thread.start(name: "cdp console run") { [self] in
            let runner = WorkflowRunner(workspace: workspace, environment: environment, trigger: trigger)
            let result: StatusMessage
            do throws(EngineError) {
                let summary = try work(runner) { event in
                    guard event.kind == .runStarted else { return }
                    self.lock.withLock { self.startedRun = event.run }
                }
                result = StatusMessage(
                    "run \(summary.id) \(summary.state.rawValue)", severity: summary.state == .succeeded ? .success : .error)
            } catch {
                result = Self.outcome(of: error, workspace: workspace)
            }
            self.lock.withLock {
                self.finished = result
                self.running = false
            }
        }
    }

    /// What the status line says of a run that did not finish. Another run holding the lake is named short
    /// enough to fit (the engine's message carries the workspace's path and a hint for the CLI).
    static func outcome(of error: EngineError, workspace: Workspace) -> StatusMessage {
        if error.code == .busy {
            let holder = RunLock.state(in: workspace.lakeFolder).holder
            return StatusMessage(
                "\(holder?.summary ?? "another run") holds the lake: not started (one run at a time; try again when it ends)",
                severity: .warning)
        }
        return StatusMessage("run failed: \(ConsoleApp.describe(error))", severity: .error)
    }

    /// The id of a run that just started (once).
    func takeStartedRun() -> RunID? {
        lock.withLock {
            defer { startedRun = nil }
            return startedRun
        }
    }

    /// The outcome of a run that just finished (once).
    func takeFinished() -> StatusMessage? {
        lock.withLock {
            defer { finished = nil }
            return finished
        }
    }
}
