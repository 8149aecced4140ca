import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// Home: counts per layer and source, open quarantine by rule, the pass-rate trend and the last runs.
final class DashboardScreen: ConsoleScreen {
    var title: String { "Dashboard" }

    private var statuses: [SourceStatus] { data?.statuses ?? [] }
    private var byRule: [(rule: String, count: Int)] { data?.byRule ?? [] }
    private var trend: [(run: RunID, passRate: Double)] { data?.trend ?? [] }
    private var runs: [RunSummary] { data?.runs ?? [] }
    /// Open records per rule as last read; nil before the first read is done.
    var openRuleCounts: [(rule: String, count: Int)]? { data?.byRule }
    /// Counts per source as last read (held records by status); nil before the first read is done.
    var sourceStatuses: [SourceStatus]? { data?.statuses }
    /// Nil until the first read finishes.
    private var data: DashboardData?
    private var loadedAt = Date.distantPast
    private var error: String?
    /// A refresh being read on a background thread; the screen keeps showing the last figures meanwhile.
    private var refreshing: BackgroundRead<DashboardData, EngineError>?

    /// Seconds between refreshes.
    static let refreshInterval: TimeInterval = 2

    var actions: [ConsoleAction] {
        [ConsoleAction("open-quarantine", keys: [KeyEvent(.enter)], help: "Open the quarantine workbench", group: "Dashboard")]
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        guard action == "open-quarantine" else { return false }
        app.switchTab(ConsoleApp.tabIndex("quarantine"))
        return true
    }

    /// Reads the figures in the background: the first time (or after the console changed records) it
    /// waits up to ``firstFrameWait`` for them, so a small lake shows them in the first frame and a large
    /// one shows "counting…" until they arrive; after that, when older than the refresh interval.
    func activate(app: ConsoleApp) {
        if !hasLoaded || app.dataGeneration != loadedGeneration {
            hasLoaded = true
            loadedGeneration = app.dataGeneration
            refreshing = nil
            startRefresh(app)
            if let refreshing, let result = refreshing.wait(timeout: Self.firstFrameWait) {
                self.refreshing = nil
                take(result)
            }
        } else {
            _ = tick(app: app)
        }
    }

    /// How long the first frame waits for the figures.
    static let firstFrameWait: TimeInterval = 0.1

    private func startRefresh(_ app: ConsoleApp) {
        loadedAt = Date()
        let reader = app.reader
        refreshing = BackgroundRead { () throws(EngineError) in try DashboardData.read(reader) }
    }

    private var loadedGeneration = 0
    private var hasLoaded = false

    /// Makes the next tick start a refresh (tests).
    func forceDue() { loadedAt = .distantPast }

    /// Swaps in a finished background refresh, and starts the next one when due. Never waits for the store.
    func tick(app: ConsoleApp) -> Bool {
        if let refreshing, let result = refreshing.result {
            self.refreshing = nil
            take(result)
            return true
        }
        guard refreshing == nil, Date().timeIntervalSince(loadedAt) >= Self.refreshInterval else { return false }
        startRefresh(app)
        return false
    }

    /// Waits for a refresh under way (tests); the next tick or frame takes it.
    func waitForRefresh() {
        if let refreshing {
            _ = refreshing.wait()
        }
    }

    func willRender(app: ConsoleApp) { _ = takeFinishedRefresh() }

    /// Takes a finished refresh (the app calls it before drawing, so figures show as soon as they are read).
    func takeFinishedRefresh() -> Bool {
        guard let refreshing, let result = refreshing.result else { return false }
        self.refreshing = nil
        take(result)
        return true
    }

