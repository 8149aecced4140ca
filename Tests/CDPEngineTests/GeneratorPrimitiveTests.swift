import Testing

@testable import CDPEngine

@Suite struct GeneratorPrimitiveTests {
    @Test(arguments: [
        (0, 1970, 1, 1), (59, 1970, 3, 1), (11_016, 2000, 2, 29), (19_844, 2024, 5, 1), (-1, 1969, 12, 31),
        (-25_567, 1900, 1, 1),
    ])
    func civilDateRoundTrips(days: Int, year: Int, month: Int, day: Int) {
        let date = CivilDate(daysSinceEpoch: days)
        #expect(date == CivilDate(year: year, month: month, day: day))
        #expect(date.daysSinceEpoch == days)
    }

    @Test func splitMixIsSeededAndStable() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        var other = SplitMix64(seed: 43)
        let a = (0..<4).map { _ in first.next() }
        #expect(a == (0..<4).map { _ in second.next() })
        #expect(a != (0..<4).map { _ in other.next() })
        // Known first output of SplitMix64 for seed 0, so the sequence can never drift silently.
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }
}
