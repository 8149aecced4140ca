/// Which kind of value a standardiser was working on.
public enum StandardizedKind: String, Sendable, Hashable, Codable, CaseIterable {
    case email, phone, country, date, timestamp, personName, decimal
}

/// Why a value could not be standardised, in words a data steward can act on.
public struct StandardizationFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: StandardizedKind
    /// The raw value as received.
    public var input: String
    /// What is wrong: "'jane@@example' has 2 '@'", "unknown country 'Atlantis'".
    public var reason: String

    public init(kind: StandardizedKind, input: String, reason: String) {
        self.kind = kind
        self.input = input
        self.reason = reason
    }

    public var description: String { reason }
}
