import CDPCore
import CDPEngine
import TermUI

/// One quarantined record: fields with the failing ones highlighted, each failure, lineage, the raw
/// row and the history. `e` edits it in a form that re-validates as the steward types.
final class QuarantineDetailScreen: ConsoleScreen {
    private(set) var id: QuarantineID
    /// The record `step` rows after (negative: before) a record in the workbench's order, for `J`/`K`.
    private let neighbour: ((QuarantineID, Int) -> QuarantineID?)?
    private(set) var detail: QuarantineService.Detail?
    private var loadError: String?
    private var view = TextViewState()

    /// The edit form while editing.
    private(set) var editor: Editor?

    struct Editor {
        /// The engine's side of the edit: the record's real values, the checks `fix` makes.
        var draft: QuarantineDraft
        var form: FormState
        var failures: [RuleFailure] = []
        /// Why the would-be result cannot be shown (the lake could not be read); nil when it is shown.
        var validationError: String?

        var fieldNames: [String] { draft.fieldNames }
        var original: [String] { draft.shownValues }
    }

    init(id: QuarantineID, neighbour: ((QuarantineID, Int) -> QuarantineID?)? = nil) {
        self.id = id
        self.neighbour = neighbour
    }

    var title: String {
        guard let record = detail?.record else { return "Record \(id)" }
        return "Record \(id) · \(record.status.rawValue) · \(record.source) · key \(record.sourceKey)" + (editor != nil ? " · editing" : "")
    }

    var actions: [ConsoleAction] {
        if editor != nil {
            return [
                ConsoleAction("save", keys: [KeyEvent(.enter)], help: "Save the edits (fix)", group: "Edit"),
                ConsoleAction("cancel-edit", keys: [KeyEvent(.escape)], help: "Discard the edits", group: "Edit"),
                ConsoleAction("next-field", keys: [KeyEvent(.tab), KeyEvent(.down)], help: "Next field", group: "Edit"),
                ConsoleAction("previous-field", keys: [KeyEvent(.backTab), KeyEvent(.up)], help: "Previous field", group: "Edit"),
            ]
        }
        return [
            ConsoleAction("edit", keys: [.char("e")], help: "Edit fields (re-validates as you type)", group: "Record"),
            ConsoleAction("release", keys: [.char("r")], help: "Release to silver (only when valid)", group: "Record"),
            ConsoleAction("reject", keys: [.char("x")], help: "Reject with a reason", group: "Record"),
            ConsoleAction("reopen", keys: [.char("o")], help: "Reopen a released or rejected record (asks why)", group: "Record"),
            ConsoleAction("fix-all-like-this", keys: [.char("F")], help: "Apply the last fix to like records", group: "Record"),
            ConsoleAction("undo", keys: [.char("u")], help: "Undo the last action", group: "Record"),
            ConsoleAction("history", keys: [.char("h")], help: "This record's audit history", group: "Record"),
            ConsoleAction("comment", keys: [.char("n")], help: "Add a comment to the record's thread (:comment TEXT)", group: "Record"),
            ConsoleAction("next-record", keys: [.char("J"), .char("]")], help: "Next record of the workbench", group: "Record"),
            ConsoleAction("previous-record", keys: [.char("K"), .char("[")], help: "Previous record of the workbench", group: "Record"),
        ] + NavigationActions.list
    }

    var capturesInput: Bool { editor != nil }

    func activate(app: ConsoleApp) { load(app) }

    func load(_ app: ConsoleApp) {
        do {
            detail = try app.service.detail(id)
            loadError = nil
        } catch {
            loadError = error.description
        }
    }

    /// `:comment TEXT` adds a comment without the dialog.
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool {
        guard action == "comment" else { return false }
        WorkActions.comment(on: .quarantine(id), text: argument, app: app) { [weak self, weak app] in
            guard let self, let app else { return }
            self.load(app)
        }
        return true
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if editor == nil, NavigationActions.apply(action, to: &view) { return true }
        switch action {
        case "edit": startEditing(app)
        case "release":
            QuarantineActions.release(app: app, id: id)
            load(app)
        case "reject":
            QuarantineActions.askToReject(app: app, id: id) { [weak self, weak app] in
                guard let self, let app else { return }
                self.load(app)
            }
        case "reopen":
            QuarantineActions.askToReopen(app: app, id: id) { [weak self, weak app] in
                guard let self, let app else { return }
                self.load(app)
            }
        case "fix-all-like-this":
            QuarantineActions.fixAllLikeThis(app: app)
        case "undo":
            QuarantineActions.undo(app: app)
            load(app)
        case "history": app.push(AuditScreen(target: id.description))
        case "comment":
            WorkActions.askComment(on: .quarantine(id), app: app) { [weak self, weak app] in
                guard let self, let app else { return }
                self.load(app)
            }
        case "next-record", "previous-record":
            let step = action == "next-record" ? 1 : -1
            guard let next = neighbour?(id, step) else {
                app.message = StatusMessage(step > 0 ? "this is the last record of the workbench" : "this is the first record of the workbench")
                return true
            }
            id = next
            view = TextViewState()
            load(app)
        case "save": save(app)
        case "cancel-edit":
            editor = nil
            app.message = StatusMessage("edits discarded")
        default:
            return false
        }
        return true
    }

