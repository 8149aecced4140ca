import Testing

@testable import CDPCore

@Suite struct CustomerSearchKeysTests {
    @Test func aCustomerIsIndexedByFoldedNamesSoundsDeletionsEmailsAndPhones() {
        let keys = Set(CustomerSearchKeys.keys(firstName: "José", lastName: "Núñez", emails: ["Jose.Nunez@Example.com"], phones: ["+447700900123"]))
        #expect(keys.isSuperset(of: ["jose", "nunez", "jose.nunez@example.com", "jose.nunez", "447700900123", "7700900123"]))
        #expect(keys.contains("#nuez") && keys.contains("#unez"))  // one-letter deletions of names of 4+ letters
        #expect(keys.contains("~" + PhoneticCode.metaphone("nunez")))
        #expect(!keys.contains("#jos") || keys.contains("jose"))
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
