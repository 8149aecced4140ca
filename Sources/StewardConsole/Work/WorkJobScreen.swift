import CDPEngine
import TermUI

/// A claim, an assignment or an unassignment of many rows running in the background with a progress bar, as a bulk
/// release does: the keys never wait for the lake. The engine checks the items in batches, then writes the change in
/// one transaction; Esc stops it while it checks, and then nothing changes. Someone else's items ask to be taken over
/// when it ends, as a small change does.
final class WorkJobScreen: BulkJobScreen {
    /// What it does, for the title and the progress line ("Assigning 5,000 items to sam").
    let label: String
    let takingOver: Bool
    private(set) var job: BulkJob<WorkAssignments.Outcome>?
    private let run: @Sendable (_ takingOver: Bool, _ progress: (BulkProgress) -> Bool) throws(EngineError) -> WorkAssignments.Outcome
    private let summary: (WorkAssignments.Outcome) -> String
    private let done: () -> Void
    private let total: Int

    /// - Parameters:
    ///   - run: the engine call, on the job's thread.
    ///   - summary: the status line once it succeeded.
    ///   - done: called on the console's thread once it succeeded (the list clears its marks, reads the holds).
    init(
        label: String, total: Int, takingOver: Bool = false,
        run: @escaping @Sendable (_ takingOver: Bool, _ progress: (BulkProgress) -> Bool) throws(EngineError) -> WorkAssignments.Outcome,
        summary: @escaping (WorkAssignments.Outcome) -> String, done: @escaping () -> Void
    ) {
        self.label = label
        self.total = total
        self.takingOver = takingOver
        self.run = run
        self.summary = summary
        self.done = done
    }

    var title: String { label + (job == nil ? "" : " · running") }

    var actions: [ConsoleAction] { BulkScreenParts.actions(running: true, applyHelp: "") }

    var isRunning: Bool { job != nil }

    var progressLine: String? {
        job.map { BulkScreenParts.progressLine(label.prefix(1).lowercased() + label.dropFirst(), $0.progress) }
    }

    private var started = false

    func activate(app: ConsoleApp) {
        guard !started else { return }
        started = true
        let run = self.run, takingOver = self.takingOver
        job = BulkJob(total: total, gate: app.bulkJobGate) { progress throws(EngineError) in try run(takingOver, progress) }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if action == "stop", let job {
            job.stop()
            app.message = StatusMessage("stopping; nothing is written once stopped…")
        }
        return true
    }

    func waitForRunningJob() { job?.wait() }

    func finishIfDone(_ app: ConsoleApp) {
        guard let running = job, let result = running.result else { return }
        job = nil
        app.dismiss(self)
        switch result {
        case .success(let outcome):
            app.dataGeneration += 1
            app.message = StatusMessage(summary(outcome), severity: .success)
            done()
        case .failure(let error) where error.code == .held && !takingOver:
            WorkActions.askToTakeOver(error, app: app) { [weak app, label, total, run, summary, done] in
                app?.push(WorkJobScreen(label: label, total: total, takingOver: true, run: run, summary: summary, done: done))
            }
        case .failure(let error) where error.code == .cancelled:
            let done = running.progress
            app.message = StatusMessage(
                "stopped \(label.prefix(1).lowercased() + label.dropFirst()) after checking \(TimeText.count(done.done)) of "
                    + "\(TimeText.count(done.total)); nothing changed", severity: .warning)
        case .failure(let error):
            app.report(error)
        }
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        BulkScreenParts.renderProgress(label, job?.progress ?? BulkProgress(done: 0, total: total), in: area, frame: &frame, theme: app.theme)
    }
}
