import Testing
@testable import CDPCore

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+44 7700 900123", nil, "+447700900123"),
        ("0044 7700 900123", nil, "+447700900123"),
        ("(415) 555-0134", "US", "+14155550134"),
        ("415.555.0134", "US", "+14155550134"),
        ("1-415-555-0134", "US", "+14155550134"),
        ("011 44 20 7946 0123", "US", "+442079460123"),
        ("020 7946 0123", "GB", "+442079460123"),
        ("07700 900123", "GB", "+447700900123"),
        ("+49 (0)30 1234567", nil, "+49301234567"),
        ("+44 (0) 20 7946 0123", nil, "+442079460123"),
        ("+44 020 7946 0123", nil, "+442079460123"),
        ("+1 415 555 0134 x123", nil, "+14155550134"),
        ("+1 415 555 0134 ext. 12", nil, "+14155550134"),
        ("+33 1 23 45 67 89", nil, "+33123456789"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("+39 06 1234 5678", nil, "+390612345678"),
        ("06 1234 5678", "IT", "+390612345678"),
        ("+61 2 9876 5432", nil, "+61298765432"),
        ("+353 1 234 5678", nil, "+35312345678"),
        ("+41 44 668 18 00", nil, "+41446681800"),
        ("\u{00A0}+44\u{00A0}7700 900123", nil, "+447700900123"),
        ("612 345 678", "ES", "+34612345678"),
    ] as [(String, String?, String)])
    func standardizesToE164(_ raw: String, _ country: String?, _ expected: String) {
        let outcome = PhoneNumber.standardize(raw, defaultCountry: country.flatMap { CountryCode(alpha2: $0) })
        #expect(outcome.value?.e164 == expected, "\(outcome)")
    }

    @Test(arguments: [
        ("+44 7700 9001", nil, "'+44 7700 9001' is too short for +44: 8 digits, expected 9–10"),
        ("+44 7700 900123 456", nil, "'+44 7700 900123 456' is too long for +44: 13 digits, expected 9–10"),
        ("555 0134", "US", "'555 0134' is too short for +1: 7 digits, expected 10"),
        ("020 7946 0123", nil, "'020 7946 0123' has no country calling code and no default country was given"),
        ("+380 44 123 4567", nil, "'+380 44 123 4567' has a country calling code (+380…) that is not in the supported list"),
        ("call me", nil, "'call me' has letters or symbols that are not part of a phone number"),
        ("", nil, "phone number is empty"),
        ("--", nil, "'--' has no digits"),
        ("44+7700", nil, "'44+7700' has a '+' that is not at the start"),
        ("(015) 555-0134", "US", "'(015) 555-0134' has an area code starting with 0; North American area codes start with 2–9"),
    ] as [(String, String?, String)])
    func rejectsWithReason(_ raw: String, _ country: String?, _ reason: String) {
        let outcome = PhoneNumber.standardize(raw, defaultCountry: country.flatMap { CountryCode(alpha2: $0) })
        #expect(outcome.failure?.reason == reason)
        #expect(outcome.failure?.kind == .phone)
    }

    @Test func partsAndLastDigits() throws {
        let number = try #require(PhoneNumber.standardize("+44 7700 900123", defaultCountry: nil).value)
        #expect(number.callingCode == 44)
        #expect(number.nationalSignificantNumber == "7700900123")
        #expect(number.lastDigits(4) == "0123")
        #expect(number.lastDigits(20) == "7700900123")
    }
}
