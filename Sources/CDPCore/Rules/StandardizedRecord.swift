/// A source row after mapping and standardisation, before validation.
public struct StandardizedRecord: Hashable, Sendable {
    public var sourceKey: String
    /// Raw text per canonical field (by the entity's field index); nil when unmapped or absent.
    public var raw: [String?]
    /// Standardised values by field index; nil when absent or not standardisable.
    public var values: [FieldValue?]
    /// Why a present raw value could not be standardised, by field index; empty when every value could be
    /// (most rows: an array of nils for each of them was a tenth of standardising). Read with ``failure(at:)``.
    public private(set) var failures: [String?]

    public init(sourceKey: String, raw: [String?], values: [FieldValue?], failures: [String?]) {
        self.sourceKey = sourceKey
        self.raw = raw
        self.values = values
        self.failures = failures
    }

    /// Why the value of field `index` could not be standardised; nil when it was (or was absent).
    @inlinable
    public func failure(at index: Int) -> String? { index < failures.count ? failures[index] : nil }
}

/// One rule a record failed, with the value and a message a steward can act on.
public struct RuleFailure: Hashable, Codable, Sendable {
    public var rule: String
    public var field: String?
    public var value: String?
    public var message: String
    public var severity: RuleSeverity

    public init(rule: String, field: String?, value: String?, message: String, severity: RuleSeverity) {
        self.rule = rule
        self.field = field
        self.value = value
        self.message = message
        self.severity = severity
    }
}

/// Built-in rule names for problems found before any declared rule runs.
public enum BuiltInRule {
    public static let columnCount = "parse.column_count"
    public static let encoding = "parse.encoding"
    public static let quoting = "parse.quote"
    public static let json = "parse.json"
    public static let missingKey = "parse.missing_key"
    /// A value longer than its field's limit (``FieldLimits``), or a key longer than ``FieldLimits/sourceKey``.
    public static let tooLong = "parse.too_long"
    /// A key holding a character that cannot be seen (a zero-width space, a control or format character):
    /// `C1\u{200B}` would otherwise be a record apart from `C1` that looks the same.
    public static let invisibleKey = "parse.invisible_key"
    /// A JSON line whose key is an object, an array or a boolean rather than a string or a number.
    public static let keyType = "parse.key_type"
    /// A JSON line naming the same member twice (which value is meant cannot be told).
    public static let duplicateMember = "parse.duplicate_key"
    /// A value of a typed field that could not be read, where no declared rule covers the field.
    public static func unreadable(_ field: String) -> String { "standardize.\(field)" }

    public static func isParseRule(_ name: String) -> Bool { name.hasPrefix("parse.") }

    /// Whether `RecordValidator` checks the rule itself on every validation (so a held record's stored
    /// failure under it is superseded by checking again, rather than kept until the record is edited).
    public static func isCheckedByValidator(_ name: String) -> Bool { name == tooLong || name == invisibleKey }
}
