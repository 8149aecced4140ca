/// A value of a flat JSON object as read from one JSON Lines record.
public enum JSONScalar: Sendable, Hashable, Codable {
    case string(String)
    /// A number, kept as written so that no precision is lost ("12.50", "1e3").
    case number(String)
    case bool(Bool)
    case null
    /// An array or object, kept as its raw JSON text.
    case nested(String)

    /// The value as text a column can hold: strings as they are, numbers and nested values as
    /// written, booleans as "true"/"false", and null as nil.
    public var text: String? {
        switch self {
        case .string(let s), .number(let s), .nested(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        }
    }
}
