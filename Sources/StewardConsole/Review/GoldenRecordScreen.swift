import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// A golden record: each attribute with its provenance (the source record that gave it and the
/// survivorship rule, or the steward's override), the linked source records and the ones that left.
/// `o` overrides the selected attribute, `m` splits the selected source record out (both ask first and go
/// through the engine, which checks the permission and audits).
final class GoldenRecordScreen: ConsoleScreen {
    let golden: GoldenID
    private(set) var detail: MatchReview.GoldenDetail?
    private var memberValues: [SourceRecordID: MatchInput] = [:]
    private var loadError: String?
    /// The engine's refusal of the last override or unmerge, shown whole above the attributes.
    private var refusal: String?
    private var selection = SelectionState()
    private var offset = 0

    init(golden: GoldenID) {
        self.golden = golden
    }

    /// What a selectable row holds.
    enum Row: Equatable {
        case attribute(String)
        case member(SourceRecordID)
    }

    /// Every attribute, set or not (an override can fill a missing one), then the current members.
    var rows: [Row] {
        Survivorship.attributes.map(Row.attribute) + (detail?.members ?? []).map(Row.member)
    }

    var title: String {
        guard let detail else { return "Golden record \(golden)" }
        var title = "Golden record \(golden) · \(detail.members.count) source record" + (detail.members.count == 1 ? "" : "s")
        if !detail.overrides.isEmpty { title += " · \(detail.overrides.count) overridden" }
        if let retired = detail.retiredRun { title += " · retired at \(retired)" }
        return title
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction(
                "override", keys: [.char("o")], help: "Set the selected attribute by hand (kept over later runs)", group: "Golden"),
            ConsoleAction("unmerge", keys: [.char("m")], help: "Split the selected source record out (asks why)", group: "Golden"),
        ]
    }

    func activate(app: ConsoleApp) { load(app) }

    private func load(_ app: ConsoleApp) {
        do {
            let detail = try MatchReview(workspace: app.workspace, environment: app.environment).golden(golden)
            let values = try app.reader.customerRecords(detail.members)
            memberValues = Dictionary(values.map { (SourceRecordID(source: $0.source, key: $0.sourceKey), $0) }) { first, _ in first }
            self.detail = detail
            loadError = nil
        } catch {
            loadError = ConsoleApp.describe(error)
        }
        selection.update(rowCount: rows.count, viewportHeight: selection.viewportHeight)
    }

    private var selectedRow: Row? {
        selection.selected.flatMap { rows.indices.contains($0) ? rows[$0] : nil }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &selection) { return true }
        switch action {
        case "override":
            guard case .attribute(let attribute)? = selectedRow else {
                app.message = StatusMessage("select an attribute to override (the rows above the source records)", severity: .warning)
                return true
            }
            askToOverride(attribute, app: app)
        case "unmerge":
            guard case .member(let record)? = selectedRow else {
                app.message = StatusMessage("select a linked source record to split out", severity: .warning)
                return true
            }
            askToUnmerge(record, app: app)
        default:
            return false
        }
        return true
    }

    private func askToOverride(_ attribute: String, app: ConsoleApp) {
        // A masked value is no starting point: the steward types the whole value.
        let current = app.masker.isActive ? "" : (detail?.attributes.first { $0.name == attribute }?.value ?? "")
        app.modal = .input(InputDialog(
            title: "Override \(golden).\(attribute)", question: "New value (kept over later match runs; recorded in the audit log):",
            field: TextFieldState(current), whenEmpty: "an override needs a value: type it, or Esc to cancel"
        ) { [weak self, weak app] value in
            guard let self, let app else { return }
            self.override(attribute, value: value.trimmingCharacters(in: .whitespaces), app: app)
        })
    }

    private func override(_ attribute: String, value: String, app: ConsoleApp) {
        guard !value.isEmpty else {
            app.message = StatusMessage("an override needs a value; nothing changed", severity: .warning)
            return
        }
        do {
            try MatchReview(workspace: app.workspace, environment: app.environment).override(golden, attribute: attribute, value: value)
            app.dataGeneration += 1
            refusal = nil
            app.message = StatusMessage(
                "\(golden).\(attribute) set to \(app.masker.value(value, column: attribute)) by hand; later runs keep it",
                severity: .success)
        } catch {
            app.report(error)
            refusal = ConsoleApp.describe(error)
        }
        load(app)
    }

    private func askToUnmerge(_ record: SourceRecordID, app: ConsoleApp) {
        app.modal = .input(InputDialog(
            title: "Unmerge \(record) from \(golden)",
            question: "Why is it not the same customer? (recorded in the audit log; it will not be merged back)",
            whenEmpty: "an unmerge needs a reason: type it, or Esc to cancel"
        ) { [weak self, weak app] reason in
            guard let self, let app else { return }
            self.unmerge(record, reason: reason.trimmingCharacters(in: .whitespaces), app: app)
        })
    }

    private func unmerge(_ record: SourceRecordID, reason: String, app: ConsoleApp) {
        guard !reason.isEmpty else {
            app.message = StatusMessage("an unmerge needs a reason; nothing changed", severity: .warning)
            return
        }
        do {
            let fresh = try MatchReview(workspace: app.workspace, environment: app.environment).unmerge(
                golden, record: record, reason: reason)
            app.dataGeneration += 1
            refusal = nil
            app.message = StatusMessage(
                "\(record) split out of \(golden) into \(fresh); the pair will not be merged again", severity: .success)
        } catch {
            app.report(error)
            refusal = ConsoleApp.describe(error)
        }
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
        // Lines, and for each selectable row the line it is on.
        var lines: [Line] = []
        var lineOfRow: [Int] = []
        let attributeWidth = 12, valueWidth = max(12, min(32, area.width / 3)), sourceWidth = 22
        lines.append(
            Line(spans: [
                Span("  " + TextWidth.pad("attribute", to: attributeWidth) + " ", style: theme[.header]),
                Span(TextWidth.pad("value", to: valueWidth) + " ", style: theme[.header]),
                Span(TextWidth.pad("from", to: sourceWidth) + " ", style: theme[.header]),
                Span("rule", style: theme[.header]),
            ]))
        if let refusal {
            lines += Line("✗ " + refusal, style: theme[.error]).wrapped(to: area.width).prefix(3)
        }
        for attribute in Survivorship.attributes {
            let value = detail.attributes.first { $0.name == attribute }
            let override = detail.overrides.first { $0.attribute == attribute }
            lineOfRow.append(lines.count)
            let rule: Span
            if let override {
                rule = Span("✎ override by \(override.setBy) \(TimeText.short(override.setAt))", style: theme[.warning])
            } else {
                rule = Span(value?.rule ?? "", style: theme[.muted])
            }
            lines.append(
                Line(spans: [
                    Span(override != nil ? "✎ " : "  ", style: theme[.warning]),
                    Span(TextWidth.pad(attribute, to: attributeWidth) + " ", style: theme[.muted]),
                    Span(
                        TextWidth.pad(TextWidth.truncate(value?.value ?? "∅", to: valueWidth), to: valueWidth) + " ",
                        style: value == nil ? theme[.muted] : theme[.text]),
                    Span(
                        TextWidth.pad(
                            TextWidth.truncate(value?.source?.description ?? (override != nil ? "steward" : ""), to: sourceWidth),
                            to: sourceWidth) + " ", style: theme[.accent]),
                    rule,
                ]))
        }
        lines.append(Line(""))
        lines.append(Line("Linked source records", style: theme[.header]))
        for member in detail.members {
            lineOfRow.append(lines.count)
            let since = detail.history.first { $0.record == member && $0.validTo == nil }.map { "since \($0.validFrom)" } ?? ""
            lines.append(
                Line(spans: [
                    Span("  " + TextWidth.pad(member.description, to: attributeWidth + valueWidth / 2) + " ", style: theme[.accent]),
                    Span(ReviewText.summary(memberValues[member]) + "  ", style: theme[.text]),
                    Span(since, style: theme[.muted]),
                ]))
        }
        let past = detail.history.filter { $0.validTo != nil }
        if !past.isEmpty {
            lines.append(Line(""))
            lines.append(Line("Left this golden record", style: theme[.header]))
            for link in past {
                lines.append(Line("  \(link.record)  \(link.validFrom)…\(link.validTo?.description ?? "")", style: theme[.muted]))
            }
        }
        // Scroll so the selected row shows; the header stays on the first line.
        selection.update(rowCount: rows.count, viewportHeight: max(1, area.height - 1))
        let selectedLine = selection.selected.flatMap { lineOfRow.indices.contains($0) ? lineOfRow[$0] : nil }
        let visible = max(1, area.height - 1)
        if let selectedLine {
            if selectedLine - 1 < offset { offset = max(0, selectedLine - 1) }
            if selectedLine - 1 >= offset + visible { offset = selectedLine - visible }
        }
        offset = max(0, min(offset, max(0, lines.count - 1 - visible)))
        frame.buffer.setLine(x: area.x, y: area.y, lines[0], maxWidth: area.width)
        for (index, line) in lines.dropFirst().dropFirst(offset).prefix(visible).enumerated() {
            let y = area.y + 1 + index
            frame.buffer.setLine(x: area.x, y: y, line, maxWidth: area.width)
            if index + offset + 1 == selectedLine {
                frame.buffer.setStyle(area: Rect(x: area.x, y: y, width: area.width, height: 1), theme[.selection])
                frame.buffer.setString(x: area.x, y: y, "▌", style: theme[.selection])
            }
        }
    }
}
