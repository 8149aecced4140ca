/// The canonical model every source is mapped onto. Silver tables have one column per field.
public enum CanonicalEntity: String, CaseIterable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// A person known to a system: a CRM customer or a marketing contact.
    case customer
    case order
    case campaign
    case event

    public var description: String { rawValue }

    /// Fields in storage order. Stable: silver columns and bound statements follow it.
    public var fields: [CanonicalField] {
        switch self {
        case .customer:
            return [
                .init("first_name", .personName), .init("last_name", .personName),
                .init("full_name", .personName), .init("email", .email), .init("phone", .phone),
                .init("birth_date", .date), .init("street", .text), .init("city", .text),
                .init("postcode", .postcode), .init("country", .country),
                .init("created_at", .timestamp), .init("updated_at", .timestamp),
                .init("loyalty_tier", .code), .init("email_opt_in", .boolean),
                .init("sms_opt_in", .boolean), .init("crm_customer_id", .text),
                .init("signup_source", .code),
            ]
        case .order:
            return [
                .init("customer_id", .text), .init("order_date", .date), .init("amount", .decimal),
                .init("currency", .text), .init("status", .code),
            ]
        case .campaign:
            return [
                .init("name", .text), .init("channel", .code), .init("start_date", .date),
                .init("end_date", .date), .init("budget", .decimal), .init("currency", .text),
            ]
        case .event:
            return [
                .init("contact_id", .text), .init("campaign_id", .text), .init("event_type", .code),
                .init("occurred_at", .timestamp), .init("revenue", .decimal),
            ]
        }
    }

    /// The silver table holding this entity's standardised rows.
    public var silverTable: String { "silver_\(rawValue)" }

    public func fieldIndex(_ name: String) -> Int? { fields.firstIndex { $0.name == name } }
}

/// One attribute of a canonical entity.
public struct CanonicalField: Hashable, Codable, Sendable {
    public var name: String
    public var kind: FieldKind
    public init(_ name: String, _ kind: FieldKind) {
        self.name = name
        self.kind = kind
    }
}

/// How a field is standardised and stored.
public enum FieldKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Trimmed text, whitespace collapsed.
    case text
    /// A lower-cased short code such as a tier or channel.
    case code
    case personName = "person_name"
    /// Lower-cased, validated address.
    case email
    /// E.164, e.g. `+447700900123`.
    case phone
    /// ISO 3166-1 alpha-2.
    case country
    /// Upper-cased, spacing normalised.
    case postcode
    /// ISO 8601 date `yyyy-MM-dd`.
    case date
    /// ISO 8601 UTC timestamp `yyyy-MM-ddTHH:mm:ssZ`.
    case timestamp
    case decimal
    case integer
    case boolean

    /// Whether a parse failure of this kind means the value is unusable (and so must be reported).
    public var isParsed: Bool {
        switch self {
        case .text, .code, .personName, .postcode: return false
        default: return true
        }
    }
}

/// A standardised value as stored in silver. Dates and timestamps are ISO 8601 text so they sort.
public enum FieldValue: Hashable, Codable, Sendable, CustomStringConvertible {
    case text(String)
    case integer(Int64)
    case decimal(Double)
    case boolean(Bool)

    public var description: String {
        switch self {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .decimal(let value): return DecimalText.format(value)
        case .boolean(let value): return value ? "true" : "false"
        }
    }

    public var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .decimal(let value): return value
        case .text(let text): return Double(text)
        case .boolean: return nil
        }
    }
}

/// Formats decimals without locale or exponent surprises (`12.5`, `1200`, `-3.25`).
public enum DecimalText {
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
