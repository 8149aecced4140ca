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
    /// The session's own rows matching `filter` that wait to join the chain (a team store's inbox), newest first, each
    /// numbered after every row of the log in the order they were made; none on a store that links every row at
    /// once. Readers of one's own state (visits, saved views) read them with the log, so it never lags.
    func ownPendingAuditEntries(_ filter: AuditFilter) throws(StoreError) -> [AuditEntry]
}

extension AuditRepository {
    public func ownPendingAuditEntries(_ filter: AuditFilter) throws(StoreError) -> [AuditEntry] { [] }
}