    // MARK: Editing

    private func startEditing(_ app: ConsoleApp) {
        guard let record = detail?.record else { return }
        let draft: QuarantineDraft
        do {
            draft = try app.service.draft(id)
        } catch {
            app.message = StatusMessage(ConsoleApp.describe(error), severity: error.code == .refused ? .warning : .error)
            return
        }
        var form = FormState(values: draft.shownValues)
        // Start on the first failing field.
        if let field = record.failures.first?.field, let index = draft.fieldNames.firstIndex(of: field) { form.focus(index) }
        editor = Editor(draft: draft, form: form)
        revalidate()
    }

    /// Checks the edits as `fix` will: only the fields changed here, the others with the record's real values.
    private func revalidate() {
        guard var editor else { return }
        do {
            editor.failures = try editor.draft.failures(editor.form.values)
            editor.validationError = nil
        } catch {
            editor.failures = []
            editor.validationError = ConsoleApp.describe(error)
        }
        self.editor = editor
    }

    func handleCapturedKey(_ key: KeyEvent, app: ConsoleApp) -> Bool {
        guard var editor else { return false }
        if !key.ctrl && !key.alt && (key.key == .enter || key.key == .escape) { return false }
        _ = editor.form.handle(key)
        self.editor = editor
        revalidate()
        return true
    }

    private func save(_ app: ConsoleApp) {
        guard let editor, let record = detail?.record else { return }
        QuarantineActions.fix(app: app, record: record, edits: editor.draft.edits(editor.form.values))
        self.editor = nil
        load(app)
    }