    private func take(_ result: Result<DashboardData, EngineError>) {
        switch result {
        case .success(let data):
            self.data = data
            error = nil
        case .failure(let failure):
            error = failure.description
        }
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if data == nil, error == nil {
            frame.buffer.setString(x: area.x, y: area.y, "counting the lake…", style: theme[.muted], maxWidth: area.width)
            return
        }
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        let halves = area.splitVertically([.fill(1), .fill(1)], spacing: 1)
        let top = halves[0].splitHorizontally([.fill(3), .fill(2)], spacing: 2)
        let bottom = halves[1].splitHorizontally([.fill(3), .fill(2)], spacing: 2)
        renderCounts(in: top[0], frame: &frame, theme: theme)
        renderRules(in: top[1], frame: &frame, theme: theme)
        renderRuns(in: bottom[0], frame: &frame, theme: theme)
        renderTrend(in: bottom[1], frame: &frame, theme: theme)
    }

    private func section(_ title: String, _ area: Rect, _ frame: inout Frame, _ theme: Theme) -> Rect {
        let block = Block(borders: .top, borderStyle: theme[.muted], title: Line(title, style: theme[.header]))
        frame.render(block, in: area)
        return block.inner(area)
    }

    private func renderCounts(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Layers and sources", area, &frame, theme)
        let totalBronze = statuses.reduce(0) { $0 + $1.bronze }
        let totalSilver = statuses.reduce(0) { $0 + $1.silverCurrent }
        let totalHeld = statuses.reduce(0) { $0 + $1.quarantineOpen + $1.quarantineFixed }
        let totalReleased = statuses.reduce(0) { $0 + $1.released }
        let summary = Line(spans: [
            Span("bronze ", style: theme[.muted]), Span(TimeText.count(totalBronze), style: theme[.text]),
            Span("   silver ", style: theme[.muted]), Span(TimeText.count(totalSilver), style: theme[.success]),
            Span("   quarantine ", style: theme[.muted]), Span(TimeText.count(totalHeld), style: theme[.warning]),
            Span("   released ", style: theme[.muted]), Span(TimeText.count(totalReleased), style: theme[.text]),
        ])
        frame.buffer.setLine(x: inner.x, y: inner.y, summary, maxWidth: inner.width)
        let columns = [
            TableColumn(id: "source", title: "source", width: .fill(3)),
            TableColumn(id: "batches", title: "batches", width: .length(7), alignment: .right),
            TableColumn(id: "bronze", title: "bronze", width: .length(9), alignment: .right),
            TableColumn(id: "silver", title: "silver", width: .length(9), alignment: .right),
            TableColumn(id: "open", title: "open", width: .length(7), alignment: .right),
            TableColumn(id: "fixed", title: "fixed", width: .length(6), alignment: .right),
            TableColumn(id: "rejected", title: "rejected", width: .length(8), alignment: .right),
        ]
        let rows = statuses.map { status -> [Line] in
            [
                Line(status.source.rawValue), Line(TimeText.count(status.batches)), Line(TimeText.count(status.bronze)),
                Line(TimeText.count(status.silverCurrent), style: theme[.success]),
                Line(TimeText.count(status.quarantineOpen), style: status.quarantineOpen > 0 ? theme[.warning] : theme[.muted]),
                Line(TimeText.count(status.quarantineFixed)), Line(TimeText.count(status.quarantineRejected)),
            ]
        }
        var state = TableState(selected: nil)
        let table = Table(columns: columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.muted].adding(.underline))
        frame.render(table, in: Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: max(0, inner.height - 2)), state: &state)
    }

    private func renderRules(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Open quarantine by rule", area, &frame, theme)
        guard !byRule.isEmpty else {
            frame.buffer.setString(x: inner.x, y: inner.y, "nothing held in quarantine", style: theme[.success], maxWidth: inner.width)
            return
        }
        let bars = byRule.prefix(inner.height).map { Bar(label: $0.rule, value: Double($0.count), valueText: TimeText.count($0.count)) }
        frame.render(BarChart(bars: Array(bars), labelStyle: theme[.text], barStyle: theme[.warning], valueStyle: theme[.muted]), in: inner)
    }

    private func renderTrend(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Pass rate over the last runs", area, &frame, theme)
        guard let last = trend.last else {
            frame.buffer.setString(x: inner.x, y: inner.y, "no scorecards yet; run the pipeline (R)", style: theme[.muted], maxWidth: inner.width)
            return
        }
        let low = trend.map(\.passRate).min() ?? 0
        let header = Line(spans: [
            Span(String(format: "%.2f%%", last.passRate * 100), style: last.passRate >= 0.95 ? theme[.success] : theme[.warning]),
            Span(" at \(last.run)  ·  low \(String(format: "%.2f%%", low * 100)) over \(trend.count) runs", style: theme[.muted]),
        ])
        frame.buffer.setLine(x: inner.x, y: inner.y, header, maxWidth: inner.width)
        // Scale from just under the lowest rate so small changes stay visible.
        let floor = max(0, low - 0.02)
        let values = trend.map { max(0.0001, $0.passRate - floor) }
        let chart = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: max(0, min(inner.height - 1, 5)))
        frame.render(Sparkline(values: values, max: 1 - floor, style: theme[.accent]), in: chart)
    }

    private func renderRuns(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Last runs", area, &frame, theme)
        guard !runs.isEmpty else {
            frame.buffer.setString(x: inner.x, y: inner.y, "no runs yet; press R to start one", style: theme[.muted], maxWidth: inner.width)
            return
        }
        for (index, run) in runs.prefix(inner.height).enumerated() {
            let line = Line(spans: [
                Span(TextWidth.pad(run.id.description, to: 6), style: theme[.accent]),
                Span(TextWidth.pad(run.state.rawValue, to: 10), style: RunStyles.style(run.state, theme)),
                Span(TextWidth.pad(TimeText.short(run.startedAt), to: 17), style: theme[.text]),
                Span(TextWidth.pad(RunStyles.duration(run), to: 8), style: theme[.muted]),
                Span("\(run.trigger) · \(run.actor)", style: theme[.muted]),
            ])
            frame.buffer.setLine(x: inner.x, y: inner.y + index, line, maxWidth: inner.width)
        }
    }
}

