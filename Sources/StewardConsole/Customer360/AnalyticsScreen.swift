import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// Analytics over the gold layer: campaign performance as a table sorted by any metric (`s` next metric,
/// `r` reverses) with the same metric as bars, the last match run in one line, and each source's data
/// quality pass rate over the recent runs as a sparkline.
final class AnalyticsScreen: TableScreen, BackgroundRefreshing {
    private var campaigns: [CampaignPerformance] = []
    private var trend: [(source: String, rates: [(run: RunID, passRate: Double)])] = []
    private var matchSummary: MatchSummary?
    private var goldenCustomers = 0
    private var metric = Metric.revenue
    private var descending = true
    var state = TableState()
    var tableArea: Rect?
    private var error: String?
    private var loadedGeneration = -1
    /// The campaigns, trend, last match and golden count, read in the background when the screen shows after the
    /// lake changed (campaign performance aggregates every event: seconds at a million customers).
    let refresh = BackgroundRefresh<Figures>()

    struct Figures: Sendable {
        var campaigns: [CampaignPerformance]
        var trend: [(source: String, rates: [(run: RunID, passRate: Double)])]
        var matchSummary: MatchSummary?
        var goldenCustomers: Int
    }

    /// What the campaigns are sorted and charted by.
    enum Metric: String, CaseIterable {
        case revenue, conversionRate = "conversion rate", clickRate = "click rate", openRate = "open rate", sent
        case costPerConversion = "cost per conversion"

        func value(_ campaign: CampaignPerformance) -> Double? {
            switch self {
            case .revenue: campaign.revenue
            case .conversionRate: campaign.conversionRate
            case .clickRate: campaign.clickRate
            case .openRate: campaign.openRate
            case .sent: Double(campaign.sent)
            case .costPerConversion: campaign.costPerConversion
            }
        }

        func text(_ value: Double) -> String {
            switch self {
            case .conversionRate, .clickRate, .openRate: String(format: "%.1f%%", value * 100)
            case .sent: TimeText.count(Int(value))
            case .revenue, .costPerConversion: String(format: "%.2f", value)
            }
        }
    }

