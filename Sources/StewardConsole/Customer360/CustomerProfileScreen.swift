import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// One golden customer: identity with provenance, consent and metrics, engagement per month as a sparkline
/// and channel mix as bars, then a pane of its engagement timeline (newest first), linked source records,
/// open quality issues (Enter jumps to the quarantine record) or merge history (Enter shows the entry);
/// `o` opens the golden record view, where a steward unmerges or overrides.
/// Masked like everything else for a user without `view_pii`.
final class CustomerProfileScreen: TableScreen {
    let golden: GoldenID
    private var profile: Customer360Service.Profile?
    private var error: String?
    private var pane = Pane.timeline
    var state = TableState()
    var tableArea: Rect?
    private var loadedGeneration = -1

    enum Pane: String, CaseIterable {
        case timeline, records, issues, history

        var title: String {
            switch self {
            case .timeline: "Timeline"
            case .records: "Records"
            case .issues: "Issues"
            case .history: "Merge history"
            }
        }

        var key: Character {
            switch self {
            case .timeline: "t"
            case .records: "s"
            case .issues: "i"
            case .history: "h"
            }
        }
    }

    init(golden: GoldenID) {
        self.golden = golden
    }

    var title: String {
        guard let profile else { return "Customer \(golden)" }
        let name = profile.customer.displayName
        return "Customer \(golden) · \(name.isEmpty ? "(no name)" : name) · \(profile.customer.sourceCount) source records"
    }

    var actions: [ConsoleAction] {
        NavigationActions.list
            + Pane.allCases.map { pane in
                ConsoleAction("show-\(pane.rawValue)", keys: [.char(pane.key)], help: "Show the \(pane.title.lowercased())", group: "Profile")
            } + [
                ConsoleAction("next-pane", keys: [KeyEvent(.tab)], help: "Next pane", group: "Profile"),
                ConsoleAction("open-item", keys: [KeyEvent(.enter)], help: "Open the issue in quarantine, or the history entry", group: "Profile"),
                ConsoleAction("golden-record", keys: [.char("o")], help: "The golden record: provenance, unmerge, override", group: "Profile"),
            ]
    }

    func activate(app: ConsoleApp) {
        guard loadedGeneration != app.dataGeneration else { return }
        loadedGeneration = app.dataGeneration
        do {
            profile = try Customer360Service(workspace: app.workspace, environment: app.environment).profile(golden)
            error = nil
        } catch let failure {
            error = ConsoleApp.describe(failure)
        }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        if action.hasPrefix("show-"), let chosen = Pane(rawValue: String(action.dropFirst(5))) {
            show(chosen)
            return true
        }
        switch action {
        case "next-pane":
            let all = Pane.allCases
            show(all[(all.firstIndex(of: pane)! + 1) % all.count])
        case "open-item":
            open(app)
        case "golden-record":
            app.push(GoldenRecordScreen(golden: golden))
        default: return false
        }
        return true
    }

    private func show(_ chosen: Pane) {
        pane = chosen
        state = TableState()
    }

    private func open(_ app: ConsoleApp) {
        guard let profile, let row = state.selection.selected else { return }
        switch pane {
        case .issues where profile.issues.indices.contains(row):
            app.push(QuarantineDetailScreen(id: profile.issues[row].id))
        case .history where profile.decisions.indices.contains(row):
            app.push(AuditEntryScreen(entry: profile.decisions[row]))
        default:
            app.message = StatusMessage("Enter opens an issue (i) or a merge history entry (h)", severity: .info)
        }
    }

