import CDPCore

/// The audit log: an append-only, hash-chained record of every steward and admin action.
public protocol AuditRepository: Sendable {
    /// Appends a row to the chain, anchored as the store anchors it.
    @discardableResult
    func appendAudit(_ draft: AuditDraft, at: String) throws(StoreError) -> AuditEntryID
    /// Audit rows matching `filter`, newest first.
    func auditEntries(_ filter: AuditFilter) throws(StoreError) -> [AuditEntry]
    /// Everything that says the log was tampered with, named; empty when the chain holds.
    func auditChainProblems() throws(StoreError) -> [String]
}
