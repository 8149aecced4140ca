import CDPCore
import CDPEngine
import CDPRepositories
import TermUI

/// A bulk decision on open pairs before and while it runs: which pairs (one explanation key above a
/// probability), how many, the first of them with both records; Enter decides them all, Esc cancels. While it
/// runs, a progress bar (Esc stops it after the current batch); when it ends, the queue shows again and `u`
/// undoes it whole.
final class PairBulkScreen: BulkJobScreen {
    enum Work {
        case apply(BulkPairPlan)
        case undo(BulkPairOutcome)
    }

    let work: Work
    let session: ReviewSession
    private(set) var job: BulkJob<BulkPairOutcome>?
    private var table = TableState()

    init(plan: BulkPairPlan, session: ReviewSession) {
        work = .apply(plan)
        self.session = session
    }

    /// Undoes `outcome` at once (opened by `u` on the queue).
    init(undoing outcome: BulkPairOutcome, session: ReviewSession) {
        work = .undo(outcome)
        self.session = session
    }

    private var decision: CandidateStatus {
        switch work {
        case .apply(let plan): plan.decision
        case .undo(let outcome): outcome.decision
        }
    }

    private var selection: PairSelection {
        switch work {
        case .apply(let plan): plan.selection
        case .undo(let outcome): outcome.selection
        }
    }

    private var verb: String { decision == .approved ? "approve" : "reject" }

    var title: String {
        switch work {
        case .apply(let plan):
            return "Bulk \(verb) · \(TimeText.count(plan.candidates.count)) open pairs · \(selection.summary)" + (job == nil ? "" : " · running")
        case .undo(let outcome):
            return "Undo bulk \(verb) · \(TimeText.count(outcome.applied.count)) pairs" + (job == nil ? "" : " · running")
        }
    }

    var actions: [ConsoleAction] { BulkScreenParts.actions(running: job != nil, applyHelp: "Decide every pair listed") }

    func activate(app: ConsoleApp) {
        if case .undo(let outcome) = work, job == nil {
            let review = MatchReview(workspace: app.workspace, environment: app.environment)
            job = BulkJob(total: outcome.applied.count) { progress throws(EngineError) in try review.undoBulk(outcome, progress: progress) }
        }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if job == nil, NavigationActions.apply(action, to: &table.selection) { return true }
        switch action {
        case "apply":
            guard job == nil, case .apply(let plan) = work else { return true }
            guard !plan.candidates.isEmpty else {
                app.message = StatusMessage("no open pair has \(plan.selection.summary); nothing to \(verb)", severity: .warning)
                return true
            }
            let review = MatchReview(workspace: app.workspace, environment: app.environment)
            job = BulkJob(total: plan.candidates.count) { progress throws(EngineError) in try review.applyBulk(plan, progress: progress) }
        default:
            return BulkScreenParts.perform(action, job: job, app: app)
        }
        return true
    }

    var isRunning: Bool { job != nil }

    var progressLine: String? { job.map { BulkScreenParts.progressLine("\(doing.lowercased()) pairs", $0.progress) } }

    /// What the running job does to the pairs.
    private var doing: String {
        if case .undo = work { "Reopening" } else { decision == .approved ? "Approving" : "Rejecting" }
    }

    func waitForRunningJob() { job?.wait() }

    func finishIfDone(_ app: ConsoleApp) {
        guard let outcome = BulkScreenParts.takeFinished(&job, of: self, app: app) else { return }
        let refused = BulkScreenParts.refusals(outcome.refused)
        let stopped = outcome.stopped ? " (stopped)" : ""
        let pairs = "\(TimeText.count(outcome.applied.count)) pair\(outcome.applied.count == 1 ? "" : "s")"
        switch work {
        case .apply:
            session.recordBulk(outcome)
            app.message = StatusMessage(
                "\(decision.rawValue) \(pairs)\(stopped)\(refused); u undoes it all", severity: outcome.refused.isEmpty ? .success : .warning)
        case .undo:
            session.forgetBulk()
            app.message = StatusMessage(
                "undid the bulk \(verb): \(pairs) open again\(stopped)\(refused); golden records follow at the next match run",
                severity: outcome.refused.isEmpty ? .success : .warning)
        }
        app.current.activate(app: app)
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let job {
            BulkScreenParts.renderProgress("\(doing) pairs with \(selection.summary)", job.progress, in: area, frame: &frame, theme: theme)
            return
        }
        guard case .apply(let plan) = work else { return }
        let effect =
            plan.decision == .approved
            ? "each pair's golden records merge now and stay merged" : "each pair is never proposed or merged again"
        let header: [Line] = [
            Line(spans: [
                Span("\(verb.prefix(1).uppercased() + verb.dropFirst()) ", style: theme[.header]),
                Span("\(TimeText.count(plan.candidates.count)) open pair\(plan.candidates.count == 1 ? "" : "s")", style: theme[.accent]),
                Span(" with \(plan.selection.summary): \(effect)", style: theme[.text]),
            ]),
            Line("Enter decides them all (one undo, u on the queue, reopens them all) · Esc cancels", style: theme[.muted]),
        ]
        let rows = area.splitVertically([.length(header.count + 1), .fill(1)])
        frame.render(Paragraph(lines: header, wrap: false), in: rows[0])
        let columns = [
            TableColumn(id: "id", title: "pair", width: .length(7)),
            TableColumn(id: "probability", title: "prob.", width: .length(6), alignment: .right),
            TableColumn(id: "a", title: "record a", width: .fill(1)),
            TableColumn(id: "b", title: "record b", width: .fill(1)),
        ]
        let cells = plan.candidates.map { row in
            [Line(row.id.description, style: theme[.accent]), Line(String(format: "%.3f", row.probability)), Line(row.a.description),
             Line(row.b.description)]
        }
        frame.render(
            Table(
                columns: columns, dataSource: ArrayTableDataSource(rows: cells), style: theme[.text], headerStyle: theme[.header],
                selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no open pair matches"),
            in: rows[1], state: &table)
    }
}
