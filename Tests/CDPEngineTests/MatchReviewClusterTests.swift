import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// What the review console reads through the engine: the queue's order, a candidate's proposed cluster,
/// and which attributes differ when the values are masked.
@Suite struct MatchReviewClusterTests {
    /// Robert and Bob Smith share an e-mail (stitched into one golden record); Rob Smyth is proposed
    /// against both. Every blocked pair goes to review.
    static let people = """
        id,first,last,email,born
        C1,Robert,Smith,rob@example.com,1980-01-01
        C2,Bob,Smith,rob@example.com,1980-01-01
        C3,Alice,Jones,alice@a.example,1990-05-05
        C4,Alice,Jones,alice.j@b.example,1990-05-05
        C5,Rob,Smyth,robert.smyth@c.example,1980-01-01
        C6,Mary,Shelley,mary@example.com,1997-08-30
        C7,Mary,Shelley,mshelley@d.example,1997-08-03

        """

    /// ann may decide and see everything; anyone else is a viewer.
    static let access = """
        default_role = "viewer"
        [roles]
        admin = ["view_pii", "decide_merges", "run_workflows"]
        viewer = []
        [users]
        ann = "admin"
        """

    static func workspace(_ name: String) throws -> Workspace {
        let workspace = try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: ["customers.csv": people])
        try EngineFixture.run(workspace)
        try setThresholds(workspace, review: "0.000001", autoMerge: "0.999999")
        try access.write(to: workspace.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let reopened = try Workspace(at: workspace.root.path)
        _ = try MatchService(workspace: reopened, environment: EngineFixture.clock).run()
        return reopened
    }

    static func setThresholds(_ workspace: Workspace, review: String, autoMerge: String) throws {
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        let text = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "auto_merge = 0.99 ", with: "auto_merge = \(autoMerge) ")
            .replacingOccurrences(of: "review = 0.80 ", with: "review = \(review) ")
            .replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 2000")
        try text.write(to: workspace.root.appendingPathComponent("governance/matching.toml"), atomically: true, encoding: .utf8)
    }

    static func record(_ key: String) -> SourceRecordID { SourceRecordID(source: "crm", key: key) }

    func candidate(_ review: MatchReview, _ a: String, _ b: String) throws -> LakeStore.CandidateRow {
        let pair: Set = [Self.record(a), Self.record(b)]
        return try #require(try review.candidates(status: nil, limit: 100).first { Set([$0.a, $0.b]) == pair })
    }

    @Test func theQueueIsOrderedAroundTheMiddleOfTheThresholds() throws {
        let workspace = try Self.workspace("queue-centre")
        let review = MatchReview(workspace: workspace, environment: EngineFixture.clock)
        #expect(try review.uncertaintyCentre() == 0.5)
        let probabilities = try review.candidates().map(\.probability)
        #expect(probabilities.count >= 3)
        #expect(probabilities == probabilities.sorted { abs($0 - 0.5) < abs($1 - 0.5) })
        // Thresholds low in the range put the most uncertain pairs low too.
        try Self.setThresholds(workspace, review: "0.0000001", autoMerge: "0.001")
        let centre = (0.0000001 + 0.001) / 2
        #expect(try review.uncertaintyCentre() == centre)
        let reordered = try review.candidates().map(\.probability)
        #expect(reordered == probabilities.sorted { abs($0 - centre) < abs($1 - centre) })
        #expect(reordered != probabilities)
    }

    @Test func aProposedClusterHoldsBothGoldenRecordsAndTheLinksAmongThem() throws {
        let workspace = try Self.workspace("cluster")
        let review = MatchReview(workspace: workspace, environment: EngineFixture.clock)
        let robRob = try candidate(review, "C1", "C5")
        let bobRob = try candidate(review, "C2", "C5")
        try review.reject(bobRob.id, reason: "different Rob")
        let cluster = try review.cluster(of: robRob.id)
        #expect(cluster.memberCount == 3)
        #expect(Set(cluster.members.map(\.record)) == Set(["C1", "C2", "C5"].map(Self.record)))
        #expect(cluster.goldenRecords.count == 2)
        #expect(cluster.members[0].golden == cluster.members[1].golden)
        #expect(cluster.members.first { $0.record == Self.record("C5") }?.values?.lastName == "Smyth")
        #expect(Set(cluster.links.map(\.id)) == [robRob.id, bobRob.id])
        #expect(cluster.links.first { $0.id == bobRob.id }?.status == .rejected)
        #expect(cluster.decisions.map(\.decision) == [.noMatch])
        // A pair of single records is a cluster of two.
        #expect(try review.cluster(of: candidate(review, "C3", "C4").id).memberCount == 2)
        #expect(throws: EngineError.self) { try review.cluster(of: CandidateID(999)) }
    }

    @Test func differingAttributesAreDecidedOnTheValuesNotTheMaskedOnes() throws {
        let workspace = try Self.workspace("differing")
        let viewer = MatchReview(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "vic"))
        let detail = try viewer.detail(try candidate(viewer, "C1", "C5").id)
        // Robert and Rob both mask to R***; the engine still says they differ.
        #expect(detail.recordA?.firstName == detail.recordB?.firstName)
        #expect(detail.differingAttributes == ["first_name", "last_name", "email"])
        let cluster = try viewer.cluster(of: detail.candidate.id)
        #expect(cluster.members.allSatisfy { $0.values?.email?.contains("***") == true })
    }
}
