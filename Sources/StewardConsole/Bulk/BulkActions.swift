import CDPCore
import CDPEngine
import TermUI

/// Bulk actions of the workbench: ask what is needed (a reason, a field and value, a pattern), have the engine
/// plan the change, and show its preview. Nothing changes before the steward confirms it there.
enum BulkActions {
    /// Plans `change` on the workbench's marked rows (none marked: every row of its filter) and shows the preview.
    static func preview(_ change: BulkChange, list: QuarantineListScreen, app: ConsoleApp) {
        let target = list.bulkTarget
        guard !target.ids.isEmpty else {
            app.message = StatusMessage("no record to act on: mark rows (Space, v, A) or widen the filter", severity: .warning)
            return
        }
        app.push(BulkPreviewScreen(planning: change, ids: target.ids, scope: target.scope) { [weak list] in list?.dataSource?.clearMarks() })
    }

    /// Asks for one reason, then previews rejecting the target with it. Refused before asking without the permission.
    static func askReason(list: QuarantineListScreen, app: ConsoleApp) {
        guard authorized(.reject, list: list, app: app) else { return }
        app.modal = .input(InputDialog(
            title: "Reject \(list.bulkTarget.scope)", question: "Why are these records unusable? (one reason for all; in the audit log)",
            whenEmpty: "a rejection needs a reason: type it, or Esc to cancel"
        ) { [weak list, weak app] reason in
            guard let list, let app else { return }
            preview(.reject(reason: reason.trimmingCharacters(in: .whitespaces)), list: list, app: app)
        })
    }

    /// Asks for `field=value`, then previews setting it on the target.
    static func askSet(list: QuarantineListScreen, app: ConsoleApp) {
        guard authorized(.fix, list: list, app: app) else { return }
        app.modal = .input(InputDialog(
            title: "Set a field on \(list.bulkTarget.scope)", question: "field=value (a field of the source, or its column):",
            whenEmpty: "write field=value, or Esc to cancel",
            check: { BulkChange(settingFrom: $0) == nil ? "write field=value, e.g. email=unknown@example.com" : nil }
        ) { [weak list, weak app] answer in
            guard let list, let app, let change = BulkChange(settingFrom: answer) else { return }
            preview(change, list: list, app: app)
        })
    }

    /// Asks for `field /pattern/replacement/`, then previews the replacement on the target.
    static func askReplace(list: QuarantineListScreen, app: ConsoleApp) {
        guard authorized(.fix, list: list, app: app) else { return }
        app.modal = .input(InputDialog(
            title: "Fix by pattern on \(list.bulkTarget.scope)",
            question: "field /pattern/replacement/ (a regular expression; $1 is its first group), e.g. email / at /@/",
            whenEmpty: "write field /pattern/replacement/, or Esc to cancel",
            check: { BulkChange(replacingFrom: $0) == nil ? "write field /pattern/replacement/, e.g. email / at /@/" : nil }
        ) { [weak list, weak app] answer in
            guard let list, let app, let change = BulkChange(replacingFrom: answer) else { return }
            preview(change, list: list, app: app)
        })
    }

    private static func authorized(_ action: QuarantineService.Action, list: QuarantineListScreen, app: ConsoleApp) -> Bool {
        do {
            try app.service.authorizeBulk(action, count: list.bulkTarget.ids.count)
            return true
        } catch {
            app.report(error)
            return false
        }
    }
}