    var title: String {
        "Analytics · \(campaigns.count) campaigns by \(metric.rawValue) \(descending ? "▼" : "▲") · \(TimeText.count(goldenCustomers)) golden customers"
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("sort-next", keys: [.char("s")], help: "Sort and chart by the next metric", group: "Analytics"),
            ConsoleAction("sort-reverse", keys: [.char("r")], help: "Reverse the order", group: "Analytics"),
        ]
    }

    func activate(app: ConsoleApp) {
        guard loadedGeneration != app.dataGeneration else { return }
        loadedGeneration = app.dataGeneration
        let reader = app.reader
        refresh.restart { () throws(EngineError) in
            Figures(
                campaigns: try reader.campaignPerformance(), trend: try reader.passRateTrendBySource(limit: 30),
                matchSummary: try reader.latestMatchSummary(), goldenCustomers: try reader.customer360Count())
        }
        refresh.waitForFirst()
        show()
    }

    func show() {
        if let failure = refresh.failure {
            error = failure.description
            return
        }
        guard let figures = refresh.value else { return }
        campaigns = figures.campaigns
        trend = figures.trend
        matchSummary = figures.matchSummary
        goldenCustomers = figures.goldenCustomers
        error = nil
        sort()
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "sort-next":
            let all = Metric.allCases
            metric = all[(all.firstIndex(of: metric)! + 1) % all.count]
            // Lower is better for cost; start each metric on its best end.
            descending = metric != .costPerConversion
            sort()
        case "sort-reverse":
            descending.toggle()
            sort()
        default: return false
        }
        return true
    }

    /// Campaigns without a value for the metric (no budget, nothing sent) go last either way.
    private func sort() {
        campaigns.sort { a, b in
            switch (metric.value(a), metric.value(b)) {
            case let (x?, y?) where x != y: return descending ? x > y : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.campaign < b.campaign
            }
        }
        state.selectFirst()
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        guard !campaigns.isEmpty || !trend.isEmpty else {
            frame.render(
                Paragraph(lines: [Line("Nothing to analyse yet: run the pipeline (R) to build the gold layer.", style: theme[.muted])], wrap: true),
                in: area)
            return
        }
        let (summary, rest) = area.splitTop(1)
        frame.buffer.setLine(x: summary.x, y: summary.y, matchLine(theme).truncated(to: summary.width), maxWidth: summary.width)
        let halves = rest.splitVertically([.fill(3), .fill(2)], spacing: 1)
        renderTable(in: halves[0], frame: &frame, theme: theme)
        let bottom = halves[1].splitHorizontally([.fill(1), .fill(1)], spacing: 2)
        renderBars(in: bottom[0], frame: &frame, theme: theme)
        renderTrend(in: bottom[1], frame: &frame, theme: theme)
    }

    private func matchLine(_ theme: Theme) -> Line {
        guard let match = matchSummary else { return Line("no match run yet", style: theme[.muted]) }
        func part(_ label: String, _ value: Int?) -> [Span] {
            [Span(label, style: theme[.muted]), Span(value.map(TimeText.count) ?? "–", style: theme[.text])]
        }
        return Line(spans: [Span("last match \(match.run) \(TimeText.short(match.startedAt)): ", style: theme[.muted])]
            + part("records ", match.records) + part(" · auto-merged pairs ", match.autoMergedPairs) + part(" · queued ", match.queued)
            + part(" · decided ", match.decided) + part(" · golden ", match.goldenRecords))
    }

    private func section(_ title: String, _ area: Rect, _ frame: inout Frame, _ theme: Theme) -> Rect {
        let block = Block(borders: .top, borderStyle: theme[.muted], title: Line(title, style: theme[.header]))
        frame.render(block, in: area)
        return block.inner(area)
    }

    private func renderTable(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Campaign performance", area, &frame, theme)
        // What each figure counts, so "reached" is never read as more than "sent".
        let legend = Line(Self.legend, style: theme[.muted]).truncated(to: max(0, inner.width - 22))
        frame.buffer.setLine(legend, in: Rect(x: inner.right - legend.width, y: area.y, width: legend.width, height: 1))
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        let columns = [
            TableColumn(id: "campaign", title: "campaign", width: .length(8)),
            TableColumn(id: "name", title: "name", width: .fill(3)),
            TableColumn(id: "channel", title: "channel", width: .length(11)),
            TableColumn(id: "sent", title: "sent", width: .length(8), alignment: .right),
            TableColumn(id: "reached", title: "reached", width: .length(8), alignment: .right),
            TableColumn(id: "open", title: "open", width: .length(6), alignment: .right),
            TableColumn(id: "click", title: "click", width: .length(6), alignment: .right),
            TableColumn(id: "conv", title: "conv", width: .length(6), alignment: .right),
            TableColumn(id: "revenue", title: "revenue", width: .length(11), alignment: .right),
            TableColumn(id: "cpc", title: "cost/conv", width: .length(10), alignment: .right),
        ]
        let rows = campaigns.map { c -> [Line] in
            [
                Line(c.campaign, style: theme[.muted]), Line(c.name ?? ""), Line(c.channel ?? ""), Line(TimeText.count(c.sent)),
                Line(TimeText.count(c.uniqueReached)), Line(percent(c.openRate)), Line(percent(c.clickRate)), Line(percent(c.conversionRate)),
                Line(String(format: "%.2f", c.revenue), style: theme[.accent]), Line(c.costPerConversion.map { String(format: "%.2f", $0) } ?? "–"),
            ]
        }
        let sortColumn: String = switch metric {
        case .revenue: "revenue"
        case .conversionRate: "conv"
        case .clickRate: "click"
        case .openRate: "open"
        case .sent: "sent"
        case .costPerConversion: "cpc"
        }
        state.sort = TableSort(columnID: sortColumn, ascending: !descending)
        let table = Table(
            columns: columns, dataSource: ArrayTableDataSource(rows: rows), style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no campaigns in silver")
        frame.render(table, in: inner, state: &state)
        tableArea = inner
    }

    /// The meaning of the campaign table's figures, on its title row.
    static let legend = " sent: messages sent · reached: distinct contacts sent to · open/click/conv: share of those reached "

    private func renderBars(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("By \(metric.rawValue)", area, &frame, theme)
        let bars = campaigns.compactMap { c -> Bar? in
            guard let value = metric.value(c) else { return nil }
            return Bar(label: c.name ?? c.campaign, value: value, valueText: metric.text(value))
        }.prefix(inner.height)
        frame.render(BarChart(bars: Array(bars), labelStyle: theme[.text], barStyle: theme[.accent], valueStyle: theme[.muted]), in: inner)
    }

    private func renderTrend(in area: Rect, frame: inout Frame, theme: Theme) {
        let inner = section("Quality pass rate by source, recent runs", area, &frame, theme)
        guard !trend.isEmpty else {
            frame.buffer.setString(x: inner.x, y: inner.y, "no scorecards yet", style: theme[.muted], maxWidth: inner.width)
            return
        }
        let labelWidth = min(20, (trend.map(\.source.count).max() ?? 0) + 1)
        for (index, source) in trend.prefix(inner.height).enumerated() {
            let y = inner.y + index
            let last = source.rates.last?.passRate ?? 1
            let style = last >= 0.95 ? theme[.success] : theme[.warning]
            frame.buffer.setString(x: inner.x, y: y, source.source, style: theme[.text], maxWidth: labelWidth)
            let rate = String(format: "%6.2f%%", last * 100)
            frame.buffer.setString(x: inner.x + labelWidth, y: y, rate, style: style, maxWidth: 8)
            let chartX = inner.x + labelWidth + 9
            guard chartX < inner.x + inner.width else { continue }
            // Scale from just under the source's lowest rate so small changes stay visible.
            let low = source.rates.map(\.passRate).min() ?? 0
            let floor = max(0, low - 0.02)
            frame.render(
                Sparkline(values: source.rates.map { max(0.0001, $0.passRate - floor) }, max: 1 - floor, style: theme[.accent]),
                in: Rect(x: chartX, y: y, width: inner.x + inner.width - chartX, height: 1))
        }
    }
}
