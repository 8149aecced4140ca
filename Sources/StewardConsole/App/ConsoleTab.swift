import TermUI

/// One top-level tab of the console: the action that switches to it (also its palette name), its
/// title, and the screen at the bottom of its stack. Keys 1–9 and F1–F9 follow the order of
/// ``ConsoleApp/tabs``, so adding a tab is one line there.
struct ConsoleTab: Sendable {
    /// The palette name and global action, e.g. `quarantine`.
    var action: String
    /// Shown in the tab bar after the tab's number.
    var title: String
    /// A shorter title for narrow terminals.
    var shortTitle: String
    /// One line for the help overlay.
    var help: String
    var makeRoot: @Sendable (ConsoleApp) -> any ConsoleScreen
}

extension ConsoleApp {
    /// The console's tabs, in key order.
    static let tabs: [ConsoleTab] = [
        ConsoleTab(action: "dashboard", title: "Dashboard", shortTitle: "Dash", help: "Dashboard") { _ in DashboardScreen() },
        ConsoleTab(action: "quarantine", title: "Quarantine", shortTitle: "Quar", help: "Quarantine workbench") { app in
            QuarantineListScreen(app: app)
        },
        ConsoleTab(action: "runs", title: "Runs", shortTitle: "Runs", help: "Pipeline runs") { _ in RunsListScreen() },
        ConsoleTab(action: "audit", title: "Audit", shortTitle: "Audit", help: "Audit log") { _ in AuditScreen() },
        ConsoleTab(action: "customers", title: "Customers", shortTitle: "Cust", help: "Customer 360: search and profiles") { _ in CustomersScreen() },
        ConsoleTab(action: "analytics", title: "Analytics", shortTitle: "Stats", help: "Campaign performance and quality trend") { _ in AnalyticsScreen() },
        ConsoleTab(action: "dictionary", title: "Dictionary", shortTitle: "Dict", help: "Data dictionary") { _ in DictionaryScreen() },
        ConsoleTab(action: "review", title: "Review", shortTitle: "Review", help: "Merge review and golden records") { _ in ReviewQueueScreen() },
    ]

    /// The index of the tab whose action is `action`.
    static func tabIndex(_ action: String) -> Int {
        guard let index = tabs.firstIndex(where: { $0.action == action }) else {
            preconditionFailure("no console tab named \(action)")
        }
        return index
    }

    /// The global actions that switch tabs: 1…9 and F1…F9 in tab order.
    static var tabActions: [ConsoleAction] {
        tabs.enumerated().map { index, tab in
            ConsoleAction(
                tab.action, keys: [.char(Character(String(index + 1))), KeyEvent(.function(index + 1))],
                help: tab.help, group: "Screens")
        }
    }
}
