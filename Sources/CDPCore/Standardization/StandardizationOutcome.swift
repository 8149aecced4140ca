/// What a standardiser made of one raw value: the standardised value, or why it was rejected.
public enum StandardizationOutcome<Value: Sendable & Hashable>: Sendable, Hashable {
    case standardized(Value)
    case rejected(StandardizationFailure)

    /// The standardised value, or nil when rejected.
    @inlinable
    public var value: Value? {
        if case .standardized(let value) = self { return value }
        return nil
    }

    /// The failure, or nil when standardised.
    @inlinable
    public var failure: StandardizationFailure? {
        if case .rejected(let failure) = self { return failure }
        return nil
    }

    /// Transforms a standardised value, passing a rejection through.
    @inlinable
    public func map<Other: Sendable & Hashable>(_ transform: (Value) -> Other) -> StandardizationOutcome<Other> {
        switch self {
        case .standardized(let value): return .standardized(transform(value))
        case .rejected(let failure): return .rejected(failure)
        }
    }
}

extension StandardizationOutcome: Codable where Value: Codable {}
