import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// The merge review queue: open candidate pairs, most uncertain first (probability nearest the middle of
/// the two thresholds), with the session's counter. Enter reviews from the selected pair on, one key per
/// decision; `c` shows the cluster an approval would make; `b` hides the scores.
final class ReviewQueueScreen: ConsoleScreen {
    let session = ReviewSession()
    private var state = TableState()

    var title: String { "Merge review · \(session.counterText)" }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("review", keys: [KeyEvent(.enter)], help: "Review from the selected pair on", group: "Review"),
            ConsoleAction("cluster", keys: [.char("c")], help: "The cluster approving the pair would make", group: "Review"),
            ConsoleAction("undo", keys: [.char("u")], help: "Undo the last decision of this session", group: "Review"),
            ConsoleAction("blind", keys: [.char("b")], help: "Blind mode: hide scores and weights (again: show)", group: "Review"),
        ]
    }

    /// Open pairs as read, without those decided in this session since.
    var rows: [CandidateRow] {
        (session.queue?.rows ?? []).filter { session.decided($0.id) == nil }
    }

    private var selected: CandidateRow? {
        state.selection.selected.flatMap { rows.indices.contains($0) ? rows[$0] : nil }
    }

    func activate(app: ConsoleApp) { session.refreshIfStale(app) }

    func willRender(app: ConsoleApp) { session.takeFinishedRead() }

    func tick(app: ConsoleApp) -> Bool { session.takeFinishedRead() }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
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
        case "undo":
            _ = session.undo(app: app)
            session.refreshIfStale(app)
        case "blind":
            session.blind.toggle()
            app.message = StatusMessage(session.blind ? "blind mode: scores hidden" : "scores shown")
        default:
            return false
        }
        return true
    }

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
        var columns = [TableColumn(id: "id", title: "pair", width: .length(7))]
        if !blind {
            columns += [
                TableColumn(id: "probability", title: "prob.", width: .length(6), alignment: .right),
                TableColumn(id: "key", title: "key", width: .fill(2)),
            ]
        }
        columns += [
            TableColumn(id: "a", title: "record a", width: .fill(2)),
            TableColumn(id: "b", title: "record b", width: .fill(2)),
            TableColumn(id: "cluster", title: "records", width: .length(7), alignment: .right),
            TableColumn(id: "note", title: "", width: .length(8)),
        ]
        let lines = shown.map { row -> [Line] in
            var cells = [Line(row.id.description, style: theme[.accent])]
            if !blind {
                cells += [Line(String(format: "%.3f", row.probability)), ReviewText.keyLine(row.key, theme: theme)]
            }
            let size = session.clusterSize(row)
            cells += [
                Line(row.a.description), Line(row.b.description),
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
            emptyMessage: "no open candidates: the queue is empty (`cdp match run` proposes pairs)")
        frame.render(table, in: tableArea, state: &state)
    }
}
