import Testing

@testable import CDPCore

/// Where the match lost each true pair of two records it saw.
@Suite struct LostTruePairsTests {
    static func pair(_ a: UInt64, _ b: UInt64) -> UInt64 { a << 32 | b }

    @Test func eachLostTruePairIsPutAtTheStageThatLostIt() {
        // Entities: {0, 1, 2, 3, 4, 5} and {6, 7}; record 8 is not in the truth. The match put 0 and 1 together
        // and left everyone else on their own.
        let labels: [Int32?] = [1, 1, 1, 1, 1, 1, 2, 2, nil]
        let clusterOf: [Int32] = [0, 0, 2, 3, 4, 5, 6, 7, 8]
        let pairs = [Self.pair(0, 1), Self.pair(0, 2), Self.pair(0, 3), Self.pair(0, 4), Self.pair(2, 8), Self.pair(6, 7)]
        let weights = [20.0, -3, 5, 12, 30, 12]  // review at 2, auto-merge at 10
        let links = [Stitcher.Link(a: 0, b: 5, identifier: .email), Stitcher.Link(a: 6, b: 7, identifier: .phone)]
        let lost = MatchPipeline.lostTruePairs(
            labels: labels, clusterOf: clusterOf, pairs: pairs, links: links, weight: { weights[$0] }, reviewWeight: 2, autoWeight: 10)
        let stageOf = Dictionary(uniqueKeysWithValues: lost.map { (Self.pair(UInt64($0.a), UInt64($0.b)), $0.stage) })
        #expect(stageOf[Self.pair(0, 1)] == nil)  // put together: not lost
        #expect(stageOf[Self.pair(0, 2)] == .belowReview)
        #expect(stageOf[Self.pair(0, 3)] == .inReview)
        #expect(stageOf[Self.pair(0, 4)] == .keptApart)  // above auto-merge, yet apart
        #expect(stageOf[Self.pair(0, 5)] == .keptApart)  // linked, yet apart
        #expect(stageOf[Self.pair(6, 7)] == .keptApart)  // linked and scored: counted as linked
        #expect(stageOf[Self.pair(2, 3)] == .notCompared)
        #expect(stageOf[Self.pair(2, 8)] == nil)  // not a true pair
        // Every true pair of entity 1 but 0-1 (14 of 15), and 6-7.
        #expect(lost.count == 15)
        #expect(lost.map { Self.pair(UInt64($0.a), UInt64($0.b)) } == lost.map { Self.pair(UInt64($0.a), UInt64($0.b)) }.sorted())
    }

    @Test func thePipelineReportsThemOnlyWithATruth() {
        let (records, pipeline) = BlockingRecallTests.sameDayPipeline()
        #expect(pipeline.run(records).lostTruePairs.isEmpty)
        let outcome = pipeline.run(records, truth: [1, 1, 1])
        // Record 2 shares no block with the others: both of its pairs were never compared.
        let notCompared = outcome.lostTruePairs.filter { $0.stage == .notCompared }.map { Self.pair(UInt64($0.a), UInt64($0.b)) }
        #expect(notCompared == [Self.pair(0, 2), Self.pair(1, 2)])
    }
}
