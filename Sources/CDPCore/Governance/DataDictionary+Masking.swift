/// Which columns hold personal data, as the dictionary's `PII.*` tags say: what every output path masks
/// for a principal without `view_pii`.
public struct PersonalDataMap: Hashable, Sendable {
    /// Column name → kind, for outputs that know a value only by its column or field name (record fields,
    /// JSON members, golden attributes): a name tagged in any dataset is masked everywhere.
    public var columns: [String: PIIKind]
    /// Dataset → column → kind for the datasets the dictionary describes; untagged columns are absent.
    public var datasets: [String: [String: PIIKind]]
    /// `dataset.column` of the columns tagged `PII.Record`: withheld whole rather than masked.
    public var withheld: Set<String>
    /// The datasets the dictionary describes: for these its tags decide, column by column.
    public var describedDatasets: Set<String>

    public init(
        columns: [String: PIIKind], datasets: [String: [String: PIIKind]] = [:], withheld: Set<String> = [],
        describedDatasets: Set<String> = []
    ) {
        self.columns = columns
        self.datasets = datasets
        self.withheld = withheld
        self.describedDatasets = describedDatasets
    }

    /// The map of a workspace without a dictionary: the built-in personal columns, by name only.
    public static func defaults(_ columns: [String: PIIKind]) -> PersonalDataMap { PersonalDataMap(columns: columns) }

    /// An extra attribute a source maps (`[sources.attributes] name = "column"`): a member of
    /// `silver_customer.attributes` named `name`, fed by the source's `column`.
    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var source: String
        public var column: String
        public init(name: String, source: String, column: String) {
            self.name = name
            self.source = source
            self.column = column
        }
    }

    /// The map the dictionary's tags give. Column names no entry describes (a source added since the
    /// dictionary was seeded) keep their built-in kind, so nothing new slips through unmasked. An extra attribute is
    /// as personal as its own source column's entry says (personal when none describes it), never as a column of
    /// the same name in another dataset says (attack 11, F7: `silver_order.status`, untagged, showed a customer
    /// attribute `status` fed by a column tagged `PII`).
    public init(entries: [DictionaryEntry], defaults: [String: PIIKind], attributes: [Attribute] = []) {
        var columns: [String: PIIKind] = [:]
        var datasets: [String: [String: PIIKind]] = [:]
        var withheld: Set<String> = []
        var described: Set<String> = []
        var describedNames: Set<String> = []
        for entry in DataDictionary.sorted(entries) {
            described.insert(entry.dataset)
            guard !entry.key.isDataset else { continue }
            describedNames.insert(entry.column)
            if entry.isWithheldRecord {
                withheld.insert("\(entry.dataset).\(entry.column)")
            } else if let kind = entry.personalKind {
                datasets[entry.dataset, default: [:]][entry.column] = kind
                // A specific kind wins over generic `PII` when datasets disagree about a name.
                if columns[entry.column] == nil || columns[entry.column] == .other { columns[entry.column] = kind }
            }
        }
        for (name, kind) in defaults where !describedNames.contains(name) && columns[name] == nil {
            columns[name] = kind
        }
        let tagged = Set(datasets.values.flatMap(\.keys))
        let byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for attribute in attributes {
            let own = byKey[DictionaryKey(.bronze, attribute.source, attribute.column)]
            guard let kind = own.map({ $0.isWithheldRecord ? .other : $0.personalKind }) ?? .other else {
                // Its column described untagged: shown, unless a tag elsewhere names the attribute's name.
                if !tagged.contains(attribute.name) { columns[attribute.name] = nil }
                continue
            }
            if columns[attribute.name] == nil || columns[attribute.name] == .other { columns[attribute.name] = kind }
        }
        self.init(columns: columns, datasets: datasets, withheld: withheld, describedDatasets: described)
    }

    /// How a principal without `view_pii` sees a dataset's column.
    public enum Treatment: Hashable, Sendable {
        case show
        case mask(PIIKind)
        case withhold
    }

    /// The dictionary's say on `dataset.column`; `nil` when it does not describe the dataset.
    public func treatment(dataset: String, column: String) -> Treatment? {
        guard describedDatasets.contains(dataset) else { return nil }
        if withheld.contains("\(dataset).\(column)") { return .withhold }
        if let kind = datasets[dataset]?[column] { return .mask(kind) }
        return .show
    }
}
