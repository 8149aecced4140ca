import CDPCore
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

    /// Namesakes are common at scale ("john.smith" in every culture's pools), yet no two people hold the same
    /// address, whether their first, a second personal or a work one.
    @Test func noTwoPeopleShareAnEmailAddress() {
        let people = 30_000
        let factory = PersonFactory(seed: 7, people: people)
        var holder: [String: Int] = [:]
        for index in 0..<people {
            let person = factory.person(index)
            let addresses = [person.email, person.otherEmail.local + "@" + person.otherEmail.domain, person.workEmail.local + "@" + person.workEmail.domain]
            // Contacts write a Gmail address with either domain: one mailbox.
            for address in addresses.map({ $0.replacingOccurrences(of: "@googlemail.com", with: "@gmail.com") }) {
                if let other = holder[address] { #expect(other == index, "\(address) held by \(other) and \(index)") }
                holder[address] = index
            }
        }
        #expect(holder.count >= people * 2, "some people's addresses coincide with their own, never many")
    }
}
