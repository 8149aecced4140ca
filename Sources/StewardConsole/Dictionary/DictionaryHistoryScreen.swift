import CDPCore
import CDPEngine
import TermUI

/// An entry's versions, oldest first: who, when, what changed. Enter diffs the selected version with the
/// one before it; Space marks a version and `d` diffs the marked one with the selected one.
final class DictionaryHistoryScreen: TableScreen {
    let key: DictionaryKey
    private var versions: [DictionaryVersion] = []
    var state = TableState()
    var tableArea: Rect?
    private(set) var marked: Int?
    private var error: String?

    init(key: DictionaryKey) { self.key = key }

    var title: String {
        "History · \(key) · \(versions.count) versions" + (marked.map { " · marked version \($0)" } ?? "")
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("diff-previous", keys: [KeyEvent(.enter)], help: "Diff with the version before", group: "History"),
            ConsoleAction("mark", keys: [.char(" ")], help: "Mark this version to diff against", group: "History"),
            ConsoleAction("diff-marked", keys: [.char("d")], help: "Diff the marked version with this one", group: "History"),
        ]
    }

    func activate(app: ConsoleApp) {
        do {
            versions = try app.dictionary.history(DictionaryReference(parsing: key.description, layer: key.layer))
            error = nil
        } catch let failure {
            error = failure.description
        }
    }

    private var selected: DictionaryVersion? {
        state.selection.selected.flatMap { versions.indices.contains($0) ? versions[$0] : nil }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "diff-previous":
            guard let version = selected else { return true }
            guard version.version > 1 else {
                app.message = StatusMessage("version 1 is the first; mark another with Space and press d", severity: .warning)
                return true
            }
            openDiff(from: version.version - 1, to: version.version, app: app)
        case "mark":
            marked = selected?.version
        case "diff-marked":
            guard let marked, let version = selected else {
                app.message = StatusMessage("mark a version with Space first", severity: .warning)
                return true
            }
            openDiff(from: min(marked, version.version), to: max(marked, version.version), app: app)
        default: return false
        }
        return true
    }

    private func openDiff(from: Int, to: Int, app: ConsoleApp) {
        do {
            app.push(
                DictionaryDiffScreen(
                    diff: try app.dictionary.diff(DictionaryReference(parsing: key.description, layer: key.layer), from: from, to: to)))
        } catch {
            app.report(error)
        }
    }

    static let columns = [
        TableColumn(id: "version", title: "version", width: .length(9)),
        TableColumn(id: "at", title: "at", width: .length(17)),
        TableColumn(id: "by", title: "by", width: .length(12)),
        TableColumn(id: "change", title: "changed", width: .fill(1)),
    ]

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        let rows = versions.map { version -> [Line] in
            [
                Line((version.version == marked ? "● " : "  ") + "v\(version.version)", style: theme[.accent]),
                Line(TimeText.short(version.changedAt)), Line(version.changedBy, style: theme[.accent]), Line(version.change),
            ]
        }
        let table = Table(
            columns: Self.columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no versions")
        frame.render(table, in: area, state: &state)
        tableArea = area
    }
}

/// Two versions of an entry, field by field: each changed field with its old and new value.
final class DictionaryDiffScreen: ConsoleScreen {
    let diff: DictionaryService.Diff
    private var view = TextViewState()

    init(diff: DictionaryService.Diff) { self.diff = diff }

    var title: String { "Diff · \(diff.to.key) · version \(diff.from.version) → \(diff.to.version)" }

    var actions: [ConsoleAction] { NavigationActions.list }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        NavigationActions.apply(action, to: &view)
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        var lines = [
            Line(
                "v\(diff.from.version) · \(diff.from.changedBy) · \(TimeText.short(diff.from.changedAt)) · \(diff.from.change)",
                style: theme[.muted]),
            Line(
                "v\(diff.to.version) · \(diff.to.changedBy) · \(TimeText.short(diff.to.changedAt)) · \(diff.to.change)",
                style: theme[.muted]),
            Line(""),
        ]
        if diff.changes.isEmpty { lines.append(Line("no field differs", style: theme[.muted])) }
        for change in diff.changes {
            lines.append(Line(change.field.rawValue, style: theme[.header]))
            lines.append(Line("  - " + (change.before.isEmpty ? "∅" : change.before), style: theme[.diffRemove]))
            lines.append(Line("  + " + (change.after.isEmpty ? "∅" : change.after), style: theme[.diffAdd]))
        }
        frame.render(TextView(lines: lines, wrap: true), in: area, state: &view)
    }
}
