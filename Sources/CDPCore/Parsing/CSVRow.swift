/// One record read by ``CSVParser``.
public struct CSVRow: Sendable, Hashable, Codable {
    /// The 1-based physical line on which the record starts.
    public var line: Int
    /// The field values, unquoted and decoded.
    public var fields: [String]
    /// What was wrong with the record's bytes; empty for a clean record.
    public var problems: [CSVRowProblem]

    public init(line: Int, fields: [String], problems: [CSVRowProblem] = []) {
        self.line = line
        self.fields = fields
        self.problems = problems
    }
}
