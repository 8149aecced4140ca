import CDPCore
import CDPEngine
import Foundation
import TermUI

/// One run, followed live: tasks in dependency order with state colours and a progress bar per
/// running task, and a log tail that follows. Polls the store every tick, so it follows a run started
/// by another process as well as one started from the console.
final class RunDetailScreen: ConsoleScreen {
    let runID: RunID
    private var run: RunSummary?
    private var events: [RunEvent] = []
    private var lastEventID: Int64 = 0
    private var log = TextViewState(followTail: true)
    private var errorsOnly = false
    /// Show only this task's log lines; set to the failed task when a run fails.
    private var taskFilter: TaskKey?
    private var openedFailure = false
    private var error: String?

    static let maxEvents = 5000

    init(runID: RunID) {
        self.runID = runID
    }

    var title: String {
        guard let run else { return "Run \(runID)" }
        return "Run \(runID) · \(run.workflow) · \(run.state.rawValue) · \(RunStyles.duration(run))"
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("errors-only", keys: [.char("e")], help: "Show only errors and warnings in the log", group: "Log"),
            ConsoleAction("task-log", keys: [.char("t")], help: "Cycle the log between tasks", group: "Log"),
            ConsoleAction("follow", keys: [.char("f")], help: "Follow the log tail", group: "Log"),
        ]
    }

    func activate(app: ConsoleApp) { poll(app) }

    func tick(app: ConsoleApp) -> Bool {
        poll(app)
        return true
    }

    func poll(_ app: ConsoleApp) {
        let reader = app.reader
        do {
            run = try reader.run(runID)
            while true {
                let batch = try reader.events(of: runID, after: lastEventID, limit: 1000)
                // Progress is the task table's gauge, not the log's: a line per chunk pushed task events out of view.
                events += batch.filter { $0.kind != .progress }
                if let last = batch.last { lastEventID = last.id }
                if batch.count < 1000 { break }
            }
            if events.count > Self.maxEvents { events.removeFirst(events.count - Self.maxEvents) }
            error = nil
        } catch let failure {
            error = failure.description
        }
        if let run, run.state == .failed || run.state == .abandoned, !openedFailure {
            openedFailure = true
            if let failed = run.tasks.first(where: { $0.state == .failed || $0.state == .timedOut }) {
                taskFilter = failed.key
                app.message = StatusMessage("run \(runID) failed in task \(failed.key): \(failed.error ?? run.error ?? "")", severity: .error)
            }
        }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &log) { return true }
        switch action {
        case "errors-only":
            errorsOnly.toggle()
            app.message = StatusMessage(errorsOnly ? "log: errors and warnings only" : "log: everything")
        case "task-log":
            let keys = run?.tasks.map(\.key) ?? []
            if let current = taskFilter, let index = keys.firstIndex(of: current) {
                taskFilter = index + 1 < keys.count ? keys[index + 1] : nil
            } else {
                taskFilter = keys.first
            }
            app.message = StatusMessage("log: \(taskFilter?.rawValue ?? "all tasks")")
        case "follow":
            log.scrollToBottom()
        default:
            return false
        }
        return true
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        guard let run else {
            frame.buffer.setString(x: area.x, y: area.y, "waiting for run \(runID)…", style: theme[.muted])
            return
        }
        let taskRows = min(run.tasks.count + 1, max(3, area.height / 2))
        let parts = area.splitVertically([.length(taskRows), .fill(1)], spacing: 1)
        renderTasks(run, in: parts[0], frame: &frame, theme: theme)
        renderLog(in: parts[1], frame: &frame, theme: theme)
    }

    private func renderTasks(_ run: RunSummary, in area: Rect, frame: inout Frame, theme: Theme) {
        let header = Line(spans: [
            Span(TextWidth.pad("task", to: 24), style: theme[.header]), Span(TextWidth.pad("step", to: 12), style: theme[.header]),
            Span(TextWidth.pad("state", to: 10), style: theme[.header]), Span("progress", style: theme[.header]),
        ])
        frame.buffer.setLine(x: area.x, y: area.y, header, maxWidth: area.width)
        let now = Date().timeIntervalSince1970
        for (index, task) in run.tasks.prefix(max(0, area.height - 1)).enumerated() {
            let y = area.y + 1 + index
            let style = RunStyles.style(task.state, theme)
            let line = Line(spans: [
                Span("\(RunStyles.symbol(task.state)) ", style: style),
                Span(TextWidth.pad(TextWidth.truncate(task.key.rawValue, to: 21), to: 22), style: theme[.text]),
                Span(TextWidth.pad(task.step, to: 12), style: theme[.muted]),
                Span(TextWidth.pad(task.state.rawValue, to: 10), style: style),
            ])
            let used = frame.buffer.setLine(x: area.x, y: y, line, maxWidth: area.width)
            let rest = Rect(x: area.x + used, y: y, width: max(0, area.width - used), height: 1)
            if task.state == .running, let total = task.total, total > 0 {
                let elapsed = task.startedAt.flatMap(TimeText.seconds).map { max(0.001, now - $0) } ?? 0
                let rate = elapsed > 0 ? Double(task.processed) / elapsed : 0
                let eta = rate > 0 ? TimeText.duration(Double(total - task.processed) / rate) : "–"
                let label = "\(TimeText.count(task.processed))/\(TimeText.count(total)) · \(TimeText.rate(rate)) · ETA \(eta)"
                frame.render(
                    Gauge(ratio: Double(task.processed) / Double(total), label: label, barStyle: theme[.accent], style: theme[.muted]),
                    in: rest)
            } else {
                var text = ""
                if let duration = task.durationMilliseconds { text = TimeText.duration(Double(duration) / 1000) }
                if task.processed > 0 { text += (text.isEmpty ? "" : " · ") + "\(TimeText.count(task.processed)) processed" }
                if task.state == .running { text = "\(TimeText.count(task.processed)) processed…" }
                if let error = task.error { text += (text.isEmpty ? "" : " · ") + error }
                frame.buffer.setString(x: rest.x, y: y, text, style: task.error != nil ? theme[.error] : theme[.muted], maxWidth: rest.width)
            }
        }
    }

    private func renderLog(in area: Rect, frame: inout Frame, theme: Theme) {
        let shown = events.filter { event in
            (!errorsOnly || event.kind.isError) && (taskFilter == nil || event.task == taskFilter || event.task == nil)
        }
        var title = "Log"
        if let taskFilter { title += " · task \(taskFilter)" }
        if errorsOnly { title += " · errors only" }
        title += log.followTail ? " · following" : ""
        let block = Block(borders: .top, borderStyle: theme[.muted], title: Line(title, style: theme[.header]))
        frame.render(block, in: area)
        let lines = shown.map { event -> Line in
            let style: Style = event.kind == .taskFailed ? theme[.error] : (event.kind == .warning ? theme[.warning] : theme[.text])
            let text = event.message
            return Line(spans: [
                Span(String(event.at.dropFirst(11).prefix(8)) + " ", style: theme[.muted]),
                Span(TextWidth.pad(event.task?.rawValue ?? "run", to: 14) + " ", style: theme[.accent]),
                Span(text, style: style),
            ])
        }
        frame.render(TextView(lines: lines, wrap: false, style: theme[.text]), in: block.inner(area), state: &log)
    }
}
