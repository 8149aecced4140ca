import CDPCore

public struct AuditDraft: Sendable {
    public var actor: String
    public var action: String
    public var target: String
    public var before: String?
    public var after: String?
    public var reason: String?
    public init(actor: String, action: String, target: String, before: String? = nil, after: String? = nil, reason: String? = nil) {
        self.actor = actor
        self.action = action
        self.target = target
        self.before = before
        self.after = after
        self.reason = reason
    }
}

public struct AuditFilter: Sendable {
    public var actor: String?
    public var action: String?
    /// Matches targets starting with this text (e.g. `Q12` or `quarantine:`).
    public var target: String?
    public var limit: Int
    public init(actor: String? = nil, action: String? = nil, target: String? = nil, limit: Int = 200) {
        self.actor = actor
        self.action = action
        self.target = target
        self.limit = limit
    }
}