    // MARK: Rendering

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let loadError {
            frame.renderFailure(loadError, in: area, theme: theme)
            return
        }
        guard let detail else { return }
        if let editor {
            renderEditor(editor, record: detail.record, in: area, frame: &frame, theme: theme)
            return
        }
        let view = TextView(lines: lines(detail, theme: theme), wrap: true, style: theme[.text])
        frame.render(view, in: area, state: &self.view)
    }

    private func renderEditor(_ editor: Editor, record: QuarantineRecord, in area: Rect, frame: inout Frame, theme: Theme) {
        let columns = area.splitHorizontally([.fill(3), .fill(2)], spacing: 2)
        let blocking = editor.failures.filter { $0.severity >= .error }
        let fields = editor.fieldNames.map { name -> FormField in
            let problems = editor.failures.filter { $0.field == name }
            return FormField(
                id: name, label: name, error: problems.isEmpty ? nil : problems.map { "\($0.rule): \($0.message)" }.joined(separator: "; "))
        }
        let form = Form(
            fields: fields, labelStyle: theme[.muted], focusedLabelStyle: theme[.accent],
            fieldStyle: theme[.text].underline(), focusedFieldStyle: theme[.selection], errorStyle: theme[.error])
        var state = editor.form
        let formArea = Rect(x: columns[0].x, y: columns[0].y + 1, width: columns[0].width, height: max(0, columns[0].height - 1))
        frame.buffer.setString(
            x: columns[0].x, y: columns[0].y, "Edit \(record.id) — Enter saves (fix), Esc discards, Tab moves", style: theme[.muted],
            maxWidth: columns[0].width)
        frame.render(form, in: formArea, state: &state)
        frame.setCursor(state.cursorPosition)
        var lines: [Line] = [Line("Would-be result", style: theme[.header])]
        if let problem = editor.validationError {
            lines.append(Line("live validation unavailable: \(problem)", style: theme[.warning]))
        } else if blocking.isEmpty {
            lines.append(Line("✓ passes every rule — save, then r releases", style: theme[.success]))
        } else {
            lines.append(Line("✗ would still fail \(blocking.map(\.rule).joined(separator: ", "))", style: theme[.error]))
        }
        for failure in editor.failures {
            lines.append(Line(spans: [
                Span("  \(failure.rule) ", style: failure.severity >= .error ? theme[.error] : theme[.warning]),
                Span(failure.message, style: theme[.text]),
            ]))
        }
        let changed = zip(editor.fieldNames, zip(editor.original, editor.form.values)).filter { $0.1.0 != $0.1.1 }
        if !changed.isEmpty {
            lines.append(Line(""))
            lines.append(Line("Changes", style: theme[.header]))
            for (name, values) in changed {
                lines.append(Line("- \(name) = \(values.0)", style: theme[.diffRemove]))
                lines.append(Line("+ \(name) = \(values.1)", style: theme[.diffAdd]))
            }
        }
        frame.render(Paragraph(lines: lines, wrap: true), in: columns[1])
    }

    private func lines(_ detail: QuarantineService.Detail, theme: Theme) -> [Line] {
        let record = detail.record
        var lines: [Line] = []
        let failingFields = Set(record.failures.compactMap(\.field))
        lines.append(Line("Fields", style: theme[.header]))
        var names = [RuleFieldName.sourceKey] + record.entity.fields.map(\.name).filter { record.fields[$0] != nil }
        names += record.fields.keys.sorted().filter { !names.contains($0) }
        let width = (names.map { TextWidth.of($0) }.max() ?? 0) + 2
        for name in names {
            let value = name == RuleFieldName.sourceKey ? record.sourceKey : (record.fields[name] ?? "")
            let failing = failingFields.contains(name)
            let column = detail.columns[name].map { "  ← \($0)" } ?? ""
            lines.append(Line(spans: [
                Span(failing ? "✗ " : "  ", style: theme[.error]),
                Span(TextWidth.pad(name, to: width), style: failing ? theme[.error] : theme[.muted]),
                Span(value.isEmpty ? "∅" : value, style: failing ? theme[.error] : theme[.text]),
                Span(column, style: theme[.muted]),
            ]))
        }
        lines.append(Line(""))
        lines.append(Line("Failures", style: theme[.header]))
        if record.failures.isEmpty { lines.append(Line("  none: passes every rule", style: theme[.success])) }
        for failure in record.failures {
            lines.append(Line(spans: [
                Span("  \(failure.rule)", style: failure.severity >= .error ? theme[.error] : theme[.warning]),
                Span(" (\(failure.severity.rawValue))", style: theme[.muted]),
                Span(failure.field.map { " \($0)" } ?? "", style: theme[.text]),
                Span(failure.value.map { " = \"\($0)\"" } ?? "", style: theme[.pii]),
                Span(": \(failure.message)", style: theme[.text]),
            ]))
        }
        if let resolution = record.resolution {
            lines.append(Line("  resolution: \(resolution)", style: theme[.muted]))
        }
        lines.append(Line(""))
        lines.append(Line("Lineage", style: theme[.header]))
        var lineage = "  file \(detail.file ?? detail.batch?.fileName ?? "?") · line \(record.line) · batch \(record.batch)"
        lineage += " · run \(record.run?.description ?? "–") · bronze \(record.bronzeRow)"
        lines.append(Line(lineage, style: theme[.text]))
        if let batch = detail.batch {
            lines.append(Line("  landed \(TimeText.short(batch.landedAt)) · sha256 \(batch.sha256.prefix(12))… · \(batch.rowsRead) rows read", style: theme[.muted]))
        }
        lines.append(Line(""))
        lines.append(Line("Raw row", style: theme[.header]))
        lines.append(Line("  " + (detail.rawRow ?? "(not kept)"), style: theme[.pii]))
        lines.append(Line(""))
        if let hold = detail.hold {
            lines.append(Line(spans: [Span("Held ", style: theme[.header]), Span(WorkAssignments.describe(hold), style: theme[.accent])]))
            lines.append(Line(""))
        }
        lines.append(Line("History", style: theme[.header]))
        if detail.history.isEmpty { lines.append(Line("  quarantined \(TimeText.short(record.createdAt))", style: theme[.muted])) }
        for entry in detail.history {
            lines.append(Line(spans: [
                Span("  \(TimeText.short(entry.at)) ", style: theme[.muted]),
                Span("\(entry.actor) ", style: theme[.accent]),
                Span("\(entry.action) ", style: theme[.text].bold()),
                Span(entry.detail, style: theme[.text]),
            ]))
        }
        lines += WorkActions.commentLines(detail.comments, theme: theme)
        return lines
    }
}
