import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// The cluster a candidate proposes: every record of both golden records, grouped by golden record, and
/// the links among them (candidate pairs with their probability and status, steward decisions). Enter
/// opens the selected record's golden record.
final class ReviewClusterScreen: TableScreen {
    let session: ReviewSession
    let candidate: CandidateID
    private(set) var cluster: MatchReview.ProposedCluster?
    private var loadError: String?
    var state = TableState()
    var tableArea: Rect?

    init(session: ReviewSession, candidate: CandidateID) {
        self.session = session
        self.candidate = candidate
    }

    var title: String {
        guard let cluster else { return "Cluster of \(candidate)" }
        let cut = cluster.memberCount > cluster.members.count ? " (first \(cluster.members.count) shown)" : ""
        return
            "Cluster of \(candidate) · \(cluster.memberCount) records\(cut) in \(cluster.goldenRecords.count) golden records · \(session.counterText)"
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("open-golden", keys: [KeyEvent(.enter)], help: "The selected record's golden record", group: "Cluster"),
            ConsoleAction("blind", keys: [.char("b")], help: "Blind mode: hide probabilities (again: show)", group: "Cluster"),
        ]
    }

    func activate(app: ConsoleApp) {
        do {
            cluster = try MatchReview(workspace: app.workspace, environment: app.environment).cluster(of: candidate)
            loadError = nil
        } catch {
            loadError = ConsoleApp.describe(error)
        }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "open-golden":
            guard let members = cluster?.members, let row = state.selection.selected, members.indices.contains(row) else { return true }
            guard let golden = members[row].golden else {
                app.message = StatusMessage(
                    "\(members[row].record) is in no golden record yet; the next match run links it", severity: .warning)
                return true
            }
            app.push(GoldenRecordScreen(golden: golden))
        case "blind":
            session.blind.toggle()
            app.message = StatusMessage(session.blind ? "blind mode: scores hidden" : "scores shown")
        default:
            return false
        }
        return true
    }

    static let columns = [
        TableColumn(id: "golden", title: "golden", width: .length(7)),
        TableColumn(id: "record", title: "source record", width: .fill(2)),
        TableColumn(id: "name", title: "name", width: .fill(2)),
        TableColumn(id: "email", title: "email", width: .fill(2)),
        TableColumn(id: "born", title: "born", width: .length(10)),
        TableColumn(id: "postcode", title: "postcode", width: .length(9)),
    ]

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let loadError {
            frame.renderFailure(loadError, in: area, theme: theme)
            return
        }
        guard let cluster else { return }
        let linkLines = links(cluster, app: app)
        // Records on top, at least four rows of them; the links below take what is left.
        let tableHeight = min(cluster.members.count + 1, max(5, area.height - linkLines.count - 1))
        let parts = area.splitVertically([.length(tableHeight), .length(1), .fill(1)])
        let pair: Set = [cluster.a, cluster.b]
        let rows = cluster.members.map { member -> [Line] in
            let values = member.values
            let style = pair.contains(member.record) ? theme[.accent] : theme[.text]
            return [
                Line(member.golden?.description ?? "–", style: theme[.muted]),
                Line((pair.contains(member.record) ? "◆ " : "  ") + member.record.description, style: style),
                Line([values?.firstName, values?.lastName].compactMap { $0 }.joined(separator: " ")),
                Line(values?.email ?? ""), Line(values?.birthDate ?? ""), Line(values?.postcode ?? ""),
            ]
        }
        let table = Table(
            columns: Self.columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no records")
        frame.render(table, in: parts[0], state: &state)
        tableArea = parts[0]
        frame.render(Paragraph(lines: linkLines, wrap: false), in: parts[2])
    }

    /// The candidate pairs and decisions among the cluster's records.
    private func links(_ cluster: MatchReview.ProposedCluster, app: ConsoleApp) -> [Line] {
        let theme = app.theme
        var lines = [Line("Links among these records (◆ the pair under review)", style: theme[.header])]
        for link in cluster.links {
            var spans = [
                Span(link.id == candidate ? "◆ " : "  ", style: theme[.accent]),
                Span("\(link.id) ", style: theme[.accent]),
                Span("\(link.a) ↔ \(link.b)  ", style: theme[.text]),
            ]
            if !session.blind {
                spans.append(Span(ReviewText.probability(link.probability) + "  ", style: theme[.header]))
                spans += ReviewText.keyLine(link.key, theme: theme).spans
                spans.append(Span("  "))
            }
            spans.append(
                Span(
                    link.status.rawValue,
                    style: link.status == .open ? theme[.muted] : link.status == .approved ? theme[.success] : theme[.error]))
            lines.append(Line(spans: spans))
        }
        for decision in cluster.decisions {
            let verdict = decision.decision == .match ? "match" : "not a match"
            lines.append(
                Line(spans: [
                    Span("  \(decision.a) ↔ \(decision.b)  ", style: theme[.text]),
                    Span(verdict, style: decision.decision == .match ? theme[.success] : theme[.error]),
                    Span(
                        "  by \(decision.decidedBy)" + (decision.reason.map { ": " + $0 } ?? ""),
                        style: theme[.muted]),
                ]))
        }
        if cluster.members.count > cluster.goldenRecords.count {
            lines.append(
                Line(
                    "  records sharing a golden record were joined by the matcher (an identifier, or above auto-merge) or a steward",
                    style: theme[.muted]))
        }
        return lines
    }
}
