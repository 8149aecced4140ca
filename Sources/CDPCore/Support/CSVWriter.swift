/// The one CSV writer of every export (`cdp export`, `cdp query --format csv`): RFC 4180 quoting, and text
/// that a spreadsheet would run as a formula neutralised.
///
/// As OWASP advises for CSV injection, a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, so Excel, LibreOffice and Google Sheets show it as text instead of evaluating
/// it. A number stays a number: a value SQLite stored as an INTEGER or a REAL is never prefixed (`-12` is
/// written `-12`), nor is text that is only a signed decimal number (`-3.5`, `+44`), which a spreadsheet
/// reads as a number, not as a formula.
public enum CSVWriter {
    /// One line of text fields (a header), ending in a line feed.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// One line of values, ending in a line feed; null is an empty field.
    public static func line(_ values: [CellValue]) -> String {
        values.map(field).joined(separator: ",") + "\n"
    }

    /// A value as one CSV field: numbers as they are, text neutralised and quoted as needed.
    public static func field(_ value: CellValue) -> String {
        switch value {
        case .null: return ""
        case .integer, .real: return value.text ?? ""
        case .text(let text): return field(text)
        }
    }

    /// Text as one CSV field: a formula prefixed with `'`, then quoted when it holds a comma, a quote, a line
    /// feed or a carriage return (a bare CR ends a record for many readers, so it is quoted like LF).
    public static func field(_ text: String) -> String {
        let cell = startsFormula(text) ? "'" + text : text
        guard needsQuotes(cell.utf8) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Whether RFC 4180 needs a field quoted: it holds a comma, a quote, a line feed or a carriage return.
    /// The sample-data generator quotes by this rule too (it writes input, hostile on purpose, so it does
    /// not neutralise formulas).
    @inlinable
    public static func needsQuotes(_ utf8: some Sequence<UInt8>) -> Bool {
        utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    }

    /// Whether a spreadsheet would take the text for a formula: it starts with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return and is not just a signed number.
    public static func startsFormula(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "@"), 9, 13: return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return !isSignedNumber(text)
        default: return false
        }
    }

    /// `-12`, `+3.5`, `-1e-3`: a sign, digits, an optional fraction and exponent, nothing else.
    static func isSignedNumber(_ text: String) -> Bool {
        var bytes = text.utf8.dropFirst()
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        guard digits() > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
