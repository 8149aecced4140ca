import CDPCore

/// Every version of `governance/access.toml` a lake has seen, so a change is noticed and audited.
public protocol AccessPolicyRepository: Sendable {
    /// The last audit row that recorded a version of the access file, or nil.
    func lastAccessFileEvent() throws(StoreError) -> AuditEntry?
    /// The version recorded last, or nil when the lake never saw an access file.
    func latestAccessPolicy() throws(StoreError) -> AccessPolicyVersion?
    /// Records a version and its audit row in one transaction, unless the last version has this hash already.
    /// Returns whether it recorded.
    @discardableResult
    func recordAccessPolicy(
        sha256: String, text: String, event: String, by user: String, at: String, audit: AuditDraft
    ) throws(StoreError) -> Bool
    /// Every recorded version, oldest first.
    func accessPolicyHistory() throws(StoreError) -> [AccessPolicyVersion]
}
