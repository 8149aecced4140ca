import CDPCore
import CDPStore
import Foundation
import Prometheus

/// The lake's figures in the Prometheus text format (`cdp metrics`, `cdp metrics --serve`): rows per layer
/// and source, open quarantine by rule, rule pass rates, review queue sizes, and the last run of each
/// workflow (its duration, state and start). Read through the engine's reader, so nothing personal is in them.
public struct MetricsService: Sendable {
    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// A finished run's wall time from its recorded start and end.
    static func duration(_ run: RunSummary) -> Double? {
        guard let finished = run.finishedAt, let start = Self.instant(run.startedAt), let end = Self.instant(finished) else { return nil }
        return end - start
    }

    /// Seconds since 1970 of a recorded `YYYY-MM-DDTHH:MM:SSZ`.
    static func instant(_ text: String) -> Double? {
        let parts = text.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6, let date = LocalDate(year: parts[0], month: parts[1], day: parts[2]) else { return nil }
        return Double(Timestamp(date: date, hour: parts[3], minute: parts[4], second: parts[5]).secondsSinceEpoch)
    }

    /// Every metric as Prometheus text exposition, read now.
    /// - Throws: `.store` when the lake cannot be read.
    public func prometheusText() throws(EngineError) -> String {
        let reader = workspace.reader(for: environment)
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
            let descriptor = MetricNameDescriptor(namespace: "cdp", metricName: name, unitName: unit, helpText: help)
            registry.makeGauge(descriptor: descriptor, labels: labels).set(to: value)
        }
        let rowsHelp = "Rows in the lake by layer and source"
        for status in try reader.sourceStatuses(includingScans: false) {
            let layers: [(String, Int)] = [
                ("bronze", status.bronze), ("silver", status.silverCurrent), ("quarantine_open", status.quarantineOpen),
                ("quarantine_fixed", status.quarantineFixed), ("quarantine_rejected", status.quarantineRejected),
            ]
            for (layer, rows) in layers {
                gauge("layer", "rows", rowsHelp, [("layer", layer), ("source", status.source.rawValue)], Double(rows))
            }
        }
        gauge("layer", "rows", rowsHelp, [("layer", "gold_customer_360"), ("source", "all")], Double(try reader.customer360Count()))
        for (rule, count) in try reader.openQuarantineByRule() {
            gauge("quarantine_open", "records", "Open quarantined records failing each rule", [("rule", rule)], Double(count))
        }
        for rate in try reader.rulePassRates() {
            gauge(
                "rule_pass", "ratio", "Share of the rows checked that passed each rule in the latest scorecard",
                [("rule", rate.rule), ("source", rate.source.rawValue), ("severity", rate.severity)], rate.passRate)
        }
        for (status, count) in try reader.candidateCounts().sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            gauge("review_queue", "pairs", "Merge candidates by status", [("status", status.rawValue)], Double(count))
        }
        var seen: Set<String> = []
        for run in try reader.runs(limit: 200) where seen.insert(run.workflow).inserted {
            let labels = [("workflow", run.workflow)]
            if let seconds = Self.duration(run) {
                gauge("last_run_duration", "seconds", "Wall time of each workflow's latest finished run", labels, seconds)
            }
            gauge("last_run", "succeeded", "1 when each workflow's latest run succeeded, else 0", labels, run.state == .succeeded ? 1 : 0)
        }
        return registry.emitToString()
    }
}
