import Testing

@testable import CDPCore

/// What the match keeps of the candidate pairs' patterns between scoring and clustering, and the histograms EM reads.
@Suite struct PatternColumnTests {
    /// The oracle: each distinct pattern with its count, ascending, by a dictionary.
    static func counted(_ patterns: ArraySlice<UInt64>) -> [UInt64: Int] {
        patterns.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    static func same(_ histogram: [(pattern: UInt64, count: Int)], _ oracle: [UInt64: Int]) -> Bool {
        histogram.map(\.pattern) == oracle.keys.sorted() && histogram.allSatisfy { oracle[$0.pattern] == $0.count }
    }

    @Test func codesGiveBackEveryPatternAndHistogramsCountThem() {
        var random = SplitMix64(seed: 3)
        // 20,000 pairs on 300 patterns spread over 64 bits, as comparisons put levels four bits apart.
        let distinct = (0..<300).map { _ in random.next() }
        let patterns = (0..<20_000).map { _ in distinct[Int(random.next() % 300)] }
        let column = PatternColumn(patterns)
        #expect(column.isCoded)
        #expect(column.count == patterns.count)
        #expect(patterns.indices.allSatisfy { column[$0] == patterns[$0] })
        for range in [0..<patterns.count, 0..<0, 17..<4_321, 19_999..<20_000] {
            #expect(Self.same(column.histogram(range), Self.counted(patterns[range])))
        }
        #expect(Self.same(PatternColumn.histogram(patterns), Self.counted(patterns[...])))
    }

    @Test func pastTheCodeLimitThePatternsThemselvesAreKept() {
        let patterns = (0..<UInt64(PatternColumn.codeLimit + 10)).map { $0 * 16 } + [32, 48, 32]
        let column = PatternColumn(patterns)
        #expect(!column.isCoded)
        #expect(patterns.indices.allSatisfy { column[$0] == patterns[$0] })
        #expect(Self.same(column.histogram(65_530..<patterns.count), Self.counted(patterns[65_530...])))
        let atTheLimit = PatternColumn((0..<UInt64(PatternColumn.codeLimit)).map { $0 } + [7])
        #expect(atTheLimit.isCoded, "65,536 distinct patterns still have a code each")
        #expect(atTheLimit[PatternColumn.codeLimit] == 7)
    }

    @Test func mergedHistogramsAddTheCountsOfAPatternInBoth() {
        let merged = PatternColumn.merged([(1, 2), (5, 1), (9, 4)], [(0, 1), (5, 3), (10, 1)])
        #expect(merged.map(\.pattern) == [0, 1, 5, 9, 10])
        #expect(merged.map(\.count) == [1, 2, 4, 4, 1])
        #expect(PatternColumn.merged([], [(3, 1)]).map(\.pattern) == [3])
    }

    /// Entities in ascending label order (negative labels first, as numbers), each one's records ascending;
    /// records without a label are left out.
    @Test func entityMembersGroupTheTruthsRecordsByEntity() {
        let labels: [Int32?] = [7, nil, -2, 7, 0, -2, 7, nil]
        let entities = EntityMembers(labels)
        #expect(entities.count == 3)
        #expect((0..<entities.count).map { Array(entities[$0]) } == [[2, 5], [4], [0, 3, 6]])
        #expect(EntityMembers([nil, nil]).count == 0)
    }

    /// `run` keeps the candidate patterns as codes and hands EM per-rule histograms, without a comparison kernel;
    /// `estimateParameters` (what Spark's driver calls) takes every pattern. Both give one model, whatever the split.
    @Test func theRunsModelIsTheOneEstimatedFromEveryPattern() {
        var random = SplitMix64(seed: 11)
        let first = ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus"], last = ["Lee", "Kim", "Roe", "Day"]
        var inputs: [MatchInput] = []
        for person in 0..<120 {
            let name = (first[Int(random.next() % 7)], last[Int(random.next() % 4)])
            let born = "19\(50 + person % 40)-0\(1 + person % 9)-1\(person % 10)"
            for copy in 0..<(1 + Int(random.next() % 3)) {
                inputs.append(
                    MatchInput(
                        source: "s", sourceKey: "\(person)-\(copy)", firstName: name.0, lastName: name.1,
                        email: random.next() % 3 == 0 ? nil : "p\(person)@x.example", birthDate: random.next() % 4 == 0 ? nil : born,
                        postcode: "P\(person % 13)"))
            }
        }
        let records = MatchRecords(inputs)
        let levels: [ComparisonLevel] = [.init(.null), .init(.exact), .init(.else)]
        let comparisons = [
            Comparison(name: "first", tag: "FIRST", field: .firstName, levels: levels),
            Comparison(name: "last", tag: "LAST", field: .lastName, levels: levels),
            Comparison(name: "dob", tag: "DOB", field: .birthDate, levels: levels),
            Comparison(name: "postcode", tag: "POSTCODE", field: .postcode, levels: levels),
        ]
        let configuration = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil,
            estimation: .init(randomPairs: 2_000, emIterations: 20, convergence: 1e-6, seed: 5, minLinkedPairs: 10),
            stitching: .init(identifiers: [.email], maxRecordsPerValue: 4, crmSource: "s"),
            blocking: .init(
                rules: [
                    BlockingRule(name: "postcode", keys: [.postcode]), BlockingRule(name: "surname", keys: [.surname]),
                    BlockingRule(name: "dob", keys: [.birthDate]),
                ], maxBlockSize: 60),
            comparisons: comparisons, clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: ["s"], rules: [:], defaultRule: .sourceOrder))
        let pipeline = MatchPipeline(configuration: configuration, threads: 2)
        let outcome = pipeline.run(records)

        let comparator = PairComparator(comparisons: comparisons, records: records)
        let blocked = Blocker(records: records, blocking: configuration.blocking).candidatePairs()
        #expect(blocked.overlapPairs.contains { !$0.isEmpty }, "the rules overlap, so EM sees pairs an earlier rule produced")
        func patterns(_ pairs: [UInt64]) -> [UInt64] { pairs.map { comparator.pattern(Int($0 >> 32), Int($0 & 0xFFFF_FFFF)) } }
        let (model, training) = pipeline.estimateParameters(
            candidatePatterns: patterns(blocked.pairs), pairsPerRule: blocked.pairsPerRule, overlapPatterns: blocked.overlapPairs.map(patterns),
            randomPatterns: patterns(pipeline.randomPairs(count: records.count)),
            links: Stitcher(records: records, settings: configuration.stitching).links(), decisions: .init(), comparator: comparator,
            recordCount: records.count)
        #expect(outcome.model == model)
        #expect(outcome.statistics.training == training)
        #expect(training.contains { $0.kind == .links }, "m is counted on the email links too")
    }
}
