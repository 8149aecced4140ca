import Testing

@testable import CDPCore

/// A comparison reads at most the first `StringSimilarity.comparedPrefix` bytes of each value: a value of
/// megabytes once kept a match run busy for minutes (Jaro scans and zeroes a buffer its size, Levenshtein's
/// table grows with the product of the lengths).
struct ComparisonCapTests {
    @Test func measuresReadOnlyTheComparedPrefix() {
        let common = String(repeating: "smith", count: 20)  // 100 bytes
        let a = common + String(repeating: "a", count: 1_000_000)
        let b = common + String(repeating: "b", count: 2_000_000)
        #expect(StringSimilarity.comparedPrefix == 100)
        #expect(StringSimilarity.levenshtein(a, b) == 0)
        #expect(StringSimilarity.jaroWinkler(a, b) == 1)
        StringSimilarity.withBytes(a, b) { x, y in
            #expect(StringSimilarity.isWithinEditDistance(x, y, 2))
            #expect(StringSimilarity.jaro(x, y) == 1)
        }
        // Within the prefix every byte still counts.
        let c = String(repeating: "x", count: 99) + "y" + String(repeating: "z", count: 500)
        let d = String(repeating: "x", count: 99) + "w" + String(repeating: "z", count: 500)
        #expect(StringSimilarity.levenshtein(c, d) == 1)
    }

    @Test func theBufferPathsAreCappedToo() {
        let long = [UInt8](repeating: 0x61, count: 5_000_000)
        let short = [UInt8](repeating: 0x61, count: 100)
        long.withUnsafeBufferPointer { x in
            short.withUnsafeBufferPointer { y in
                #expect(StringSimilarity.levenshtein(x, y) == 0)
                #expect(StringSimilarity.jaroWinkler(x, y) == 1)
                #expect(StringSimilarity.isWithinEditDistance(x, y, 1))
            }
        }
    }
}
