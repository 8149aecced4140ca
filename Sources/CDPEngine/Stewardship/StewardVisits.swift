import CDPCore
import CDPRepositories

/// When a user last opened a work list (the quarantine workbench, Review's queue), so the console can show what
/// is new since. Visits are kept per user through the audit repository, as `console.visit` entries (actor, list,
/// time): on whichever store the workspace uses, and as tamper-evident as every other steward action.
public struct StewardVisits: Sendable {
    /// A work list whose visits are kept.
    public enum List: String, Sendable, CaseIterable {
        case quarantine
        case review
    }

    static let action = "console.visit"

    let workspace: Workspace
    let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// When the user last opened `list` (ISO 8601 UTC); nil when never.
    /// - Throws: `EngineError.store` when the audit log cannot be read.
    public func lastVisit(to list: List) throws(EngineError) -> String? {
        let audit = workspace.repositories.audit
        let filter = AuditFilter(actor: environment.user, action: Self.action, target: list.rawValue, limit: 1)
        // A visit still waiting to join the log (a team store's viewer) is newer than any in it.
        return try storeCall { () throws(StoreError) in try audit.ownPendingAuditEntries(filter) + audit.auditEntries(filter) }.first?.at
    }

    /// Records that the user opens `list` now and returns when they opened it before (nil: never), which is what
    /// "new since your last visit" counts from.
    /// - Throws: `EngineError.store` when the audit log cannot be read or written.
    @discardableResult
    public func visit(_ list: List) throws(EngineError) -> String? {
        let previous = try lastVisit(to: list)
        let draft = AuditDraft(actor: environment.user, action: Self.action, target: list.rawValue, before: previous, after: environment.timestamp)
        try storeCall { () throws(StoreError) in _ = try workspace.repositories.audit.appendAudit(draft, at: environment.timestamp) }
        return previous
    }
}
