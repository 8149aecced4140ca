import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// Customer 360 search: `/` and type a name, email or phone (case, accents and a typo per word forgiven);
/// the hits follow as you type, read in the background from the gold layer's key index. Before any search
/// it lists the customers of highest lifetime value. Enter opens the profile.
final class CustomersScreen: TableScreen {
    private var query = ""
    private var rows: [Customer360Row] = []
    private var total = 0
    var state = TableState()
    var tableArea: Rect?
    private var error: String?
    private var pending: (query: String, read: BackgroundRead<[Customer360Row], EngineError>)?
    private var loadedGeneration = -1
    /// How many golden customers there are and those of highest lifetime value, read in the background when the
    /// screen shows after the lake changed (a key never waits for the lake).
    private let overview = BackgroundRefresh<Overview>()

    private struct Overview: Sendable {
        var total: Int
        var top: [Customer360Row]
    }

    static let topCount = 200
    static let hitLimit = 50

    var title: String {
        guard total > 0 else { return "Customers" }
        let what = query.isEmpty ? "highest lifetime value" : "'\(query)': \(rows.count)\(rows.count == Self.hitLimit ? "+" : "") found"
        return "Customers · \(TimeText.count(total)) golden · \(what)" + (pending == nil ? "" : " · searching…")
            + (state.position(of: rows.count).map { " · \($0)" } ?? "")
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            ConsoleAction("filter", keys: [.char("/")], help: "Search by name, email or phone", group: "Navigation"),
            ConsoleAction("open-profile", keys: [KeyEvent(.enter)], help: "Open the customer's profile", group: "Customers"),
            ConsoleAction("clear-search", keys: [.char("c")], help: "Clear the search", group: "Customers"),
        ]
    }

    var filterText: String? { query }

    /// Without view_pii each search is a lookup, audited and counted against an hourly budget: it runs on Enter, not
    /// at every letter typed.
    func filtersAsYouType(app: ConsoleApp) -> Bool { !app.masker.isActive }

    func applyFilter(_ text: String, app: ConsoleApp) {
        query = text
        guard !text.isEmpty else {
            pending = nil
            showTop()
            return
        }
        let service = Customer360Service(workspace: app.workspace, environment: app.environment)
        pending = (text, BackgroundRead { () throws(EngineError) in try service.search(text, limit: Self.hitLimit).map(\.customer) })
    }

    func activate(app: ConsoleApp) {
        guard loadedGeneration != app.dataGeneration else { return }
        loadedGeneration = app.dataGeneration
        let reader = app.reader
        let service = Customer360Service(workspace: app.workspace, environment: app.environment)
        overview.restart { () throws(EngineError) in
            Overview(total: try reader.customer360Count(), top: try service.topCustomers(limit: Self.topCount))
        }
        overview.waitForFirst()
        takeOverview()
        if !query.isEmpty { applyFilter(query, app: app) }
    }

    /// Shows a finished read of the count and the top customers.
    private func takeOverview() {
        if let failure = overview.failure {
            error = ConsoleApp.describe(failure)
            return
        }
        guard let read = overview.value else { return }
        total = read.total
        error = nil
        if query.isEmpty { showTop() }
    }

    private func showTop() {
        rows = overview.value?.top ?? []
        state.selectFirst()
    }

    /// Takes a finished search; a search superseded by newer typing is dropped when its successor lands.
    func willRender(app: ConsoleApp) {
        if overview.take() { takeOverview() }
        guard let pending, let result = pending.read.result else { return }
        self.pending = nil
        switch result {
        case .success(let hits):
            rows = hits
            error = nil
            state.selectFirst()
        case .failure(let failure):
            app.message = StatusMessage(ConsoleApp.describe(failure), severity: .error)
        }
    }

    func tick(app: ConsoleApp) -> Bool {
        var changed = pending?.read.result != nil
        if overview.take() {
            takeOverview()
            changed = true
        }
        return changed
    }

    /// Waits for the search in flight and the count's read (tests).
    func waitForSearch() {
        if overview.isReading {
            overview.wait()
            takeOverview()
        }
        _ = pending?.read.wait()
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "open-profile":
            // Enter right after typing means the customer searched for: take the search in flight first.
            if pending != nil {
                waitForSearch()
                willRender(app: app)
            }
            guard let selected = state.selection.selected, rows.indices.contains(selected) else {
                app.message = StatusMessage("no customer selected", severity: .warning)
                return true
            }
            app.push(CustomerProfileScreen(golden: rows[selected].golden))
        case "clear-search":
            applyFilter("", app: app)
        default: return false
        }
        return true
    }

    static let columns = [
        TableColumn(id: "golden", title: "golden", width: .length(8)),
        TableColumn(id: "name", title: "name", width: .fill(3)),
        TableColumn(id: "email", title: "email", width: .fill(4)),
        TableColumn(id: "phone", title: "phone", width: .length(15)),
        TableColumn(id: "city", title: "city", width: .fill(2)),
        TableColumn(id: "src", title: "src", width: .length(3), alignment: .right),
        TableColumn(id: "orders", title: "orders", width: .length(6), alignment: .right),
        TableColumn(id: "ltv", title: "value", width: .length(10), alignment: .right),
        TableColumn(id: "issues", title: "issues", width: .length(6), alignment: .right),
    ]

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        guard total > 0 else {
            let lines = [
                Line("The gold layer is empty.", style: theme[.warning]),
                Line("Run the pipeline (R): it matches customers into golden records and builds Customer 360.", style: theme[.muted]),
            ]
            frame.render(Paragraph(lines: lines, wrap: true), in: area)
            return
        }
        let table = Table(
            columns: Self.columns, dataSource: LazyTableDataSource(rowCount: rows.count) { [rows] in Self.row(for: rows[$0], theme: theme) },
            style: theme[.text], headerStyle: theme[.header], selectedStyle: theme[.selection], highlightSymbol: "▌",
            emptyMessage: "no customer matches '\(query)'; try fewer words, or an email or phone", fitsContent: true)
        frame.render(table, in: area, state: &state)
        tableArea = area
    }

    private static func row(for customer: Customer360Row, theme: Theme) -> [Line] {
        [
            Line(customer.golden.description, style: theme[.muted]), Line(customer.displayName, style: theme[.accent]),
            Line(customer.email ?? ""), Line(customer.phone ?? ""), Line(customer.city ?? ""),
            Line(String(customer.sourceCount)), Line(TimeText.count(customer.orders)), Line(String(format: "%.2f", customer.lifetimeValue)),
            Line(customer.openQualityIssues > 0 ? String(customer.openQualityIssues) : "", style: theme[.warning]),
        ]
    }
}
