import CDPCore

/// What other sessions changed in the lake, cheaply enough for a console to ask twice a second. Every steward
/// action (a fix, a release, a claim, a match decision, a dictionary edit) appends its audit row in the transaction
/// that makes it, so the audit log's newest id moves exactly when something a steward sees may have changed, on
/// whichever store and from whichever process.
public protocol ChangeFeedRepository: Sendable {
    /// The audit log's newest id now and the actions of the rows after `mark` (none when `mark` is nil: the first
    /// call only takes the mark). Only action names come back, never a row's values.
    func auditedChanges(after mark: AuditEntryID?) throws(StoreError) -> AuditedChanges
}

/// The answer of ``ChangeFeedRepository/auditedChanges(after:)``.
public struct AuditedChanges: Sendable, Hashable {
    /// The newest audit row's id (0 on an empty log): the mark to ask from next.
    public var head: AuditEntryID
    /// The distinct actions audited after the mark asked from (`quarantine.release`, `work.claim`, …), sorted.
    public var actions: [String]

    public init(head: AuditEntryID, actions: [String]) {
        self.head = head
        self.actions = actions
    }
}
