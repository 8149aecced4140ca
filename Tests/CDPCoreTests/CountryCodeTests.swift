import Foundation
import Testing
@testable import CDPCore

@Suite struct CountryCodeTests {
    @Test(arguments: [
        ("GB", "GB"), ("gb", "GB"), ("GBR", "GB"), ("United Kingdom", "GB"), ("UK", "GB"), ("u.k.", "GB"),
        ("Great Britain", "GB"), ("England", "GB"), ("scotland", "GB"), ("Wales", "GB"),
        ("USA", "US"), ("United States of America", "US"), ("united states", "US"), ("U.S.A.", "US"),
        ("Deutschland", "DE"), ("germany", "DE"), ("DEU", "DE"), ("España", "ES"), ("espana", "ES"), ("ESPAÑA", "ES"),
        ("Holland", "NL"), ("the Netherlands", "NL"), ("Netherlands", "NL"), ("Côte d'Ivoire", "CI"),
        ("Cote dIvoire", "CI"), ("Åland Islands", "AX"), ("Türkiye", "TR"), ("Turkey", "TR"), ("  france ", "FR"),
        ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Bosnia and Herzegovina", "BA"), ("Guinea-Bissau", "GW"),
        ("Österreich", "AT"), ("Schweiz", "CH"), ("Viet Nam", "VN"), ("Vietnam", "VN"), ("Czech Republic", "CZ"),
    ])
    func standardizesNamesAndCodes(_ raw: String, _ expected: String) {
        #expect(CountryCode.standardize(raw).value?.alpha2 == expected)
    }

    @Test(arguments: [
        ("Atlantis", "unknown country 'Atlantis'"),
        ("XX", "unknown country 'XX'"),
        ("", "country is empty"),
        ("  --  ", "country is empty"),
    ])
    func rejectsUnknownCountries(_ raw: String, _ reason: String) {
        #expect(CountryCode.standardize(raw).failure?.reason == reason)
    }

    @Test func tableIsCompleteAndConsistent() {
        let codes = CountryCode.allCodes
        #expect(codes.count == 249)
        #expect(Set(codes.map(\.alpha2)).count == 249)
        #expect(Set(codes.map(\.alpha3)).count == 249)
        for code in codes {
            #expect(code.alpha2.count == 2 && code.alpha3.count == 3)
            #expect(CountryCode.standardize(code.englishName).value == code, "\(code.englishName)")
            #expect(CountryCode.standardize(code.alpha3).value == code)
        }
        #expect(CountryCode.gb.alpha3 == "GBR")
        #expect(CountryCode.us.englishName == "United States of America")
    }

    @Test func validatingInitAndCodable() throws {
        #expect(CountryCode(alpha2: "de") == .de)
        #expect(CountryCode(alpha2: "ZZ") == nil)
        let data = try JSONEncoder().encode([CountryCode.fr])
        #expect(String(decoding: data, as: UTF8.self) == #"["FR"]"#)
        #expect(try JSONDecoder().decode([CountryCode].self, from: data) == [.fr])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CountryCode].self, from: Data(#"["QQ"]"#.utf8)) }
    }
}
