import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// The merge review queue: open candidate pairs, most uncertain first (probability nearest the middle of
/// the two thresholds), with the session's counter. Enter reviews from the selected pair on, one key per
/// decision; `c` shows the cluster an approval would make; `b` hides the scores.
final class ReviewQueueScreen: TableScreen {
    let session = ReviewSession()
    var state = TableState()

    /// Only pairs with this explanation key (`f`, `:key`); nil for every key.
    private(set) var keyFilter: String?
    /// Only pairs between these two sources (`s`, `:sources a+b`); nil for every pair of sources.
    private(set) var sourcesFilter: SourcePair?
    /// Whose pairs are shown (`w`, `:owner`).
    private(set) var ownerFilter = OwnerFilter.everyone
    /// Who holds which pair, by candidate id, as last read.
    private var holds: [Int64: WorkClaim] = [:]
    /// The steward, for "mine".
    private var user = ""

    var title: String {
        var parts = ["Merge review · \(session.counterText)"]
        if let keyFilter { parts.append("key \(keyFilter.isEmpty ? "(none)" : keyFilter)") }
        if let sourcesFilter { parts.append("sources \(sourcesFilter)") }
        if ownerFilter != .everyone { parts.append(ownerFilter.label) }
        if let position = state.position(of: rows.count) { parts.append(position) }
        return parts.joined(separator: " · ")
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("review", keys: [KeyEvent(.enter)], help: "Review from the selected pair on", group: "Review"),
            ConsoleAction("cluster", keys: [.char("c")], help: "The cluster approving the pair would make", group: "Review"),
            ConsoleAction("key", keys: [.char("f")], help: "Pick the explanation key the queue shows (:key KEY sets it)", group: "Review"),
            ConsoleAction("sources", keys: [.char("s")], help: "Pick the pair of sources the queue shows (:sources a+b sets it)", group: "Review"),
            ConsoleAction(
                "approve-key", keys: [.char("A")], help: "Approve every open pair with this pair's key above a probability (previewed)",
                group: "Review"),
            ConsoleAction(
                "reject-key", keys: [.char("X")], help: "Reject every open pair with this pair's key above a probability (previewed)",
                group: "Review"),
            ConsoleAction("undo", keys: [.char("u")], help: "Undo the last decision of this session (a bulk one whole)", group: "Review"),
            ConsoleAction("blind", keys: [.char("b")], help: "Blind mode: hide scores and weights (again: show)", group: "Review"),
        ] + WorkActions.actions
    }

    /// Open pairs as read, without those decided in this session since, narrowed by the key and sources filters.
    var rows: [CandidateRow] {
        (session.queue?.rows ?? []).filter { row in
            session.decided(row.id) == nil && (keyFilter.map { row.key == $0 } ?? true) && (sourcesFilter?.matches(row) ?? true)
                && ownerFilter.admits(holds[row.id.rawValue], user: user)
        }
    }

    private var selected: CandidateRow? {
        state.selection.selected.flatMap { rows.indices.contains($0) ? rows[$0] : nil }
    }

    func activate(app: ConsoleApp) {
        session.refreshIfStale(app)
        user = app.environment.user
        refreshHolds(app)
    }

    /// Re-reads who holds which pair (others may have claimed since).
    private func refreshHolds(_ app: ConsoleApp) {
        do {
            holds = try WorkActions.service(app).holds(.candidate)
        } catch {
            app.report(error)
        }
    }

    /// The pair a claim or an assignment applies to: the selected one.
    private var workItems: [WorkItem] { selected.map { [.candidate($0.id)] } ?? [] }

    func willRender(app: ConsoleApp) { takeFinishedRead() }

    func tick(app: ConsoleApp) -> Bool { takeFinishedRead() }

    /// Takes the queue once read; the cursor goes back on the pair it was on before another steward's change.
    @discardableResult
    private func takeFinishedRead() -> Bool {
        let took = session.takeFinishedRead()
        // However the read was taken (a test waits for it through the session), once it is in.
        if !session.isReading { keepSelection() }
        return took
    }

    /// The pair the cursor was on when another steward's change was read in (see ``followLakeChange(_:app:)``).
    private var selectionToKeep: CandidateID?

    /// Another steward decided, claimed or assigned pairs: the queue and its holds are re-read (in the background),
    /// and the cursor stays on the pair it was on; a pair decided meanwhile leaves the queue.
    func followLakeChange(_ areas: Set<LakeWatch.Area>, app: ConsoleApp) {
        guard areas.contains(.review) else { return }
        selectionToKeep = selected?.id
        activate(app: app)
        if !session.isReading { keepSelection() }
    }

    private func keepSelection() {
        guard let id = selectionToKeep else { return }
        selectionToKeep = nil
        if let row = rows.firstIndex(where: { $0.id == id }) { state.selection.select(row) }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        // A key pressed before the queue first shows means the queue about to show: take the read in flight first.
        if session.queue == nil, session.isReading {
            session.waitForQueue()
            if state.selection.selected == nil, !rows.isEmpty { state.selection.select(0) }
        }
        switch action {
        case "review":
            guard let selected else {
                app.message = StatusMessage("no open candidates to review; `cdp match run` proposes them", severity: .warning)
                return true
            }
            app.push(ReviewCandidateScreen(session: session, order: rows.map(\.id), startingAt: selected.id))
        case "cluster":
            guard let selected else { return true }
            app.push(ReviewClusterScreen(session: session, candidate: selected.id))
        case "key", "sources":
            let choices = self.choices(action)
            let current = action == "key" ? keyFilter : sourcesFilter?.description
            app.modal = .picker(Picker(title: "\(action) · type to search, Enter picks", choices: choices, current: current) {
                [weak self, weak app] choice in
                guard let self, let app else { return }
                self.pick(choice.value, for: action, app: app)
            })
        case "approve-key", "reject-key":
            askFloor(action == "approve-key" ? .approved : .rejected, app: app)
        case "undo":
            if let bulk = session.bulkToUndo {
                app.push(PairBulkScreen(undoing: bulk, session: session))
                return true
            }
            _ = session.undo(app: app)
            session.refreshIfStale(app)
        case "claim":
            WorkActions.claim(workItems, app: app) { [weak self, weak app] in if let self, let app { self.refreshHolds(app) } }
        case "assign":
            WorkActions.askAssignee(workItems, app: app) { [weak self, weak app] in if let self, let app { self.refreshHolds(app) } }
        case "unassign":
            WorkActions.unassign(workItems, app: app) { [weak self, weak app] in if let self, let app { self.refreshHolds(app) } }
        case "owner":
            let choices = OwnerFilter.allCases.map { owner in
                Picker.Choice(
                    value: owner.rawValue, label: owner.label, count: owner == .mine ? holds.values.count { $0.owner == app.environment.user } : nil)
            }
            app.modal = .picker(Picker(title: "owner · type to search, Enter picks", choices: choices, current: ownerFilter.rawValue) {
                [weak self, weak app] choice in
                guard let self, let app else { return }
                self.pick(choice.value, for: "owner", app: app)
            })
        case "blind":
            session.blind.toggle()
            app.message = StatusMessage(session.blind ? "blind mode: scores hidden" : "scores shown")
        default:
            return false
        }
        return true
    }

    /// `:key +FIRST +SURNAME` and `:sources crm+web` from the palette (`all` clears them).
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool {
        if action == "assign" {
            WorkActions.assign(workItems, to: argument, app: app) { [weak self, weak app] in if let self, let app { self.refreshHolds(app) } }
            return true
        }
        if action == "owner" {
            guard let owner = OwnerFilter(argument: argument) else {
                app.message = StatusMessage("owner is mine, unassigned or everyone", severity: .warning)
                return true
            }
            pick(owner.rawValue, for: "owner", app: app)
            return true
        }
        guard action == "key" || action == "sources" else { return false }
        let wanted = argument.trimmingCharacters(in: .whitespaces)
        if wanted.lowercased() == "all" {
            pick(nil, for: action, app: app)
        } else if action == "sources" {
            guard let pair = SourcePair(parsing: wanted) else {
                app.message = StatusMessage("write the sources as a+b, e.g. crm_customers+web_signups", severity: .warning)
                return true
            }
            pick(pair.description, for: action, app: app)
        } else {
            pick(wanted, for: action, app: app)
        }
        return true
    }

    /// The keys or source pairs of the open pairs read, most pairs first, with their counts.
    private func choices(_ filter: String) -> [Picker.Choice] {
        let open = (session.queue?.rows ?? []).filter { session.decided($0.id) == nil }
        let values = open.map { filter == "key" ? $0.key : SourcePair($0).description }
        let counts = Dictionary(grouping: values, by: { $0 }).mapValues(\.count).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        return [Picker.Choice(value: nil, label: filter == "key" ? "all keys" : "all sources", count: open.count)]
            + counts.map { Picker.Choice(value: $0.key, label: $0.key.isEmpty ? "(no key)" : $0.key, count: $0.value) }
    }

    private func pick(_ value: String?, for filter: String, app: ConsoleApp) {
        switch filter {
        case "key": keyFilter = value
        case "owner":
            ownerFilter = value.flatMap(OwnerFilter.init(rawValue:)) ?? .everyone
            refreshHolds(app)
        default: sourcesFilter = value.flatMap(SourcePair.init(parsing:))
        }
        state.selectFirst()
        app.message = StatusMessage("\(filter): \(filter == "owner" ? ownerFilter.label : value ?? "all")")
    }

    /// Asks above which probability to decide every open pair with the selected pair's key, then previews it.
    /// Refused before asking without `decide_merges`, and in blind mode (the key is what it decides by).
    private func askFloor(_ decision: CandidateStatus, app: ConsoleApp) {
        guard let selected else {
            app.message = StatusMessage("no open pair selected", severity: .warning)
            return
        }
        guard !session.blind else {
            app.message = StatusMessage("blind mode hides the keys a bulk decision goes by; b shows them", severity: .warning)
            return
        }
        let review = MatchReview(workspace: app.workspace, environment: app.environment)
        let sameKey = rows.count { $0.key == selected.key }
        let sources = sourcesFilter
        do {
            try review.authorizeBulk(decision, count: sameKey)
        } catch {
            app.report(error)
            return
        }
        let verb = decision == .approved ? "Approve" : "Reject"
        let suggested = String(format: "%.2f", (selected.probability * 100).rounded(.down) / 100)
        app.modal = .input(InputDialog(
            title: "\(verb) every open pair with key \(selected.key.isEmpty ? "(none)" : selected.key)",
            question: "Above which probability? (0 to 1; \(selected.id) has \(String(format: "%.3f", selected.probability)))",
            field: TextFieldState(suggested), whenEmpty: "write a probability from 0 to 1, or Esc to cancel",
            check: { Self.floor($0) == nil ? "write a probability from 0 up to (not including) 1, e.g. 0.9" : nil }
        ) { [weak self, weak app] answer in
            guard let self, let app, let floor = Self.floor(answer) else { return }
            do {
                let plan = try review.planBulk(decision, PairSelection(key: selected.key, above: floor, sources: sources))
                app.push(PairBulkScreen(plan: plan, session: self.session))
            } catch {
                app.report(error)
            }
        })
    }

    /// A probability floor as typed: 0 up to (not including) 1.
    static func floor(_ text: String) -> Double? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value >= 0, value < 1 else { return nil }
        return value
    }

    /// Where the table was last drawn, for clicks.
    var lastTableArea: Rect?
    var tableArea: Rect? { lastTableArea }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error = session.loadError {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        guard let queue = session.queue else {
            frame.buffer.setString(x: area.x, y: area.y, "reading the queue…", style: theme[.muted], maxWidth: area.width)
            return
        }
        let shown = rows
        let more = queue.rows.count >= ReviewSession.queueLimit ? " (the first \(ReviewSession.queueLimit) read)" : ""
        let order = String(format: "%.4g", queue.centre)
        frame.buffer.setLine(
            x: area.x, y: area.y,
            Line(spans: [
                Span("\(shown.count) open pairs\(more), most uncertain first: ", style: theme[.muted]),
                Span("probability nearest \(order)", style: theme[.text]),
                Span(", halfway between the review and auto-merge thresholds", style: theme[.muted]),
            ]), maxWidth: area.width)
        let tableArea = Rect(x: area.x, y: area.y + 1, width: area.width, height: max(0, area.height - 1))
        let blind = session.blind
        // The owner column once anyone holds a pair (before that it would only take room from the names).
        var columns = [TableColumn(id: "id", title: "pair", width: .length(7))]
        if !holds.isEmpty { columns.append(TableColumn(id: "owner", title: "owner", width: .length(8))) }
        if !blind {
            columns += [
                TableColumn(id: "probability", title: "prob.", width: .length(6), alignment: .right),
                TableColumn(id: "key", title: "key", width: .fill(2)),
            ]
        }
        columns += [
            TableColumn(id: "a", title: "record a", width: .fill(2)),
            TableColumn(id: "name-a", title: "person a", width: .fill(2)),
            TableColumn(id: "b", title: "record b", width: .fill(2)),
            TableColumn(id: "name-b", title: "person b", width: .fill(2)),
            TableColumn(id: "cluster", title: "records", width: .length(7), alignment: .right),
            TableColumn(id: "note", title: "", width: .length(8)),
        ]
        let lines = shown.map { row -> [Line] in
            var cells = [Line(row.id.description, style: theme[.accent])]
            if !holds.isEmpty { cells.append(WorkActions.ownerCell(holds[row.id.rawValue], app: app.environment.user, theme: theme)) }
            if !blind {
                cells += [Line(String(format: "%.3f", row.probability)), ReviewText.keyLine(row.key, theme: theme)]
            }
            let size = session.clusterSize(row)
            cells += [
                Line(row.a.description), Line(queue.names[row.a] ?? "", style: theme[.pii]),
                Line(row.b.description), Line(queue.names[row.b] ?? "", style: theme[.pii]),
                Line(size > 2 ? "\(size) ▸" : "\(size)", style: size > 2 ? theme[.warning] : theme[.text]),
                Line(session.skipped.contains(row.id) ? "skipped" : "", style: theme[.muted]),
            ]
            return cells
        }
        // The selection is lost when the last row goes (all decided); an undo brings rows back.
        if state.selection.selected == nil, !lines.isEmpty { state.selection.select(0) }
        let table = Table(
            columns: columns, dataSource: ArrayTableDataSource(rows: lines), style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌",
            emptyMessage: keyFilter == nil && sourcesFilter == nil
                && ownerFilter == .everyone
                ? "no open candidates: the queue is empty (`cdp match run` proposes pairs)" : "no open pair matches the filters (f, s, w)",
            fitsContent: true)
        frame.render(table, in: tableArea, state: &state)
        lastTableArea = tableArea
    }
}
