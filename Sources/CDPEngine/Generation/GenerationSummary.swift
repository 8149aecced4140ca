/// A deliberate defect the generator writes into a data file, so validation has something to catch.
public enum GeneratedProblem: String, Sendable, Hashable, Codable, CaseIterable {
    // customers.csv
    case malformedEmail
    case impossibleBirthDate
    case unknownCountry
    case missingRequiredField
    case createdAfterUpdated
    case duplicateKey
    case latin1Line
    case truncatedLine
    // contacts.jsonl (also malformedEmail, unknownCountry, duplicateKey)
    case badBirthday
    case invalidJSON
    // orders.csv
    case unknownCustomer
    case negativeAmount
    case nonNumericAmount
    case unknownCurrency
    // campaigns.csv
    case endBeforeStart
    case unknownChannel
    case negativeBudget
    // campaign_events.csv
    case unknownContact
    case unknownCampaign
    case unknownEventType
    case revenueOnNonConversion
    case malformedTimestamp

    /// The problems injected into each file, in the order the generator cycles through them.
    public static func kinds(in file: GeneratedFile) -> [GeneratedProblem] {
        switch file {
        case .customers:
            [.malformedEmail, .impossibleBirthDate, .unknownCountry, .missingRequiredField,
             .createdAfterUpdated, .duplicateKey, .latin1Line, .truncatedLine]
        case .contacts: [.malformedEmail, .unknownCountry, .badBirthday, .invalidJSON, .duplicateKey]
        case .orders: [.unknownCustomer, .negativeAmount, .nonNumericAmount, .unknownCurrency]
        case .campaigns: [.endBeforeStart, .unknownChannel, .negativeBudget]
        case .events:
            [.unknownContact, .unknownCampaign, .unknownEventType, .revenueOnNonConversion, .malformedTimestamp]
        case .truth: []
        }
    }
}

/// What one generation wrote: rows, deliberate problems and bytes per file, and the people behind them.
public struct GenerationSummary: Sendable, Hashable, Codable {
    /// How many rows carry one kind of problem.
    public struct ProblemCount: Sendable, Hashable, Codable {
        public var problem: GeneratedProblem
        public var rows: Int
    }

    /// One written file.
    public struct FileSummary: Sendable, Hashable, Codable {
        public var file: GeneratedFile
        public var path: String
        /// Data rows, header excluded, problem rows included.
        public var rows: Int
        /// Rows carrying a deliberate problem.
        public var problemRows: Int
        /// Problem rows per kind, in `GeneratedProblem.kinds(in:)` order.
        public var problems: [ProblemCount]
        public var bytes: Int

        /// The share of rows that carry a problem.
        public var problemRate: Double { rows == 0 ? 0 : Double(problemRows) / Double(rows) }

        /// The rows carrying one kind of problem.
        public func rows(with problem: GeneratedProblem) -> Int {
            problems.first { $0.problem == problem }?.rows ?? 0
        }
    }

    /// True entities behind all records.
    public var people: Int
    /// People with at least one CRM customer record.
    public var crmPeople: Int
    /// People known only to the marketing platform.
    public var marketingOnlyPeople: Int
    /// People with a second CRM record under another customer id.
    public var reRegistrations: Int
    /// The files written, in `GeneratedFile.allCases` order.
    public var files: [FileSummary]

    /// The summary of one file, if it was written.
    public func file(_ file: GeneratedFile) -> FileSummary? {
        files.first { $0.file == file }
    }

    /// Total bytes written.
    public var bytes: Int { files.reduce(0) { $0 + $1.bytes } }
}
