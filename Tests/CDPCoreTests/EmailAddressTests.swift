import Foundation
import Testing
@testable import CDPCore

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  bob+news@mail.example.co.uk \t", "bob+news@mail.example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("x@sub-domain.example.org", "x@sub-domain.example.org"),
        ("user@example.xn--p1ai", "user@example.xn--p1ai"),
        (String(repeating: "a", count: 64) + "@example.com", String(repeating: "a", count: 64) + "@example.com"),
    ])
    func standardizesValidAddresses(_ raw: String, _ expected: String) {
        let outcome = EmailAddress.standardize(raw)
        #expect(outcome.value?.value == expected)
    }

    @Test(arguments: [
        ("jane@@example", "'jane@@example' has 2 '@'"),
        ("jane.example.com", "'jane.example.com' has no '@'"),
        ("", "e-mail address is empty"),
        ("@example.com", "'@example.com' has nothing before the '@'"),
        ("jane@", "'jane@' has no domain after the '@'"),
        (".jane@example.com", "'.jane@example.com' starts with a dot"),
        ("jane.@example.com", "'jane.@example.com' has a dot right before the '@'"),
        ("ja..ne@example.com", "'ja..ne@example.com' has two dots in a row"),
        ("ja ne@example.com", "'ja ne@example.com' has a character not allowed before the '@': ' '"),
        ("jane@localhost", "'jane@localhost' has a domain without a top-level part (like '.com')"),
        ("jane@example..com", "'jane@example..com' has an empty label in its domain (a leading, trailing or double dot)"),
        ("jane@-example.com", "'jane@-example.com' has a domain label that starts or ends with a hyphen"),
        ("jane@exa_mple.com", "'jane@exa_mple.com' has a character not allowed in a domain: '_'"),
        ("jane@example.c", "'jane@example.c' has an invalid top-level domain; it must be 2 or more letters"),
        ("jane@example.123", "'jane@example.123' has an invalid top-level domain; it must be 2 or more letters"),
        ("renée@example.com", "'renée@example.com' has a non-ASCII character; internationalised addresses are not accepted"),
        (String(repeating: "a", count: 65) + "@example.com",
         "'\(String(repeating: "a", count: 65))@example.com' has a local part of 65 characters; the limit is 64"),
        ("a@" + String(repeating: "b", count: 64) + ".com", "'a@\(String(repeating: "b", count: 64)).com' has a domain label longer than 63 characters"),
    ])
    func rejectsInvalidAddressesWithReason(_ raw: String, _ reason: String) {
        let failure = EmailAddress.standardize(raw).failure
        #expect(failure?.reason == reason)
        #expect(failure?.kind == .email)
        #expect(failure?.input == raw)
    }

    @Test func rejectsOverlongAddress() {
        let label = String(repeating: "a", count: 60)
        let raw = "me@" + [label, label, label, label, label, "com"].joined(separator: ".")
        #expect(EmailAddress.standardize(raw).failure?.reason.contains("the limit is 254") == true)
    }

    @Test func partsOfAddress() {
        let email = EmailAddress(standardized: "jane@example.com")
        #expect(email.localPart == "jane")
        #expect(email.domain == "example.com")
    }

    @Test func codableAsPlainString() throws {
        let data = try JSONEncoder().encode([EmailAddress(standardized: "a@example.com")])
        #expect(String(decoding: data, as: UTF8.self) == #"["a@example.com"]"#)
        #expect(try JSONDecoder().decode([EmailAddress].self, from: Data(#"["A@Example.com"]"#.utf8)).first?.value == "a@example.com")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([EmailAddress].self, from: Data(#"["nope"]"#.utf8)) }
    }
}
