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
        var lost: [UInt64: LostPairStage] = [:]
        let entities = EntityMembers(labels)
        for entity in 0..<entities.count {
            let records = entities[entity]
            guard records.count > 1 else { continue }
            for x in records.indices {
                for y in (x + 1)..<records.endIndex where clusterOf[Int(records[x])] != clusterOf[Int(records[y])] {
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

/// The records of each entity of a truth (`labels`: per record, its entity or nil), entity by entity in ascending
/// label order, each entity's records ascending: one sorted array instead of an array per entity (at a million
/// records, a dictionary of arrays took about 100 MB where this takes 14).
struct EntityMembers {
    /// Every labelled record, grouped by entity.
    private let records: [Int32]
    /// Where each entity's records start in `records`, and one past the last.
    private let starts: [Int]

    init(_ labels: [Int32?]) {
        var keyed: [UInt64] = []
        keyed.reserveCapacity(labels.count)
        for (record, label) in labels.enumerated() {
            // The label's bits flipped at the sign, so negative labels sort before positive ones as numbers do.
            if let label { keyed.append(UInt64(UInt32(bitPattern: label) ^ 0x8000_0000) << 32 | UInt64(record)) }
        }
        keyed.sort()
        var starts: [Int] = []
        for index in keyed.indices where index == 0 || keyed[index] >> 32 != keyed[index - 1] >> 32 { starts.append(index) }
        starts.append(keyed.count)
        self.starts = starts
        records = keyed.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
    }

    /// How many entities have a record.
    var count: Int { starts.count - 1 }

    subscript(entity: Int) -> ArraySlice<Int32> { records[starts[entity]..<starts[entity + 1]] }
}
