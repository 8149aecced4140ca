/// Accuracy of predicted clusters against a ground truth.
///
/// Pairwise: every pair of records in one predicted cluster is a predicted match; precision, recall and F1
/// over pairs. Cluster-level: a predicted cluster counts as correct when it holds exactly the records of one
/// true entity (singletons included); precision over predicted clusters, recall over true entities.
/// Records the truth does not name are left out; every record the truth names counts, and one that was not
/// matched (quarantined, not in the lake, not matched yet) counts as a cluster of its own.
public struct MatchEvaluation: Sendable, Hashable, Codable {
    public var records: Int
    public var truePairs: Int
    public var predictedPairs: Int
    public var correctPairs: Int
    public var pairPrecision: Double
    public var pairRecall: Double
    public var pairF1: Double
    public var trueClusters: Int
    public var predictedClusters: Int
    public var exactClusters: Int
    public var clusterPrecision: Double
    public var clusterRecall: Double
    public var clusterF1: Double
    /// The cluster F1 of the best clustering of the records that were matched (each with exactly its entity's other
    /// matched records): a record not matched splits its entity, so that entity's cluster and the record's own both
    /// miss, whatever the matcher does. What cluster F1 lacks below this, the matcher lost.
    public var clusterF1Ceiling: Double
    public var largestCluster: Int
    /// Records of the truth that were not matched (each counted as a cluster of its own), by why.
    public var notMatched: [NotMatchedTally]

    /// How many records of the truth were not matched, for one reason.
    public struct NotMatchedTally: Sendable, Hashable, Codable {
        public var reason: NotMatchedReason
        public var records: Int
        public init(reason: NotMatchedReason, records: Int) {
            self.reason = reason
            self.records = records
        }
    }

    /// Why a record named by the truth has no golden record.
    public enum NotMatchedReason: String, Sendable, Hashable, Codable, CaseIterable {
        /// Held in quarantine (open or fixed, not yet released): it never reached matching.
        case quarantined
        /// Rejected by a steward from quarantine.
        case rejected
        /// In silver, but ingested after the last match run.
        case notMatchedYet = "not_matched_yet"
        /// Not in the lake at all (never ingested, or a key the sources do not hold).
        case notInLake = "not_in_lake"

        /// For reports: "quarantined", "not matched yet", …
        public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }
    }

    /// The records of the truth that were not matched.
    public var notMatchedRecords: Int { notMatched.reduce(0) { $0 + $1.records } }

    /// - Parameters:
    ///   - predicted: per record, its predicted cluster label.
    ///   - truth: per record, its true entity label, or nil when unknown.
    ///   - unmatched: the true entity labels of records the truth names that are not among `predicted`, each
    ///     counted as a predicted cluster of its own (a quarantined record is a missed match, not a record to
    ///     leave out).
    ///   - notMatched: why those were not matched (the tallies add up to `unmatched.count`).
    public init(predicted: [Int32], truth: [Int32?], unmatched: [Int32] = [], notMatched: [NotMatchedTally] = []) {
        precondition(predicted.count == truth.count, "one truth label per record")
        precondition(predicted.allSatisfy { $0 >= 0 }, "predicted labels are not negative (negative ones mark unmatched records)")
        var predictedSize: [Int32: Int] = [:]
        var trueSize: [Int32: Int] = [:]
        var both: [UInt64: Int] = [:]
        var evaluated = 0
        for (record, cluster) in predicted.enumerated() {
            guard let entity = truth[record] else { continue }
            evaluated += 1
            predictedSize[cluster, default: 0] += 1
            trueSize[entity, default: 0] += 1
            both[UInt64(UInt32(bitPattern: cluster)) << 32 | UInt64(UInt32(bitPattern: entity)), default: 0] += 1
        }
        for (offset, entity) in unmatched.enumerated() {
            let cluster = Int32(-1 - offset)
            evaluated += 1
            predictedSize[cluster] = 1
            trueSize[entity, default: 0] += 1
            both[UInt64(UInt32(bitPattern: cluster)) << 32 | UInt64(UInt32(bitPattern: entity)), default: 0] += 1
        }
        self.notMatched = notMatched
        func pairs(_ n: Int) -> Int { n * (n - 1) / 2 }
        records = evaluated
        truePairs = trueSize.values.reduce(0) { $0 + pairs($1) }
        predictedPairs = predictedSize.values.reduce(0) { $0 + pairs($1) }
        correctPairs = both.values.reduce(0) { $0 + pairs($1) }
        pairPrecision = predictedPairs == 0 ? 1 : Double(correctPairs) / Double(predictedPairs)
        pairRecall = truePairs == 0 ? 1 : Double(correctPairs) / Double(truePairs)
        pairF1 = Self.f1(pairPrecision, pairRecall)
        // A predicted cluster is exact when all its records share one entity and that entity has no others.
        exactClusters = both.reduce(0) { count, entry in
            let cluster = Int32(bitPattern: UInt32(entry.key >> 32))
            let entity = Int32(bitPattern: UInt32(entry.key & 0xFFFF_FFFF))
            return count + (entry.value == predictedSize[cluster] && entry.value == trueSize[entity] ? 1 : 0)
        }
        trueClusters = trueSize.count
        predictedClusters = predictedSize.count
        clusterPrecision = predictedClusters == 0 ? 1 : Double(exactClusters) / Double(predictedClusters)
        clusterRecall = trueClusters == 0 ? 1 : Double(exactClusters) / Double(trueClusters)
        clusterF1 = Self.f1(clusterPrecision, clusterRecall)
        largestCluster = predictedSize.values.max() ?? 0
        var unmatchedOf: [Int32: Int] = [:]
        for entity in unmatched { unmatchedOf[entity, default: 0] += 1 }
        // The best clustering puts an entity's matched records in one cluster, exact when none of its records is
        // unmatched; an unmatched record is a cluster of its own, exact when it is its entity's only record.
        var bestPredicted = unmatched.count
        var bestExact = 0
        for (entity, size) in trueSize {
            let notMatched = unmatchedOf[entity] ?? 0
            if size > notMatched { bestPredicted += 1 }
            if notMatched == 0 || size == 1 { bestExact += 1 }
        }
        clusterF1Ceiling = trueClusters == 0
            ? 1 : Self.f1(Double(bestExact) / Double(max(1, bestPredicted)), Double(bestExact) / Double(trueClusters))
    }

    static func f1(_ precision: Double, _ recall: Double) -> Double {
        precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }
}
