/// Something wrong in a CSV record that the parser recovered from.
///
/// Field indexes are 0-based. Column-count checks are left to the caller, who knows the header.
public enum CSVRowProblem: Sendable, Hashable, Codable {
    /// The field's bytes are not valid UTF-8; the value was decoded as Windows-1252 instead.
    case invalidUTF8(field: Int)
    /// A quoted field was still open at the end of the input; the record holds what was read.
    case unterminatedQuote
    /// A bare quote appeared inside an unquoted field; it was kept literally.
    case quoteInUnquotedField(field: Int)
    /// Text followed the closing quote of a quoted field (`"ab"cd`); it was appended literally.
    case textAfterClosingQuote(field: Int)

    /// A sentence a data steward can read.
    public var message: String {
        switch self {
        case .invalidUTF8(let field):
            return "field \(field + 1) is not valid UTF-8; read it as Windows-1252/Latin-1"
        case .unterminatedQuote:
            return "a quoted field is not closed before the end of the file"
        case .quoteInUnquotedField(let field):
            return "field \(field + 1) has a '\"' inside an unquoted value; kept as text"
        case .textAfterClosingQuote(let field):
            return "field \(field + 1) has text after its closing quote; kept as text"
        }
    }
}
