import CDPCore
import Foundation
import Testing

@testable import CDPRepositories
@testable import CDPStore

/// Quarantine rows are written with a hand-rolled encoder; readers decode them with `JSONDecoder`.
struct CompactJSONTests {
    static let awkward = ["plain", "", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{01}\u{1F}\u{08}\u{0C}", "Zoë / 東京 😀"]

    @Test(arguments: awkward)
    func objectDecodesLikeJSONEncoderOutput(value: String) throws {
        let fields = ["email": value, "city": "Galway", "a_first": value + "x"]
        let text = CompactJSON.object(fields)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == fields)
        #expect(text == String(decoding: try JSONEncoder.sorted.encode(fields), as: UTF8.self))
    }

    @Test(arguments: awkward)
    func failuresDecodeLikeJSONEncoderOutput(value: String) throws {
        let failures = [
            RuleFailure(rule: "email_format", field: "email", value: value, message: "bad: \(value)", severity: .error),
            RuleFailure(rule: "parse.column_count", field: nil, value: nil, message: "expected 15 fields", severity: .warn),
        ]
        let text = CompactJSON.failures(failures)
        #expect(try JSONDecoder().decode([RuleFailure].self, from: Data(text.utf8)) == failures)
        #expect(text == String(decoding: try JSONEncoder.sorted.encode(failures), as: UTF8.self))
        #expect(CompactJSON.failures([]) == "[]")
        #expect(CompactJSON.object([:]) == "{}")
    }
}
