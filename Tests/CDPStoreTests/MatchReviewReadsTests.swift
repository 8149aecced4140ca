import CDPCore
import Foundation
import Testing

@testable import CDPStore

/// The review screens' reads: the queue around a centre, memberships, and links among a set of records.
struct MatchReviewReadsTests {
    static func record(_ key: String) -> SourceRecordID { SourceRecordID(source: "crm", key: key) }

    static let candidates = [("K1", "K3", 0.2), ("K2", "K3", 0.6), ("K3", "K4", 0.9)].map { a, b, p in
        LakeStore.CandidateDraft(a: Self.record(a), b: Self.record(b), probability: p, key: "+NAME", explanation: "{}")
    }

    /// Four records in three golden records (K1 and K2 together) and three candidates.
    func prepared(_ kind: StoreKind, candidates: LakeStore.CandidateBatches = LakeStore.CandidateBatches(Self.candidates)) throws -> LakeStore {
        let store = try kind.make()
        let run = try store.startMatchRun(actor: "ann", at: at)
        // Golden records 1 = {K1, K2}, 2 = {K3}, 3 = {K4}.
        let records = MatchRecords(["K1", "K2", "K3", "K4"].map { MatchInput(source: "crm", sourceKey: $0, firstName: $0) })
        let policy = SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .mostComplete)
        let set = GoldenRecordSet(clusterOf: [0, 0, 2, 3], survivorship: Survivorship(policy: policy, records: records))
        let golden = LakeStore.GoldenWrite(
            set: set, records: records, index: SourceRecordIndex(records), ids: [1, 2, 3],
            writer: GoldenJSONWriter(set: set, records: records, policy: policy), overrides: [:])
        _ = try store.writeMatchResult(run: run, candidates: candidates, golden: golden, statisticsJSON: "{}", modelJSON: "{}", at: at)
        return store
    }

    @Test(arguments: StoreKind.allCases)
    func theQueueIsOrderedByDistanceFromTheCentre(kind: StoreKind) throws {
        let store = try prepared(kind)
        func order(_ centre: Double) throws -> [Double] {
            try store.candidates(status: .open, limit: 10, around: centre).map(\.probability)
        }
        #expect(try order(0.5) == [0.6, 0.2, 0.9])
        #expect(try order(0.85) == [0.9, 0.6, 0.2])
        #expect(try store.candidates(status: .open, limit: 10).map(\.probability) == [0.6, 0.2, 0.9])
    }

    @Test(arguments: StoreKind.allCases)
    func theQueueIsMadeBatchByBatchAsItIsWritten(kind: StoreKind) throws {
        let requested = LockedRanges()
        let batches = LakeStore.CandidateBatches(count: Self.candidates.count, batchSize: 2) { range in
            requested.append(range)
            return Array(Self.candidates[range])
        }
        let store = try prepared(kind, candidates: batches)
        #expect(requested.ranges == [0..<2, 2..<3])
        let written = try store.candidates(status: nil, limit: 10).sorted { $0.id.rawValue < $1.id.rawValue }
        #expect(written.map(\.probability) == [0.2, 0.6, 0.9])
    }

    @Test(arguments: StoreKind.allCases)
    func membershipsNameTheGoldenRecordAndItsSize(kind: StoreKind) throws {
        let store = try prepared(kind)
        let memberships = try store.goldenMemberships(of: ["K2", "K4", "K9"].map(Self.record))
        #expect(memberships[Self.record("K2")] == LakeStore.GoldenMembership(golden: GoldenID(1), memberCount: 2))
        #expect(memberships[Self.record("K4")] == LakeStore.GoldenMembership(golden: GoldenID(3), memberCount: 1))
        #expect(memberships[Self.record("K9")] == nil)
        #expect(try store.goldenMembers(of: GoldenID(1)) == ["K1", "K2"].map(Self.record))
    }

    @Test(arguments: StoreKind.allCases)
    func linksAmongRecordsLeaveOutPairsReachingOutside(kind: StoreKind) throws {
        let store = try prepared(kind)
        try store.transaction("decide") { transaction in
            try transaction.recordDecision(Self.record("K3"), Self.record("K2"), .noMatch, reason: "twins", by: "sam", at: at)
            try transaction.recordDecision(Self.record("K3"), Self.record("K4"), .match, reason: nil, by: "sam", at: at)
        }
        let cluster = ["K1", "K2", "K3"].map(Self.record)
        #expect(try store.candidates(among: cluster).map(\.probability) == [0.2, 0.6])
        let decisions = try store.pairDecisions(among: cluster)
        #expect(decisions.map(\.decision) == [.noMatch])
        #expect(decisions.first?.a == Self.record("K2") && decisions.first?.reason == "twins")
        #expect(try store.candidates(among: [Self.record("K1")]).isEmpty)
    }
}

/// The ranges a batch source was asked for, in order.
final class LockedRanges: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Range<Int>] = []
    func append(_ range: Range<Int>) { lock.withLock { stored.append(range) } }
    var ranges: [Range<Int>] { lock.withLock { stored } }
}

extension MatchReviewReadsTests {
    /// A retired golden record has no members left: its history is still read (its own audit rows), where the
    /// read used to fail binding one value to two lists of marks.
    @Test(arguments: StoreKind.allCases)
    func theHistoryOfAGoldenRecordWithoutMembersIsRead(kind: StoreKind) throws {
        let store = try prepared(kind)
        _ = try store.appendAudit(AuditDraft(actor: "ann", action: "golden.override", target: "G2.email", after: "x"), at: at)
        #expect(try store.mergeHistory(of: GoldenID(2), members: []).map(\.target) == ["G2.email"])
    }
}
