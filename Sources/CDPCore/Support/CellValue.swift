/// One value of a query result with the storage class SQLite gave it, so every output writes a number as a
/// number and text as text (`"sent": 593`, not `"sent": "593"`), whatever the column was declared as.
public enum CellValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as the table and CSV outputs show it; nil for null. Reals as ``DecimalText`` writes them.
    public var text: String? {
        switch self {
        case .null: return nil
        case .integer(let value): return String(value)
        case .real(let value): return value.isFinite ? DecimalText.format(value) : String(describing: value)
        case .text(let text): return text
        }
    }

    /// Whether SQLite stored a number (an INTEGER or a REAL), as opposed to text that reads like one.
    public var isNumber: Bool {
        switch self {
        case .integer, .real: return true
        case .null, .text: return false
        }
    }

    /// Appends the value as JSON: integers and finite reals as numbers (reals in the shortest form that reads
    /// back as the same double), null as `null`, text quoted. JSON has no infinity or NaN: those are quoted.
    public func appendJSON(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .integer(let value): output += String(value)
        case .real(let value):
            if value.isFinite { output += Self.jsonNumber(value) } else { JSONString.appendQuoted(String(describing: value), to: &output) }
        case .text(let text): JSONString.appendQuoted(text, to: &output)
        }
    }

    /// `12.5`, `1200`, `1e-07`: Swift's shortest round-trip spelling, without the `.0` of a whole number.
    static func jsonNumber(_ value: Double) -> String {
        let text = String(describing: value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
