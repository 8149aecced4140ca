import CDPCore

/// Candidate pairs, steward decisions, golden records and their cross-references.
public protocol MatchingRepository: Sendable {
    /// Every current silver customer, read column by column, in a deterministic order, with the extra
    /// attributes named in `attributes` (members of `silver_customer.attributes`).
    func currentCustomerColumns(attributes: [String]) throws(StoreError) -> MatchColumns
    /// Per record of `index`, its current golden id (0 when it has none).
    func currentGoldenIDs(_ index: SourceRecordIndex, count: Int) throws(StoreError) -> [Int64]
    /// The current source record → golden id links.
    func forEachGoldenLink(_ body: (SourceRecordID, GoldenID) -> Void) throws(StoreError)
    /// Every steward decision between two records.
    func pairDecisions() throws(StoreError) -> [PairDecision]
    /// Every steward decision between two of `records`.
    func pairDecisions(among records: [SourceRecordID]) throws(StoreError) -> [PairDecision]
    /// The first golden id never used.
    func nextGoldenID() throws(StoreError) -> GoldenID
    func startMatchRun(actor: String, at: String) throws(StoreError) -> MatchRunID
    /// Writes a run's result in one transaction: the open queue replaced, golden records created, updated or
    /// retired, and a new cross-reference for every record whose golden id changed.
    func writeMatchResult(
        run: MatchRunID, candidates: CandidateBatches, golden: GoldenWrite, statisticsJSON: String, modelJSON: String, at: String
    ) throws(StoreError) -> MatchWriteSummary
    /// Candidates with `status` (all when nil), most uncertain first (probability nearest `centre`), then by id.
    func candidates(status: CandidateStatus?, limit: Int, around centre: Double) throws(StoreError) -> [CandidateRow]
    /// Every candidate whose two records are both in `records`, by id.
    func candidates(among records: [SourceRecordID]) throws(StoreError) -> [CandidateRow]
    func candidate(_ id: CandidateID) throws(StoreError) -> CandidateRow?
    func candidateCounts() throws(StoreError) -> [CandidateStatus: Int]
    func goldenRecord(_ id: GoldenID) throws(StoreError) -> (record: GoldenRow, links: [GoldenLink], overrides: [GoldenOverride])?
    /// The current golden id of a source record.
    func goldenID(of record: SourceRecordID) throws(StoreError) -> GoldenID?
    /// Every override, by golden id.
    func goldenOverrides() throws(StoreError) -> [GoldenID: [String: String]]
    /// The current members of a golden record.
    func goldenMembers(of golden: GoldenID) throws(StoreError) -> [SourceRecordID]
    /// The current golden record of each of `records` (records without one left out).
    func goldenMemberships(of records: [SourceRecordID]) throws(StoreError) -> [SourceRecordID: GoldenMembership]
    /// Per record, in order, where it stands: in silver, in quarantine (and how), or neither.
    func customerWhereabouts(of records: [SourceRecordID]) throws(StoreError) -> [CustomerWhereabouts]
    /// The current silver values of some source records.
    func customers(_ ids: [SourceRecordID]) throws(StoreError) -> [MatchInput]
    /// Whether this store keeps what a match run leaves for the next (`MatchState`); without it every match run
    /// trains the model and scores every pair.
    var keepsMatchState: Bool { get }
    /// What the last match run left for the next one (`MatchState.encoded()`), or nil when none did.
    func matchState() throws(StoreError) -> [UInt8]?
    /// Keeps `state` (`MatchState.encoded()`) as what match run `run` left, in place of the one before.
    /// - Throws: `.unsupported` on a store that does not keep match state.
    func saveMatchState(_ state: [UInt8], run: MatchRunID) throws(StoreError)
    /// Runs `body` in one write transaction (a steward action and its audit row commit together). An error
    /// `body` throws rolls back and comes out unchanged; the store's own errors come out as `StoreError`.
    func transaction<T>(_ operation: String, _ body: (any MatchTransaction) throws -> T) throws -> T
}

/// The writes a steward's match decision makes, inside one transaction with its audit row.
public protocol MatchTransaction {
    func setCandidateStatus(_ id: CandidateID, _ status: CandidateStatus, by actor: String?, at: String?) throws
    func recordDecision(
        _ a: SourceRecordID, _ b: SourceRecordID, _ decision: PairDecisionKind, reason: String?, by actor: String, at: String) throws
    func removeDecision(_ a: SourceRecordID, _ b: SourceRecordID) throws
    func relink(_ record: SourceRecordID, to golden: GoldenID, run: MatchRunID) throws
    func saveGolden(_ id: GoldenID, attributesJSON: String, memberCount: Int, run: MatchRunID) throws
    func nextGoldenID() throws -> GoldenID
    func latestRun() throws -> MatchRunID?
    func members(of golden: GoldenID) throws -> [SourceRecordID]
    func setOverride(_ golden: GoldenID, attribute: String, value: String, by actor: String, at: String) throws
    func audit(_ draft: AuditDraft, at: String) throws
    func goldenID(of record: SourceRecordID) throws -> GoldenID?
    func retireGolden(_ id: GoldenID, run: MatchRunID) throws
    func overrides(of golden: GoldenID) throws -> [String: String]
    func customers(_ ids: [SourceRecordID]) throws -> [MatchInput]
    func candidate(_ id: CandidateID) throws -> CandidateRow?
}

extension MatchingRepository {
    /// A store that does not keep match state (the team store today): every match run is whole.
    public var keepsMatchState: Bool { false }

    public func matchState() throws(StoreError) -> [UInt8]? { nil }

    public func saveMatchState(_ state: [UInt8], run: MatchRunID) throws(StoreError) {
        throw StoreError(.unsupported, "this store does not keep what a match run leaves for the next; matching runs whole")
    }
}
