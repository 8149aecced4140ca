/// Identifiers are their own types so a batch id can never be passed where a run id is expected.

/// A source of records declared in `cdp.toml`, such as `crm_customers`.
public struct SourceName: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Declares an integer identifier type backed by a database row id.
public protocol RowIdentifier: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible
where RawValue == Int64 {
    init(rawValue: Int64)
    /// The letter shown before the number to people, e.g. `Q` in `Q123`.
    static var prefix: String { get }
}

extension RowIdentifier {
    public init(_ value: Int64) { self.init(rawValue: value) }
    public var description: String { Self.prefix + String(rawValue) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `Q123` or `123`.
    public init?(parsing text: String) {
        var digits = Substring(text)
        if digits.uppercased().hasPrefix(Self.prefix) { digits = digits.dropFirst(Self.prefix.count) }
        guard let value = Int64(digits), value > 0 else { return nil }
        self.init(rawValue: value)
    }
}

public struct BatchID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "B"
}

public struct RunID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "R"
}

public struct BronzeRowID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "BR"
}

public struct QuarantineID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "Q"
}

public struct AuditEntryID: RowIdentifier {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static let prefix = "A"
}

/// The key of a task inside a workflow definition.
public struct TaskKey: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
