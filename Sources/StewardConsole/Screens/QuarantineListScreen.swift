import CDPCore
import CDPEngine
import CDPRepositories
import TermUI

/// The quarantine workbench: held records filtered by source, rule, status and text, sortable by any column.
final class QuarantineListScreen: ConsoleScreen {
    private var source: QuarantineTableSource?
    var state = TableState()
    private var sourceFilter: SourceName?
    private var ruleFilter: String?
    private var statusChoice = 0
    private var text = ""

    /// Status filters `t` cycles through; the first (held, actionable) is the default.
    static let statusChoices: [(label: String, statuses: [QuarantineStatus])] = [
        ("open+fixed", [.open, .fixed]), ("open", [.open]), ("fixed", [.fixed]), ("released", [.released]),
        ("rejected", [.rejected]), ("all", []),
    ]

    init(app: ConsoleApp?) {
        if let app { attach(app) }
    }

    func attach(_ app: ConsoleApp) {
        guard source == nil else { return }
        source = QuarantineTableSource(reader: app.reader, theme: app.theme)
    }

    var dataSource: QuarantineTableSource? { source }

    var title: String {
        let count = source.map { TimeText.count($0.rowCount) } ?? "0"
        var parts = ["Quarantine", "\(count) \(Self.statusChoices[statusChoice].label)"]
        if source?.isSearching == true { parts.append("searching…") }
        if source?.isLoading == true { parts.append("loading…") }
        if let sourceFilter { parts.append("source \(sourceFilter)") }
        if let ruleFilter { parts.append("rule \(ruleFilter)") }
        if let sort = state.sort { parts.append("by \(sort.columnID) \(sort.ascending ? "▲" : "▼")") }
        return parts.joined(separator: " · ")
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            NavigationActions.filter,
            ConsoleAction("open-record", keys: [KeyEvent(.enter)], help: "Open the record", group: "Records"),
            ConsoleAction("filter-source", keys: [.char("s")], help: "Cycle the source filter", group: "Records"),
            ConsoleAction("filter-rule", keys: [.char("f")], help: "Cycle the rule filter", group: "Records"),
            ConsoleAction("filter-status", keys: [.char("t")], help: "Cycle the status filter", group: "Records"),
            ConsoleAction("sort-next", keys: [.char("o")], help: "Sort by the next column", group: "Records"),
            ConsoleAction("sort-reverse", keys: [.char("O")], help: "Reverse the sort", group: "Records"),
            ConsoleAction("column-next", keys: [.char("]")], help: "Focus the next column", group: "Columns"),
            ConsoleAction("column-previous", keys: [.char("[")], help: "Focus the previous column", group: "Columns"),
            ConsoleAction("sort-by-column", keys: [.char("S")], help: "Sort by the focused column (again: reverse)", group: "Columns"),
            ConsoleAction("hide-column", keys: [.char("-")], help: "Hide the focused column", group: "Columns"),
            ConsoleAction("show-columns", keys: [.char("=")], help: "Show every column, in the declared order", group: "Columns"),
            ConsoleAction("move-column-left", keys: [.char("<")], help: "Move the focused column left", group: "Columns"),
            ConsoleAction("move-column-right", keys: [.char(">")], help: "Move the focused column right", group: "Columns"),
            ConsoleAction("fix-all-like-this", keys: [.char("F")], help: "Apply the last fix to like records", group: "Records"),
            ConsoleAction("undo", keys: [.char("u")], help: "Undo the last action", group: "Records"),
        ]
    }

    var filterText: String? { text }

    func applyFilter(_ text: String, app: ConsoleApp) {
        self.text = text
        reload()
        state.selectFirst()
        reportMatches(app)
    }

    private func reportMatches(_ app: ConsoleApp) {
        if source?.isSearching == true {
            app.message = StatusMessage("searching for \"\(text)\"… (reading the records' text once)")
        } else {
            app.message = StatusMessage(text.isEmpty ? "filter cleared" : "\(TimeText.count(source?.rowCount ?? 0)) records match \"\(text)\"")
        }
    }

    /// Free text that waited for the search text is applied as soon as it is there.
    func willRender(app: ConsoleApp) {
        if source?.applyPendingBase() == true {
            syncRowCount()
        }
        guard source?.applyPendingSearch() == true else { return }
        syncRowCount()
        state.selectFirst()
        reportMatches(app)
    }

    /// Redraw when free text that waited for the search text can now be applied.
    func tick(app: ConsoleApp) -> Bool {
        source?.hasSearchToApply ?? false
    }

    private var loadedGeneration: Int?

    /// Re-reads the lake only when the console changed records since (a count over millions of rows is not free).
    func activate(app: ConsoleApp) {
        source?.theme = app.theme
        guard loadedGeneration != app.dataGeneration else { return }
        let first = loadedGeneration == nil
        loadedGeneration = app.dataGeneration
        if first {
            reload()
            source?.prepareSearch()
        } else {
            // Records (or what is masked) changed: ids, the window and the search text are all stale.
            source?.reader = app.reader
            source?.reload()
            syncRowCount()
        }
    }

    /// Applies the filters and sort; the ids are re-read only when more than the text changed.
    func reload() {
        let filter = QuarantineFilter(
            source: sourceFilter, rule: ruleFilter, statuses: Self.statusChoices[statusChoice].statuses, text: text.isEmpty ? nil : text)
        source?.reload(filter: filter, sort: state.sort)
        syncRowCount()
    }

    /// Takes the row count the source has now, at once (a key can come before the next frame): a filter
    /// that matched nothing clears the selection, and the next one that matches rows selects the first.
    private func syncRowCount() {
        state.selection.update(rowCount: source?.rowCount ?? 0, viewportHeight: state.selection.viewportHeight)
    }

    /// The column `[`/`]` focus, for sorting, hiding and moving.
    var focusedColumn: String {
        let shown = state.visibleColumns(QuarantineTableSource.columns).map(\.id)
        if let focused = state.focusedColumn, shown.contains(focused) { return focused }
        return shown.first ?? "id"
    }

    private func focusColumn(by delta: Int) {
        let shown = state.visibleColumns(QuarantineTableSource.columns).map(\.id)
        guard state.focusedColumn != nil else {
            // The first press marks the first (or, going left, the last) column.
            state.focusedColumn = delta > 0 ? shown.first : shown.last
            return
        }
        guard let index = shown.firstIndex(of: focusedColumn) else { return }
        state.focusedColumn = shown[(index + delta + shown.count) % shown.count]
    }

    var selectedRecord: QuarantineRecord? {
        guard let row = state.selection.selected else { return nil }
        return source?.record(at: row)
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "open-record":
            guard let record = selectedRecord else {
                app.message = StatusMessage("no record selected", severity: .warning)
                return true
            }
            app.push(QuarantineDetailScreen(id: record.id))
        case "filter-source":
            let sources = app.workspace.configuration.sources.map(\.name)
            sourceFilter = cycle(sourceFilter, through: sources)
            reload()
            app.message = StatusMessage("source: \(sourceFilter?.rawValue ?? "all")")
        case "filter-rule":
            let known = knownRules(app)
            ruleFilter = cycle(ruleFilter, through: known)
            reload()
            app.message = StatusMessage("rule: \(ruleFilter ?? "all")")
        case "filter-status":
            statusChoice = (statusChoice + 1) % Self.statusChoices.count
            reload()
            app.message = StatusMessage("status: \(Self.statusChoices[statusChoice].label)")
        case "sort-next":
            let ids = QuarantineTableSource.columns.map(\.id)
            let index = state.sort.flatMap { sort in ids.firstIndex(of: sort.columnID) } ?? -1
            state.sort = TableSort(columnID: ids[(index + 1) % ids.count], ascending: true)
            reload()
        case "sort-reverse":
            let sort = state.sort ?? TableSort(columnID: "id")
            state.sort = TableSort(columnID: sort.columnID, ascending: !sort.ascending)
            reload()
        case "column-next", "column-previous":
            focusColumn(by: action == "column-next" ? 1 : -1)
            app.message = StatusMessage("column \(focusedColumn): S sorts, - hides, < > move")
        case "sort-by-column":
            state.toggleSort(focusedColumn)
            reload()
        case "hide-column":
            let column = focusedColumn
            guard state.visibleColumns(QuarantineTableSource.columns).count > 1 else {
                app.message = StatusMessage("the last column stays", severity: .warning)
                return true
            }
            focusColumn(by: 1)
            state.toggleHidden(column)
            app.message = StatusMessage("hid \(column); = shows every column")
        case "show-columns":
            state.hiddenColumns = []
            state.columnOrder = []
            app.message = StatusMessage("every column shown")
        case "move-column-left", "move-column-right":
            state.moveColumn(focusedColumn, by: action == "move-column-left" ? -1 : 1, in: QuarantineTableSource.columns.filter { !state.hiddenColumns.contains($0.id) })
        case "fix-all-like-this":
            QuarantineActions.fixAllLikeThis(app: app)
        case "undo":
            QuarantineActions.undo(app: app)
        default:
            return false
        }
        return true
    }

    /// Rules by open count (as the dashboard last counted them, in the background), then the other
    /// configured rules. Never a scan of every held record on the key path.
    private func knownRules(_ app: ConsoleApp) -> [String] {
        if let cached = ruleCache, cached.generation == app.dataGeneration { return cached.rules }
        let configured = app.workspace.rules.rules.map(\.name)
        guard let counted = (app.stacks[ConsoleApp.tabIndex("dashboard")].first as? DashboardScreen)?.openRuleCounts else { return configured }
        let rules = counted.map(\.rule)
        let known = rules + app.workspace.rules.rules.map(\.name).filter { !rules.contains($0) }
        ruleCache = (app.dataGeneration, known)
        return known
    }

    private var ruleCache: (generation: Int, rules: [String])?

    private func cycle<T: Equatable>(_ value: T?, through values: [T]) -> T? {
        guard !values.isEmpty else { return nil }
        guard let value, let index = values.firstIndex(of: value) else { return values[0] }
        return index + 1 < values.count ? values[index + 1] : nil
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        guard let source else { return }
        source.theme = app.theme
        let theme = app.theme
        let split = area.splitHorizontally([.fill(1), .length(1)])
        let table = Table(
            columns: QuarantineTableSource.columns, dataSource: source, style: theme[.text],
            headerStyle: theme[.header], selectedStyle: theme[.selection], highlightSymbol: "▌",
            focusedHeaderStyle: state.focusedColumn == nil ? nil : theme[.header].adding(.reverse),
            emptyMessage: source.lastError ?? "no records match the filters")
        frame.render(table, in: split[0], state: &state)
        frame.render(
            Scrollbar(contentLength: state.selection.rowCount, viewportLength: state.selection.viewportHeight, position: state.selection.offset,
                trackStyle: theme[.muted], thumbStyle: theme[.accent]),
            in: Rect(x: split[1].x, y: split[1].y + 1, width: 1, height: max(0, split[1].height - 1)))
    }
}
