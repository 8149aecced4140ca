import Testing

@testable import CDPCore

@Suite struct CalibrationBandTests {
    /// Each pair lands in the band whose edges hold its probability (a probability of 1 in the last band), with
    /// its truth counted and the band's mean probability beside its true share.
    @Test func pairsFallIntoTheBandOfTheirProbability() {
        let probabilities = [0.1, 0.85, 0.95, 0.99, 0.999, 1.0, 0.8, 0.5]
        let truths = [false, true, true, false, true, true, false, false]
        let bands = CalibrationBand.measure(count: probabilities.count, probability: { probabilities[$0] }, isTrue: { truths[$0] })
        #expect(bands.map(\.low) == [0, 0.5, 0.8, 0.9, 0.99, 0.999])
        #expect(bands.map(\.pairs) == [1, 1, 2, 1, 1, 2])
        #expect(bands.map(\.trueMatches) == [0, 0, 1, 1, 0, 2])
        #expect(bands[2].meanProbability == (0.85 + 0.8) / 2)
        #expect(bands[2].trueShare == 0.5)
        #expect(bands[5].meanProbability == (0.999 + 1.0) / 2)
        #expect(CalibrationBand.measure(count: 0, probability: { _ in 0 }, isTrue: { _ in false }).allSatisfy { $0.pairs == 0 && $0.meanProbability == 0 })
    }
}
