/// A table or view of the lake as its database declares it.
public struct DatasetSchema: Hashable, Sendable {
    public var layer: DictionaryLayer
    public var name: String
    public var isView: Bool
    /// Columns in table order, with their declared type (empty for an untyped view column).
    public var columns: [(name: String, type: String)]

    public init(layer: DictionaryLayer, name: String, isView: Bool = false, columns: [(name: String, type: String)]) {
        self.layer = layer
        self.name = name
        self.isView = isView
        self.columns = columns
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.layer == rhs.layer && lhs.name == rhs.name && lhs.isView == rhs.isView
            && lhs.columns.map(\.name) == rhs.columns.map(\.name) && lhs.columns.map(\.type) == rhs.columns.map(\.type)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(columns.map(\.name))
    }
}

extension DataDictionary {
    /// The lake tables and views the dictionary describes, by layer.
    public static var lakeDatasets: [(layer: DictionaryLayer, name: String)] { DictionaryCatalog.lakeDatasets }

    /// The dictionary a workspace starts with: an entry for every source and its fields (bronze), every
    /// table and view of the lake and their columns, with descriptions and personal-data tags from known
    /// semantics, lineage from the sources' mappings (bronze → silver → gold), rules from `rules.toml`,
    /// formats and allowed values from the canonical model and the rules. Owners and stewards are left for
    /// people to fill in.
    public static func seed(schema: [DatasetSchema], sources: [SourceConfiguration], rules: RuleSet) -> [DictionaryEntry] {
        var entries: [DictionaryEntry] = []
        for source in sources { entries += sourceEntries(source, rules: rules) }
        for dataset in schema { entries += lakeEntries(dataset, sources: sources, rules: rules) }
        return sorted(entries)
    }

    // MARK: Sources (bronze)

    static func sourceEntries(_ source: SourceConfiguration, rules: RuleSet) -> [DictionaryEntry] {
        let dataset = source.name.rawValue
        let fileType = source.format == .csv ? "TEXT" : "JSON"
        let own = rules.rules(for: source.name)
        var columns: [String: DictionaryEntry] = [:]
        var order: [String] = []
        // Two canonical fields may read one source column: the first describes it, later ones add to it.
        func add(_ column: String, _ make: () -> DictionaryEntry, merge: (inout DictionaryEntry) -> Void) {
            if var existing = columns[column] {
                merge(&existing)
                columns[column] = existing
            } else {
                columns[column] = make()
                order.append(column)
            }
        }
        add(
            source.primaryKey,
            {
                DictionaryEntry(
                    DictionaryKey(.bronze, dataset, source.primaryKey),
                    description: "The record's key in \(dataset); becomes source_key in \(source.entity.silverTable).", dataType: fileType,
                    rules: names(own, field: RuleFieldName.sourceKey), lineage: [source.path])
            }, merge: { _ in })
        for field in source.entity.fields {
            guard let column = source.mapping[field.name] else { continue }
            let fieldRules = own.filter { $0.fields.contains(field.name) }
            let tags = PIIMasker.canonicalPersonalFields[field.name].map { [$0.rawValue] } ?? []
            add(
                column,
                {
                    let meaning = DictionaryCatalog.columnDescriptions[field.name].map { " \($0)" } ?? ""
                    return DictionaryEntry(
                        DictionaryKey(.bronze, dataset, column),
                        description: "Source column read into \(source.entity.silverTable).\(field.name).\(meaning)", dataType: fileType,
                        tags: tags, allowedValues: allowedValues(fieldRules),
                        format: source.dateFormats[field.name].map { "date as \($0)" } ?? "as landed",
                        rules: fieldRules.map(\.name), lineage: [source.path])
                },
                merge: { entry in
                    entry.tags = Array(Set(entry.tags + tags)).sorted()
                    entry.rules += fieldRules.map(\.name).filter { !entry.rules.contains($0) }
                })
        }
        // Extra attributes: personal (generic `PII`) until the dictionary says otherwise.
        for name in source.attributeNames {
            guard let column = source.attributes[name] else { continue }
            add(
                column,
                {
                    DictionaryEntry(
                        DictionaryKey(.bronze, dataset, column),
                        description: "Source column kept as the extra attribute \(name) in \(source.entity.silverTable).attributes.",
                        dataType: fileType, tags: [PIIKind.other.rawValue], format: "as landed", lineage: [source.path])
                }, merge: { entry in entry.tags = Array(Set(entry.tags + [PIIKind.other.rawValue])).sorted() })
        }
        var entries = order.compactMap { columns[$0] }.map(classified)
        let system = source.system.isEmpty ? "" : "\(source.system) "
        let datasetEntry = DictionaryEntry(
            DictionaryKey(.bronze, dataset),
            description: "Fields of the \(system)source \(dataset) (\(source.entity) records) as landed from \(source.path), "
                + "kept whole in bronze_row.raw.",
            dataType: source.format == .csv ? "CSV file" : "JSON lines file",
            classification: entries.compactMap(\.classification).max() ?? .internal,
            rules: own.filter { $0.fields.isEmpty }.map(\.name), lineage: [source.path])
        entries.append(datasetEntry)
        return entries
    }

    // MARK: Lake tables and views

