import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// The quarantine workbench: held records filtered by source, rule, status and text, sortable by any column.
final class QuarantineListScreen: TableScreen {
    private var source: QuarantineTableSource?
    var state = TableState()
    private var sourceFilter: SourceName?
    private var ruleFilter: String?
    private var statusChoice = 0
    private var text = ""
    /// Only the records held since the steward's previous visit (`N`, `:new`).
    private var newOnly = false
    /// How long `N` waits for the count of the records held since the last visit before saying it is counting.
    static let newCountWait: TimeInterval = 2

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
        source = QuarantineTableSource(reader: app.reader, theme: app.theme, now: app.environment.now)
    }

    var dataSource: QuarantineTableSource? { source }

    var title: String {
        let count = source.map { TimeText.count($0.rowCount) } ?? "0"
        var parts = ["Quarantine", "\(count) \(Self.statusChoices[statusChoice].label)"]
        if source?.isSearching == true { parts.append("searching…") }
        if source?.isLoading == true { parts.append("loading…") }
        if let sourceFilter { parts.append("source \(sourceFilter)") }
        if let ruleFilter { parts.append("rule \(ruleFilter)") }
        if newOnly, let since = source?.newSince { parts.append("new since \(TimeText.short(since))") }
        if let owner = source?.ownerFilter, owner != .everyone { parts.append(owner.label) }
        if let sort = state.sort { parts.append("by \(sort.columnID) \(sort.ascending ? "▲" : "▼")") }
        if let marked = source?.markedCount, marked > 0 { parts.append("\(TimeText.count(marked)) marked") }
        if let position = state.position(of: source?.rowCount ?? 0) { parts.append(position) }
        return parts.joined(separator: " · ")
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            NavigationActions.filter,
            ConsoleAction("open-record", keys: [KeyEvent(.enter)], help: "Open the record", group: "Records"),
            ConsoleAction("rule", keys: [.char("f")], help: "Pick the rule filter, with open counts (:rule NAME sets it)", group: "Records"),
            ConsoleAction("mark", keys: [.char(" ")], help: "Mark or unmark the row, then the next", group: "Selection"),
            ConsoleAction("mark-all", keys: [.char("A")], help: "Mark every row matching the filter (again: unmark all)", group: "Selection"),
            ConsoleAction("bulk-release", keys: [.char("r")], help: "Release the marked rows (none marked: the whole filter)", group: "Selection"),
            ConsoleAction("bulk-replace", keys: [.char("p")], help: "Fix by pattern on the marked rows (field /regex/replacement/)", group: "Selection"),
            ConsoleAction("bulk-reject", keys: [.char("x")], help: "Reject the marked rows with one reason", group: "Selection"),
            ConsoleAction("bulk-set", keys: [.char("e")], help: "Set a field on the marked rows (field=value)", group: "Selection"),
            ConsoleAction("mark-range", keys: [.char("v")], help: "Mark a range: v at one end, v at the other", group: "Selection"),
            ConsoleAction("source", keys: [.char("s")], help: "Pick the source filter (:source NAME sets it)", group: "Records"),
            ConsoleAction("status", keys: [.char("t")], help: "Pick the status filter (:status NAME sets it)", group: "Records"),
            ConsoleAction("new", keys: [.char("N")], help: "Only records held since your last visit, starred ★ (again: all)", group: "Records"),
            ConsoleAction("sort-next", keys: [.char("o")], help: "Sort by the next column (age: the newest first)", group: "Records"),
            ConsoleAction("sort-reverse", keys: [.char("O")], help: "Reverse the sort", group: "Records"),
            ConsoleAction("column-next", keys: [.char("]"), KeyEvent(.right)], help: "Focus the next column (scrolls to it)", group: "Columns"),
            ConsoleAction("column-previous", keys: [.char("["), KeyEvent(.left)], help: "Focus the previous column (scrolls to it)", group: "Columns"),
            ConsoleAction("sort-by-column", keys: [.char("S")], help: "Sort by the focused column (again: reverse)", group: "Columns"),
            ConsoleAction("hide-column", keys: [.char("-")], help: "Hide the focused column", group: "Columns"),
            ConsoleAction(
                "zoom", keys: [.char("z")], help: "Show the selected row's focused cell whole (no column focused: the failing value)",
                group: "Columns"),
            ConsoleAction(
                "copy", keys: [.char("y")], help: "Copy the selected row's focused cell (or failing value) to the clipboard, as shown",
                group: "Columns"),
            ConsoleAction("show-columns", keys: [.char("=")], help: "Show every column, in the declared order", group: "Columns"),
            ConsoleAction("move-column-left", keys: [.char("<")], help: "Move the focused column left", group: "Columns"),
            ConsoleAction("move-column-right", keys: [.char(">")], help: "Move the focused column right", group: "Columns"),
            ConsoleAction("export", keys: [.char("W")], help: "Write the view (filtered rows, shown columns) to a CSV or JSON file (:export PATH)", group: "Records"),
            ConsoleAction("fix-all-like-this", keys: [.char("F")], help: "Apply the last fix to like records", group: "Records"),
            ConsoleAction("undo", keys: [.char("u")], help: "Undo the last action (a bulk action whole)", group: "Records"),
            ConsoleAction("view", keys: [.char("V")], help: "Pick a saved view (:view NAME shows one, :view save NAME saves this one)", group: "Records"),
        ] + WorkActions.actions + (cameFromDashboard ? [Self.backToDashboard] : [])
    }

    /// Set by a drill from the Dashboard: Esc (otherwise nothing on a tab's first screen) then goes back there, as `1`
    /// does, and the next Esc does nothing again.
    private(set) var cameFromDashboard = false

    static let backToDashboard = ConsoleAction(
        "back-to-dashboard", keys: [KeyEvent(.escape)], help: "Back to the Dashboard this view was opened from", group: "Records")

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
            keepSelection()
        }
        guard source?.applyPendingSearch() == true else { return }
        syncRowCount()
        if selectionToKeep != nil {
            // Rows re-read after another steward's change, not a new search: the cursor stays, no message.
            keepSelection()
            return
        }
        state.selectFirst()
        reportMatches(app)
    }

    /// Redraw when free text that waited for the search text can now be applied.
    func tick(app: ConsoleApp) -> Bool {
        source?.hasSearchToApply ?? false
    }

    /// The record the cursor was on when another steward's change was read in: once the rows are re-read, the
    /// cursor is put back on it (a record that left the list leaves the cursor where it was, on the next one).
    private var selectionToKeep: Int64?

    /// Another steward claimed, assigned, fixed, released or rejected records: who holds what and the rows are
    /// re-read, and the cursor stays on the record it was on.
    func followLakeChange(_ areas: Set<LakeWatch.Area>, app: ConsoleApp) {
        guard areas.contains(.quarantine), loadedGeneration != nil, let source else { return }
        selectionToKeep = state.selection.selected.flatMap { source.id(at: $0) }
        loadedGeneration = app.dataGeneration
        source.reader = app.reader
        refreshHolds(app: app)
        source.reload(searchTextAtOnce: false)
        syncRowCount()
        keepSelection()
    }

    /// Puts the cursor back on ``selectionToKeep`` once the rows it is among are read (not while a rule filter's
    /// or the search text's read is still under way).
    private func keepSelection() {
        guard let id = selectionToKeep, let source, !source.isLoading, !source.isSearching else { return }
        selectionToKeep = nil
        if let row = source.shownIDs.firstIndex(of: id) { state.selection.select(row) }
    }

    private var loadedGeneration: Int?

    /// Re-reads the lake only when the console changed records since (a count over millions of rows is not free).
    func activate(app: ConsoleApp) {
        source?.theme = app.theme
        source?.user = app.environment.user
        refreshHolds(app: app)
        guard loadedGeneration != app.dataGeneration else { return }
        let first = loadedGeneration == nil
        loadedGeneration = app.dataGeneration
        if first {
            // The previous visit marks what is new; this one is recorded for the next.
            do {
                source?.newSince = try StewardVisits(workspace: app.workspace, environment: app.environment).visit(.quarantine)
            } catch {
                app.report(error)
            }
            reload()
            source?.prepareSearch()
        } else {
            // Records (or what is masked) changed: ids, the window and the search text are all stale.
            source?.reader = app.reader
            source?.reload()
            syncRowCount()
        }
    }

    /// Re-reads who holds which record (others may have claimed since) and narrows the rows to the owner filter.
    func refreshHolds(app: ConsoleApp, filter: OwnerFilter? = nil) {
        guard let source else { return }
        do {
            source.setHolds(try WorkActions.service(app).holds(.quarantine), filter: filter ?? source.ownerFilter)
        } catch {
            app.report(error)
        }
        syncRowCount()
    }

    /// The records a claim or an assignment applies to: the marked ones, else the selected one.
    var workItems: [WorkItem] {
        guard let source else { return [] }
        if source.markedCount > 0 { return source.markedIDs.map { .quarantine(QuarantineID($0)) } }
        guard let row = state.selection.selected, let id = source.id(at: row) else { return [] }
        return [.quarantine(QuarantineID(id))]
    }

    /// After a claim or assignment: holds re-read, marks cleared (they were acted on).
    private func workChanged(app: ConsoleApp) {
        source?.clearMarks()
        refreshHolds(app: app)
    }

    /// The filter of the rows shown.
    private var currentFilter: QuarantineFilter {
        QuarantineFilter(
            source: sourceFilter, rule: ruleFilter, statuses: Self.statusChoices[statusChoice].statuses, text: text.isEmpty ? nil : text,
            heldAfter: newOnly ? source?.newSince : nil)
    }

    /// Writes exactly the view — the filtered rows in their order, the columns shown in their order — as CSV, or
    /// JSON when the path ends in `.json`; masked as the steward reads, audited by the engine.
    func export(to path: String, app: ConsoleApp) {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            app.modal = .input(InputDialog(
                title: "Export the view", question: "Write to which file? (.csv, or .json for JSON)",
                whenEmpty: "write a file name, or Esc to cancel"
            ) { [weak self, weak app] answer in
                guard let self, let app else { return }
                self.export(to: answer, app: app)
            })
            return
        }
        // The owner column is exported when it shows (once anyone holds a record), as every other shown column.
        let shownColumns = source?.displayedColumns ?? QuarantineTableSource.columns
        let columns = state.visibleColumns(shownColumns).compactMap { QuarantineViewColumn(rawValue: $0.id) }
        let format: ExportFormat = trimmed.lowercased().hasSuffix(".json") ? .json : .csv
        let order = state.sort.flatMap { QuarantineOrder(rawValue: $0.columnID) } ?? .id
        let url = URL(fileURLWithPath: (trimmed as NSString).expandingTildeInPath)
        do {
            let count = try app.service.exportView(
                currentFilter, order: order, ascending: state.sort?.ascending ?? true, columns: columns, format: format, toFile: url.path)
            app.message = StatusMessage(
                "wrote \(TimeText.count(count)) records × \(columns.count) columns to \(url.path) (\(format.rawValue))", severity: .success)
        } catch {
            app.report(error)
        }
    }

    /// Applies the filters and sort; the ids are re-read only when more than the text changed.
    func reload() {
        source?.reload(filter: currentFilter, sort: state.sort)
        syncRowCount()
    }

    /// Takes the row count the source has now, at once (a key can come before the next frame): a filter
    /// that matched nothing clears the selection, and the next one that matches rows selects the first.
    private func syncRowCount() {
        state.selection.update(rowCount: source?.rowCount ?? 0, viewportHeight: state.selection.viewportHeight)
    }

    /// The column `[`/`]` focus, for sorting, hiding and moving.
    var focusedColumn: String {
        let shown = focusableColumns
        if let focused = state.focusedColumn, shown.contains(focused) { return focused }
        return shown.first ?? "id"
    }

    /// The data columns shown, in order: the mark column is not one (it neither sorts, hides nor moves).
    private var focusableColumns: [String] {
        state.visibleColumns(QuarantineTableSource.columns).map(\.id).filter { $0 != QuarantineTableSource.markColumn }
    }

    private func focusColumn(by delta: Int) {
        let shown = focusableColumns
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

    /// The column `z` and `y` take: the focused one, else the failing value.
    private var cellColumn: QuarantineViewColumn {
        state.focusedColumn.flatMap(QuarantineViewColumn.init(rawValue:)) ?? .value
    }

    /// The selected row's cell of ``cellColumn`` as the workbench shows it (masked as the steward reads), or nil
    /// (saying so) when no row is selected.
    private func selectedCell(app: ConsoleApp) -> (record: QuarantineRecord, text: String)? {
        guard let record = selectedRecord else {
            app.message = StatusMessage("no record selected", severity: .warning)
            return nil
        }
        return (record, cellColumn.text(record, now: app.environment.now()))
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "back-to-dashboard":
            cameFromDashboard = false
            app.switchTab(ConsoleApp.tabIndex("dashboard"))
        case "open-record":
            guard let record = selectedRecord else {
                app.message = StatusMessage("no record selected", severity: .warning)
                return true
            }
            app.push(QuarantineDetailScreen(id: record.id) { [weak source] id, step in source?.neighbour(of: id, step) })
        case "source", "rule", "status":
            openPicker(action, app: app)
        case "new":
            guard let since = source?.newSince else {
                app.message = StatusMessage("your first visit to the workbench: from the next, records held since are starred ★ and N shows them")
                return true
            }
            newOnly.toggle()
            reload()
            // The message counts the rows of the new filter, read in the background: waited for a moment here (the
            // steward asked how many), else the title counts them once they are there.
            let counted = source?.awaitPendingBase(timeout: Self.newCountWait) ?? true
            syncRowCount()
            state.selectFirst()
            let howMany = counted ? "\(TimeText.count(source?.rowCount ?? 0)) records" : "records (counting; the title shows how many)"
            app.message = StatusMessage(newOnly ? "\(howMany) held since your last visit (\(TimeText.short(since)))" : "all records, new or not")
        case "export":
            export(to: "", app: app)
        case "sort-next":
            let ids = QuarantineTableSource.columns.map(\.id).filter { QuarantineOrder(rawValue: $0) != nil }
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
            guard QuarantineOrder(rawValue: focusedColumn) != nil else {
                app.message = StatusMessage("the \(focusedColumn) column does not sort", severity: .warning)
                return true
            }
            state.toggleSort(focusedColumn)
            reload()
        case "hide-column":
            let column = focusedColumn
            guard focusableColumns.count > 1 else {
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
            let data = QuarantineTableSource.columns.filter { !state.hiddenColumns.contains($0.id) && $0.id != QuarantineTableSource.markColumn }
            state.moveColumn(focusedColumn, by: action == "move-column-left" ? -1 : 1, in: data)
            // The mark column stays first.
            state.columnOrder = [QuarantineTableSource.markColumn] + state.columnOrder
        case "mark":
            guard let row = state.selection.selected, let id = source?.id(at: row) else {
                app.message = StatusMessage("no record selected", severity: .warning)
                return true
            }
            source?.toggleMark(id)
            rangeAnchor = nil
            state.selection.select(next: 1)
        case "mark-range":
            guard let row = state.selection.selected else {
                app.message = StatusMessage("no record selected", severity: .warning)
                return true
            }
            guard let anchor = rangeAnchor else {
                rangeAnchor = row
                app.message = StatusMessage("range starts at row \(TimeText.count(row + 1)): move to the other end and press v again")
                return true
            }
            let marked = source?.mark(rows: min(anchor, row)...max(anchor, row)) ?? 0
            rangeAnchor = nil
            app.message = StatusMessage("marked rows \(TimeText.count(min(anchor, row) + 1))–\(TimeText.count(max(anchor, row) + 1)) (\(TimeText.count(marked)) records)")
        case "mark-all":
            guard let source else { return true }
            if source.markedCount > 0, source.allShownMarked {
                source.clearMarks()
                app.message = StatusMessage("every mark cleared")
            } else {
                source.markAllShown()
                app.message = StatusMessage("marked every row matching the filter (\(TimeText.count(source.markedCount)))")
            }
        case "bulk-release":
            BulkActions.preview(.release, list: self, app: app)
        case "bulk-reject":
            BulkActions.askReason(list: self, app: app)
        case "bulk-set":
            BulkActions.askSet(list: self, app: app)
        case "bulk-replace":
            BulkActions.askReplace(list: self, app: app)
        case "claim":
            WorkActions.claim(workItems, app: app) { [weak self, weak app] in if let self, let app { self.workChanged(app: app) } }
        case "assign":
            WorkActions.askAssignee(workItems, app: app) { [weak self, weak app] in if let self, let app { self.workChanged(app: app) } }
        case "unassign":
            WorkActions.unassign(workItems, app: app) { [weak self, weak app] in if let self, let app { self.workChanged(app: app) } }
        case "owner":
            openPicker("owner", app: app)
        case "view":
            openViewPicker(app: app)
        case "zoom":
            guard let cell = selectedCell(app: app) else { return true }
            app.modal = .text(
                title: "\(cell.record.id) · \(cellColumn.title)",
                lines: (cell.text.isEmpty ? ["(empty)"] : cell.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
                    .map { Line($0, style: cellColumn == .name || cellColumn == .value ? app.theme[.pii] : app.theme[.text]) })
        case "copy":
            guard let cell = selectedCell(app: app) else { return true }
            app.terminal.backend.copyToClipboard(cell.text)
            app.message = StatusMessage(
                "copied \(cell.record.id)'s \(cellColumn.title) (\(cell.text.count) characters) to the clipboard", severity: .success)
        case "fix-all-like-this":
            QuarantineActions.fixAllLikeThis(app: app)
        case "undo":
            QuarantineActions.undo(app: app)
        default:
            return false
        }
        return true
    }

    /// `:rule NAME`, `:source NAME`, `:status NAME` from the palette: sets that filter (`all` clears it);
    /// `:export PATH` writes the view.
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool {
        if action == "export" {
            export(to: argument, app: app)
            return true
        }
        if action == "view" {
            viewCommand(argument, app: app)
            return true
        }
        if action == "assign" {
            WorkActions.assign(workItems, to: argument, app: app) { [weak self, weak app] in if let self, let app { self.workChanged(app: app) } }
            return true
        }
        guard ["source", "rule", "status", "owner"].contains(action) else { return false }
        let choices = self.choices(action, app: app)
        let wanted = argument.lowercased()
        guard let choice = choices.first(where: { ($0.value ?? "all").lowercased() == wanted || $0.label.lowercased() == wanted }) else {
            let known = choices.map { $0.value ?? "all" }.prefix(12).joined(separator: ", ")
            app.message = StatusMessage("no \(action) \"\(argument)\" (\(known)\(choices.count > 12 ? ", …" : ""))", severity: .warning)
            return true
        }
        pick(choice, for: action, app: app)
        return true
    }

    // MARK: Saved views

    /// This view as it stands: filters, sort and the columns shown, in their order.
    func currentView(named name: String) -> SavedView {
        let columns = focusableColumns.filter { QuarantineViewColumn(rawValue: $0) != nil }
        return SavedView(
            name: name, source: sourceFilter?.rawValue, rule: ruleFilter, statuses: Self.statusChoices[statusChoice].statuses,
            text: text.isEmpty ? nil : text, owner: source.flatMap { $0.ownerFilter == .everyone ? nil : $0.ownerFilter.rawValue },
            sort: state.sort?.columnID, ascending: state.sort?.ascending ?? true,
            columns: columns == QuarantineViewColumn.standard.map(\.rawValue) ? [] : columns)
    }

    /// `:view NAME` shows a saved view, `:view save NAME` saves this one, `:view delete NAME` deletes one; `:view` alone
    /// lists them.
    private func viewCommand(_ argument: String, app: ConsoleApp) {
        let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
        let views = SavedViews(workspace: app.workspace, environment: app.environment)
        do {
            switch words.first {
            case nil:
                openViewPicker(app: app)
            case "save" where words.count == 2:
                try views.save(currentView(named: words[1]))
                app.message = StatusMessage("saved this view as \(words[1]); :view \(words[1]) shows it again", severity: .success)
            case "delete" where words.count == 2:
                try views.delete(named: words[1])
                app.message = StatusMessage("deleted the view \(words[1])", severity: .success)
            default:
                show(try views.view(named: argument), app: app)
            }
        } catch {
            app.report(error)
        }
    }

    /// The steward's saved views, to pick one.
    private func openViewPicker(app: ConsoleApp) {
        let views: [SavedView]
        do {
            views = try SavedViews(workspace: app.workspace, environment: app.environment).views()
        } catch {
            app.report(error)
            return
        }
        guard !views.isEmpty else {
            app.message = StatusMessage("no saved views yet: :view save NAME saves this one (filters, sort, columns)")
            return
        }
        app.modal = .picker(Picker(
            title: "view · type to search, Enter shows it", choices: views.map { Picker.Choice(value: $0.name, label: $0.summary, count: nil) },
            current: nil
        ) { [weak self, weak app] choice in
            guard let self, let app, let name = choice.value, let view = views.first(where: { $0.name == name }) else { return }
            self.show(view, app: app)
        })
    }

    /// Applies a saved view: its filters, sort and columns.
    func show(_ view: SavedView, app: ConsoleApp) {
        sourceFilter = view.source.map { SourceName($0) }
        ruleFilter = view.rule
        statusChoice = Self.statusChoices.firstIndex { $0.statuses == view.statuses } ?? Self.statusChoices.count - 1
        text = view.text ?? ""
        newOnly = false
        state.sort = view.sort.map { TableSort(columnID: $0, ascending: view.ascending) }
        let shown = view.viewColumns.map(\.rawValue)
        state.hiddenColumns = Set(QuarantineViewColumn.standard.map(\.rawValue).filter { !shown.contains($0) })
        state.columnOrder = [QuarantineTableSource.markColumn] + shown
        state.focusedColumn = nil
        refreshHolds(app: app, filter: view.owner.flatMap(OwnerFilter.init(rawValue:)) ?? .everyone)
        reload()
        state.selectFirst()
        app.message = StatusMessage("view \(view.summary)")
    }

    /// Lists exactly the records a Dashboard count stands for: its source, rule and status, with no free text,
    /// owner or "new since" narrowing left from before (so the row count is the count that was chosen).
    func show(_ drill: DashboardDrill, app: ConsoleApp) {
        sourceFilter = drill.source
        ruleFilter = drill.rule
        statusChoice = Self.statusChoices.firstIndex { $0.label == drill.status } ?? 0
        text = ""
        newOnly = false
        cameFromDashboard = true
        refreshHolds(app: app, filter: .everyone)
        // Not yet shown (or records changed since): showing the tab reads the lake with these filters.
        if loadedGeneration == app.dataGeneration { reload() }
        state.selectFirst()
    }

    /// Opens the type-to-search list of `filter`'s choices with their counts.
    private func openPicker(_ filter: String, app: ConsoleApp) {
        let current: String?
        switch filter {
        case "source": current = sourceFilter?.rawValue
        case "rule": current = ruleFilter
        case "owner": current = source?.ownerFilter.rawValue
        default: current = Self.statusChoices[statusChoice].label
        }
        app.modal = .picker(Picker(title: "\(filter) · type to search, Enter picks", choices: choices(filter, app: app), current: current) {
            [weak self, weak app] choice in
            guard let self, let app else { return }
            self.pick(choice, for: filter, app: app)
        })
    }

    private func pick(_ choice: Picker.Choice, for filter: String, app: ConsoleApp) {
        switch filter {
        case "source": sourceFilter = choice.value.map { SourceName($0) }
        case "rule": ruleFilter = choice.value
        case "owner":
            refreshHolds(app: app, filter: choice.value.flatMap(OwnerFilter.init(rawValue:)) ?? .everyone)
            state.selectFirst()
            app.message = StatusMessage("showing \(source?.ownerFilter.label ?? "everyone's") records")
            return
        default: statusChoice = Self.statusChoices.firstIndex { $0.label == choice.value } ?? 0
        }
        reload()
        state.selectFirst()
        app.message = StatusMessage("\(filter): \(choice.value ?? "all")")
    }

    /// The choices of a filter with their counts, as the dashboard last counted them in the background (no
    /// scan of the held records on the key path); counts are of open and fixed records.
    func choices(_ filter: String, app: ConsoleApp) -> [Picker.Choice] {
        let dashboard = app.stacks[ConsoleApp.tabIndex("dashboard")].first as? DashboardScreen
        // Counts the dashboard finished reading while another screen was shown (never waits).
        _ = dashboard?.takeFinishedRefresh()
        let statuses = dashboard?.sourceStatuses
        switch filter {
        case "owner":
            let holds = source?.holds ?? [:]
            let user = app.environment.user
            return OwnerFilter.allCases.map { owner in
                let count: Int? =
                    switch owner {
                    case .everyone: nil
                    case .mine: holds.values.count { $0.owner == user }
                    case .unassigned: nil
                    }
                return Picker.Choice(value: owner.rawValue, label: owner.label, count: count)
            }
        case "source":
            let held = statuses.map { $0.reduce(0) { $0 + $1.quarantineOpen + $1.quarantineFixed } }
            return [Picker.Choice(value: nil, label: "all sources", count: held)]
                + app.workspace.configuration.sources.map { source in
                    let status = statuses?.first { $0.source == source.name }
                    return Picker.Choice(value: source.name.rawValue, label: source.name.rawValue, count: status.map { $0.quarantineOpen + $0.quarantineFixed })
                }
        case "rule":
            let counted = dashboard?.openRuleCounts
            let held = statuses.map { $0.reduce(0) { $0 + $1.quarantineOpen + $1.quarantineFixed } }
            return [Picker.Choice(value: nil, label: "all rules", count: held)]
                + knownRules(app).map { rule in
                    Picker.Choice(value: rule, label: rule, count: counted.map { counts in counts.first { $0.rule == rule }?.count ?? 0 })
                }
        default:
            return Self.statusChoices.map { choice in
                let count = statuses.map { all in
                    all.reduce(0) { total, status in
                        let statuses = choice.statuses.isEmpty ? QuarantineStatus.allCases : choice.statuses
                        return total + statuses.reduce(0) { sum, s in
                            switch s {
                            case .open: sum + status.quarantineOpen
                            case .fixed: sum + status.quarantineFixed
                            case .released: sum + status.released
                            case .rejected: sum + status.quarantineRejected
                            }
                        }
                    }
                }
                return Picker.Choice(value: choice.label, label: choice.label, count: count)
            }
        }
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

    /// Where `v` started a range.
    private var rangeAnchor: Int?

    /// The records a bulk action applies to: the marked ones, else every row matching the filter; and how to
    /// name them in the preview.
    var bulkTarget: (ids: [QuarantineID], scope: String) {
        guard let source else { return ([], "no records") }
        if source.markedCount > 0 {
            return (source.markedIDs.map { QuarantineID($0) }, "\(TimeText.count(source.markedCount)) marked")
        }
        return (source.shownIDs.map { QuarantineID($0) }, "all \(TimeText.count(source.rowCount)) matching the filter")
    }

    /// Where the table was last drawn, for clicks.
    var tableArea: Rect?

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        guard let source else { return }
        source.theme = app.theme
        let theme = app.theme
        let split = area.splitHorizontally([.fill(1), .length(1)])
        let table = Table(
            columns: source.displayedColumns, dataSource: source, style: theme[.text],
            headerStyle: theme[.header], selectedStyle: theme[.selection], highlightSymbol: "▌",
            focusedHeaderStyle: state.focusedColumn == nil ? nil : theme[.header].adding(.reverse),
            emptyMessage: source.lastError ?? "no records match the filters", fitsContent: true)
        frame.render(table, in: split[0], state: &state)
        tableArea = split[0]
        frame.render(
            Scrollbar(contentLength: state.selection.rowCount, viewportLength: state.selection.viewportHeight, position: state.selection.offset,
                trackStyle: theme[.muted], thumbStyle: theme[.accent]),
            in: Rect(x: split[1].x, y: split[1].y + 1, width: 1, height: max(0, split[1].height - 1)))
    }
}
