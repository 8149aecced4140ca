import CDPCore
import CDPEngine
import TermUI

/// What a column's data suggests: its profile (empty share, distinct values, commonest values and
/// shape) and the classification, tags, rules, format and allowed values it points to, each with why.
/// `a` accepts: tags and rules are added, the classification raised, empty fields filled.
final class DictionarySuggestScreen: ConsoleScreen {
    let suggestion: DictionarySuggestion
    private var view = TextViewState()

    init(suggestion: DictionarySuggestion) { self.suggestion = suggestion }

    var title: String { "Suggest · \(suggestion.key) · from \(TimeText.count(suggestion.profile.sampled)) values" }

    var actions: [ConsoleAction] {
        [
            ConsoleAction(
                "accept", keys: [.char("a")], help: "Accept: add the tags and rules, fill empty fields (needs edit_dictionary)",
                group: "Suggest")
        ]
            + NavigationActions.list
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &view) { return true }
        guard action == "accept" else { return false }
        do {
            let saved = try app.dictionary.accept(suggestion)
            app.refreshMasker()
            app.back()
            app.message = StatusMessage("accepted: \(saved.key) version \(saved.version): \(saved.change)", severity: .success)
        } catch {
            app.report(error)
        }
        return true
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        let profile = suggestion.profile
        func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
        var lines = [
            Line("Profile", style: theme[.header]),
            Line(
                "  sampled \(TimeText.count(profile.sampled)) · empty \(percent(profile.nullRate)) · distinct "
                    + (profile.repetitionWithheld == true ? Workspace.withheldValue : TimeText.count(profile.distinct))
            ),
        ]
        if let pattern = profile.pattern {
            lines.append(
                Line(spans: [
                    Span("  pattern ", style: theme[.muted]), Span(pattern, style: theme[.accent]),
                    Span(" (\(percent(profile.patternShare)))"),
                ]))
        }
        if let detected = profile.detected {
            lines.append(Line("  looks like \(detected.rawValue) (\(percent(profile.detectedShare)) of the values)"))
        }
        if !profile.topValues.isEmpty {
            lines.append(Line("  commonest", style: theme[.muted]))
            for value in profile.topValues {
                lines.append(Line("    \(value.value)  ×\(value.count)", style: suggestion.tags.isEmpty ? theme[.text] : theme[.pii]))
            }
        }
        lines += [Line(""), Line("Suggested", style: theme[.header])]
        let rows: [(String, String)] = [
            ("classification", suggestion.classification.rawValue), ("tags", suggestion.tags.joined(separator: ", ")),
            ("rules", suggestion.rules.joined(separator: ", ")), ("format", suggestion.format ?? ""),
            ("allowed values", suggestion.allowedValues.joined(separator: ", ")), ("example", suggestion.example ?? ""),
        ]
        for (name, value) in rows {
            lines.append(Line(spans: [Span("  " + TextWidth.pad(name, to: 16), style: theme[.muted]), Span(value.isEmpty ? "—" : value)]))
        }
        if !suggestion.reasons.isEmpty {
            lines += [Line(""), Line("Why", style: theme[.header])]
            lines += suggestion.reasons.map { Line("  · \($0)") }
        }
        lines += [
            Line(""), Line("a accepts (tags and rules are added, the classification is never lowered); q goes back", style: theme[.muted]),
        ]
        frame.render(TextView(lines: lines, wrap: true), in: area, state: &view)
    }
}
