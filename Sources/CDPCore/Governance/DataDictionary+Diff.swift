/// One field that differs between two versions of an entry, as text.
public struct DictionaryFieldChange: Hashable, Codable, Sendable, CustomStringConvertible {
    public var field: DictionaryField
    /// Empty when the field was empty.
    public var before: String
    public var after: String

    public init(field: DictionaryField, before: String, after: String) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// `classification: internal → confidential`.
    public var description: String { "\(field.rawValue): \(before.isEmpty ? "∅" : before) → \(after.isEmpty ? "∅" : after)" }
}

/// An entry missing what every entry should have.
public struct DictionaryGap: Hashable, Codable, Sendable {
    public var key: DictionaryKey
    /// `description`, `classification` or both.
    public var missing: [DictionaryField]

    public init(key: DictionaryKey, missing: [DictionaryField]) {
        self.key = key
        self.missing = missing
    }
}

extension DictionaryEntry {
    /// A field's value as one line of text: lists joined with ", ", nothing as "".
    public func text(of field: DictionaryField) -> String {
        switch field {
        case .description: return description
        case .dataType: return dataType
        case .classification: return classification?.rawValue ?? ""
        case .tags: return tags.joined(separator: ", ")
        case .owner: return owner ?? ""
        case .steward: return steward ?? ""
        case .allowedValues: return allowedValues.joined(separator: ", ")
        case .format: return format ?? ""
        case .rules: return rules.joined(separator: ", ")
        case .example: return example ?? ""
        case .lineage: return lineage.joined(separator: ", ")
        }
    }

    /// The fields whose value differs from `other`'s, in field order (self is before, other after).
    public func differences(to other: DictionaryEntry) -> [DictionaryFieldChange] {
        DictionaryField.allCases.compactMap { field in
            let before = text(of: field), after = other.text(of: field)
            return before == after ? nil : DictionaryFieldChange(field: field, before: before, after: after)
        }
    }

    /// The fields whose value is missing that every entry should have.
    public var missingEssentials: [DictionaryField] {
        (description.isEmpty ? [DictionaryField.description] : []) + (classification == nil ? [.classification] : [])
    }
}

extension DataDictionary {
    /// Entries without a description or a classification, in dictionary order.
    public static func gaps(_ entries: [DictionaryEntry]) -> [DictionaryGap] {
        sorted(entries).compactMap { entry in
            let missing = entry.missingEssentials
            return missing.isEmpty ? nil : DictionaryGap(key: entry.key, missing: missing)
        }
    }

    /// What a version changed, for its history line: `description, tags`.
    public static func summary(_ changes: [DictionaryFieldChange]) -> String {
        changes.isEmpty ? "no change" : changes.map(\.field.rawValue).joined(separator: ", ")
    }
}
