import CDPCore
import CDPEngine
import TermUI

/// A bulk change before and while it runs: which records, how many, what changes (the first of them, masked as
/// the steward reads), what is left alone and why; Enter applies it, Esc cancels. The preview itself is worked
/// out in the background with a progress bar (Esc stops it), as the change is applied: the keys never wait for
/// the lake. While it runs, a progress bar (Esc stops it after the current batch); when it ends, the workbench
/// shows again and `u` undoes it whole.
final class BulkPreviewScreen: BulkJobScreen {
    enum Work {
        /// The preview is being worked out on these records.
        case planning(BulkChange, [QuarantineID])
        case apply(BulkPlan)
        case undo(BulkOutcome)
    }

    private(set) var work: Work
    /// Which records were asked for, for the title ("3 marked", "all 6,193 matching the filter").
    let scope: String
    private(set) var job: BulkJob<BulkOutcome>?
    /// Works out the plan (the preview) while ``work`` is `.planning`.
    private(set) var planJob: BulkJob<BulkPlan>?
    private var table = TableState()
    /// Called once the steward confirmed (the workbench clears its marks).
    private let onApply: () -> Void

    /// Works out the preview of `change` on `ids` in the background once shown, then shows it.
    init(planning change: BulkChange, ids: [QuarantineID], scope: String, onApply: @escaping () -> Void = {}) {
        work = .planning(change, ids)
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
        case .planning(let change, _): change
        case .apply(let plan): plan.change
        case .undo(let outcome): outcome.change
        }
    }

    var title: String {
        switch work {
        case .planning:
            return "Bulk \(change.action.rawValue) · \(scope) · working out the preview"
        case .apply(let plan):
            return "Bulk \(change.action.rawValue) · \(TimeText.count(plan.ids.count)) of \(scope)" + (job == nil ? "" : " · running")
        case .undo:
            return "Undo bulk \(change.action.rawValue) · \(scope)" + (job == nil ? "" : " · running")
        }
    }

    var actions: [ConsoleAction] { BulkScreenParts.actions(running: isRunning, applyHelp: "Apply the change to these records") }

    func activate(app: ConsoleApp) {
        switch work {
        case .undo(let outcome) where job == nil: start(app, undoing: outcome)
        case .planning(let change, let ids) where planJob == nil:
            let service = app.service
            planJob = BulkJob(total: ids.count, gate: app.bulkJobGate) { progress throws(EngineError) in
                try service.plan(change, ids: ids, progress: progress)
            }
        default: break
        }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if let planJob {
            // Only a stop while the preview is worked out.
            if action == "stop" {
                planJob.stop()
                app.message = StatusMessage("stopping the preview…")
            }
            return true
        }
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
        job = BulkJob(total: plan.ids.count, gate: app.bulkJobGate) { progress throws(EngineError) in try service.apply(plan, progress: progress) }
    }

    private func start(_ app: ConsoleApp, undoing outcome: BulkOutcome) {
        let service = app.service
        job = BulkJob(total: outcome.applied.count) { progress throws(EngineError) in try service.undo(outcome, progress: progress) }
    }

    var isRunning: Bool { job != nil || planJob != nil }

    var progressLine: String? {
        if let planJob { return BulkScreenParts.progressLine("previewing \(change.action.rawValue)", planJob.progress) }
        return job.map { BulkScreenParts.progressLine(Self.participle(work), $0.progress) }
    }

    /// "releasing", "fixing", …, "undoing release".
    static func participle(_ work: Work) -> String {
        switch work {
        case .undo(let outcome): "undoing \(outcome.change.action.rawValue)"
        case .planning(let change, _): "previewing \(change.action.rawValue)"
        case .apply(let plan):
            switch plan.change.action {
            case .release: "releasing"
            case .reject: "rejecting"
            case .fix: "fixing"
            case .reopen: "reopening"
            }
        }
    }

    func waitForRunningJob() {
        planJob?.wait()
        job?.wait()
    }

    func finishIfDone(_ app: ConsoleApp) {
        if let planning = planJob {
            guard let result = planning.result else { return }
            planJob = nil
            switch result {
            case .success(let plan):
                work = .apply(plan)
            case .failure(let error):
                app.dismiss(self)
                if error.code == .cancelled {
                    let done = planning.progress
                    app.message = StatusMessage(
                        "stopped working out the preview after \(TimeText.count(done.done)) of \(TimeText.count(done.total)) records; nothing changed")
                } else {
                    app.report(error)
                }
            }
            return
        }
        guard let outcome = BulkScreenParts.takeFinished(&job, of: self, app: app) else { return }
        let refused = BulkScreenParts.refusals(outcome.refused)
        let stopped = outcome.stopped ? " (stopped)" : ""
        switch work {
        case .planning:
            return  // no change runs before the preview is shown
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
        if let planJob {
            BulkScreenParts.renderProgress("Working out the preview of \(change.summary) on \(scope)", planJob.progress, in: area, frame: &frame, theme: theme)
            return
        }
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
        case .planning: "Previewing"
        case .apply: "Applying"
        case .undo: "Undoing"
        }
    }
}
