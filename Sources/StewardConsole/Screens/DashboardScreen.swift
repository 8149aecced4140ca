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

    /// The count or bar chosen with the arrow keys (drawn in the selection style); Enter opens the workbench on it.
    private(set) var focus = DashboardFocus()
    /// Where the last frame drew what can be clicked.
    private var drawn = DashboardHitAreas()
    /// The sources table's scroll and selection, as last drawn.
    private var sourcesTable = TableState(selected: nil)
    /// The first bar drawn (the chart scrolls to keep the chosen bar on screen).
    private var firstRuleShown = 0

    var actions: [ConsoleAction] {
        [
            ConsoleAction(
                "drill", keys: [KeyEvent(.enter)], help: "Open the workbench filtered to the chosen count or bar (a click does too)",
                group: "Dashboard"),
            ConsoleAction("count-left", keys: [KeyEvent(.left), .char("h")], help: "Choose the count to the left", group: "Dashboard"),
            ConsoleAction(
                "count-right", keys: [KeyEvent(.right), .char("l")], help: "Choose the count to the right (past the table: the rule bars)",
                group: "Dashboard"),
            ConsoleAction(
                "next-panel", keys: [KeyEvent(.tab)], help: "Move between the sources' counts and the rule bars", group: "Dashboard"),
        ] + NavigationActions.list.filter { ["down", "up", "top", "bottom"].contains($0.name) }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        let layout = DashboardFocus.Layout(sourceRows: 1 + statuses.count, rules: byRule.count)
        switch action {
        case "drill":
            drill(app: app)
        case "down": focus.move(rows: 1, in: layout)
        case "up": focus.move(rows: -1, in: layout)
        case "top": focus.moveToEnd(last: false, in: layout)
        case "bottom": focus.moveToEnd(last: true, in: layout)
        case "count-left": focus.move(columns: -1, in: layout)
        case "count-right": focus.move(columns: 1, in: layout)
        case "next-panel": focus.switchPanel(in: layout)
        default: return false
        }
        return true
    }

    /// What the chosen count or bar stands for; nil before the figures are read.
    var chosenDrill: DashboardDrill? {
        guard data != nil else { return nil }
        let focus = self.focus.clamped(to: DashboardFocus.Layout(sourceRows: 1 + statuses.count, rules: byRule.count))
        switch focus.panel {
        case .rules:
            return byRule.indices.contains(focus.row) ? DashboardDrill(rule: byRule[focus.row].rule, status: "open+fixed") : nil
        case .sources where focus.row == 0:
            return DashboardDrill(status: DashboardFocus.totalsStatuses[focus.column])
        case .sources:
            guard statuses.indices.contains(focus.row - 1) else { return nil }
            return DashboardDrill(source: statuses[focus.row - 1].source, status: DashboardFocus.sourceStatuses[focus.column])
        }
    }

    /// Opens the workbench on exactly the records the chosen count stands for.
    private func drill(app: ConsoleApp) {
        let index = ConsoleApp.tabIndex("quarantine")
        guard let drill = chosenDrill, let workbench = app.stacks[index].first as? QuarantineListScreen else {
            app.switchTab(index)
            return
        }
        // A bulk job running on the workbench's tab keeps its screen: taking it away would lose the job's end (its
        // message and its one undo), though the job itself went on.
        if app.stacks[index].contains(where: { ($0 as? any BulkJobScreen)?.isRunning == true }) {
            app.switchTab(index)
            app.message = StatusMessage("a bulk job is running here: the Dashboard's counts open once it has ended", severity: .warning)
            return
        }
        // The list itself, not a record opened from it earlier: the drill is a new question.
        app.stacks[index] = [workbench]
        workbench.show(drill, app: app)
        app.switchTab(index)
        app.message = StatusMessage("\(drill.summary), from the Dashboard (1 goes back)")
    }

    /// A click on a count or a bar chooses it and opens the workbench on it, as Enter would.
    func click(at position: Position, app: ConsoleApp) -> Bool {
        guard let focus = drawn.focus(at: position, sourcesTable: sourcesTable, firstRuleShown: firstRuleShown) else { return false }
        self.focus = focus
        drill(app: app)
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

    /// Another steward changed held records: the counts are read again at the next tick, in the background.
    func followLakeChange(_ areas: Set<LakeWatch.Area>, app: ConsoleApp) {
        guard areas.contains(.quarantine) || areas.contains(.runs) else { return }
        loadedGeneration = app.dataGeneration
        forceDue()
    }

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
        focus = focus.clamped(to: DashboardFocus.Layout(sourceRows: 1 + statuses.count, rules: byRule.count))
        drawn = DashboardHitAreas()
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
        // The totals that open the workbench (quarantine, released) are chosen as cells of row 0.
        var x = inner.x
        func put(_ text: String, _ style: Style, cell: Int? = nil) {
            let chosen = cell != nil && focus == DashboardFocus(panel: .sources, row: 0, column: cell ?? 0)
            let used = frame.buffer.setString(
                x: x, y: inner.y, text, style: chosen ? style.patched(with: theme[.selection]) : style, maxWidth: max(0, inner.right - x))
            if let cell { drawn.totals.append((x..<(x + used), cell)) }
            x += used
        }
        put("bronze ", theme[.muted])
        put(TimeText.count(totalBronze), theme[.text])
        put("   silver ", theme[.muted])
        put(TimeText.count(totalSilver), theme[.success])
        put("   ", theme[.muted])
        put("quarantine \(TimeText.count(totalHeld))", theme[.warning], cell: 0)
        put("   ", theme[.muted])
        put("released \(TimeText.count(totalReleased))", theme[.text], cell: 1)
        drawn.totalsRow = inner.y
        // Every column as wide as what it holds (a million customers' counts are wider than a sample's), the source
        // names taking what is left.
        let columns = [
            TableColumn(id: "source", title: "source", width: .fill(3)),
            TableColumn(id: "batches", title: "batches", width: .fill(1), alignment: .right),
            TableColumn(id: "bronze", title: "bronze", width: .fill(1), alignment: .right),
            TableColumn(id: "silver", title: "silver", width: .fill(1), alignment: .right),
            TableColumn(id: "open", title: "open", width: .fill(1), alignment: .right),
            TableColumn(id: "fixed", title: "fixed", width: .fill(1), alignment: .right),
            TableColumn(id: "rejected", title: "rejected", width: .fill(1), alignment: .right),
        ]
        let rows = statuses.map { status -> [Line] in
            [
                Line(status.source.rawValue), Line(TimeText.count(status.batches)), Line(TimeText.count(status.bronze)),
                Line(TimeText.count(status.silverCurrent), style: theme[.success]),
                Line(TimeText.count(status.quarantineOpen), style: status.quarantineOpen > 0 ? theme[.warning] : theme[.muted]),
                Line(TimeText.count(status.quarantineFixed)), Line(TimeText.count(status.quarantineRejected)),
            ]
        }
        let onSourceRow = focus.panel == .sources && focus.row > 0
        sourcesTable.selection.select(onSourceRow ? focus.row - 1 : nil)
        sourcesTable.focusedColumn = onSourceRow ? DashboardFocus.sourceColumns[focus.column] : nil
        let table = Table(
            columns: columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text],
            headerStyle: theme[.muted].adding(.underline),
            selectedStyle: .plain, highlightSymbol: "▌", focusedHeaderStyle: theme[.header].adding(.reverse), fitsContent: true)
        let tableArea = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: max(0, inner.height - 2))
        frame.render(table, in: tableArea, state: &sourcesTable)
        drawn.sourcesTable = tableArea
        // The chosen cell itself, not only its row and column header.
        if onSourceRow, let row = sourcesTable.selection.selected,
            let span = sourcesTable.drawnColumnSpans[DashboardFocus.sourceColumns[focus.column]]
        {
            let y = tableArea.y + 1 + row - sourcesTable.selection.offset
            frame.buffer.setStyle(area: Rect(x: span.lowerBound, y: y, width: span.count, height: 1), theme[.selection])
        }
    }

    private func renderRules(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Open quarantine by rule", area, &frame, theme)
        guard !byRule.isEmpty else {
            frame.buffer.setString(x: inner.x, y: inner.y, "nothing held in quarantine", style: theme[.success], maxWidth: inner.width)
            return
        }
        // Scrolled so that the chosen bar shows.
        let chosen = focus.panel == .rules ? focus.row : nil
        if let chosen {
            if chosen < firstRuleShown { firstRuleShown = chosen }
            if chosen >= firstRuleShown + inner.height { firstRuleShown = chosen - inner.height + 1 }
        }
        firstRuleShown = max(0, min(firstRuleShown, byRule.count - inner.height))
        let bars = byRule.dropFirst(firstRuleShown).prefix(inner.height).map {
            Bar(label: $0.rule, value: Double($0.count), valueText: TimeText.count($0.count))
        }
        frame.render(
            BarChart(
                bars: Array(bars), max: Double(byRule.first?.count ?? 0), labelStyle: theme[.text], barStyle: theme[.warning],
                valueStyle: theme[.muted], selected: chosen.map { $0 - firstRuleShown }, selectedStyle: theme[.selection],
                // Rule names are what a steward reads here (and drills into): up to half the width, not a third.
                maxLabelWidth: inner.width / 2),
            in: inner)
        drawn.rules = (inner, bars.count)
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

/// What a Dashboard count or bar stands for: the workbench filter that lists exactly its records.
struct DashboardDrill: Hashable, Sendable {
    var source: SourceName?
    var rule: String?
    /// One of ``QuarantineListScreen/statusChoices``' labels.
    var status: String

    init(source: SourceName? = nil, rule: String? = nil, status: String) {
        self.source = source
        self.rule = rule
        self.status = status
    }

    /// "source crm · open", "rule email_format · open+fixed", "all sources · released".
    var summary: String {
        var parts: [String] = []
        if let source { parts.append("source \(source)") }
        if let rule { parts.append("rule \(rule)") }
        if parts.isEmpty { parts.append("all sources") }
        return (parts + [status]).joined(separator: " · ")
    }
}

/// Which Dashboard count or bar is chosen. The sources panel is a grid: row 0 holds the totals (quarantine,
/// released), each following row a source (its name stands for its held records, then open, fixed, rejected);
/// the rules panel is the list of bars. ←/→ move along a row and on from the table's last column to the bars.
struct DashboardFocus: Hashable {
    enum Panel: Hashable { case sources, rules }

    var panel: Panel = .sources
    var row = 0
    var column = 0

    /// The workbench status each totals cell and each source cell stands for.
    static let totalsStatuses = ["open+fixed", "released"]
    static let sourceStatuses = ["open+fixed", "open", "fixed", "rejected"]
    /// The sources table's column of each source cell.
    static let sourceColumns = ["source", "open", "fixed", "rejected"]

    /// How many rows each panel has now.
    struct Layout {
        var sourceRows: Int
        var rules: Int
    }

    private static func columns(ofRow row: Int) -> Int { row == 0 ? totalsStatuses.count : sourceStatuses.count }

    /// The same choice moved into what exists now (the figures may have changed under it).
    func clamped(to layout: Layout) -> DashboardFocus {
        var focus = self
        if focus.panel == .rules, layout.rules == 0 { focus.panel = .sources }
        let rows = focus.panel == .rules ? layout.rules : max(1, layout.sourceRows)
        focus.row = max(0, min(focus.row, rows - 1))
        focus.column = focus.panel == .rules ? 0 : max(0, min(focus.column, Self.columns(ofRow: focus.row) - 1))
        return focus
    }

    mutating func move(rows delta: Int, in layout: Layout) {
        self = clamped(to: layout)
        row = max(0, row + delta)
        self = clamped(to: layout)
    }

    /// The first (or last) row of the panel.
    mutating func moveToEnd(last: Bool, in layout: Layout) {
        row = last ? Int.max : 0
        self = clamped(to: layout)
    }

    /// Along the row; right of the table's last column are the rule bars, left of the bars the table.
    mutating func move(columns delta: Int, in layout: Layout) {
        self = clamped(to: layout)
        switch panel {
        case .sources:
            if column + delta >= Self.columns(ofRow: row), layout.rules > 0 {
                self = DashboardFocus(panel: .rules, row: row, column: 0).clamped(to: layout)
            } else {
                column = max(0, min(column + delta, Self.columns(ofRow: row) - 1))
            }
        case .rules:
            if delta < 0 {
                let lastColumn = Self.columns(ofRow: min(row, layout.sourceRows - 1)) - 1
                self = DashboardFocus(panel: .sources, row: row, column: lastColumn).clamped(to: layout)
            }
        }
    }

    mutating func switchPanel(in layout: Layout) {
        self = DashboardFocus(panel: panel == .sources ? .rules : .sources, row: row, column: 0).clamped(to: layout)
    }
}

/// Where the Dashboard last drew its counts and bars, to turn a click into a choice.
struct DashboardHitAreas {
    /// The totals line's row and each total's columns with its cell.
    var totalsRow: Int?
    var totals: [(columns: Range<Int>, cell: Int)] = []
    var sourcesTable: Rect?
    var rules: (area: Rect, count: Int)?

    func focus(at position: Position, sourcesTable state: TableState, firstRuleShown: Int) -> DashboardFocus? {
        if position.y == totalsRow, let total = totals.first(where: { $0.columns.contains(position.x) }) {
            return DashboardFocus(panel: .sources, row: 0, column: total.cell)
        }
        if let area = sourcesTable, let row = Table.row(atX: position.x, y: position.y, in: area, state: state) {
            let column = Table.column(atX: position.x, state: state).flatMap { DashboardFocus.sourceColumns.firstIndex(of: $0) } ?? 0
            return DashboardFocus(panel: .sources, row: row + 1, column: column)
        }
        if let rules, let bar = BarChart.bar(atX: position.x, y: position.y, in: rules.area, count: rules.count) {
            return DashboardFocus(panel: .rules, row: firstRuleShown + bar, column: 0)
        }
        return nil
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
