import CDPCore

/// What checking a source's rows needs that stays the same from row to row: its row-level rules compiled into a
/// validator, and its standardiser. The embedded ingest, its preflight and the Spark worker build it the one way.
struct SourceChecks: Sendable {
    let source: SourceConfiguration
    /// Every rule of the source, dataset-level ones included (for tallies and preflight).
    let rules: [RuleDefinition]
    let validator: RecordValidator
    let standardizer: RecordStandardizer

    init(source: SourceConfiguration, rules: RuleSet, defaultCountry: String) {
        self.init(source: source, rules: rules.rules(for: source.name), defaultCountry: defaultCountry)
    }

    init(source: SourceConfiguration, rules: [RuleDefinition], defaultCountry: String) {
        self.source = source
        self.rules = rules
        validator = RecordValidator(source: source, rules: rules)
        standardizer = RecordStandardizer(source: source, defaultCountry: defaultCountry)
    }

    /// The sources whose current keys the reference rules read, in the order the rules name them.
    var referencedSources: [SourceName] {
        var names: [SourceName] = []
        for rule in rules {
            if case .reference(_, let target) = rule.check, !names.contains(target) { names.append(target) }
        }
        return names
    }

    /// The checker of one file's rows, given what the lake (or the run so far) holds of the source: each key's
    /// latest content hash and the keys current in silver.
    func checker<Sink: CheckedRowSink>(
        fileName: String, validation: ValidationEnvironment, latestHashes: [String: Int64], currentKeys: KeySet, expectedRows: Int,
        sink: Sink, profile: IngestProfile?
    ) -> RowChecker<Sink> {
        RowChecker(
            source: source, fileName: fileName, standardizer: standardizer, validator: validator, validation: validation,
            latestHashes: latestHashes, currentKeys: currentKeys, expectedRows: expectedRows, chunk: sink, profile: profile)
    }
}
