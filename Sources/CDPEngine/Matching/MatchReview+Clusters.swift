import CDPCore
import CDPRepositories
import Foundation

extension MatchReview {
    /// The records one approval would put in a single golden record, and what links them: the steward sees
    /// a whole cluster, not just the pair, when either side already holds several records.
    public struct ProposedCluster: Sendable, Codable {
        public struct Member: Sendable, Codable {
            public var record: SourceRecordID
            /// Its golden record now (nil when the last match run did not link it).
            public var golden: GoldenID?
            /// Its current silver values, masked for this environment's user; nil when gone from silver.
            public var values: MatchInput?
        }

        public var candidate: CandidateID
        /// The candidate's two records.
        public var a: SourceRecordID
        public var b: SourceRecordID
        /// By golden record, then source record; at most ``MatchReview/clusterMemberLimit``.
        public var members: [Member]
        /// How many records the cluster holds (more than `members` when cut at the limit).
        public var memberCount: Int
        /// Every candidate pair, whatever its status, between two of `members`, with its probability.
        public var links: [CandidateRow]
        /// Steward decisions between two of `members` (a "not a match" here blocks part of the cluster),
        /// their reasons masked for this environment's user.
        public var decisions: [PairDecision]

        /// The golden records the members are in now, in member order.
        public var goldenRecords: [GoldenID] {
            var seen = Set<GoldenID>()
            return members.compactMap(\.golden).filter { seen.insert($0).inserted }
        }
    }

    /// How many records a cluster view reads: clustering caps clusters well below this, and a screen
    /// cannot show more.
    public static let clusterMemberLimit = 200

    /// The proposed cluster of a candidate: the members of both records' golden records.
    /// - Throws: `.notFound` naming the candidate.
    public func cluster(of id: CandidateID) throws(EngineError) -> ProposedCluster {
        guard let candidate = try storeCall({ () throws(StoreError) in try lake.matching.candidate(id) }) else {
            throw EngineError(.notFound, "no candidate \(id); list them with `cdp candidates list`")
        }
        var records: [SourceRecordID] = []
        var golden: [SourceRecordID: GoldenID] = [:]
        for side in [candidate.a, candidate.b] {
            guard let sideGolden = try storeCall({ () throws(StoreError) in try lake.matching.goldenID(of: side) }) else {
                if !records.contains(side) { records.append(side) }
                continue
            }
            for member in try storeCall({ () throws(StoreError) in try lake.matching.goldenMembers(of: sideGolden) }) where golden[member] == nil {
                golden[member] = sideGolden
                records.append(member)
            }
        }
        let memberCount = records.count
        // Both records of the pair always show, whatever the limit cuts.
        let shown = Array(
            ([candidate.a, candidate.b] + records.filter { $0 != candidate.a && $0 != candidate.b }).prefix(Self.clusterMemberLimit))
        let values = try storeCall { () throws(StoreError) in try lake.matching.customers(shown) }
        let masker = workspace.masker(for: environment)
        let members = shown.map { record in
            ProposedCluster.Member(
                record: record, golden: golden[record],
                values: values.first { $0.source == record.source && $0.sourceKey == record.key }.map(masker.matchInput))
        }.sorted { ($0.golden?.rawValue ?? .max, $0.record) < ($1.golden?.rawValue ?? .max, $1.record) }
        let links = try storeCall { () throws(StoreError) in try lake.matching.candidates(among: shown) }
        // A decision's reason is free text a steward typed: without view_pii it is withheld (no masking knows
        // what it quotes), as pair_decision.reason is from queries.
        let decisions = try storeCall { () throws(StoreError) in try lake.matching.pairDecisions(among: shown) }.map { decision in
            var masked = decision
            if masker.isActive { masked.reason = decision.reason.map { $0.isEmpty ? $0 : PIIMasker.withheldText } }
            return masked
        }
        return ProposedCluster(
            candidate: id, a: candidate.a, b: candidate.b, members: members, memberCount: memberCount, links: links, decisions: decisions)
    }
}
