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

    /// View columns computed rather than read from a table, so SQLite names no origin for them, that hold
    /// whole records: `bronze_row.raw` is each row's text read from its landed file. Known by name.
    static let computedRecordColumns: [(dataset: String, column: String)] = [("bronze_row", "raw")]

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
        let mask = try ResultMask(sql: sql, columns: result.columns, origins: result.origins, policy: MaskPolicy(self, environment))
        mask.apply(to: &result.rows)
        return result
    }

    /// Streams read-only SQL over the lake in batches, masked as ``query(_:limit:as:)`` masks. `header`
    /// gets the column names and whether each holds numbers (a column declared INTEGER or REAL).
    public func streamQuery(
        _ sql: String, as environment: Environment, header: ([String], [Bool]) throws -> Void, rows: ([[String?]]) throws -> Void
    ) throws(EngineError) {
        // Read what masking needs before the query: the store cannot be read again from inside its read.
        let policy = MaskPolicy(self, environment)
        var mask: ResultMask?
        // The store wraps what its closures throw; keep the caller's own error to rethrow it as it was.
        var failure: (any Error)?
        struct Stopped: Error {}
        do {
            try store.streamQuery(sql) { columns, origins, types in
                do {
                    mask = try ResultMask(sql: sql, columns: columns, origins: origins, policy: policy)
                    let numeric = types.map { type in
                        let upper = type?.uppercased() ?? ""
                        return ["INT", "REAL", "FLOA", "DOUB", "NUM", "DEC"].contains { upper.contains($0) }
                    }
                    try header(columns, numeric)
                } catch {
                    failure = error
                    throw Stopped()
                }
            } rows: { batch in
                var batch = batch
                mask?.apply(to: &batch)
                do { try rows(batch) } catch {
                    failure = error
                    return false
                }
                return true
            }
        } catch {
            if failure == nil { throw EngineError.store(error) }
        }
        if let failure {
            if let engine = failure as? EngineError { throw engine }
            throw EngineError(.input, "export failed: \(failure)")
        }
    }
}

/// Who is asking and, without `view_pii`, which columns are personal (nil: nothing is masked).
struct MaskPolicy {
    var principal: Principal
    var personalData: PersonalDataMap?

    init(_ workspace: Workspace, _ environment: Environment) {
        principal = workspace.principal(environment)
        personalData = principal.may(.viewPII) ? nil : workspace.personalData
    }
}

/// How one result's columns are masked for a principal without `view_pii`.
struct ResultMask {
    enum Treatment {
        case show
        case mask(PIIKind)
        case maskJSONOrWithhold
        case withhold
    }

    let treatments: [Treatment]
    let masker: PIIMasker

    /// Which columns are personal follows the data dictionary: a column of a dataset it describes is masked
    /// when tagged `PII.*`, withheld when tagged `PII.Record`, shown otherwise; other tables keep the
    /// built-in rules.
    init(sql: String, columns: [String], origins: [String?], policy: MaskPolicy) throws(EngineError) {
        guard let personalData = policy.personalData else {
            masker = .none
            treatments = columns.map { _ in .show }
            return
        }
        masker = PIIMasker(columns: personalData.columns)
        let personal = Set(masker.columns.keys)
        let words = Set(sql.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        let computedRecords = Set(Workspace.computedRecordColumns.filter { words.contains($0.dataset) }.map(\.column))
        let readsPersonal = !words.isDisjoint(with: personal) || !words.isDisjoint(with: computedRecords)
        for (index, origin) in origins.enumerated() where origin == nil && readsPersonal {
            let name = columns[index]
            guard masker.kind(ofColumn: name) == nil, !computedRecords.contains(name) else { continue }
            throw EngineError(
                .forbidden,
                "\(policy.principal) may not compute over personal columns (result column '\(name)' is an expression): missing permission view_pii; select the column itself to see it masked")
        }
        var treatments: [Treatment] = []
        for index in columns.indices {
            let origin = origins[index]
            let column = origin.map { String($0.split(separator: ".").last ?? "") } ?? columns[index]
            let dataset = origin.map { String($0.split(separator: ".").first ?? "") }
            if origin == nil, computedRecords.contains(column) {
                treatments.append(.maskJSONOrWithhold)
            } else if let dataset, let treatment = personalData.treatment(dataset: dataset, column: column) {
                switch treatment {
                case .show: treatments.append(.show)
                case .mask(let kind): treatments.append(.mask(kind))
                case .withhold: treatments.append(.maskJSONOrWithhold)
                }
            } else if let origin, Workspace.dictionaryTextColumns.contains(origin) {
                treatments.append(.withhold)
            } else if let kind = masker.kind(ofColumn: column) {
                treatments.append(.mask(kind))
            } else if let origin, Workspace.freeTextColumns.contains(origin) {
                treatments.append(.maskJSONOrWithhold)
            } else {
                treatments.append(.show)
            }
        }
        self.treatments = treatments
    }

    func apply(to rows: inout [[String?]]) {
        for (index, treatment) in treatments.enumerated() {
            switch treatment {
            case .show: continue
            case .mask(let kind):
                for row in rows.indices { rows[row][index] = rows[row][index].map { PIIMasker.mask($0, as: kind) } }
            case .maskJSONOrWithhold:
                for row in rows.indices { rows[row][index] = rows[row][index].map { masker.json($0) ?? Workspace.withheldValue } }
            case .withhold:
                for row in rows.indices { rows[row][index] = rows[row][index].map { _ in Workspace.withheldValue } }
            }
        }
    }
}
