/// A golden record: one real customer as the lake knows them (`G123`).
public struct GoldenID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "G"
}

/// A candidate pair in the steward queue (`P123`).
public struct CandidateID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "P"
}

/// One run of the matcher (`MR12`): golden cross-reference history is kept per match run.
public struct MatchRunID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "MR"
}

/// The state of a candidate pair.
public enum CandidateStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open
    case approved
    case rejected
}

/// A steward's standing decision about two source records.
public enum PairDecisionKind: String, Sendable, Hashable, Codable {
    /// Always in one golden record.
    case match
    /// Never in one golden record, never proposed again.
    case noMatch = "no_match"
}
