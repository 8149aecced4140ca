/// What a standardiser made of one raw value: the standardised value, or why it was rejected.
public enum StandardizationOutcome<Value: Sendable & Hashable>: Sendable, Hashable {
    case standardized(Value)
    case rejected(StandardizationFailure)

    /// The standardised value, or nil when rejected.
    public var value: Value? {
        if case .standardized(let value) = self { return value }
        return nil
    }

    /// The failure, or nil when standardised.
    public var failure: StandardizationFailure? {
        if case .rejected(let failure) = self { return failure }
        return nil
    }

    /// Transforms a standardised value, passing a rejection through.
    public func map<Other: Sendable & Hashable>(_ transform: (Value) -> Other) -> StandardizationOutcome<Other> {
        switch self {
        case .standardized(let value): return .standardized(transform(value))
        case .rejected(let failure): return .rejected(failure)
        }
    }
}

extension StandardizationOutcome: Codable where Value: Codable {}

/// Which kind of value a standardiser was working on.
public enum StandardizedKind: String, Sendable, Hashable, Codable, CaseIterable {
    case email, phone, country, date, timestamp, personName
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
