/// Where the match lost a true pair of two records it saw: the stage that left them in different clusters.
public enum LostPairStage: String, Sendable, Hashable, Codable, CaseIterable {
    /// No blocking rule put them together and no hard identifier linked them: never compared.
    case notCompared = "not_compared"
    /// Compared, but scored below the review threshold.
    case belowReview = "below_review"
    /// Scored between the thresholds: left in the steward queue.
    case inReview = "in_review"
    /// Linked by a hard identifier or scored at or above auto-merge, but kept apart by clustering (a birth-date or
    /// phone veto, a family check, the cluster size limit, the density cut).
    case keptApart = "kept_apart"

    /// For reports: "not compared (no blocking rule or hard identifier)", …
    public var label: String {
        switch self {
        case .notCompared: "not compared (no blocking rule or hard identifier)"
        case .belowReview: "compared, scored below the review threshold"
        case .inReview: "left in the review queue"
        case .keptApart: "linked or above auto-merge, kept apart by clustering"
        }
    }
}

/// A true pair (two records of one entity of the truth) the match left in different clusters, and where.
public struct LostTruePair: Sendable, Hashable {
    public var a: Int32
    public var b: Int32
    public var stage: LostPairStage
}

extension MatchPipeline {
    /// The true pairs among `labels` (nil: not in the truth) whose records `clusterOf` puts apart, in record
    /// order, each with the stage that lost it. A pair both linked and blocked counts as linked.
    /// - Parameter weight: the score of `pairs[index]`, asked only for lost true pairs.
    static func lostTruePairs(
        labels: [Int32?], clusterOf: [Int32], pairs: [UInt64], links: [Stitcher.Link], weight: (Int) -> Double,
        reviewWeight: Double, autoWeight: Double
    ) -> [LostTruePair] {
        var members: [Int32: [Int32]] = [:]
        for (record, label) in labels.enumerated() { if let label { members[label, default: []].append(Int32(record)) } }
        var lost: [UInt64: LostPairStage] = [:]
        for records in members.values where records.count > 1 {
            for x in records.indices {
                for y in (x + 1)..<records.count where clusterOf[Int(records[x])] != clusterOf[Int(records[y])] {
                    lost[pairKey(records[x], records[y])] = .notCompared
                }
            }
        }
        guard !lost.isEmpty else { return [] }
        for (index, pair) in pairs.enumerated() where lost[pair] != nil {
            let w = weight(index)
            lost[pair] = w >= autoWeight ? .keptApart : w >= reviewWeight ? .inReview : .belowReview
        }
        for link in links {
            let key = pairKey(link.a, link.b)
            if lost[key] != nil { lost[key] = .keptApart }
        }
        return lost.keys.sorted().map { key in
            LostTruePair(a: Int32(key >> 32), b: Int32(key & 0xFFFF_FFFF), stage: lost[key] ?? .notCompared)
        }
    }
}
