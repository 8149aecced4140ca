/// A small seeded pseudo-random generator (SplitMix64, Steele, Lea and Flood 2014, as Vigna publishes it),
/// so generated data and the matcher's random pairs are identical on every machine. The one generator of
/// the code base: sample data, sampling and tests all draw from it.
///
/// Foundation's `SystemRandomNumberGenerator` is not seedable and Swift's `Hasher` is randomised per
/// process, so the generator carries its own state.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