    // MARK: Drawing

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        guard let profile else { return }
        let topHeight = min(13, max(8, area.height / 2))
        let (top, bottom) = area.splitTop(topHeight)
        let columns = top.splitHorizontally([.fill(5), .fill(4)], spacing: 2)
        renderIdentity(profile, in: columns[0], frame: &frame, theme: theme)
        renderMetrics(profile, in: columns[1], frame: &frame, theme: theme)
        renderPane(profile, in: bottom, frame: &frame, theme: theme)
    }

    private func section(_ title: String, _ area: Rect, _ frame: inout Frame, _ theme: Theme) -> Rect {
        let block = Block(borders: .top, borderStyle: theme[.muted], title: Line(title, style: theme[.header]))
        frame.render(block, in: area)
        return block.inner(area)
    }

    private func renderIdentity(_ profile: Customer360Service.Profile, in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Golden record \(profile.golden.id)", area, &frame, theme)
        let overridden = Set(profile.golden.overrides.map(\.attribute))
        let rows = profile.golden.attributes.map { attribute -> [Line] in
            let byHand = overridden.contains(attribute.name) || attribute.source == nil
            return [
                Line(attribute.name, style: theme[.muted]), Line(attribute.value, style: theme[.text]),
                Line(byHand ? "steward override" : attribute.source?.description ?? "", style: byHand ? theme[.warning] : theme[.muted]),
                Line(byHand ? "" : attribute.rule, style: theme[.muted]),
            ]
        }
        let columns = [
            TableColumn(id: "attribute", title: "attribute", width: .length(10)),
            TableColumn(id: "value", title: "value", width: .fill(3)),
            TableColumn(id: "from", title: "from", width: .fill(3)),
            TableColumn(id: "rule", title: "rule", width: .length(13)),
        ]
        var none = TableState(selected: nil)
        frame.render(
            Table(columns: columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.muted].adding(.underline)),
            in: inner, state: &none)
    }

    private func renderMetrics(_ profile: Customer360Service.Profile, in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Metrics", area, &frame, theme)
        let c = profile.customer
        func pair(_ label: String, _ value: String, _ style: Style? = nil) -> [Span] {
            [Span(label, style: theme[.muted]), Span(value, style: style ?? theme[.text])]
        }
        func consent(_ flag: Bool?) -> (String, Style) {
            switch flag {
            case true?: ("in", theme[.success])
            case false?: ("out", theme[.warning])
            case nil: ("unknown", theme[.muted])
            }
        }
        let email = consent(c.emailOptIn), sms = consent(c.smsOptIn)
        var lines: [Line] = [
            Line(spans: pair("orders ", TimeText.count(c.orders)) + pair("  value ", String(format: "%.2f", c.lifetimeValue), theme[.accent])
                + pair("  last ", c.lastOrder.map(TimeText.short) ?? "–")),
            Line(spans: pair("campaigns ", String(c.campaignsReached)) + pair("  sent ", String(c.sent)) + pair("  opens ", String(c.opens))
                + pair("  clicks ", String(c.clicks))),
            Line(spans: pair("conversions ", String(c.conversions)) + pair("  revenue ", String(format: "%.2f", c.conversionRevenue))
                + pair("  unsubscribed ", String(c.unsubscribes))),
            Line(spans: pair("consent email ", email.0, email.1) + pair("  sms ", sms.0, sms.1)
                + pair("  issues ", String(c.openQualityIssues), c.openQualityIssues > 0 ? theme[.warning] : theme[.success])),
            Line(spans: pair("seen ", "\(c.firstSeen.map(TimeText.short) ?? "–") … \(c.lastSeen.map(TimeText.short) ?? "–")")
                + pair("  engaged ", c.lastEngagement.map(TimeText.short) ?? "never")),
        ]
        lines = Array(lines.prefix(inner.height))
        for (index, line) in lines.enumerated() {
            frame.buffer.setLine(x: inner.x, y: inner.y + index, line.truncated(to: inner.width), maxWidth: inner.width)
        }
        var y = inner.y + lines.count
        let bottom = inner.y + inner.height
        if y + 2 <= bottom, !profile.months.isEmpty {
            let first = profile.months.first?.month ?? "", last = profile.months.last?.month ?? ""
            frame.buffer.setLine(
                x: inner.x, y: y, Line(spans: [Span("engagement per month ", style: theme[.muted]), Span("\(first) … \(last)", style: theme[.muted])]),
                maxWidth: inner.width)
            frame.render(
                Sparkline(values: profile.months.map { Double($0.count) }, style: theme[.accent]),
                in: Rect(x: inner.x, y: y + 1, width: min(inner.width, profile.months.count), height: 1))
            y += 2
        }
        if y < bottom, !profile.channels.isEmpty {
            let bars = profile.channels.prefix(bottom - y).map { Bar(label: $0.channel, value: Double($0.count)) }
            frame.render(
                BarChart(bars: Array(bars), labelStyle: theme[.muted], barStyle: theme[.accent], valueStyle: theme[.muted]),
                in: Rect(x: inner.x, y: y, width: inner.width, height: bottom - y))
        }
    }

    private func renderPane(_ profile: Customer360Service.Profile, in area: Rect, frame: inout Frame, theme: Theme) {
        let counts: [Pane: Int] = [
            .timeline: profile.timeline.count, .records: profile.records.count, .issues: profile.issues.count, .history: profile.decisions.count,
        ]
        var spans: [Span] = []
        for candidate in Pane.allCases {
            if !spans.isEmpty { spans.append(Span(" │ ", style: theme[.muted])) }
            let style = candidate == pane ? theme[.selection] : theme[.muted]
            spans.append(Span("\(candidate.key) \(candidate.title) \(counts[candidate] ?? 0)", style: style))
        }
        let (header, body) = area.splitTop(1)
        frame.buffer.setLine(x: header.x, y: header.y, Line(spans: spans).truncated(to: header.width), maxWidth: header.width)
        let (columns, rows, empty) = paneTable(profile, theme: theme)
        let table = Table(
            columns: columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: empty)
        frame.render(table, in: body, state: &state)
        tableArea = body
    }

    private func paneTable(_ profile: Customer360Service.Profile, theme: Theme) -> ([TableColumn], [[Line]], String) {
        switch pane {
        case .timeline:
            return (
                [
                    TableColumn("when", width: .length(17)), TableColumn("event", width: .length(11)), TableColumn("detail", width: .fill(3)),
                    TableColumn("channel", width: .length(12)), TableColumn("amount", width: .length(10), alignment: .right),
                    TableColumn("record", width: .fill(2)),
                ],
                profile.timeline.map { event in
                    let style = event.kind == "conversion" || event.kind == "order" ? theme[.success]
                        : event.kind == "unsubscribe" ? theme[.warning] : theme[.text]
                    return [
                        Line(TimeText.short(event.at), style: theme[.muted]), Line(event.kind, style: style), Line(event.detail),
                        Line(event.channel ?? ""), Line(event.amount.map { String(format: "%.2f", $0) } ?? ""),
                        Line(event.record.description, style: theme[.muted]),
                    ]
                },
                "no engagement or orders recorded")
        case .records:
            return (
                [
                    TableColumn("record", width: .fill(3)), TableColumn("name", width: .fill(3)), TableColumn("email", width: .fill(4)),
                    TableColumn("phone", width: .length(15)), TableColumn("birth", width: .length(10)), TableColumn("city", width: .fill(2)),
                ],
                profile.records.map { record in
                    [
                        Line("\(record.source):\(record.sourceKey)", style: theme[.accent]),
                        Line([record.firstName, record.lastName].compactMap { $0 }.joined(separator: " ")), Line(record.email ?? ""),
                        Line(record.phone ?? ""), Line(record.birthDate ?? ""), Line(record.city ?? ""),
                    ]
                },
                "no linked records")
        case .issues:
            return (
                [
                    TableColumn("id", width: .length(8)), TableColumn("record", width: .fill(2)), TableColumn("status", width: .length(8)),
                    TableColumn("rules failed", width: .fill(4)),
                ],
                profile.issues.map { issue in
                    [
                        Line(issue.id.description, style: theme[.warning]), Line("\(issue.source):\(issue.sourceKey)"), Line(issue.status.rawValue),
                        Line(issue.failures.map { "\($0.rule): \($0.message)" }.joined(separator: "; ")),
                    ]
                },
                "no open quality issues")
        case .history:
            return (
                [
                    TableColumn("at", width: .length(17)), TableColumn("who", width: .length(10)), TableColumn("action", width: .length(16)),
                    TableColumn("target", width: .length(16)), TableColumn("change", width: .fill(1)),
                ],
                profile.decisions.map { entry in
                    [
                        Line(TimeText.short(entry.at), style: theme[.muted]), Line(entry.actor, style: theme[.accent]), Line(entry.action),
                        Line(entry.target), Line(entry.after ?? "", style: theme[.diffAdd]),
                    ]
                },
                "no steward decisions, unmerges or overrides on this customer")
        }
    }
}
