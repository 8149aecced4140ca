import CDPCore

/// A source record's current golden record and how many source records it holds.
public struct GoldenMembership: Sendable, Hashable, Codable {
    public var golden: GoldenID
    public var memberCount: Int

    public init(golden: GoldenID, memberCount: Int) {
        self.golden = golden
        self.memberCount = memberCount
    }
}

/// Where a customer record stands in the lake.
public struct CustomerWhereabouts: Sendable, Hashable {
    /// It has a current silver row.
    public var inSilver: Bool
    /// The status of its latest quarantine record, if it has one.
    public var quarantine: QuarantineStatus?
    /// The rules that record failed (empty when not quarantined, or when the store does not say).
    public var quarantineRules: [String]

    public init(inSilver: Bool, quarantine: QuarantineStatus?, quarantineRules: [String] = []) {
        self.inSilver = inSilver
        self.quarantine = quarantine
        self.quarantineRules = quarantineRules
    }

    /// Why a record without a golden record has none: a record held (or rejected) in quarantine and never
    /// released; in silver but not matched since; or not in the lake.
    public var notMatchedReason: MatchEvaluation.NotMatchedReason {
        switch quarantine {
        case .open?, .fixed?: return .quarantined
        case .rejected?: return .rejected
        case .released?, nil: return inSilver ? .notMatchedYet : .notInLake
        }
    }
}

public struct PairDecision: Sendable, Hashable, Codable {
    public var a: SourceRecordID
    public var b: SourceRecordID
    public var decision: PairDecisionKind
    public var reason: String?
    public var decidedBy: String
    public var decidedAt: String

    public init(
        a: SourceRecordID,
        b: SourceRecordID,
        decision: PairDecisionKind,
        reason: String? = nil,
        decidedBy: String,
        decidedAt: String
    ) {
        self.a = a
        self.b = b
        self.decision = decision
        self.reason = reason
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// A candidate pair to store for review.
public struct CandidateDraft: Sendable {
    public var a: SourceRecordID
    public var b: SourceRecordID
    public var probability: Double
    public var key: String
    public var explanation: String
    public init(a: SourceRecordID, b: SourceRecordID, probability: Double, key: String, explanation: String) {
        (self.a, self.b) = a < b ? (a, b) : (b, a)
        self.probability = probability
        self.key = key
        self.explanation = explanation
    }
}

/// The review queue to write, made in batches while it is written: a million-customer run queues hundreds
/// of thousands of pairs, each with an explanation, and holding them all at once would cost more memory
/// than the whole match.
public struct CandidateBatches: Sendable {
    public var count: Int
    public var batchSize: Int
    /// The drafts of candidates `range`, in queue order.
    public var drafts: @Sendable (Range<Int>) -> [CandidateDraft]

    public init(count: Int, batchSize: Int = 8_192, drafts: @escaping @Sendable (Range<Int>) -> [CandidateDraft]) {
        self.count = count
        self.batchSize = max(1, batchSize)
        self.drafts = drafts
    }

    public init(_ drafts: [CandidateDraft]) {
        self.init(count: drafts.count) { Array(drafts[$0]) }
    }

    /// Every batch's range, in order.
    public var ranges: [Range<Int>] {
        stride(from: 0, to: count, by: batchSize).map { $0..<min(count, $0 + batchSize) }
    }
}

/// A run's golden records as the store writes them: the clusters with their surviving values, their ids,
/// and how to find a stored cross-reference's record. Text is produced per record while writing, so a
/// million golden records are never all held as strings.
public struct GoldenWrite: Sendable {
    public var set: GoldenRecordSet
    public var records: MatchRecords
    public var index: SourceRecordIndex
    /// Per cluster of `set`, its golden id.
    public var ids: [Int64]
    public var writer: GoldenJSONWriter
    /// Steward overrides by golden id (attribute → value).
    public var overrides: [GoldenID: [String: String]]

    public init(
        set: GoldenRecordSet, records: MatchRecords, index: SourceRecordIndex, ids: [Int64], writer: GoldenJSONWriter,
        overrides: [GoldenID: [String: String]]
    ) {
        self.set = set
        self.records = records
        self.index = index
        self.ids = ids
        self.writer = writer
        self.overrides = overrides
    }
}

public struct MatchWriteSummary: Sendable, Codable {
    public var candidates = 0
    public var goldenCreated = 0
    public var goldenUpdated = 0
    public var goldenRetired = 0
    public var linksChanged = 0

    public init() {}
}

public struct GoldenLink: Sendable, Hashable, Codable {
    public var record: SourceRecordID
    public var golden: GoldenID
    public var validFrom: MatchRunID
    public var validTo: MatchRunID?

    public init(record: SourceRecordID, golden: GoldenID, validFrom: MatchRunID, validTo: MatchRunID? = nil) {
        self.record = record
        self.golden = golden
        self.validFrom = validFrom
        self.validTo = validTo
    }
}

public struct GoldenOverride: Sendable, Hashable, Codable {
    public var attribute: String
    public var value: String
    public var setBy: String
    public var setAt: String

    public init(attribute: String, value: String, setBy: String, setAt: String) {
        self.attribute = attribute
        self.value = value
        self.setBy = setBy
        self.setAt = setAt
    }
}

public struct CandidateRow: Sendable, Hashable, Codable {
    public var id: CandidateID
    public var run: MatchRunID
    public var a: SourceRecordID
    public var b: SourceRecordID
    public var probability: Double
    public var key: String
    public var explanation: String
    public var status: CandidateStatus
    public var decidedBy: String?
    public var decidedAt: String?

    public init(
        id: CandidateID,
        run: MatchRunID,
        a: SourceRecordID,
        b: SourceRecordID,
        probability: Double,
        key: String,
        explanation: String,
        status: CandidateStatus,
        decidedBy: String? = nil,
        decidedAt: String? = nil
    ) {
        self.id = id
        self.run = run
        self.a = a
        self.b = b
        self.probability = probability
        self.key = key
        self.explanation = explanation
        self.status = status
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// A golden record as stored.
public struct GoldenRow: Sendable, Hashable, Codable {
    public var id: GoldenID
    public var attributesJSON: String
    public var memberCount: Int
    public var createdRun: MatchRunID
    public var updatedRun: MatchRunID
    public var retiredRun: MatchRunID?

    public init(
        id: GoldenID,
        attributesJSON: String,
        memberCount: Int,
        createdRun: MatchRunID,
        updatedRun: MatchRunID,
        retiredRun: MatchRunID? = nil
    ) {
        self.id = id
        self.attributesJSON = attributesJSON
        self.memberCount = memberCount
        self.createdRun = createdRun
        self.updatedRun = updatedRun
        self.retiredRun = retiredRun
    }
}
