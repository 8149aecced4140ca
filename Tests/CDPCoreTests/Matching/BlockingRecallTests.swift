import Testing

@testable import CDPCore

/// Blocking recall against a truth: which true pairs blocking rules and hard-identifier links put before the scorer.
@Suite struct BlockingRecallTests {
    static func pair(_ a: UInt64, _ b: UInt64) -> UInt64 { a << 32 | b }

    @Test func truePairsAreCountedPerFirstRuleAndLinksOnlyWhenNoRuleReachedThem() {
        // Entities: {0, 1, 2}, {3, 4}, {5}; record 6 is not in the truth.
        let labels: [Int32?] = [10, 10, 10, 20, 20, 30, nil]
        let pairs = [Self.pair(0, 1), Self.pair(1, 5), Self.pair(3, 4), Self.pair(5, 6)]
        let links = [
            Stitcher.Link(a: 0, b: 1, identifier: .email),  // a rule reached it already
            Stitcher.Link(a: 0, b: 2, identifier: .phone),  // only this link reaches it
            Stitcher.Link(a: 2, b: 5, identifier: .phone),  // not a true pair
        ]
        let (recall, missed) = MatchPipeline.Statistics.BlockingRecall.measure(
            labels: labels, rules: ["first", "second"], pairs: pairs, pairsPerRule: [2, 2], links: links)
        #expect(recall.truePairs == 4)  // 0-1, 0-2, 1-2, 3-4
        #expect(recall.reachedPerRule == [1, 1])
        #expect(recall.reachedOnlyByIdentifiers == 1)
        #expect(recall.reached == 3)
        #expect(recall.recall == 0.75)
        #expect(recall.rules == ["first", "second"])
        #expect(recall.missed == 1)
        #expect(missed == [Self.pair(1, 2)])
    }

    /// Three records, the first two born the same day (the only block), compared on the first name alone.
    static func sameDayPipeline() -> (MatchRecords, MatchPipeline) {
        let records = MatchRecords([
            MatchInput(source: "a", sourceKey: "1", firstName: "Ann", lastName: "Lee", birthDate: "1980-01-01"),
            MatchInput(source: "a", sourceKey: "2", firstName: "Ann", lastName: "Lee", birthDate: "1980-01-01"),
            MatchInput(source: "a", sourceKey: "3", firstName: "Bo", lastName: "Kim", birthDate: "1990-01-01"),
        ])
        let configuration = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil, estimation: .init(randomPairs: 100, emIterations: 5, convergence: 1e-4, seed: 1),
            stitching: .init(identifiers: [], maxRecordsPerValue: 4, crmSource: "a"),
            blocking: .init(rules: [BlockingRule(name: "dob", keys: [.birthDate])], maxBlockSize: 10),
            comparisons: [Comparison(name: "first", tag: "FIRST", field: .firstName, levels: [.init(.null), .init(.exact), .init(.else)])],
            clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: [], rules: [:], defaultRule: .sourceOrder))
        return (records, MatchPipeline(configuration: configuration, threads: 1))
    }

    @Test func thePipelineMeasuresItOnlyWithATruth() {
        let (records, pipeline) = Self.sameDayPipeline()
        #expect(pipeline.run(records).statistics.blockingRecall == nil)
        let outcome = pipeline.run(records, truth: [1, 1, 1])
        #expect(outcome.statistics.blockingRecall?.truePairs == 3)
        #expect(outcome.statistics.blockingRecall?.reached == 1)
        // Only the two records born the same day share a block.
        #expect(outcome.missedTruePairs == [Self.pair(0, 2), Self.pair(1, 2)])
    }
}