    static func lakeEntries(_ dataset: DatasetSchema, sources: [SourceConfiguration], rules: RuleSet) -> [DictionaryEntry] {
        let name = dataset.name
        let entity = CanonicalEntity.allCases.first { $0.silverTable == name }
        let feeding = sources.filter { $0.entity == entity }
        var columns: [DictionaryEntry] = []
        for (column, type) in dataset.columns {
            var entry = DictionaryEntry(
                DictionaryKey(dataset.layer, name, column),
                description: DictionaryCatalog.datasetColumnDescriptions[name]?[column] ?? DictionaryCatalog.columnDescriptions[column]
                    ?? "",
                dataType: type.isEmpty ? "ANY" : type.uppercased())
            if DictionaryCatalog.recordColumns.contains("\(name).\(column)") {
                entry.tags = [recordTag]
            } else if name == CanonicalEntity.customer.silverTable || name == "customer_360",
                let kind = PIIMasker.canonicalPersonalFields[column]
            {
                entry.tags = [kind.rawValue]
            }
            if let entity, let field = entity.fields.first(where: { $0.name == column }) {
                // A canonical column of silver: fed by each source's mapped column and checked by their rules.
                let fieldRules = feeding.flatMap { rules.rules(for: $0.name) }.filter { $0.fields.contains(column) }
                entry.lineage = feeding.compactMap { source in source.mapping[column].map { "\(source.name).\($0)" } }
                entry.rules = fieldRules.map(\.name)
                entry.allowedValues = allowedValues(fieldRules)
                entry.format = DictionaryCatalog.format(field.kind)
                entry.example = DictionaryCatalog.examples[column] ?? entry.allowedValues.first
            } else if entity == .customer, column == "attributes" {
                entry.lineage = feeding.flatMap { source in source.attributeNames.compactMap { source.attributes[$0].map { "\(source.name).\($0)" } } }
                entry.format = "JSON object of text"
            } else if entity != nil, column == RuleFieldName.sourceKey {
                entry.lineage = feeding.map { "\($0.name).\($0.primaryKey)" }
                entry.rules = names(feeding.flatMap { rules.rules(for: $0.name) }, field: RuleFieldName.sourceKey)
            } else {
                entry.lineage = technicalLineage(dataset: name, column: column)
            }
            if dataset.layer == .gold {
                entry.lineage =
                    DictionaryCatalog.goldLineage[name]?[column]
                    ?? DictionaryCatalog.goldCopies[name].map { ["\($0).\(column)"] } ?? []
                if let copied = DictionaryCatalog.goldCopies[name],
                    let field = CanonicalEntity.allCases.first(where: { $0.silverTable == copied })?.fields.first(where: {
                        $0.name == column
                    })
                {
                    entry.format = DictionaryCatalog.format(field.kind)
                    entry.example = DictionaryCatalog.examples[column]
                }
            }
            columns.append(classified(entry))
        }
        let description: String
        if let entity {
            let from = feeding.isEmpty ? "no source yet" : feeding.map(\.name.rawValue).joined(separator: ", ")
            description = "Standardised \(entity) records from \(from): one current row per source and key, earlier versions kept."
        } else {
            description = DictionaryCatalog.datasetDescriptions[name] ?? ""
        }
        let datasetEntry = DictionaryEntry(
            DictionaryKey(dataset.layer, name), description: description, dataType: dataset.isView ? "view" : "table",
            classification: columns.compactMap(\.classification).max() ?? .internal,
            lineage: entity != nil ? feeding.map(\.name.rawValue) : datasetLineage(name, sources: sources))
        return columns + [datasetEntry]
    }

    /// Where the lake's bookkeeping columns come from.
    static func technicalLineage(dataset: String, column: String) -> [String] {
        switch column {
        case "bronze_id": return ["bronze_row.id"]
        case "batch_id": return ["batch.id"]
        case "source" where dataset != "batch": return ["batch.source"]
        case "content_hash" where dataset != "bronze_row": return ["bronze_row.content_hash"]
        case "line" where dataset != "bronze_row": return ["bronze_row.line"]
        case "fields" where dataset == "quarantine_record": return ["bronze_row.raw"]
        case "source_key" where dataset != "bronze_row": return ["bronze_row.source_key"]
        case "quarantine_id": return ["quarantine_record.id"]
        default:
            if dataset == "dq_scorecard", ["rule", "severity", "evaluated", "failed"].contains(column) { return ["rule_result.\(column)"] }
            return []
        }
    }

    static func datasetLineage(_ dataset: String, sources: [SourceConfiguration]) -> [String] {
        switch dataset {
        case "bronze_row": return sources.map(\.name.rawValue)
        case "batch": return sources.map(\.path)
        case "row_warning", "rule_result", "quarantine_record": return ["bronze_row"]
        case "dq_scorecard": return ["rule_result"]
        case "quarantine_history": return ["quarantine_record"]
        default: return DictionaryCatalog.goldDatasetLineage[dataset] ?? []
        }
    }

    /// Restricted for whole records, confidential for other personal data, internal otherwise.
    static func classified(_ entry: DictionaryEntry) -> DictionaryEntry {
        var entry = entry
        if entry.isWithheldRecord {
            entry.classification = .restricted
        } else if entry.personalKind != nil {
            entry.classification = .confidential
        } else {
            entry.classification = .internal
        }
        return entry
    }

    static func names(_ rules: [RuleDefinition], field: String) -> [String] {
        rules.filter { $0.fields.contains(field) }.map(\.name)
    }

    /// The values `allowed_values` rules permit, in the order first declared.
    static func allowedValues(_ rules: [RuleDefinition]) -> [String] {
        var values: [String] = []
        for rule in rules {
            if case .allowedValues(_, let allowed) = rule.check {
                values += allowed.filter { !values.contains($0) }
            }
        }
        return values
    }
}
