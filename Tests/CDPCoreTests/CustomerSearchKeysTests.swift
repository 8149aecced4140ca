import Testing

@testable import CDPCore

@Suite struct CustomerSearchKeysTests {
    @Test func aCustomerIsIndexedByFoldedNamesEmailsAndPhones() {
        let keys = Set(CustomerSearchKeys.keys(firstName: "José", lastName: "Núñez", emails: ["Jose.Nunez@Example.com"], phones: ["+447700900123"]))
        #expect(keys == ["jose", "nunez", "jose.nunez@example.com", "jose.nunez", "447700900123", "7700900123"])
    }

    @Test func eachDistinctNameIsIndexedByItsSoundAndDeletions() {
        let variants = CustomerSearchKeys.variants(ofName: "nunez")
        #expect(variants.first == "nunez")
        #expect(variants.contains("~" + PhoneticCode.metaphone("nunez")))
        #expect(variants.contains("#nuez") && variants.contains("#unez"))  // one-letter deletions of names of 4+ letters
        #expect(!CustomerSearchKeys.variants(ofName: "ian").contains { $0.hasPrefix("#") })
        let all = CustomerSearchKeys.allKeys(firstName: "José", lastName: "Núñez", emails: [], phones: [])
        #expect(all.contains("#nuez") && all.contains("jose"))
    }

    @Test func lookupsKeepAGroupedPhoneNumberAsOneWord() {
        let lookups = CustomerSearchKeys.lookups("+44 7700 900123")
        #expect(lookups.count == 1)
        #expect(lookups[0].exact == "447700900123")
        #expect(CustomerSearchKeys.lookups("07700 900123").map(\.exact) == ["7700900123"])
        #expect(CustomerSearchKeys.lookups("John 07700 900123").map(\.exact) == ["john", "7700900123"])
    }

    @Test func matchKindsRankExactThenPrefixThenTypoThenSound() {
        let lookup = CustomerSearchKeys.lookups("garcai")[0]
        #expect(lookup.kind(of: "garcai") == .exact)
        #expect(lookup.kind(of: "garcaiz") == .prefix)
        #expect(lookup.kind(of: "#garca") == .oneEdit)  // a swap: both words lose a letter to meet
        #expect(lookup.kind(of: "~" + PhoneticCode.metaphone("garcai")) == .soundsAlike)
        #expect(lookup.kind(of: "#garcai-no") == nil)
        #expect(CustomerSearchKeys.MatchKind.oneEdit > .soundsAlike)
    }
}
