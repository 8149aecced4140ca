import CDPCore

/// The audit log: an append-only, hash-chained record of every steward and admin action.
public protocol AuditRepository: Sendable {
    /// Appends a row to the chain, anchored as the store anchors it.
    /// - Returns: the row's id; nil when the row waits to join the chain at the store's next audited write (a team
    ///   store's row of a role that may write nothing, which never holds the chain's head).
    @discardableResult
    func appendAudit(_ draft: AuditDraft, at: String) throws(StoreError) -> AuditEntryID?
    /// Audit rows matching `filter`, newest first.
    func auditEntries(_ filter: AuditFilter) throws(StoreError) -> [AuditEntry]
    /// How many rows of `action` by `actor` were appended since `since` (a lake timestamp), those still waiting to join
    /// the chain included (a team store counts its login role's own rows, whoever `actor` names).
    func auditCount(actor: String, action: String, since: String) throws(StoreError) -> Int
    /// Everything that says the log was tampered with, named; empty when the chain holds.
    func auditChainProblems() throws(StoreError) -> [String]
}
