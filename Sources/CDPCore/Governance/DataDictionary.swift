import Foundation

/// The layers of the lake the data dictionary describes, in lineage order.
public enum DictionaryLayer: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    /// Landed files: the batch manifest, the raw rows and each source's own fields.
    case bronze
    /// Standardised rows per canonical entity, with their warnings and rule results.
    case silver
    /// Rows held back by a rule, and what stewards did to them.
    case quarantine
    /// Tables and views rebuilt from silver for analysts.
    case gold

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How sensitive a dataset or column is, from least to most.
public enum DataClassification: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    case `public`
    case `internal`
    case confidential
    case restricted

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// `public, internal, confidential, restricted`, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Where an entry sits: a layer, a dataset (table, view or source) and a column; the dataset itself
/// when `column` is empty.
public struct DictionaryKey: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var layer: DictionaryLayer
    public var dataset: String
    /// Empty for the entry describing the dataset as a whole.
    public var column: String

    public init(_ layer: DictionaryLayer, _ dataset: String, _ column: String = "") {
        self.layer = layer
        self.dataset = dataset
        self.column = column
    }

    public var isDataset: Bool { column.isEmpty }

    /// `silver_customer.email`, or `silver_customer` for the dataset; what the CLI and the audit log name.
    public var description: String { column.isEmpty ? dataset : "\(dataset).\(column)" }

    /// Layer order, then dataset, the dataset's own entry before its columns (by name).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.layer != rhs.layer { return lhs.layer < rhs.layer }
        if lhs.dataset != rhs.dataset { return lhs.dataset < rhs.dataset }
        return lhs.column < rhs.column
    }
}

/// A reference typed by a user, `DATASET.COLUMN` or `DATASET`, with an optional layer to tell apart
/// datasets of the same name.
public struct DictionaryReference: Hashable, Sendable, CustomStringConvertible {
    public var dataset: String
    public var column: String
    public var layer: DictionaryLayer?

    /// Splits at the first dot: dataset names have none, column names may not either.
    public init(parsing text: String, layer: DictionaryLayer? = nil) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let dot = trimmed.firstIndex(of: ".") {
            dataset = String(trimmed[..<dot])
            column = String(trimmed[trimmed.index(after: dot)...])
        } else {
            dataset = trimmed
            column = ""
        }
        self.layer = layer
    }

    public func matches(_ key: DictionaryKey) -> Bool {
        key.dataset == dataset && key.column == column && (layer == nil || key.layer == layer)
    }

    public var description: String {
        (layer.map { "\($0.rawValue):" } ?? "") + (column.isEmpty ? dataset : "\(dataset).\(column)")
    }
}

/// What the dictionary says about one dataset or column.
public struct DictionaryEntry: Hashable, Codable, Sendable {
    public var layer: DictionaryLayer
    public var dataset: String
    public var column: String
    public var description: String
    /// The storage type (`TEXT`, `INTEGER`, `REAL`), or what a source field holds.
    public var dataType: String
    /// `nil` until someone classifies it (a gap).
    public var classification: DataClassification?
    /// Sorted; `PII.*` tags drive masking.
    public var tags: [String]
    public var owner: String?
    public var steward: String?
    /// The values a column may hold, when they are a closed list.
    public var allowedValues: [String]
    /// The shape of a value in words, e.g. `E.164, e.g. +447700900123`.
    public var format: String?
    /// Ids of the rules in `governance/rules.toml` that check this column.
    public var rules: [String]
    public var example: String?
    /// What feeds it, one layer up: `crm_customers.email` for a silver column, `silver_customer.email` for gold.
    public var lineage: [String]

    public init(
        _ key: DictionaryKey, description: String = "", dataType: String = "", classification: DataClassification? = nil,
        tags: [String] = [], owner: String? = nil, steward: String? = nil, allowedValues: [String] = [], format: String? = nil,
        rules: [String] = [], example: String? = nil, lineage: [String] = []
    ) {
        layer = key.layer
        dataset = key.dataset
        column = key.column
        self.description = description
        self.dataType = dataType
        self.classification = classification
        self.tags = tags.sorted()
        self.owner = owner
        self.steward = steward
        self.allowedValues = allowedValues
        self.format = format
        self.rules = rules
        self.example = example
        self.lineage = lineage
    }

    public var key: DictionaryKey { DictionaryKey(layer, dataset, column) }

    /// The kind of personal data its tags name, the most specific first; `nil` when it holds none.
    /// `PII.Record` (a whole raw record) is reported as `.other`.
    public var personalKind: PIIKind? {
        let kinds = tags.compactMap(PIIKind.init(tag:))
        return kinds.first { $0 != .other } ?? kinds.first
    }

    /// Whether it is a free-text or raw-line column withheld whole from a principal without `view_pii`.
    public var isWithheldRecord: Bool { tags.contains(DataDictionary.recordTag) }

    enum CodingKeys: String, CodingKey {
        case layer, dataset, column, description
        case dataType = "data_type"
        case classification, tags, owner, steward
        case allowedValues = "allowed_values"
        case format, rules, example, lineage
    }
}

/// One kept version of an entry: its number (1 when seeded), who made it, when, and what changed.
public struct DictionaryVersion: Hashable, Codable, Sendable {
    public var entry: DictionaryEntry
    public var version: Int
    public var changedBy: String
    /// ISO 8601 UTC.
    public var changedAt: String
    /// The fields changed, or how the version came about (`seeded from the workspace schema`).
    public var change: String

    public init(entry: DictionaryEntry, version: Int, changedBy: String, changedAt: String, change: String) {
        self.entry = entry
        self.version = version
        self.changedBy = changedBy
        self.changedAt = changedAt
        self.change = change
    }

    public var key: DictionaryKey { entry.key }

    enum CodingKeys: String, CodingKey {
        case entry, version
        case changedBy = "changed_by"
        case changedAt = "changed_at"
        case change
    }
}

/// Names shared by the dictionary's parts.
public enum DataDictionary {
    /// The tag of a column holding whole raw records or free text: withheld, not masked, without `view_pii`.
    public static let recordTag = "PII.Record"

    /// The tags the dictionary knows the meaning of; any other `PII.*` tag masks as generic personal data.
    public static let knownPersonalTags = PIIKind.allCases.filter { $0 != .other }.map(\.rawValue) + [recordTag]

    /// Every entry's key, in dictionary order; one entry per key (the first wins).
    public static func sorted(_ entries: [DictionaryEntry]) -> [DictionaryEntry] {
        var seen = Set<DictionaryKey>()
        return entries.filter { seen.insert($0.key).inserted }.sorted { $0.key < $1.key }
    }
}
