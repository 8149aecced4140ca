import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// One candidate pair: both records side by side with the differing values marked, then why the matcher
/// scored it so (the prior, each comparison's level and weight as a waterfall, the total, the
/// probability and the key). One key per decision; after a decision or a skip the next pair of the queue
/// shows. In blind mode only the records show.
final class ReviewCandidateScreen: ConsoleScreen {
    let session: ReviewSession
    /// The queue order this walk follows (as it was when the steward started).
    private var order: [CandidateID]
    private var position: Int
    private(set) var detail: MatchReview.CandidateDetail?
    private var cluster: MatchReview.ProposedCluster?
    /// The pair's comment thread, oldest first, and who holds it.
    private var comments: [WorkComment] = []
    private var hold: WorkClaim?
    private var loadError: String?

    init(session: ReviewSession, order: [CandidateID], startingAt start: CandidateID) {
        self.session = session
        self.order = order
        position = order.firstIndex(of: start) ?? 0
    }

    /// The candidate shown; nil past the end of the queue.
    var current: CandidateID? { order.indices.contains(position) ? order[position] : nil }

    var title: String {
        guard let current else { return "Merge review · end of the queue · \(session.counterText)" }
        return "Review \(current) (\(position + 1) of \(order.count)) · \(session.counterText)"
    }

    var actions: [ConsoleAction] {
        [
            ConsoleAction("approve", keys: [.char("a")], help: "A match: merge the two golden records now", group: "Decide"),
            ConsoleAction("reject", keys: [.char("x")], help: "Not a match: never propose this pair again", group: "Decide"),
            ConsoleAction("skip", keys: [.char("s")], help: "Leave it open and show the next pair", group: "Decide"),
            ConsoleAction("undo", keys: [.char("u")], help: "Undo the last decision of this session", group: "Decide"),
            ConsoleAction("blind", keys: [.char("b")], help: "Blind mode: hide scores and weights (again: show)", group: "View"),
            ConsoleAction("cluster", keys: [.char("c")], help: "Every record approving would put together", group: "View"),
            ConsoleAction("golden", keys: [.char("g")], help: "Golden record of the last approval (else of record a)", group: "View"),
            ConsoleAction("comment", keys: [.char("n")], help: "Add a comment to the pair's thread (:comment TEXT)", group: "View"),
        ]
    }

    func activate(app: ConsoleApp) { load(app) }

    private func load(_ app: ConsoleApp) {
        guard let current else {
            detail = nil
            cluster = nil
            return
        }
        let review = MatchReview(workspace: app.workspace, environment: app.environment)
        do {
            detail = try review.detail(current)
            cluster = try review.cluster(of: current)
            comments = try WorkComments(workspace: app.workspace, environment: app.environment).thread(of: .candidate(current))
            hold = try WorkActions.service(app).hold(on: .candidate(current))
            loadError = nil
        } catch {
            loadError = ConsoleApp.describe(error)
        }
    }

    /// `:comment TEXT` adds a comment without the dialog.
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool {
        guard action == "comment", let current else { return false }
        WorkActions.comment(on: .candidate(current), text: argument, app: app) { [weak self, weak app] in
            guard let self, let app else { return }
            self.load(app)
        }
        return true
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        switch action {
        case "approve":
            if let current, session.approve(current, app: app, then: { [weak self, weak app] in if let self, let app { self.advance(app) } }) { advance(app) }
        case "reject":
            if let current, session.reject(current, app: app, then: { [weak self, weak app] in if let self, let app { self.advance(app) } }) { advance(app) }
        case "skip":
            guard let current else { return true }
            session.skip(current, app: app)
            advance(app)
        case "undo":
            guard let reopened = session.undo(app: app) else { return true }
            if let index = order.firstIndex(of: reopened) {
                position = index
            } else {
                order.insert(reopened, at: min(position, order.count))
            }
            load(app)
        case "blind":
            session.blind.toggle()
            app.message = StatusMessage(session.blind ? "blind mode: scores hidden" : "scores shown")
        case "cluster":
            guard let current else { return true }
            app.push(ReviewClusterScreen(session: session, candidate: current))
        case "comment":
            guard let current else { return true }
            WorkActions.askComment(on: .candidate(current), app: app) { [weak self, weak app] in
                guard let self, let app else { return }
                self.load(app)
            }
        case "golden":
            guard let golden = session.lastApprovedGolden ?? detail?.goldenA else {
                app.message = StatusMessage("no golden record to show yet", severity: .warning)
                return true
            }
            app.push(GoldenRecordScreen(golden: golden))
        default:
            return false
        }
        return true
    }

    /// Moves to the next pair of the queue not decided or skipped in this session.
    private func advance(_ app: ConsoleApp) {
        position += 1
        while let next = current, session.decided(next) != nil || session.skipped.contains(next) { position += 1 }
        load(app)
    }

