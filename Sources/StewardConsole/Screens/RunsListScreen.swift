import CDPCore
import CDPEngine
import Foundation
import TermUI

/// Workflow runs, newest first, refreshed every tick so runs started elsewhere appear as they go; above them
/// the workflows' schedules (expression, clock, paused or not, next run) and file arrival triggers (folder,
/// paused or not, next check, last file seen).
final class RunsListScreen: TableScreen, BackgroundRefreshing {
    private var runs: [RunSummary] = []
    private var schedules: [ScheduleService.Status] = []
    private var lastAlert: AlertLog.Alert?
    var state = TableState()
    var tableArea: Rect?
    private var error: String?
    private var text = ""
    /// The runs, schedules and last alert, read again in the background on every tick (a run started elsewhere
    /// shows as it goes) without holding up keys.
    let refresh = BackgroundRefresh<Listing>()

    /// What one read of the lake gives the screen.
    struct Listing: Sendable {
        var runs: [RunSummary]
        var schedules: [ScheduleService.Status]
        var lastAlert: AlertLog.Alert?
    }

    var title: String { "Runs · \(runs.count)" + (state.position(of: runs.count).map { " · \($0)" } ?? "") }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            NavigationActions.filter,
            ConsoleAction("open-run", keys: [KeyEvent(.enter)], help: "Open the run (tasks, progress, log)", group: "Runs"),
            ConsoleAction("repair-run", keys: [.char("p")], help: "Repair the run: rerun its failed and skipped tasks", group: "Runs"),
            ConsoleAction(
                "pause-schedule", keys: [.char("P")],
                help: "Pause or resume a schedule or file arrival trigger: pick it (:pause-schedule NAME toggles one; audited)", group: "Runs"),
        ]
    }

    /// `:pause-schedule NAME` pauses the workflow's schedule or trigger, or resumes it when it is paused.
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool {
        guard action == "pause-schedule" else { return false }
        toggle(argument.trimmingCharacters(in: .whitespaces), app: app)
        return true
    }

    /// Lists the schedules and triggers to pick the one to pause or resume (refused before it opens without
    /// `run_workflows`); the one of the selected run's workflow is picked first.
    private func askSchedule(app: ConsoleApp) {
        guard !schedules.isEmpty else {
            app.message = StatusMessage("no workflow has a schedule or a file arrival trigger", severity: .warning)
            return
        }
        do {
            try app.workspace.authorize(.runWorkflows, app.environment, attempt: "schedule.pause or resume")
        } catch {
            app.report(error)
            return
        }
        let selectedWorkflow = state.selection.selected.flatMap { runs.indices.contains($0) ? runs[$0].workflow : nil }
        let choices = schedules.map { schedule in
            Picker.Choice(
                value: schedule.workflow, label: "\(schedule.workflow) · \(schedule.what) · \(schedule.paused ? "paused: Enter resumes" : "Enter pauses")")
        }
        let current = schedules.first { $0.workflow == selectedWorkflow }?.workflow
        app.modal = .picker(Picker(title: "pause or resume · type to search, Enter picks", choices: choices, current: current) {
            [weak self, weak app] choice in
            guard let self, let app, let workflow = choice.value else { return }
            self.toggle(workflow, app: app)
        })
    }

    /// Pauses `workflow`'s schedule or trigger, or resumes it when paused, through the engine (audited).
    private func toggle(_ workflow: String, app: ConsoleApp) {
        let service = ScheduleService(workspace: app.workspace, environment: app.environment)
        do {
            let paused = try service.list().first { $0.workflow == workflow }?.paused ?? false
            let status = paused ? try service.resume(workflow, reason: "from the console") : try service.pause(workflow, reason: "from the console")
            app.message = StatusMessage(
                "\(status.workflow) \(status.paused ? "paused: no run starts on its own until resumed" : "resumed")", severity: .success)
            load(app, again: true)
        } catch {
            app.report(error)
        }
    }

    var filterText: String? { text }

    func applyFilter(_ text: String, app: ConsoleApp) {
        self.text = text
        show()
    }

    func activate(app: ConsoleApp) {
        load(app, again: true)
        refresh.waitForFirst()
        show()
    }

    func tick(app: ConsoleApp) -> Bool {
        let took = refresh.take()
        if took { show() }
        load(app)
        return took
    }

    /// Starts reading the runs, schedules and last alert in the background (unless a read is under way; `again`:
    /// after one, when this screen changed the lake).
    private func load(_ app: ConsoleApp, again: Bool = false) {
        let reader = app.reader
        let schedules = ScheduleService(workspace: app.workspace, environment: app.environment)
        let body = { @Sendable () throws(EngineError) -> Listing in
            Listing(runs: try reader.runs(limit: 100), schedules: try schedules.list(), lastAlert: try reader.lastAlert())
        }
        if again { refresh.restart(body) } else { refresh.start(body) }
    }

    /// Shows the last read, filtered by the `/` text.
    func show() {
        if let failure = refresh.failure {
            error = failure.description
            return
        }
        guard let listing = refresh.value else { return }
        runs = text.isEmpty ? listing.runs : listing.runs.filter { run in
            "\(run.id) \(run.state.rawValue) \(run.workflow) \(run.trigger) \(run.actor) \(run.error ?? "")".localizedCaseInsensitiveContains(text)
        }
        schedules = listing.schedules
        lastAlert = listing.lastAlert
        error = nil
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        if action == "pause-schedule" {
            askSchedule(app: app)
            return true
        }
        guard let row = state.selection.selected, runs.indices.contains(row) else { return action == "open-run" || action == "repair-run" }
        switch action {
        case "open-run":
            app.push(RunDetailScreen(runID: runs[row].id))
        case "repair-run":
            let run = runs[row]
            guard run.state != .succeeded && run.state != .running else {
                app.message = StatusMessage("run \(run.id) \(run.state.rawValue): only a run that failed can be repaired", severity: .warning)
                return true
            }
            app.repairRun(run.id)
        default:
            return false
        }
        return true
    }

    static let columns = [
        TableColumn(id: "id", title: "run", width: .length(6)),
        TableColumn(id: "state", title: "state", width: .length(10)),
        TableColumn(id: "workflow", title: "workflow", width: .length(18)),
        TableColumn(id: "start", title: "started", width: .length(17)),
        TableColumn(id: "duration", title: "took", width: .length(8), alignment: .right),
        TableColumn(id: "trigger", title: "by", width: .length(14)),
        TableColumn(id: "counts", title: "counts", width: .fill(1)),
    ]

    static func countsText(_ run: RunSummary) -> String {
        var totals: [String: Int] = [:]
        for task in run.tasks { for (key, value) in task.counts { totals[key, default: 0] += value } }
        let done = run.tasks.filter { $0.state == .succeeded }.count
        let parts = ["tasks \(done)/\(run.tasks.count)"] + totals.sorted { $0.key < $1.key }.prefix(4).map { "\($0.key) \(TimeText.count($0.value))" }
        return parts.joined(separator: " · ")
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        var area = area
        if let lastAlert, area.height > 4 {
            let line = Line(spans: [
                Span("last alert ", style: theme[.header]),
                Span("\(TimeText.short(lastAlert.at)) \(lastAlert.workflow) \(lastAlert.run): ", style: theme[.muted]),
                Span(lastAlert.text, style: theme[.error]),
            ])
            frame.buffer.setLine(x: area.x, y: area.y, line, maxWidth: area.width)
            area = Rect(x: area.x, y: area.y + 2, width: area.width, height: area.height - 2)
        }
        if !schedules.isEmpty {
            let parts = area.splitVertically([.length(min(schedules.count, 4) + 1), .fill(1)], spacing: 1)
            renderSchedules(in: parts[0], frame: &frame, theme: theme, now: app.environment.now())
            area = parts[1]
        }
        let runs = self.runs
        let rows = LazyTableDataSource(rowCount: runs.count) { index -> [Line] in
            let run = runs[index]
            return [
                Line(run.id.description, style: theme[.accent]), Line(run.state.rawValue, style: RunStyles.style(run.state, theme)),
                Line(run.workflow), Line(TimeText.short(run.startedAt)), Line(RunStyles.duration(run), style: theme[.muted]),
                Line("\(run.trigger) · \(run.actor)", style: theme[.muted]), Line(Self.countsText(run)),
            ]
        }
        let table = Table(
            columns: Self.columns, dataSource: rows, style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no runs yet; press R to start one", fitsContent: true)
        frame.render(table, in: area, state: &state)
        tableArea = area
    }

    private func renderSchedules(in area: Rect, frame: inout Frame, theme: Theme, now: Double) {
        let header = Line(spans: [
            Span(TextWidth.pad("schedule", to: 20), style: theme[.header]), Span(TextWidth.pad("starts on", to: 20), style: theme[.header]),
            Span(TextWidth.pad("state", to: 10), style: theme[.header]), Span("next run or check", style: theme[.header]),
        ])
        frame.buffer.setLine(x: area.x, y: area.y, header, maxWidth: area.width)
        for (index, schedule) in schedules.prefix(max(0, area.height - 1)).enumerated() {
            var next = schedule.nextFire.map { schedule.localTime($0) } ?? "–"
            var what = schedule.what
            var seen = ""
            if case .fileArrival(let folder) = schedule.trigger {
                what = "\(folder)/"
                // A trigger's next check is seconds away, in UTC: today's shows the time alone.
                if let check = schedule.nextFire {
                    let stamp = ISOTime.timestamp(check)
                    next = stamp.prefix(10) == ISOTime.timestamp(now).prefix(10) ? "\(stamp.dropFirst(11).prefix(8)) UTC" : stamp
                } else if !schedule.paused {
                    next = "on a new file"
                }
                seen = schedule.lastFile.map { " · last file \($0)" } ?? ""
            }
            let by = schedule.changedBy.map { " · \(schedule.paused ? "paused" : "resumed") by \($0)" } ?? ""
            let line = Line(spans: [
                Span(TextWidth.pad(TextWidth.truncate(schedule.workflow, to: 19), to: 20), style: theme[.accent]),
                Span(TextWidth.pad(TextWidth.truncate(what, to: 19), to: 20), style: theme[.text]),
                Span(TextWidth.pad(schedule.paused ? "PAUSED" : "UNPAUSED", to: 10), style: schedule.paused ? theme[.warning] : theme[.success]),
                Span("\(next)\(seen)\(by)", style: theme[.muted]),
            ])
            frame.buffer.setLine(x: area.x, y: area.y + 1 + index, line, maxWidth: area.width)
        }
    }
}
