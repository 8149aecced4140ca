import Testing

@testable import CDPCore

struct KeySetTests {
    /// `Set<String>` is the oracle for keys without canonically equivalent spellings.
    @Test(arguments: [KeyHash.Mode.bytes, .constant])
    func holdsWhatASetHoldsAsItGrows(hashing: KeyHash.Mode) {
        var keys = KeySet(minimumCapacity: 0, hashing: hashing)
        var oracle = Set<String>()
        var generator = SplitMix64(seed: 7)
        let rounds = hashing == .bytes ? 50_000 : 600
        for number in 0..<rounds {
            // Short (inline) and long (heap) strings, some inserted twice.
            let key = number % 3 == 0 ? "C\(number % (rounds / 2))" : "contact-\(UInt64.random(in: 0..<UInt64(rounds), using: &generator))@example.com"
            let inserted = keys.insert(key)
            #expect(inserted == oracle.insert(key).inserted)
        }
        #expect(keys.count == oracle.count)
        for key in oracle { #expect(keys.contains(key)) }
        for number in 0..<1_000 { #expect(!keys.contains("missing-\(number)")) }
    }

    /// With every key on one probe chain, telling keys apart is the comparison's alone.
    @Test(arguments: [KeyHash.Mode.bytes, .constant])
    func comparesBytesAsTheLakeDoes(hashing: KeyHash.Mode) {
        let precomposed = "Zo\u{00EB}"
        let decomposed = "Zoe\u{0308}"
        #expect(precomposed == decomposed)
        var keys = KeySet(minimumCapacity: 0, hashing: hashing)
        keys.insert(precomposed)
        keys.insert("")
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
