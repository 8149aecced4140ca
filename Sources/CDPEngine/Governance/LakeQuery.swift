import CDPCore
import CDPStore

extension Workspace {
    /// Columns whose text can hold personal values in a shape no column name reveals: JSON documents are
    /// masked inside, anything else is withheld from a principal without `view_pii`.
    static let freeTextColumns: Set<String> = [
        "bronze_row.raw", "quarantine_record.fields", "quarantine_record.failures", "quarantine_record.resolution",
        "quarantine_history.detail", "row_warning.value", "row_warning.message", "audit_log.before", "audit_log.after",
        "audit_log.reason", "golden_record.attributes", "golden_override.value", "match_candidate.explanation",
    ]

    /// The dictionary's own examples and kept versions may quote a personal value: withheld whole.
    static let dictionaryTextColumns: Set<String> = ["dictionary_entry.example", "dictionary_version.entry"]

    public static let withheldValue = "(withheld: needs view_pii)"

    /// Runs read-only SQL over the lake as the environment's user: without `view_pii`, personal columns
    /// come back masked, JSON columns masked inside, free text withheld. Which columns are personal follows
    /// the data dictionary: a column of a dataset it describes is masked when tagged `PII.*`, withheld when
    /// tagged `PII.Record`, and shown otherwise; other tables keep the built-in rules.
    /// - Throws: `.refused` for a statement that would write; `.forbidden` when, without `view_pii`, an
    ///   expression (not a plain column) reads a personal column, since its result could not be masked.
    public func query(_ sql: String, limit: Int, as environment: Environment) throws(EngineError) -> LakeStore.QueryResult {
        var result = try storeCall { () throws(StoreError) in try store.query(sql, limit: limit) }
        guard !principal(environment).may(.viewPII) else { return result }
        let personalData = personalData
        let masker = PIIMasker(columns: personalData.columns)
        let personal = Set(masker.columns.keys)
        let words = Set(sql.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        let readsPersonal = !words.isDisjoint(with: personal)
        for (index, origin) in result.origins.enumerated() where origin == nil && readsPersonal {
            let name = result.columns[index]
            guard masker.kind(ofColumn: name) == nil else { continue }
            let principal = principal(environment)
            throw EngineError(
                .forbidden,
                "\(principal) may not compute over personal columns (result column '\(name)' is an expression): missing permission view_pii; select the column itself to see it masked")
        }
        for index in result.columns.indices {
            let origin = result.origins[index]
            let column = origin.map { String($0.split(separator: ".").last ?? "") } ?? result.columns[index]
            let dataset = origin.map { String($0.split(separator: ".").first ?? "") }
            if let dataset, let treatment = personalData.treatment(dataset: dataset, column: column) {
                for row in result.rows.indices {
                    switch treatment {
                    case .show: break
                    case .mask(let kind): result.rows[row][index] = result.rows[row][index].map { PIIMasker.mask($0, as: kind) }
                    case .withhold: result.rows[row][index] = result.rows[row][index].map { masker.json($0) ?? Self.withheldValue }
                    }
                }
            } else if let origin, Self.dictionaryTextColumns.contains(origin) {
                for row in result.rows.indices { result.rows[row][index] = result.rows[row][index].map { _ in Self.withheldValue } }
            } else if let kind = masker.kind(ofColumn: column) {
                for row in result.rows.indices { result.rows[row][index] = result.rows[row][index].map { PIIMasker.mask($0, as: kind) } }
            } else if let origin, Self.freeTextColumns.contains(origin) {
                for row in result.rows.indices {
                    result.rows[row][index] = result.rows[row][index].map { masker.json($0) ?? Self.withheldValue }
                }
            }
        }
        return result
    }
}