/// Colours and texts for run and task states.
enum RunStyles {
    static func style(_ state: RunState, _ theme: Theme) -> Style {
        switch state {
        case .running: return theme[.accent]
        case .succeeded: return theme[.success]
        case .failed, .abandoned: return theme[.error]
        }
    }

    static func style(_ state: TaskState, _ theme: Theme) -> Style {
        switch state {
        case .pending: return theme[.muted]
        case .running: return theme[.accent]
        case .succeeded: return theme[.success]
        case .failed, .timedOut: return theme[.error]
        case .skipped: return theme[.warning]
        }
    }

    static func symbol(_ state: TaskState) -> String {
        switch state {
        case .pending: return "○"
        case .running: return "◐"
        case .succeeded: return "●"
        case .failed, .timedOut: return "✗"
        case .skipped: return "–"
        }
    }

    /// Wall time of a run (so far, when still running).
    static func duration(_ run: RunSummary, now: Double = Date().timeIntervalSince1970) -> String {
        guard let start = TimeText.seconds(run.startedAt) else { return "–" }
        let end = run.finishedAt.flatMap(TimeText.seconds) ?? now
        return TimeText.duration(max(0, end - start))
    }
}

/// The dashboard's figures, read together.
struct DashboardData: Sendable {
    var statuses: [SourceStatus] = []
    var byRule: [(rule: String, count: Int)] = []
    var trend: [(run: RunID, passRate: Double)] = []
    var runs: [RunSummary] = []

    /// - Throws: `EngineError` when a read fails.
    static func read(_ reader: LakeReader) throws(EngineError) -> DashboardData {
        DashboardData(
            statuses: try reader.sourceStatuses(includingScans: false),
            byRule: try reader.openQuarantineByRule(),
            trend: try reader.passRateTrend(limit: 40),
            runs: try reader.runs(limit: 6))
    }
}
