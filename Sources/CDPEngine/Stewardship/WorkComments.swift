import CDPCore
import CDPRepositories

/// One comment of a record's or pair's thread.
public struct WorkComment: Sendable, Hashable, Codable {
    public var author: String
    /// When it was written (ISO 8601 UTC).
    public var at: String
    /// What was written; withheld for a reader without `view_pii`, as every free text a user typed is.
    public var text: String

    public init(author: String, at: String, text: String) {
        self.author = author
        self.at = at
        self.text = text
    }
}

/// A short thread of comments on a quarantined record or a candidate pair ("called the branch, the customer
/// moved"). Each comment is an audit row (`work.comment`: actor, time, the item, the text as the row's reason), so
/// the thread is as tamper-evident as every steward action, is kept on whichever store the workspace uses, and is
/// read back as every audit row is: the text withheld from a reader without `view_pii`.
public struct WorkComments: Sendable {
    static let action = "work.comment"
    /// The longest comment taken, in characters: a thread is for notes, not documents.
    public static let maximumLength = 500
    /// Comments kept per item when read back, newest.
    static let threadLimit = 1000

    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// Checks the user may comment on `item` before the console asks for the text.
    /// - Throws: `.forbidden` without the permission to act on the item (audited).
    public func authorizeCommenting(on item: WorkItem) throws(EngineError) {
        try workspace.authorize(WorkAssignments.permission(item.kind), environment, attempt: "\(Self.action) \(item)")
    }

    /// Adds a comment to `item`'s thread.
    /// - Throws: `.forbidden` without the permission to act on the item (audited); `.refused` for an empty or too
    ///   long text; `.notFound` when the item does not exist.
    @discardableResult
    public func comment(on item: WorkItem, text: String) throws(EngineError) -> WorkComment {
        try authorizeCommenting(on: item)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw EngineError(.refused, "a comment on \(item) needs text: write what others should know") }
        guard trimmed.count <= Self.maximumLength else {
            throw EngineError(
                .refused, "a comment is at most \(Self.maximumLength) characters (this one has \(trimmed.count)); say it shorter, or in two")
        }
        try WorkAssignments(workspace: workspace, environment: environment).requireExisting([item])
        let at = environment.timestamp
        try storeCall { () throws(StoreError) in
            try workspace.repositories.audit.appendAudit(
                AuditDraft(actor: environment.user, action: Self.action, target: item.description, reason: trimmed), at: at)
        }
        return WorkComment(author: environment.user, at: at, text: trimmed)
    }

    /// `item`'s thread, oldest first, as this user may read it (the text withheld without `view_pii`).
    /// - Throws: `.store` when the audit log cannot be read.
    public func thread(of item: WorkItem) throws(EngineError) -> [WorkComment] {
        let target = item.description
        let rows = try workspace.reader(for: environment).auditEntries(AuditFilter(action: Self.action, target: target, limit: Self.threadLimit))
        return rows.reversed().map { WorkComment(author: $0.actor, at: $0.at, text: $0.reason ?? "") }
    }
}
