import CDPCore
import CDPStore
import Foundation

extension WorkflowRunner {
    /// Tells the workflow's e-mail and webhook recipients of `event`, and keeps an alert (a failure, a broken
    /// health rule, a rule below its pass rate) in the lake's alert log for the console. A notification that
    /// cannot be delivered is a warning in the run's log, never a failure of the run.
    /// - Parameters:
    ///   - text: what happened, in the engine's words (no landed value).
    ///   - detail: the error behind a failure, which may quote landed values (a fatal rule's refusal): kept in the
    ///     alert log (private; the console withholds it without `view_pii`), never sent to recipients, whom no role
    ///     vouches for, nor put in a mail header a value could break into (attack 11, F5).
    func announce(
        _ event: NotificationEvent, _ text: String, detail: String? = nil, run: RunID, plan: WorkflowPlan, state: String,
        startedAt: Double, observer: @Sendable (RunEvent) -> Void
    ) {
        let now = environment.now()
        var warnings: [String] = []
        if event != .start && event != .success {
            do {
                try AlertLog(lakeFolder: workspace.lakeFolder).append(
                    AlertLog.Alert(
                        at: ISOTime.timestamp(now), workflow: plan.workflow.name, run: run, event: event,
                        text: detail.map { "\(text): \($0)" } ?? text))
            } catch {
                warnings.append("the alert could not be kept: \(error.message)")
            }
        }
        let notifier = Notifier(workspace: workspace, plan: plan)
        if notifier.hasRecipients(event) {
            let message = Notifier.Message(
                event: event, workflow: plan.workflow.name, run: run, state: state, startedAt: ISOTime.timestamp(startedAt),
                at: ISOTime.timestamp(now), durationSeconds: max(0, now - startedAt),
                text: detail == nil ? text : "\(text); what failed is withheld here: `cdp runs show \(run)`", workspace: workspace.root.path)
            warnings += notifier.send(message).map { "\(event.rawValue) notification not delivered: \($0)" }
        }
        for warning in warnings {
            let record = RunEvent(run: run, task: nil, at: ISOTime.timestamp(now), kind: .warning, message: warning)
            try? workspace.repositories.runs.appendEvent(record)
            observer(record)
        }
    }

    /// Announces a broken health rule once per run: the run has lasted longer than its `RUN_DURATION_SECONDS`.
    func checkHealth(_ plan: WorkflowPlan, run: RunID, progress: inout RunProgress, observer: @Sendable (RunEvent) -> Void) {
        guard !progress.healthAnnounced, let limit = plan.workflow.health?.runDurationLimitSeconds else { return }
        let elapsed = environment.now() - progress.startedAt
        guard elapsed > Double(limit) else { return }
        progress.healthAnnounced = true
        announce(
            .durationWarning, "the run has taken \(Int(elapsed)) s, more than its health rule's RUN_DURATION_SECONDS \(limit)", run: run,
            plan: plan, state: RunState.running.rawValue, startedAt: progress.startedAt, observer: observer)
    }

    /// After a scorecard: every rule whose pass rate fell below its `alert_below` raises one data-quality alert.
    func checkQuality(_ plan: WorkflowPlan, run: RunID, startedAt: Double, observer: @Sendable (RunEvent) -> Void) {
        let thresholds = workspace.rules.rules.compactMap { rule in rule.alertBelow.map { (rule, $0) } }
        guard !thresholds.isEmpty, let rates = try? workspace.reader(for: environment).rulePassRates() else { return }
        var below: [String] = []
        for (rule, threshold) in thresholds {
            guard let rate = rates.first(where: { $0.rule == rule.name && $0.source == rule.dataset }), rate.passRate < threshold else {
                continue
            }
            below.append(
                "\(rule.name) (\(rule.dataset)) passes \(Self.percent(rate.passRate)), below its alert_below \(Self.percent(threshold))")
        }
        guard !below.isEmpty else { return }
        announce(
            .qualityAlert, "data quality: \(below.joined(separator: "; "))", run: run, plan: plan, state: RunState.running.rawValue,
            startedAt: startedAt, observer: observer)
    }

    static func percent(_ ratio: Double) -> String { String(format: "%.1f%%", ratio * 100) }
}
