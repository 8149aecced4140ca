import CDPCore
import CDPEngine
import TermUI

/// Edits one dictionary entry in a form that validates as the steward types: an unknown owner or
/// steward, an unknown rule, a bad classification or an empty description on a personal column is
/// shown under its field, and Enter refuses to save until none is left. Lists are comma separated.
final class DictionaryEditScreen: ConsoleScreen {
    /// The fields the form edits, in form order.
    static let fields: [DictionaryField] = [
        .description, .classification, .tags, .owner, .steward, .dataType, .format, .allowedValues, .rules, .example, .lineage,
    ]

    let original: DictionaryVersion
    private(set) var form: FormState
    private(set) var problems: [DictionaryProblem] = []
    private var vocabulary: DictionaryVocabulary?

    init(original: DictionaryVersion) {
        self.original = original
        form = FormState(values: Self.fields.map { original.entry.text(of: $0) })
    }

    var title: String { "Edit \(original.key) · \(original.key.layer.rawValue) · from version \(original.version)" }

    var actions: [ConsoleAction] {
        [
            ConsoleAction(
                "save", keys: [KeyEvent(.enter)], help: "Save as a new version (refused while a field is invalid)", group: "Edit"),
            ConsoleAction("cancel-edit", keys: [KeyEvent(.escape)], help: "Discard the edits", group: "Edit"),
            ConsoleAction("next-field", keys: [KeyEvent(.tab), KeyEvent(.down)], help: "Next field", group: "Edit"),
            ConsoleAction("previous-field", keys: [KeyEvent(.backTab), KeyEvent(.up)], help: "Previous field", group: "Edit"),
        ]
    }

    var capturesInput: Bool { true }

    func activate(app: ConsoleApp) {
        vocabulary = app.dictionary.vocabulary
        revalidate()
    }

    /// The fields changed from the original, as an edit (lists split at commas).
    var change: DictionaryChange {
        var change = DictionaryChange()
        for (field, value) in zip(Self.fields, form.values) where value != original.entry.text(of: field) {
            let list = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            switch field {
            case .description: change.description = value
            case .dataType: change.dataType = value
            case .classification: change.classification = value
            case .tags: change.tags = list
            case .owner: change.owner = value
            case .steward: change.steward = value
            case .allowedValues: change.allowedValues = list
            case .format: change.format = value
            case .rules: change.rules = list
            case .example: change.example = value
            case .lineage: change.lineage = list
            }
        }
        return change
    }

    /// The core's validation of the entry as it would be saved: the same checks the engine makes.
    private func revalidate() {
        guard let vocabulary else { return }
        do {
            _ = try original.entry.applying(change, vocabulary: vocabulary)
            problems = []
        } catch {
            // In form order, so the list beside the form reads top to bottom with it.
            problems = error.problems.sorted { (Self.fields.firstIndex(of: $0.field) ?? 0) < (Self.fields.firstIndex(of: $1.field) ?? 0) }
        }
    }

    func handleCapturedKey(_ key: KeyEvent, app: ConsoleApp) -> Bool {
        if !key.ctrl && !key.alt && (key.key == .enter || key.key == .escape) { return false }
        _ = form.handle(key)
        revalidate()
        return true
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        switch action {
        case "save": save(app)
        case "cancel-edit":
            app.back()
            app.message = StatusMessage("edits discarded")
        case "next-field": form.focusNext()
        case "previous-field": form.focusPrevious()
        default: return false
        }
        return true
    }

    private func save(_ app: ConsoleApp) {
        revalidate()
        guard problems.isEmpty else {
            let fields = Array(Set(problems.map(\.field.rawValue))).sorted().joined(separator: ", ")
            app.message = StatusMessage("not saved: fix \(fields) first", severity: .error)
            return
        }
        let change = change
        guard !change.isEmpty else {
            app.back()
            app.message = StatusMessage("nothing changed")
            return
        }
        do {
            let saved = try app.dictionary.edit(DictionaryReference(parsing: original.key.description, layer: original.key.layer), change)
            app.refreshMasker()
            app.back()
            app.message = StatusMessage("saved \(saved.key) version \(saved.version): \(saved.change)", severity: .success)
        } catch {
            app.report(error)
        }
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        let columns = area.splitHorizontally([.fill(3), .fill(2)], spacing: 2)
        let formFields = Self.fields.map { field -> FormField in
            let messages = problems.filter { $0.field == field }.map(\.message)
            return FormField(
                id: field.rawValue, label: field.rawValue.replacingOccurrences(of: "_", with: " "),
                placeholder: Self.placeholder(field), error: messages.isEmpty ? nil : messages.joined(separator: "; "))
        }
        let widget = Form(
            fields: formFields, labelStyle: theme[.muted], focusedLabelStyle: theme[.accent], fieldStyle: theme[.text].underline(),
            focusedFieldStyle: theme[.selection], errorStyle: theme[.error])
        frame.buffer.setString(
            x: columns[0].x, y: columns[0].y, "Enter saves · Esc discards · Tab moves · lists: a, b", style: theme[.muted],
            maxWidth: columns[0].width)
        let formArea = Rect(x: columns[0].x, y: columns[0].y + 1, width: columns[0].width, height: max(0, columns[0].height - 1))
        var state = form
        frame.render(widget, in: formArea, state: &state)
        form = state
        frame.setCursor(state.cursorPosition)

        var lines: [Line] = [Line("Would save", style: theme[.header])]
        if problems.isEmpty {
            lines.append(
                Line(
                    change.isEmpty ? "nothing changed yet" : "✓ valid — Enter saves version \(original.version + 1)", style: theme[.success]
                ))
        } else {
            lines.append(Line("✗ \(problems.count) problem\(problems.count == 1 ? "" : "s"): not saved until fixed", style: theme[.error]))
            // Whole here; under a narrow field the message is cut.
            for problem in problems { lines.append(Line("  \(problem.field.rawValue): \(problem.message)", style: theme[.error])) }
        }
        if let entry = try? original.entry.applying(change, vocabulary: vocabulary ?? DictionaryVocabulary(users: [], rules: [])) {
            let changes = original.entry.differences(to: entry)
            if !changes.isEmpty { lines += [Line(""), Line("Changes", style: theme[.header])] }
            for change in changes {
                lines.append(Line("- \(change.field.rawValue) = \(change.before)", style: theme[.diffRemove]))
                lines.append(Line("+ \(change.field.rawValue) = \(change.after)", style: theme[.diffAdd]))
            }
        }
        if let vocabulary {
            lines += [
                Line(""), Line("Known users", style: theme[.header]),
                Line("  " + vocabulary.users.sorted().joined(separator: ", "), style: theme[.muted]),
                Line("Classifications", style: theme[.header]), Line("  " + DataClassification.names, style: theme[.muted]),
            ]
        }
        frame.render(Paragraph(lines: lines, wrap: true), in: columns[1])
    }

    static func placeholder(_ field: DictionaryField) -> String {
        switch field {
        case .classification: return "public, internal, confidential, restricted"
        case .tags: return "e.g. PII.Email"
        case .owner, .steward: return "a user of access.toml"
        case .rules: return "rule names from rules.toml"
        default: return ""
        }
    }
}
