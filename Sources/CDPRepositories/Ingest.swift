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

/// One source row ready to be written: its lineage in the landed file and where it goes.
public struct IngestRow: Sendable {
    public enum Destination: Sendable {
        /// Valid: a silver row. `supersedes` marks the key's current silver row as history.
        case silver(values: [FieldValue?], supersedes: Bool, warnings: [RuleFailure])
        /// Invalid: held with every failure and the raw values by canonical field.
        case quarantine(fields: [String: String], failures: [RuleFailure])
    }

    public var line: Int
    public var sourceKey: String
    public var contentHash: Int64
    /// Where the record lies in the landed file.
    public var record: RecordSpan
    public var destination: Destination

    public init(line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, destination: Destination) {
        self.line = line
        self.sourceKey = sourceKey
        self.contentHash = contentHash
        self.record = record
        self.destination = destination
    }
}
