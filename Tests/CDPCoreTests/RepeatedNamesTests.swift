import Testing

@testable import CDPCore

/// A name given twice where one is expected — a CSV header column, a JSON line's key — is found, not
/// resolved silently by taking the first or the last.
struct RepeatedNamesTests {
    @Test func aHeaderNamingAColumnTwiceIsFound() {
        let header = CSVHeader(["id", " email", "name", "email ", "", ""])
        #expect(header.names == ["id", "email", "name", "email", "", ""])
        #expect(header.repeatedNames().map(\.name) == ["email", ""])
        #expect(header.repeatedNames().first?.columns == [2, 4])
        // Only the columns a mapping reads matter: unnamed trailing columns are common and harmless.
        #expect(header.repeatedNames(among: ["id", "email"]).map(\.name) == ["email"])
        #expect(header.repeatedNames(among: ["id", "name"]).isEmpty)
    }

    @Test func aRepeatedMemberIsFoundOnTheLineThatRepeatsIt() {
        var layout = JSONMemberLayout(fields: ["email", nil, "id"])
        func repeats(_ keys: [String]) -> [Int?] {
            keys.enumerated().map { layout.member($0.element, at: $0.offset).repeats }
        }
        #expect(repeats(["id", "email", "x"]) == [nil, nil, nil])
        #expect(layout.member("email", at: 0).fields == [0])
        #expect(repeats(["id", "email", "x"]) == [nil, nil, nil])
        #expect(repeats(["id", "email", "id"]) == [nil, nil, 0])
        #expect(repeats(["id", "email", "id"]) == [nil, nil, 0])
        // Remembered positions never mix two lines: `a` from one line and `a` from another are not a repeat,
        // and the same keys in one line are.
        #expect(repeats(["b", "a"]) == [nil, nil])
        #expect(repeats(["a"]) == [nil])
        #expect(repeats(["a", "a"]) == [nil, 0])
    }

    /// Against the obvious oracle, over lines of keys drawn from a few letters.
    @Test func repeatsAgreeWithComparingEveryPair() {
        var random = SplitMix64(seed: 16)
        var layout = JSONMemberLayout(fields: ["a", "b"])
        let letters = ["a", "b", "c", "d"]
        for _ in 0..<2_000 {
            let keys = (0..<Int(random.next() % 5)).map { _ in letters[Int(random.next() % 4)] }
            // Lines often repeat the previous layout; start from a common one now and then.
            let line = random.next() % 3 == 0 ? ["a", "b", "c"] + keys.prefix(1) : keys
            for (position, key) in line.enumerated() {
                let expected = line[..<position].firstIndex(of: key)
                #expect(layout.member(key, at: position).repeats == expected, "\(line)")
            }
        }
    }
}
