import CDPCore
import CDPEngine
import TermUI

/// A bulk change before and while it runs: which records, how many, what changes (the first of them, masked as
/// the steward reads), what is left alone and why; Enter applies it, Esc cancels. While it runs, a progress bar
/// (Esc stops it after the current batch); when it ends, the workbench shows again and `u` undoes it whole.
final class BulkPreviewScreen: BulkJobScreen {
    enum Work {
        case apply(BulkPlan)
        case undo(BulkOutcome)
    }

    let work: Work
    /// Which records were asked for, for the title ("3 marked", "all 6,193 matching the filter").
    let scope: String
    private(set) var job: BulkJob<BulkOutcome>?
    private var table = TableState()
    /// Called once the steward confirmed (the workbench clears its marks).
    private let onApply: () -> Void

    init(plan: BulkPlan, scope: String, onApply: @escaping () -> Void = {}) {
        work = .apply(plan)
        self.scope = scope
        self.onApply = onApply
    }

    /// Undoes `outcome` at once (opened by `u`).
    init(undoing outcome: BulkOutcome) {
        work = .undo(outcome)
        scope = "\(TimeText.count(outcome.applied.count)) records"
        onApply = {}
    }

    var change: BulkChange {
        switch work {
        case .apply(let plan): plan.change
        case .undo(let outcome): outcome.change
        }
    }

    var title: String {
        switch work {
        case .apply(let plan):
            return "Bulk \(change.action.rawValue) · \(TimeText.count(plan.ids.count)) of \(scope)" + (job == nil ? "" : " · running")
        case .undo:
            return "Undo bulk \(change.action.rawValue) · \(scope)" + (job == nil ? "" : " · running")
        }
    }

    var actions: [ConsoleAction] { BulkScreenParts.actions(running: job != nil, applyHelp: "Apply the change to these records") }

    func activate(app: ConsoleApp) {
        if case .undo(let outcome) = work, job == nil { start(app, undoing: outcome) }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if job == nil, NavigationActions.apply(action, to: &table.selection) { return true }
        switch action {
        case "apply":
            guard job == nil, case .apply(let plan) = work else { return true }
            guard !plan.ids.isEmpty else {
                app.message = StatusMessage("nothing to \(change.action.rawValue): every record asked for is left alone", severity: .warning)
                return true
            }
            onApply()
            start(app, plan: plan)
        default:
            return BulkScreenParts.perform(action, job: job, app: app)
        }
        return true
    }

    private func start(_ app: ConsoleApp, plan: BulkPlan) {
        let service = app.service
        job = BulkJob(total: plan.ids.count) { progress throws(EngineError) in try service.apply(plan, progress: progress) }
    }

    private func start(_ app: ConsoleApp, undoing outcome: BulkOutcome) {
        let service = app.service
        job = BulkJob(total: outcome.applied.count) { progress throws(EngineError) in try service.undo(outcome, progress: progress) }
    }

    var isRunning: Bool { job != nil }

    func waitForRunningJob() { job?.wait() }

    func finishIfDone(_ app: ConsoleApp) {
        guard let outcome = BulkScreenParts.takeFinished(&job, of: self, app: app) else { return }
        let refused = BulkScreenParts.refusals(outcome.refused)
        let stopped = outcome.stopped ? " (stopped)" : ""
        switch work {
        case .apply:
            if !outcome.applied.isEmpty { app.undoStack.append(.bulk(label: "bulk \(change.summary)", outcome: outcome)) }
            var text = "\(Self.pastTense(change)) \(TimeText.count(outcome.applied.count)) record\(outcome.applied.count == 1 ? "" : "s")\(stopped)"
            if change.action == .fix { text += " (\(TimeText.count(outcome.nowPassing)) now pass)" }
            text += refused + "; u undoes it all"
            app.message = StatusMessage(text, severity: outcome.refused.isEmpty ? .success : .warning)
        case .undo:
            app.message = StatusMessage(
                "undid the bulk \(change.summary): \(TimeText.count(outcome.applied.count)) records put back\(stopped)\(refused)",
                severity: outcome.refused.isEmpty ? .success : .warning)
        }
        app.current.activate(app: app)
    }

    static func pastTense(_ change: BulkChange) -> String {
        switch change.action {
        case .release: "released"
        case .reject: "rejected"
        case .fix: "fixed"
        case .reopen: "reopened"
        }
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let job {
            BulkScreenParts.renderProgress("\(Self.verb(work)) \(change.summary)", job.progress, in: area, frame: &frame, theme: theme)
            return
        }
        guard case .apply(let plan) = work else { return }
        let skippedReasons = Dictionary(grouping: plan.skipped.values, by: { $0 }).map { ($0.key, $0.value.count) }
            .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        var header: [Line] = [
            Line(spans: [
                Span("\(change.summary.prefix(1).uppercased() + change.summary.dropFirst()) ", style: theme[.header]),
                Span("on \(TimeText.count(plan.ids.count)) record\(plan.ids.count == 1 ? "" : "s")", style: theme[.accent]),
                Span(" of \(scope)", style: theme[.text]),
            ])
        ]
        if plan.skipped.isEmpty {
            header.append(Line("none left alone", style: theme[.muted]))
        } else {
            let reasons = skippedReasons.prefix(3).map { "\($0.1) \($0.0)" }.joined(separator: " · ")
            header.append(Line("\(TimeText.count(plan.skipped.count)) left alone: \(reasons)", style: theme[.warning]))
        }
        header.append(Line("Enter applies (one undo, u, takes it all back) · Esc cancels", style: theme[.muted]))
        let rows = area.splitVertically([.length(header.count + 1), .fill(1)])
        frame.render(Paragraph(lines: header, wrap: false), in: rows[0])
        let field = change.field ?? "status"
        let columns = [
            TableColumn(id: "id", title: "id", width: .length(9)),
            TableColumn(id: "before", title: "\(field) before", width: .fill(1)),
            TableColumn(id: "after", title: "\(field) after", width: .fill(1)),
        ]
        let more = plan.ids.count - plan.examples.count
        let cells = plan.examples.map { example in
            [Line(example.id.description, style: theme[.accent]), Line(example.before, style: theme[.diffRemove]),
             Line(example.after, style: theme[.diffAdd])]
        } + (more > 0 ? [[Line("…", style: theme[.muted]), Line("and \(TimeText.count(more)) more", style: theme[.muted]), Line("")]] : [])
        frame.render(
            Table(
                columns: columns, dataSource: ArrayTableDataSource(rows: cells), style: theme[.text], headerStyle: theme[.header],
                selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no record to change"),
            in: rows[1], state: &table)
    }

    static func verb(_ work: Work) -> String {
        switch work {
        case .apply: "Applying"
        case .undo: "Undoing"
        }
    }
}
