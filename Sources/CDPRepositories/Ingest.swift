import CDPCore

public struct BatchCounts: Sendable, Hashable, Codable {
    public var read = 0, unchanged = 0, silver = 0, quarantined = 0, warned = 0
    public init() {}
}

public struct RuleTally: Sendable, Hashable {
    public var rule: String
    public var severity: RuleSeverity
    public var evaluated: Int
    public var failed: Int
    public init(rule: String, severity: RuleSeverity, evaluated: Int, failed: Int) {
        self.rule = rule
        self.severity = severity
        self.evaluated = evaluated
        self.failed = failed
    }
}
