import CDPCore
import CDPEngine
import CDPStore
import TermUI

/// The audit log, newest first, filterable with `/`; read-only.
final class AuditScreen: ConsoleScreen {
    private var entries: [AuditEntry] = []
    private var shown: [AuditEntry] = []
    private var state = TableState()
    private var text = ""
    private var error: String?

    var title: String { "Audit log · \(shown.count) of \(entries.count) newest" }

    var actions: [ConsoleAction] { NavigationActions.list + [NavigationActions.filter] }

    var filterText: String? { text }

    func applyFilter(_ text: String, app: ConsoleApp) {
        self.text = text
        applyFilter()
        state.selectFirst()
    }

    private func applyFilter() {
        shown = text.isEmpty ? entries : entries.filter { entry in
            [entry.actor, entry.action, entry.target, entry.before ?? "", entry.after ?? "", entry.reason ?? ""]
                .contains { $0.localizedCaseInsensitiveContains(text) }
        }
    }

    func activate(app: ConsoleApp) {
        do {
            entries = try app.workspace.store.auditEntries(LakeStore.AuditFilter(limit: 2000)).map(app.masker.auditEntry)
            error = nil
        } catch let failure {
            error = failure.description
        }
        applyFilter()
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        NavigationActions.apply(action, to: &state.selection)
    }

    static let columns = [
        TableColumn(id: "id", title: "id", width: .length(6)),
        TableColumn(id: "at", title: "at", width: .length(17)),
        TableColumn(id: "actor", title: "actor", width: .length(10)),
        TableColumn(id: "action", title: "action", width: .length(20)),
        TableColumn(id: "target", title: "target", width: .length(8)),
        TableColumn(id: "change", title: "change", width: .fill(1)),
    ]

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.render(Paragraph(lines: [Line(error, style: theme[.error])], wrap: true), in: area)
            return
        }
        let rows = shown.map { entry -> [Line] in
            var change: [Span] = []
            if let before = entry.before { change.append(Span(before, style: theme[.diffRemove])); change.append(Span(" → ")) }
            if let after = entry.after { change.append(Span(after, style: theme[.diffAdd])) }
            if let reason = entry.reason { change.append(Span("  reason: \(reason)", style: theme[.muted])) }
            return [
                Line(entry.id.description, style: theme[.muted]), Line(TimeText.short(entry.at)), Line(entry.actor, style: theme[.accent]),
                Line(entry.action), Line(entry.target), Line(spans: change),
            ]
        }
        let table = Table(
            columns: Self.columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no audit entries")
        frame.render(table, in: area, state: &state)
    }
}
