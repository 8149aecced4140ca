import Testing

@testable import CDPCore

/// The pipeline's phases: each with its time and, where a meter is given, its own peak memory.
@Suite struct MatchPhaseTests {
    /// Each phase carries the peak the meter gave as it ended, in phase order; with a truth, the pairs are measured
    /// against it in a phase of its own after the match's.
    @Test func eachPhaseCarriesItsOwnPeakMemory() {
        let (records, pipeline) = BlockingRecallTests.sameDayPipeline()
        var asked = 0.0
        let meter = { () -> Double? in
            asked += 1
            return asked * 100
        }
        let plain = pipeline.run(records, peakMemory: meter).statistics.phases
        #expect(plain.map(\.name) == ["stitch", "blocking", "scoring", "em", "clustering"])
        #expect(plain.map(\.peakMegabytes) == [100, 200, 300, 400, 500])
        #expect(pipeline.run(records).statistics.phases.allSatisfy { $0.peakMegabytes == nil })
        let measured = pipeline.run(records, truth: [1, 1, 2], peakMemory: meter).statistics.phases
        #expect(measured.map(\.name) == ["stitch", "blocking", "scoring", "em", "clustering", MatchPipeline.evaluationPhase])
        #expect(measured.last?.peakMegabytes == 1_100)
    }
}
