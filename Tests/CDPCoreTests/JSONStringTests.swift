import CDPCore
import Foundation
import Testing

struct JSONStringTests {
    static let samples = [
        "", "plain", "Zoë Ångström 北京", "a/b", #"say "hi""#, #"back\slash"#, "tab\tnew\nline\rret",
        "bell\u{07} back\u{08} form\u{0C} esc\u{1B} nul\u{00} unit\u{1F}", "emoji 👩‍👩‍👧",
    ]

    /// Every hand-written JSON writer escapes through JSONString: it must read back as the same text and be
    /// spelled as JSONEncoder spells it, so that values written either way compare equal byte for byte.
    @Test(arguments: samples)
    func aStringIsWrittenAsJSONEncoderWritesIt(value: String) throws {
        var text = ""
        JSONString.appendQuoted(value, to: &text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        #expect(text == String(decoding: try encoder.encode(value), as: UTF8.self))
        #expect(try JSONDecoder().decode(String.self, from: Data(text.utf8)) == value)

        var bytes: [UInt8] = []
        var copy = value
        copy.withUTF8 { JSONString.appendQuoted($0, to: &bytes) }
        #expect(bytes == Array(text.utf8))

        var buffer = ByteAccumulator(capacity: 1)
        copy.withUTF8 { JSONString.appendQuoted($0, to: &buffer) }
        #expect(buffer.bytes == bytes)
    }
}
