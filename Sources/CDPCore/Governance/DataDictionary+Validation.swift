import Foundation

/// A field of a dictionary entry, named as the CLI, the TOML file and the console form name it.
public enum DictionaryField: String, CaseIterable, Codable, Sendable, Hashable {
    case description
    case dataType = "data_type"
    case classification, tags, owner, steward
    case allowedValues = "allowed_values"
    case format, rules, example, lineage
}

/// One reason an entry cannot be saved, naming the field.
public struct DictionaryProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case unknownUser = "unknown_user"
        case unknownRule = "unknown_rule"
        case missingDescription = "missing_description"
        case badClassification = "bad_classification"
        case badTag = "bad_tag"
    }

    public var field: DictionaryField
    public var kind: Kind
    /// What is wrong and what to do, without the field name (a form shows it under the field).
    public var message: String

    public init(_ field: DictionaryField, _ kind: Kind, _ message: String) {
        self.field = field
        self.kind = kind
        self.message = message
    }

    /// `owner: 'zed' is not a user …`.
    public var description: String { "\(field.rawValue): \(message)" }
}

/// An entry refused whole, with every problem found.
public struct DictionaryValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var key: DictionaryKey
    public var problems: [DictionaryProblem]

    public init(key: DictionaryKey, problems: [DictionaryProblem]) {
        self.key = key
        self.problems = problems
    }

    public var description: String {
        "\(key) was not saved: " + problems.map(\.description).joined(separator: "; ")
    }
}

/// The names an entry may refer to: users (owners and stewards) and rule ids.
public struct DictionaryVocabulary: Hashable, Sendable {
    /// The users of `governance/access.toml`, plus admins acting without one.
    public var users: Set<String>
    /// The rule names of `governance/rules.toml`.
    public var rules: Set<String>

    public init(users: Set<String>, rules: Set<String>) {
        self.users = users
        self.rules = rules
    }
}

/// An edit of an entry: each field given replaces the entry's value; text set to "" clears it.
public struct DictionaryChange: Hashable, Sendable, Codable {
    public var description: String?
    public var dataType: String?
    /// As typed, so a misspelling is reported rather than lost.
    public var classification: String?
    public var tags: [String]?
    public var owner: String?
    public var steward: String?
    public var allowedValues: [String]?
    public var format: String?
    public var rules: [String]?
    public var example: String?
    public var lineage: [String]?

    public init(
        description: String? = nil, dataType: String? = nil, classification: String? = nil, tags: [String]? = nil,
        owner: String? = nil, steward: String? = nil, allowedValues: [String]? = nil, format: String? = nil,
        rules: [String]? = nil, example: String? = nil, lineage: [String]? = nil
    ) {
        self.description = description
        self.dataType = dataType
        self.classification = classification
        self.tags = tags
        self.owner = owner
        self.steward = steward
        self.allowedValues = allowedValues
        self.format = format
        self.rules = rules
        self.example = example
        self.lineage = lineage
    }

    /// Every field of `entry`, so applying it makes an entry equal to `entry` (an import).
    public init(replacingWith entry: DictionaryEntry) {
        self.init(
            description: entry.description, dataType: entry.dataType, classification: entry.classification?.rawValue ?? "",
            tags: entry.tags, owner: entry.owner ?? "", steward: entry.steward ?? "", allowedValues: entry.allowedValues,
            format: entry.format ?? "", rules: entry.rules, example: entry.example ?? "", lineage: entry.lineage)
    }

    public var isEmpty: Bool { self == DictionaryChange() }
}

extension DictionaryEntry {
    /// The entry with `change` applied, normalised (trimmed, tags sorted, lists without duplicates).
    /// - Throws: ``DictionaryValidationError`` listing every problem of the result, each naming its field.
    public func applying(_ change: DictionaryChange, vocabulary: DictionaryVocabulary) throws(DictionaryValidationError) -> DictionaryEntry
    {
        var result = self
        var problems: [DictionaryProblem] = []
        if let description = change.description { result.description = Self.trimmed(description) }
        if let dataType = change.dataType { result.dataType = Self.trimmed(dataType) }
        if let text = change.classification {
            let name = Self.trimmed(text).lowercased()
            if name.isEmpty {
                result.classification = nil
            } else if let classification = DataClassification(rawValue: name) {
                result.classification = classification
            } else {
                problems.append(
                    DictionaryProblem(
                        .classification, .badClassification, "'\(text)' is not a classification (use one of: \(DataClassification.names))"))
            }
        }
        if let tags = change.tags { result.tags = Self.unique(tags).sorted() }
        if let owner = change.owner { result.owner = Self.optional(owner) }
        if let steward = change.steward { result.steward = Self.optional(steward) }
        if let values = change.allowedValues { result.allowedValues = Self.unique(values) }
        if let format = change.format { result.format = Self.optional(format) }
        if let rules = change.rules { result.rules = Self.unique(rules) }
        if let example = change.example { result.example = Self.optional(example) }
        if let lineage = change.lineage { result.lineage = Self.unique(lineage) }
        problems += result.problems(in: vocabulary)
        guard problems.isEmpty else { throw DictionaryValidationError(key: key, problems: problems) }
        return result
    }

    /// Every reason this entry cannot be saved: unknown owner or steward, unknown rule, a malformed tag,
    /// or no description on a column tagged as personal data.
    public func problems(in vocabulary: DictionaryVocabulary) -> [DictionaryProblem] {
        var problems: [DictionaryProblem] = []
        let users = vocabulary.users.sorted().joined(separator: ", ")
        for (field, user) in [(DictionaryField.owner, owner), (.steward, steward)] {
            guard let user, !vocabulary.users.contains(user) else { continue }
            problems.append(
                DictionaryProblem(
                    field, .unknownUser,
                    "'\(user)' is not a user of governance/access.toml (users: \(users.isEmpty ? "none" : users)); add them under [users] first"
                ))
        }
        for rule in rules where !vocabulary.rules.contains(rule) {
            problems.append(
                DictionaryProblem(
                    .rules, .unknownRule, "'\(rule)' is not a rule in governance/rules.toml\(Self.hint(rule, vocabulary.rules))"))
        }
        for tag in tags where tag.isEmpty || tag.contains(where: { $0.isWhitespace || $0 == "," }) {
            problems.append(DictionaryProblem(.tags, .badTag, "'\(tag)' is not a tag (one word such as PII.Email, no spaces or commas)"))
        }
        if personalKind != nil, description.isEmpty {
            problems.append(
                DictionaryProblem(
                    .description, .missingDescription,
                    "must not be empty: \(key) is tagged \(tags.filter { PIIKind(tag: $0) != nil }.joined(separator: ", ")); say what personal data it holds"
                ))
        }
        return problems
    }

    /// ` (did you mean email_format?)` for rule names sharing a word with `name`.
    private static func hint(_ name: String, _ known: Set<String>) -> String {
        let words = Set(name.lowercased().split(separator: "_"))
        let close = known.sorted().filter { candidate in
            candidate.lowercased().contains(name.lowercased()) || !words.isDisjoint(with: candidate.lowercased().split(separator: "_"))
        }
        guard !close.isEmpty else { return "; the rules are the [[rules]] names there" }
        return " (did you mean \(close.prefix(3).joined(separator: ", "))?)"
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    static func optional(_ text: String) -> String? {
        let trimmed = trimmed(text)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Trimmed, empty ones dropped, first occurrence kept.
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.map(trimmed).filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
