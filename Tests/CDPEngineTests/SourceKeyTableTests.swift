import CDPCore
import Testing

@testable import CDPEngine

/// The checker's key table against a plain dictionary model of the same rules.
struct SourceKeyTableTests {
    /// The rules the table keeps, written the obvious way.
    struct Model {
        var hashes: [String: Int64] = [:]
        var claimed: [String: Int] = [:]

        mutating func record(_ key: String, contentHash: Int64, line: Int, clean: Bool) -> (unchanged: Bool, claimedAt: Int) {
            let unchanged = hashes[key] == contentHash && clean
            let claimedAt = claimed[key] ?? 0
            hashes[key] = contentHash
            if !unchanged && claimedAt == 0 { claimed[key] = line }
            return (unchanged, claimedAt)
        }
    }

    @Test(arguments: [KeyHash.Mode.bytes, .constant])
    func agreesWithTheModel(hashing: KeyHash.Mode) {
        // Few distinct keys, so rows repeat keys with the same and with new content; some rows unclean.
        var generator = SplitMix64(seed: 42)
        let lakeKeys = (0..<40).map { "K\($0)" }
        var model = Model()
        // Expecting fewer keys than come, so the table grows on the way.
        var table = SourceKeyTable(expectedKeys: 4, hashing: hashing)
        for key in lakeKeys where generator.next() % 2 == 0 {
            let hash = Int64(generator.next() % 3)
            table.seed(key, contentHash: hash)
            model.hashes[key] = hash
        }
        let rows = hashing == .constant ? 600 : 5_000
        for line in 1...rows {
            let key = "K\(generator.next() % 120)"
            let hash = Int64(generator.next() % 3)
            let clean = generator.next() % 5 != 0
            let seen = table.record(key, contentHash: hash, line: line, clean: clean)
            let expected = model.record(key, contentHash: hash, line: line, clean: clean)
            #expect(seen == expected, "line \(line), key \(key)")
        }
        #expect(table.count == Set(model.hashes.keys).count)
    }

    @Test func aRowLikeTheLakesIsUnchangedAndClaimsNothing() {
        var table = SourceKeyTable(expectedKeys: 2)
        table.seed("C1", contentHash: 7)
        #expect(table.record("C1", contentHash: 7, line: 2, clean: true) == (true, 0))
        // Changed content claims the key; a later row with the key learns the line.
        #expect(table.record("C1", contentHash: 8, line: 3, clean: true) == (false, 0))
        #expect(table.record("C1", contentHash: 9, line: 4, clean: true) == (false, 3))
        // A key seen first in this file is new, then claimed by its first line.
        #expect(table.record("C2", contentHash: 1, line: 5, clean: true) == (false, 0))
        #expect(table.record("C2", contentHash: 1, line: 6, clean: true) == (true, 5))
    }

    @Test(arguments: [KeyHash.Mode.bytes, .constant])
    func keysAreComparedByteForByteAsTheLakeComparesThem(hashing: KeyHash.Mode) {
        let precomposed = "Zo\u{EB}"
        let combining = "Zoe\u{308}"
        #expect(precomposed == combining)  // Equal as Swift strings, two rows in SQLite.
        var table = SourceKeyTable(expectedKeys: 4, hashing: hashing)
        #expect(table.record(precomposed, contentHash: 1, line: 2, clean: true) == (false, 0))
        #expect(table.record(combining, contentHash: 1, line: 3, clean: true) == (false, 0))
        #expect(table.count == 2)
    }

    @Test func keysThatShareATagStayApart() {
        var table = SourceKeyTable(expectedKeys: 1_000, hashing: .constant)
        for index in 0..<300 { table.seed("E\(index)", contentHash: Int64(index)) }
        for index in 0..<300 {
            #expect(table.record("E\(index)", contentHash: Int64(index), line: index + 1, clean: true) == (true, 0))
        }
        #expect(table.count == 300)
    }
}
