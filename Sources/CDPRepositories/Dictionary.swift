import CDPCore

/// One entry to save as a new version.
public struct DictionaryWrite: Sendable {
    public var entry: DictionaryEntry
    /// The version the writer read; the save is refused when someone saved another since.
    public var expectedVersion: Int
    /// What changed, for the history (`description, tags`).
    public var change: String
    public var audit: AuditDraft

    public init(entry: DictionaryEntry, expectedVersion: Int, change: String, audit: AuditDraft) {
        self.entry = entry
        self.expectedVersion = expectedVersion
        self.change = change
        self.audit = audit
    }
}
