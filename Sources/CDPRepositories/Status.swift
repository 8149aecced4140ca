import CDPCore

public struct SourceStatus: Sendable, Hashable, Codable {
    public var source: SourceName
    public var batches = 0
    public var bronze = 0
    public var silverCurrent = 0
    public var silverHistory = 0
    public var quarantineOpen = 0
    public var quarantineFixed = 0
    public var quarantineRejected = 0
    public var released = 0
    public var warnings = 0
    public init(source: SourceName) { self.source = source }
}

public struct RulePassRate: Sendable, Hashable, Codable {
    public var source: SourceName
    public var rule: String
    public var severity: String
    public var evaluated: Int
    public var failed: Int
    public var passRate: Double { evaluated == 0 ? 1 : Double(evaluated - failed) / Double(evaluated) }

    public init(source: SourceName, rule: String, severity: String, evaluated: Int, failed: Int) {
        self.source = source
        self.rule = rule
        self.severity = severity
        self.evaluated = evaluated
        self.failed = failed
    }
}
