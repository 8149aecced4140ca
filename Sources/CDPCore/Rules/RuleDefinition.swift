/// A validation rule as declared in `governance/rules.toml`. Pure data, so the same rules can later be
/// compiled to Spark SQL; the vocabulary follows SodaCL's checks.
public struct RuleDefinition: Hashable, Codable, Sendable {
    public var name: String
    /// The source the rule applies to.
    public var dataset: SourceName
    public var check: RuleCheck
    public var severity: RuleSeverity
    /// Optional text for stewards; a message is derived from the check otherwise.
    public var description: String?
    /// A pass rate (0…1) below which a scorecard raises a data-quality alert (`alert_below`).
    public var alertBelow: Double?

    public init(
        name: String, dataset: SourceName, check: RuleCheck, severity: RuleSeverity = .error,
        description: String? = nil, alertBelow: Double? = nil
    ) {
        self.name = name
        self.dataset = dataset
        self.check = check
        self.severity = severity
        self.description = description
        self.alertBelow = alertBelow
    }

    /// The fields the rule reads, for highlighting and for the data dictionary.
    public var fields: [String] { check.fields }
}

public enum RuleSeverity: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    /// Passes the row to silver with a flag.
    case warn
    /// Passes the row to silver without the value that failed (that field is empty there), with a flag naming
    /// the rule and the raw value; the landed row keeps it. For a value matching and the golden record can do
    /// without (a malformed e-mail, an impossible birth date): the record still says who the customer is.
    case omitValue = "omit_value"
    /// Quarantines the row.
    case error
    /// Stops the run before anything is written.
    case fatal

    private var rank: Int {
        switch self {
        case .warn: return 0
        case .omitValue: return 1
        case .error: return 2
        case .fatal: return 3
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// The formats a `format` check can require.
public enum ValueFormat: Hashable, Codable, Sendable {
    case email
    case phone
    case date
    case timestamp
    case country
    case decimal
    case regex(String)

    public var name: String {
        switch self {
        case .email: return "email"
        case .phone: return "phone"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .country: return "country"
        case .decimal: return "decimal"
        case .regex: return "regex"
        }
    }

    /// The field kind whose standardisation proves this format.
    public var provingKind: [FieldKind] {
        switch self {
        case .email: return [.email]
        case .phone: return [.phone]
        case .date: return [.date]
        case .timestamp: return [.timestamp]
        case .country: return [.country]
        case .decimal: return [.decimal, .integer]
        case .regex: return FieldKind.allCases
        }
    }
}

public enum ComparisonOperator: String, Codable, Sendable, Hashable, CaseIterable {
    case lessThan = "<"
    case lessOrEqual = "<="
    case equal = "=="
    case notEqual = "!="
    case greaterOrEqual = ">="
    case greaterThan = ">"

    func holds<T: Comparable>(_ left: T, _ right: T) -> Bool {
        switch self {
        case .lessThan: return left < right
        case .lessOrEqual: return left <= right
        case .equal: return left == right
        case .notEqual: return left != right
        case .greaterOrEqual: return left >= right
        case .greaterThan: return left > right
        }
    }
}

/// A bound of a range check: a number, an ISO date, or `today` (resolved from the injected clock).
public enum RangeBound: Hashable, Codable, Sendable, CustomStringConvertible {
    case number(Double)
    case date(String)
    case today

    public var description: String {
        switch self {
        case .number(let value): return DecimalText.format(value)
        case .date(let text): return text
        case .today: return "today"
        }
    }
}

/// What a rule checks. Field names are canonical field names, or `source_key` for the record's key.
public enum RuleCheck: Hashable, Codable, Sendable {
    /// Each of `fields` must be present and non-empty, and at least one of `anyOf` (when it names any): a
    /// customer is known by a first name or a last name, so neither alone is required.
    case required(fields: [String], anyOf: [String] = [])
    case format(field: String, format: ValueFormat)
    case allowedValues(field: String, values: [String])
    case range(field: String, min: RangeBound?, max: RangeBound?)
    case length(field: String, min: Int?, max: Int?)
    /// No two rows of one batch share the value (the primary key by default).
    case unique(field: String)
    /// A cross-field comparison, checked when both sides are present.
    case compare(left: String, op: ComparisonOperator, right: String)
    /// The value must be the key of a current record of another source.
    case reference(field: String, source: SourceName)
    /// A dataset-level check on the number of rows in a landed file.
    case rowCount(min: Int?, max: Int?)

    public var kindName: String {
        switch self {
        case .required: return "required"
        case .format: return "format"
        case .allowedValues: return "allowed_values"
        case .range: return "range"
        case .length: return "length"
        case .unique: return "unique"
        case .compare: return "compare"
        case .reference: return "reference"
        case .rowCount: return "row_count"
        }
    }

    public var fields: [String] {
        switch self {
        case .required(let fields, let anyOf): return fields + anyOf
        case .format(let field, _), .allowedValues(let field, _), .range(let field, _, _),
            .length(let field, _, _), .unique(let field), .reference(let field, _):
            return [field]
        case .compare(let left, _, let right): return [left, right]
        case .rowCount: return []
        }
    }

    /// Whether `omit_value` can apply: the check judges one field's value alone, so leaving that value out
    /// leaves a record that passes. Not `required` (nothing to leave out), `unique` (which of two rows?),
    /// `compare` (which side is wrong?) or `row_count`.
    public var judgesOneValue: Bool {
        switch self {
        case .format, .allowedValues, .range, .length, .reference: return true
        case .required, .unique, .compare, .rowCount: return false
        }
    }

    /// Whether the check looks at one row at a time (as opposed to the whole dataset).
    public var isRowLevel: Bool {
        if case .rowCount = self { return false }
        return true
    }
}
