import Testing

@testable import CDPCore

/// The one seeded generator against the reference implementation (Vigna's splitmix64.c): the matcher's
/// random pairs once came from a copy whose multiplier was mistyped (`…1CE5_E9B9`), which these values catch.
struct SplitMix64Tests {
    @Test(arguments: [
        (UInt64(0), [UInt64(0xE220_A839_7B1D_CDAF), 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC, 0x1B39_896A_51A8_749B]),
        // The first outputs for seed 1234567 quoted with the reference code (6457827717110365317, …).
        (1_234_567, [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431, 16_408_922_859_458_223_821]),
    ] as [(UInt64, [UInt64])])
    func theSequenceIsTheReferenceOne(seed: UInt64, expected: [UInt64]) {
        var generator = SplitMix64(seed: seed)
        #expect((0..<expected.count).map { _ in generator.next() } == expected)
    }
}
