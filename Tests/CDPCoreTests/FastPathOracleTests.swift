import Foundation
import Testing
@testable import CDPCore

/// The byte-level fast paths must agree with the plain, obviously-correct general paths.
@Suite struct FastPathOracleTests {
    @Test func booleansAreReadInAnyCaseAndNothingElseIs() {
        for word in ["y", "yes", "true", "t", "1", "Y", "YES", "True", "T", "yEs"] { #expect(RecordStandardizer.boolean(word) == true, "\(word)") }
        for word in ["n", "no", "false", "f", "0", "N", "NO", "False", "F", "nO"] { #expect(RecordStandardizer.boolean(word) == false, "\(word)") }
        for word in ["", "ye", "yess", "tru", "2", "10", "oui", "nein", "9", "Ÿ", "y ", "@", "`"] { #expect(RecordStandardizer.boolean(word) == nil, "\(word)") }
    }

    @Test(arguments: ["open", "OPEN", "Click", "sent", "", "a-b_c 1", "ÉTÉ", "été", "straße", "SW1A 1AA", "sw1a 1aa", "İ", "ǅ"])
    func caseChecksAgreeWithCaseMapping(_ text: String) {
        // The checks may say no to text that maps to itself (non-ASCII), never yes to text that does not.
        let noCapitals = TextNormalization.isASCII(text, without: TextNormalization.capitals)
        let noSmallLetters = TextNormalization.isASCII(text, without: TextNormalization.smallLetters)
        #expect(noCapitals == (text.utf8.allSatisfy { $0 < 0x80 } && text.lowercased() == text))
        #expect(noSmallLetters == (text.utf8.allSatisfy { $0 < 0x80 } && text.uppercased() == text))
    }

    @Test func timestampsOfTheStoredShapeAreTheirOwnISOText() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let timestamp = Timestamp(secondsSinceEpoch: Int64.random(in: -2_000_000_000...4_000_000_000, using: &generator))
            #expect(Timestamp.hasISOShape(timestamp.isoText), "\(timestamp.isoText)")
            #expect(DateParsing.parseTimestamp(timestamp.isoText).value == timestamp)
        }
        for text in ["2024-03-05 10:22:11", "2024-03-05T10:22:11", "2024-03-05T10:22:11z", "2024-03-05T10:22:11+01:00",
                     "2024-3-05T10:22:11Z", "2024-03-05T10:22:11.5Z", "20240305T102211Z", "2024-03-05T10:22:1xZ"] {
            #expect(!Timestamp.hasISOShape(text), "\(text)")
        }
        let standardizer = RecordStandardizer(source: eventSource(), defaultCountry: "GB")
        let index = CanonicalEntity.event.fieldIndex("occurred_at")!
        for (raw, stored) in [("2024-03-05T10:22:11Z", "2024-03-05T10:22:11Z"), ("2024-03-05 10:22:11", "2024-03-05T10:22:11Z"),
                              ("2024-03-05T10:22:11+01:00", "2024-03-05T09:22:11Z")] {
            var values = [String?](repeating: nil, count: CanonicalEntity.event.fields.count)
            values[index] = raw
            #expect(standardizer.standardize(sourceKey: "E1", raw: values).values[index] == .text(stored), "\(raw)")
        }
    }

    private func eventSource() -> SourceConfiguration {
        SourceConfiguration(
            name: "events", system: "email", entity: .event, format: .csv, path: "in/*.csv", primaryKey: "event_id",
            mapping: Dictionary(uniqueKeysWithValues: CanonicalEntity.event.fields.map { ($0.name, $0.name) }))
    }

    @Test func latinFoldTableAgreesWithDecomposition() {
        for value in UInt32(0xC0)..<0x180 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            #expect(TextNormalization.foldAccents(text) == TextNormalization.foldByDecomposition(text) || !decomposes(scalar),
                    "U+\(String(value, radix: 16, uppercase: true)) \(text)")
            // Every letter folds to ASCII.
            if scalar.properties.isAlphabetic {
                #expect(TextNormalization.foldAccents(text).utf8.allSatisfy { $0 < 0x80 }, "\(text)")
            }
        }
    }

    /// Letters that decompose canonically (é = e + ´) must fold as the decomposition does; the
    /// others (ø, ł, æ …) are folded by hand.
    private func decomposes(_ scalar: Unicode.Scalar) -> Bool {
        String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars.count > 1
    }

    @Test(arguments: [
        "JOHN", "jane", "o'neil", "D'ANGELO", "jean-luc", "van der berg", "MCDONALD", "mary-kate mcbride",
        "de la cruz", "van", "mc", "MCX", "ludwig van beethoven", "o'", "-ann", "a-b-c", "le", "smith jr.", "abc'def",
    ])
    func asciiTitleCaseAgreesWithGeneralPath(_ name: String) {
        #expect(PersonName.fixCase(name) == PersonName.genericTitleCase(name))
        #expect(PersonName.standardize(name).value == PersonName.genericTitleCase(name))
    }

    @Test(arguments: [
        "", " ", "a", " a", "a ", "a  b", "a\tb", "a b", "  a \n b  ", "é  x", "abc def ghi", "\u{3000}Zoë\u{2003}", "Renée",
        "x\u{00A0}", "\u{0085}ñ",
        // Past the eight-byte steps: a clean run first, then what sends the scan to the byte loop.
        "abcdefgh", "abcdefghijklmnop", "abcdefgh ", "abcdefghijklmnop  ", "Avenida  Diagonal, 99", "abcdefgh\tij",
        "abcdefghijklmnopq\u{00A0}r", "abcdefghRenée  x", "rebecca.scott1959@yahoo.ie",
        // Eight-byte steps taken up again after a space: the problem comes after a clean run past it.
        "12 High Street  Flat 3", "a bcdefghij\u{2003}klm", "abc defghijk  lmnop", "Rue de la Paix 12 \u{00A0}x", "ab cdefghijkl ",
    ])
    func collapseWhitespaceAgreesWithSplitJoin(_ text: String) {
        let oracle = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        #expect(TextNormalization.collapseWhitespace(text) == oracle)
        #expect(TextNormalization.trim(text) == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func collapseWhitespaceAgreesWithSplitJoinOnRandomText() {
        let pieces = ["a", "b", "Zoë", "1", " ", " ", "  ", "\t", "\n", "\u{00A0}", "\u{2003}", "é", "abcdefgh", "-", ","]
        var generator = SplitMix64(seed: 12)
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let oracle = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            #expect(TextNormalization.collapseWhitespace(text) == oracle, "\(Array(text.unicodeScalars))")
        }
    }
}
