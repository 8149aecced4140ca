import CDPCore
import Testing

@testable import CDPEngine

/// `cdp bench match` quotes the matcher's own work apart from the lake's read and write.
struct MatchBenchmarkTests {
    @Test func phasesSplitIntoLoadMatchAndPersist() {
        let phases = [("load", 2.0), ("stitch", 0.5), ("blocking", 1.0), ("scoring", 3.0), ("golden", 0.25), ("persist", 4.0)]
            .map { MatchPipeline.Statistics.Phase(name: $0.0, seconds: $0.1) }
        let totals = MatchBenchmark.PhaseTotals(phases)
        #expect(totals.load == 2.0)
        #expect(totals.match == 4.75)
        #expect(totals.persist == 4.0)
        #expect(MatchBenchmark.PhaseTotals(Array(phases.dropLast())).persist == 0)
        // Measuring against the truth is the benchmark's own work, not the match's.
        let evaluated = phases + [MatchPipeline.evaluationPhase, MatchService.evaluationPhase].map {
            MatchPipeline.Statistics.Phase(name: $0, seconds: 8)
        }
        #expect(MatchBenchmark.PhaseTotals(evaluated).match == 4.75)
    }

    /// A run's peak is the highest of any phase of any repetition, or what came after the last phase.
    @Test func thePeakIsTheHighestPhasePeak() {
        let first = [("load", 300.0), ("scoring", 450.0)].map { MatchPipeline.Statistics.Phase(name: $0.0, seconds: 1, peakMegabytes: $0.1) }
        let second = [("load", 310.0), ("scoring", nil)].map { MatchPipeline.Statistics.Phase(name: $0.0, seconds: 1, peakMegabytes: $0.1) }
        #expect(MatchBenchmark.peak(of: [first, second], since: 50) == 450)
        #expect(MatchBenchmark.peak(of: [first, second], since: 700) == 700)
        #expect(MatchBenchmark.peak(of: [], since: 20) == 20)
    }

    /// What a lost pair's records differ in names each comparison not on its exact level; one taken as null while
    /// both values are there (given another comparison) is "not counted", not "missing".
    @Test func differencesNameEachComparisonOffItsExactLevel() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", lastName: "Lee", city: "Leeds", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Anne", lastName: "Lee", city: "Leeds", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Ann", lastName: "Lee", city: "York"),
        ])
        let levels: [ComparisonLevel] = [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.9), .init(.else)]
        let comparisons = [
            Comparison(name: "first", tag: "FIRST", field: .firstName, levels: levels),
            Comparison(name: "last", tag: "SURNAME", field: .lastName, levels: levels),
            Comparison(name: "postcode", tag: "POSTCODE", field: .postcode, levels: [.init(.null), .init(.exact), .init(.else)]),
            Comparison(name: "city", tag: "CITY", field: .city, levels: [.init(.null), .init(.exact), .init(.else)], given: "postcode"),
        ]
        let u = comparisons.map { [Double](repeating: 0.25, count: $0.levels.count) }
        let scorer = PairScorer(
            comparator: PairComparator(comparisons: comparisons, records: records), model: FellegiSunterModel(m: u, u: u, prior: 0.1))
        #expect(MatchService.differences(scorer, 0, 1) == "FIRST Jaro-Winkler ≥ 0.9, CITY not counted")
        #expect(MatchService.differences(scorer, 0, 2) == "POSTCODE missing, CITY different")
        #expect(MatchService.differences(scorer, 0, 0) == "CITY not counted")
    }
}
