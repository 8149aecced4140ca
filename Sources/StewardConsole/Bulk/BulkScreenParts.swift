import CDPEngine
import TermUI

/// A screen running a bulk job: it takes the job's outcome on ticks and before frames, never waiting.
protocol BulkJobScreen: ConsoleScreen {
    var isRunning: Bool { get }
    /// What runs and how far it is ("releasing 1,234/10,000"), for the status bar on every tab; nil when nothing runs.
    var progressLine: String? { get }
    /// Takes the outcome once the job is done (never waits).
    func finishIfDone(_ app: ConsoleApp)
    /// Waits for the running job, if any (tests).
    func waitForRunningJob()
}

extension BulkJobScreen {
    func tick(app: ConsoleApp) -> Bool {
        guard isRunning else { return false }
        finishIfDone(app)
        return true
    }

    func willRender(app: ConsoleApp) { finishIfDone(app) }

    /// Waits for the job (tests), then takes its outcome.
    func waitForJob(app: ConsoleApp) {
        waitForRunningJob()
        finishIfDone(app)
    }
}

/// What the bulk screens (records and pairs) share: their keys, the progress they show while a job runs, and
/// taking a job's outcome when it ends.
enum BulkScreenParts {
    /// Esc or `q` stop a running job; before it runs, navigation, Enter/`y` apply and `n` cancels.
    static func actions(running: Bool, applyHelp: String) -> [ConsoleAction] {
        if running {
            return [ConsoleAction("stop", keys: [KeyEvent(.escape), .char("q")], help: "Stop after the current batch", group: "Bulk")]
        }
        return NavigationActions.list + [
            ConsoleAction("apply", keys: [KeyEvent(.enter), .char("y")], help: applyHelp, group: "Bulk"),
            ConsoleAction("cancel", keys: [.char("n")], help: "Cancel (q and Esc too)", group: "Bulk"),
        ]
    }

    /// Cancel and stop, the same on every bulk screen; false for any other action.
    static func perform<Outcome>(_ action: String, job: BulkJob<Outcome>?, app: ConsoleApp) -> Bool {
        switch action {
        case "cancel":
            app.back()
            app.message = StatusMessage("cancelled; nothing changed")
        case "stop":
            job?.stop()
            app.message = StatusMessage("stopping after the current batch…")
        default:
            return false
        }
        return true
    }

    /// `verb done/total`, e.g. "releasing 1,234/10,000".
    static func progressLine(_ verb: String, _ progress: BulkProgress) -> String {
        "\(verb) \(TimeText.count(progress.done))/\(TimeText.count(progress.total))"
    }

    /// A line saying what runs, then a progress bar of how many are done.
    static func renderProgress(_ text: String, _ progress: BulkProgress, in area: Rect, frame: inout Frame, theme: Theme) {
        let rows = area.splitVertically([.length(2), .length(1), .fill(1)])
        frame.buffer.setString(
            x: rows[0].x, y: rows[0].y, "\(text) · Esc stops after the current batch", style: theme[.text], maxWidth: rows[0].width)
        let ratio = progress.total > 0 ? Double(progress.done) / Double(progress.total) : 0
        frame.render(
            Gauge(
                ratio: ratio, label: "\(TimeText.count(progress.done))/\(TimeText.count(progress.total))", barStyle: theme[.accent],
                style: theme[.muted]), in: rows[1])
    }

    /// A finished job's outcome (nil while it runs): the job is cleared, every screen told the lake changed, the
    /// bulk screen left if it shows, and a failure reported on the status line (nil then as well).
    static func takeFinished<Outcome>(_ job: inout BulkJob<Outcome>?, of screen: ConsoleScreen, app: ConsoleApp) -> Outcome? {
        guard let running = job, let result = running.result else { return nil }
        job = nil
        app.dataGeneration += 1
        app.dismiss(screen)
        switch result {
        case .failure(let error):
            app.report(error)
            app.current.activate(app: app)
            return nil
        case .success(let outcome):
            return outcome
        }
    }

    /// `; 2 refused (the first reason)`, or nothing.
    static func refusals(_ refused: [some Hashable: String]) -> String {
        refused.isEmpty ? "" : "; \(refused.count) refused (\(refused.values.sorted().first ?? ""))"
    }
}
