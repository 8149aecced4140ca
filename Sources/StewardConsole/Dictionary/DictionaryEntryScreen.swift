import CDPCore
import CDPEngine
import TermUI

/// One dictionary entry whole: every field, the definitions of its rules, its lineage and version.
final class DictionaryEntryScreen: ConsoleScreen {
    let key: DictionaryKey
    private var version: DictionaryVersion?
    private var error: String?
    private var view = TextViewState()

    init(key: DictionaryKey) { self.key = key }

    var title: String {
        "Dictionary · \(key) · \(key.layer.rawValue)" + (version.map { " · version \($0.version)" } ?? "")
    }

    var actions: [ConsoleAction] {
        [
            ConsoleAction("edit-entry", keys: [.char("e")], help: "Edit the entry (needs edit_dictionary)", group: "Dictionary"),
            ConsoleAction("entry-history", keys: [.char("h")], help: "The entry's versions; diff two", group: "Dictionary"),
            ConsoleAction("suggest", keys: [.char("s")], help: "Suggest from the column's data", group: "Dictionary"),
        ] + NavigationActions.list
    }

    func activate(app: ConsoleApp) {
        do {
            version = try app.dictionary.entry(DictionaryReference(parsing: key.description, layer: key.layer))
            error = nil
        } catch let failure {
            error = failure.description
        }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &view) { return true }
        switch action {
        case "edit-entry": DictionaryActions.edit(key, app: app)
        case "entry-history": app.push(DictionaryHistoryScreen(key: key))
        case "suggest": DictionaryActions.suggest(key, app: app)
        default: return false
        }
        return true
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        guard let version else { return }
        frame.render(TextView(lines: Self.lines(version, rules: app.workspace.rules, theme: theme), wrap: true), in: area, state: &view)
    }

    static func lines(_ version: DictionaryVersion, rules: RuleSet, theme: Theme) -> [Line] {
        let entry = version.entry
        let width = DictionaryField.allCases.map { $0.rawValue.count }.max() ?? 0
        func row(_ field: DictionaryField, style: Style? = nil) -> Line {
            let value = entry.text(of: field)
            let missing = value.isEmpty && entry.missingEssentials.contains(field)
            return Line(spans: [
                Span(TextWidth.pad(field.rawValue.replacingOccurrences(of: "_", with: " "), to: width + 2), style: theme[.muted]),
                Span(value.isEmpty ? (missing ? "— gap" : "—") : value, style: missing ? theme[.error] : (style ?? theme[.text])),
            ])
        }
        var lines: [Line] = []
        for field in DictionaryField.allCases where field != .rules && field != .lineage {
            let style: Style? = field == .tags && entry.personalKind != nil ? theme[.pii] : nil
            lines.append(row(field, style: style))
        }
        lines += [Line(""), Line("Rules", style: theme[.header])]
        if entry.rules.isEmpty { lines.append(Line("  none", style: theme[.muted])) }
        for name in entry.rules {
            guard let rule = rules.rule(named: name) else {
                lines.append(Line("  \(name): no longer in governance/rules.toml", style: theme[.error]))
                continue
            }
            lines.append(
                Line(spans: [
                    Span("  \(name) ", style: theme[.accent]),
                    Span(
                        "\(rule.check.kindName) \(rule.fields.joined(separator: ", ")) · \(rule.severity.rawValue) · \(rule.dataset)",
                        style: theme[.text]),
                ]))
        }
        lines += [Line(""), Line("Lineage", style: theme[.header])]
        if entry.lineage.isEmpty { lines.append(Line("  none recorded", style: theme[.muted])) }
        lines += entry.lineage.map { Line("  ← \($0)") }
        lines += [
            Line(""),
            Line(
                "version \(version.version) · \(version.change) · \(version.changedBy) · \(TimeText.short(version.changedAt))",
                style: theme[.muted]),
        ]
        return lines
    }
}
