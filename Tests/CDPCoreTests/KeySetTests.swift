import Testing

@testable import CDPCore

struct KeySetTests {
    /// `Set<String>` is the oracle for keys without canonically equivalent spellings.
    @Test func holdsWhatASetHoldsAsItGrows() {
        var keys = KeySet()
        var oracle = Set<String>()
        var generator = SystemRandomNumberGenerator()
        for number in 0..<50_000 {
            // Short (inline) and long (heap) strings, some inserted twice.
            let key = number % 3 == 0 ? "C\(number % 20_000)" : "contact-\(UInt64.random(in: 0..<40_000, using: &generator))@example.com"
            let inserted = keys.insert(key)
            #expect(inserted == oracle.insert(key).inserted)
        }
        #expect(keys.count == oracle.count)
        for key in oracle { #expect(keys.contains(key)) }
        for number in 0..<1_000 { #expect(!keys.contains("missing-\(number)")) }
    }

    @Test func comparesBytesAsTheLakeDoes() {
        let precomposed = "Zo\u{00EB}"
        let decomposed = "Zoe\u{0308}"
        #expect(precomposed == decomposed)
        let keys: KeySet = [precomposed, ""]
        #expect(keys.contains(precomposed))
        #expect(!keys.contains(decomposed))
        #expect(keys.contains(""))
        #expect(!keys.contains("Zo"))
    }

    @Test func anEmptySetHoldsNothing() {
        let keys = KeySet()
        #expect(keys.isEmpty)
        #expect(!keys.contains(""))
        #expect(!keys.contains("C1"))
    }

    @Test func aKeyIsHeldOnce() {
        var keys = KeySet(["a", "b", "a"])
        #expect(keys.count == 2)
        let insertedAgain = keys.insert("b")
        let insertedNew = keys.insert("c")
        #expect(!insertedAgain)
        #expect(insertedNew)
        #expect(keys.count == 3)
    }
}
