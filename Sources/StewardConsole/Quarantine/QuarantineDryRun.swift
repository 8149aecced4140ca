import CDPCore
import CDPEngine
import CDPStore

/// Validates edited field values the way the engine will on `fix`, without writing anything, so the
/// edit form can show the would-be failures as the steward types.
///
/// The engine has no public dry-run, so this runs CDPCore's `RecordStandardizer` and `RecordValidator`
/// against `workspace.rules`, with reference keys read from the lake once. It leaves out the check the
/// engine adds on top (a key already current in silver from the same file); `fix` still applies it.
struct QuarantineDryRun {
    let source: SourceConfiguration
    let defaultCountry: String
    let rules: [RuleDefinition]
    let environment: ValidationEnvironment

    init(workspace: Workspace, source: SourceConfiguration, today: String) throws(EngineError) {
        self.source = source
        self.defaultCountry = workspace.configuration.defaultCountry
        self.rules = workspace.rules.rules(for: source.name)
        environment = try workspace.validationEnvironment(for: rules, today: today)
    }

    /// The failures `fields` and `sourceKey` would have after a fix.
    func failures(fields: [String: String], sourceKey: String, line: Int) -> [RuleFailure] {
        var failures: [RuleFailure] = []
        if sourceKey.isEmpty {
            failures.append(RuleFailure(
                rule: BuiltInRule.missingKey, field: RuleFieldName.sourceKey, value: nil,
                message: "the key \(source.primaryKey) is empty", severity: .error))
        }
        let raw = source.entity.fields.map { fields[$0.name] }
        let record = RecordStandardizer(source: source, defaultCountry: defaultCountry).standardize(sourceKey: sourceKey, raw: raw)
        var ledger = UniquenessLedger()
        failures += RecordValidator(source: source, rules: rules).validate(record, line: line, environment: environment, ledger: &ledger)
        return failures
    }
}
