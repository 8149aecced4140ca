import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Approving or rejecting every open pair of one explanation key above a probability: planned without
/// writing, decided pair by pair (each audited, plus one entry for the whole), pairs decided meanwhile
/// refused, and undone whole.
@Suite struct MatchReviewBulkTests {
    /// Three pairs alike in every way but their e-mails: one explanation key for the three.
    static let twins = """
        C9,Brian,Cole,brian@a.example,1985-03-03
        C10,Brian,Cole,b.cole@b.example,1985-03-03
        C11,Carla,Diaz,carla@a.example,1970-07-07
        C12,Carla,Diaz,c.diaz@b.example,1970-07-07
        C13,Dora,Egan,dora@a.example,1966-06-06
        C14,Dora,Egan,d.egan@b.example,1966-06-06

        """

    /// A matched workspace and its open pairs' most common explanation key.
    static func matched(_ name: String) throws -> (Workspace, MatchReview, key: String, open: [LakeStore.CandidateRow]) {
        let workspace = try MatchingServiceTests.workspace(name, extraRows: twins)
        _ = try MatchService(workspace: workspace, environment: EngineFixture.clock).run()
        let review = MatchReview(workspace: workspace, environment: EngineFixture.clock)
        let open = try review.candidates(status: .open, limit: 1000)
        let byKey = Dictionary(grouping: open, by: \.key)
        let key = try #require(byKey.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key)
        try #require((byKey[key]?.count ?? 0) >= 2)
        return (workspace, review, key, open)
    }

    @Test func everyOpenPairOfAKeyAboveAProbabilityIsApprovedThenUndoneWhole() throws {
        let (workspace, review, key, open) = try Self.matched("bulk-pairs")
        let ofKey = open.filter { $0.key == key }
        let expected = Set(ofKey.map(\.id))
        // Only pairs strictly above the floor: none is above the key's highest probability.
        let highest = try #require(ofKey.map(\.probability).max())
        #expect(try review.planBulk(.approved, PairSelection(key: key, above: highest)).candidates.isEmpty)
        let plan = try review.planBulk(.approved, PairSelection(key: key, above: 0))
        #expect(Set(plan.candidates.map(\.id)) == expected)
        #expect(plan.candidates.map(\.probability) == plan.candidates.map(\.probability).sorted(by: >))
        // A plan writes nothing.
        #expect(try review.counts()[.approved] == nil || review.counts()[.approved] == 0)

        var reports: [BulkProgress] = []
        let outcome = try review.applyBulk(plan) { reports.append($0); return true }
        #expect(Set(outcome.applied) == expected && outcome.refused.isEmpty)
        #expect(reports.last == BulkProgress(done: expected.count, total: expected.count))
        #expect(Set(try review.candidates(status: .approved, limit: 1000).map(\.id)) == expected)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.approve")).count == expected.count)
        let bulk = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.bulk.approve")).first)
        #expect(bulk.target.hasPrefix("\(expected.count) pairs (P"))
        #expect(bulk.after?.contains("key \(key) above") == true)

        let undone = try review.undoBulk(outcome)
        #expect(Set(undone.applied) == expected)
        #expect(try review.candidates(status: .approved, limit: 1000).isEmpty)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.undo")).count == expected.count)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.bulk.undo")).count == 1)
    }

    @Test func aPairDecidedMeanwhileIsRefusedAndOtherKeysAreLeftAlone() throws {
        let (workspace, review, key, open) = try Self.matched("bulk-pairs-meanwhile")
        let plan = try review.planBulk(.rejected, PairSelection(key: key, above: 0), reason: "different people")
        let first = try #require(plan.candidates.first)
        try review.approve(first.id, reason: "mine")
        let outcome = try review.applyBulk(plan)
        #expect(outcome.refused[first.id]?.contains("already approved") == true)
        #expect(outcome.applied.count == plan.candidates.count - 1)
        // Pairs of other keys stay open.
        let others = Set(open.filter { $0.key != key }.map(\.id))
        #expect(Set(try review.candidates(status: .open, limit: 1000).map(\.id)) == others)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.reject")).first?.reason == "different people")
    }

    @Test func aSourcePairNarrowsTheSelectionAndBadRequestsAreRefused() throws {
        let (_, review, key, _) = try Self.matched("bulk-pairs-refused")
        #expect(try review.planBulk(.approved, PairSelection(key: key, above: 0, sources: SourcePair("crm", "web"))).candidates.isEmpty)
        #expect(try !review.planBulk(.approved, PairSelection(key: key, above: 0, sources: SourcePair("crm", "crm"))).candidates.isEmpty)
        #expect(SourcePair(parsing: "web + crm") == SourcePair("crm", "web"))
        #expect(SourcePair(parsing: "crm") == nil)
        let open = #expect(throws: EngineError.self) { try review.planBulk(.open, PairSelection(key: key, above: 0)) }
        #expect(open?.code == .refused)
        let floor = #expect(throws: EngineError.self) { try review.planBulk(.approved, PairSelection(key: key, above: 1)) }
        #expect(floor?.message.contains("below 1") == true)
    }
}