    // MARK: Rendering

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let loadError {
            frame.renderFailure(loadError, in: area, theme: theme)
            return
        }
        guard let detail, current != nil else {
            let lines = [
                Line("End of the queue.", style: theme[.header]),
                Line(session.counterText),
                Line(""),
                Line("q returns to the queue (re-read, skipped pairs included); u undoes the last decision.", style: theme[.muted]),
            ]
            frame.render(Paragraph(lines: lines, wrap: true), in: area)
            return
        }
        var y = area.y
        func line(_ line: Line) {
            guard y < area.bottom else { return }
            frame.buffer.setLine(x: area.x, y: y, line, maxWidth: area.width)
            y += 1
        }
        let candidate = detail.candidate
        line(
            Line(spans: [
                Span("\(candidate.id)  ", style: theme[.accent].bold()),
                Span("\(candidate.a) (\(detail.goldenA?.description ?? "no golden"))", style: theme[.text]),
                Span("  ↔  ", style: theme[.muted]),
                Span("\(candidate.b) (\(detail.goldenB?.description ?? "no golden"))", style: theme[.text]),
                Span("  \(candidate.status.rawValue)", style: candidate.status == .open ? theme[.muted] : theme[.warning]),
            ]))
        if session.blind {
            line(Line("blind mode: scores, weights and levels hidden — judge the records (b shows them)", style: theme[.warning]))
        } else if let explanation = detail.explanation {
            line(
                Line(
                    spans: [
                        Span("probability ", style: theme[.muted]),
                        Span(ReviewText.probability(explanation.probability), style: theme[.header]),
                        Span("  total ", style: theme[.muted]), Span(ReviewText.weight(explanation.totalWeight)),
                        Span("  prior ", style: theme[.muted]), Span(ReviewText.weight(explanation.priorWeight)),
                        Span("  key ", style: theme[.muted]),
                    ] + ReviewText.keyLine(explanation.key, theme: theme).spans))
        } else {
            line(Line("probability \(ReviewText.probability(candidate.probability))  key \(candidate.key)", style: theme[.text]))
        }
        if let refusal = session.lastRefusal {
            let wrapped = Line("✗ " + refusal, style: theme[.error]).wrapped(to: area.width)
            for part in wrapped.prefix(3) { line(part) }
        }
        if let notice = clusterNotice(detail, theme: theme) { line(notice) }
        if let hold { line(Line("held: \(WorkAssignments.describe(hold))", style: theme[.accent])) }
        y += 1
        y = renderRecords(
            detail, in: Rect(x: area.x, y: y, width: area.width, height: max(0, area.bottom - y)), frame: &frame, theme: theme)
        // The thread's last comments (n adds one; the audit log has them all).
        let thread = WorkActions.commentLines(Array(comments.suffix(Self.commentsShown)), theme: theme)
        for part in thread { line(part) }
        if comments.count > Self.commentsShown { line(Line("  … \(comments.count - Self.commentsShown) earlier (cdp candidates comment \(candidate.id))", style: theme[.muted])) }
        y += 1
        guard !session.blind, let explanation = detail.explanation, y < area.bottom else { return }
        var bars = [SignedBar(label: "prior", value: explanation.priorWeight, valueText: ReviewText.weight(explanation.priorWeight))]
        for term in explanation.terms {
            bars.append(
                SignedBar(label: "\(term.comparison) · \(term.label)", value: term.weight, valueText: ReviewText.weight(term.weight)))
        }
        bars.append(
            SignedBar(
                label: "total → \(ReviewText.probability(explanation.probability))", value: explanation.totalWeight,
                valueText: ReviewText.weight(explanation.totalWeight), isTotal: true, style: theme[.header]))
        let chart = SignedBarChart(
            bars: bars, mode: .waterfall, labelStyle: theme[.text], positiveStyle: theme[.success], negativeStyle: theme[.error],
            axisStyle: theme[.muted], valueStyle: theme[.text])
        frame.render(chart, in: Rect(x: area.x, y: y, width: area.width, height: area.bottom - y))
    }

    /// Comments of the thread shown under the records.
    static let commentsShown = 3

    /// A warning line when approving joins more than the two records, or when they are already together.
    private func clusterNotice(_ detail: MatchReview.CandidateDetail, theme: Theme) -> Line? {
        if let a = detail.goldenA, a == detail.goldenB {
            return Line("both records are already in \(a) (joined through another pair); approving changes nothing", style: theme[.warning])
        }
        guard let cluster, cluster.memberCount > 2 else { return nil }
        return Line(
            "approving joins a cluster of \(cluster.memberCount) records in \(cluster.goldenRecords.count) golden records — c shows it",
            style: theme[.warning])
    }

    /// The two records side by side; returns the row after the table.
    private func renderRecords(_ detail: MatchReview.CandidateDetail, in area: Rect, frame: inout Frame, theme: Theme) -> Int {
        let nameWidth = 16
        let valueWidth = max(4, (area.width - nameWidth - 4) / 2)
        var y = area.y
        func row(_ spans: [Span]) {
            guard y < area.bottom else { return }
            frame.buffer.setLine(x: area.x, y: y, Line(spans: spans), maxWidth: area.width)
            y += 1
        }
        func cell(_ text: String, _ style: Style) -> Span {
            Span(TextWidth.pad(TextWidth.truncate(text, to: valueWidth), to: valueWidth) + " ", style: style)
        }
        row([
            Span(TextWidth.pad("", to: nameWidth), style: theme[.header]),
            cell("a  \(detail.candidate.a)", theme[.header]), Span("  "), cell("b  \(detail.candidate.b)", theme[.header]),
        ])
        let differing = Set(detail.differingAttributes)
        for attribute in ReviewText.attributes + ["updated"] {
            let a = attribute == "updated" ? detail.recordA?.updatedAt : detail.recordA?.value(of: attribute)
            let b = attribute == "updated" ? detail.recordB?.updatedAt : detail.recordB?.value(of: attribute)
            guard a != nil || b != nil else { continue }
            let differs = differing.contains(attribute)
            let style = differs ? theme[.warning] : attribute == "updated" ? theme[.muted] : theme[.text]
            row([
                Span(TextWidth.pad(attribute, to: nameWidth), style: differs ? theme[.warning] : theme[.muted]),
                cell(a ?? "∅", a == nil ? theme[.muted] : style),
                Span(differs ? "≠ " : "  ", style: theme[.warning]),
                cell(b ?? "∅", b == nil ? theme[.muted] : style),
            ])
        }
        if detail.recordA == nil || detail.recordB == nil {
            row([Span("a record of this pair is no longer in silver; the next match run drops the pair", style: theme[.warning])])
        }
        return y
    }
}
