import Testing

@testable import CDPCore

struct KeyHashTests {
    /// Content hashes are stored in the lake: FNV-1a must give the published values, whatever its code.
    @Test(arguments: [("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)])
    func fnv1aGivesThePublishedValues(text: String, expected: UInt64) {
        var hash = FNV1a()
        hash.add(text)
        #expect(UInt64(bitPattern: hash.value) == expected)
    }

    @Test func theSameBytesHashAlikeAndLengthCounts() {
        #expect(KeyHash.of("E000000001") == KeyHash.of(String("xE000000001".dropFirst())))
        #expect(KeyHash.of("a") != KeyHash.of("a\u{0}"))
        #expect(KeyHash.of("") != KeyHash.of("\u{0}"))
        // Precomposed and combining spellings are different bytes, so different keys.
        #expect(KeyHash.of("Zo\u{00EB}") != KeyHash.of("Zoe\u{0308}"))
    }

    /// Keys that differ only in their last characters (as generated ids do) must spread over a table's low
    /// bits like random numbers: no bucket of a table with as many buckets as keys holds more than a few.
    @Test(arguments: ["E%09d", "M%07d", "contact-%d@example.com", "%d"])
    func sequentialKeysSpreadOverTheLowBits(_ pattern: String) {
        let keys = 1 << 16
        var buckets = [Int](repeating: 0, count: keys)
        for number in 0..<keys {
            let key = pattern.replacingOccurrences(of: "%09d", with: String(repeating: "0", count: 9 - String(number).count) + String(number))
                .replacingOccurrences(of: "%07d", with: String(repeating: "0", count: max(0, 7 - String(number).count)) + String(number))
                .replacingOccurrences(of: "%d", with: String(number))
            buckets[Int(truncatingIfNeeded: KeyHash.of(key)) & (keys - 1)] += 1
        }
        // Random placement leaves about 1/e of the buckets empty and none much above 8.
        let empty = buckets.filter { $0 == 0 }.count
        #expect(Double(empty) / Double(keys) > 0.34 && Double(empty) / Double(keys) < 0.40, "\(empty) empty")
        #expect(buckets.max()! <= 10)
    }
}
