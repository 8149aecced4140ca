/// A date layout in a tiny pattern language: `yyyy` four-digit year, `MM`/`M` month number,
/// `dd`/`d` day (one or two digits accepted for either), `MMM` English month name (abbreviated or
/// full, any case); any other character must appear literally, and a space matches one or more
/// spaces.
public struct DateFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case year, month, monthName, day
        case literal(UInt8)
        case space
    }

    /// The pattern as written, e.g. "dd/MM/yyyy".
    public let pattern: String
    let tokens: [Token]

    /// A format from a pattern; nil when it uses letters other than y, M, d, or lacks a year,
    /// month or day.
    public init?(pattern: String) {
        var tokens: [Token] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            var run = 1
            while i + run < bytes.count && bytes[i + run] == b { run += 1 }
            switch b {
            case UInt8(ascii: "y"):
                guard run == 4 else { return nil }
                tokens.append(.year)
            case UInt8(ascii: "M"):
                guard run <= 4 else { return nil }
                tokens.append(run >= 3 ? .monthName : .month)
            case UInt8(ascii: "d"):
                guard run <= 2 else { return nil }
                tokens.append(.day)
            case UInt8(ascii: " "):
                tokens.append(.space)
            default:
                if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A { return nil }
                for _ in 0..<run { tokens.append(.literal(b)) }
            }
            i += run
        }
        let hasYear = tokens.contains(.year)
        let hasMonth = tokens.contains(.month) || tokens.contains(.monthName)
        guard hasYear, hasMonth, tokens.contains(.day) else { return nil }
        self.pattern = pattern
        self.tokens = tokens
    }

    public var description: String { pattern }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let format = DateFormat(pattern: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date pattern")
        }
        self = format
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }

    private init(known pattern: String) {
        // The built-in patterns below are valid by construction.
        self = DateFormat(pattern: pattern) ?? DateFormat(tokens: [], pattern: pattern)
    }

    private init(tokens: [Token], pattern: String) {
        self.tokens = tokens
        self.pattern = pattern
    }

    /// yyyy-MM-dd
    public static let isoDate = DateFormat(known: "yyyy-MM-dd")
    /// dd/MM/yyyy (UK and most of Europe)
    public static let dayMonthYearSlash = DateFormat(known: "dd/MM/yyyy")
    /// MM/dd/yyyy (US)
    public static let monthDayYearSlash = DateFormat(known: "MM/dd/yyyy")
    /// yyyy/MM/dd
    public static let yearMonthDaySlash = DateFormat(known: "yyyy/MM/dd")
    /// dd.MM.yyyy (German-speaking countries)
    public static let dayMonthYearDot = DateFormat(known: "dd.MM.yyyy")
    /// d MMM yyyy ("14 Mar 2025")
    public static let dayMonthNameYear = DateFormat(known: "d MMM yyyy")
}
