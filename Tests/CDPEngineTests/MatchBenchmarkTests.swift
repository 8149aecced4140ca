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
    }
}
