import CDPCore
import CDPRepositories

/// A query's result: column names, and rows whose values keep the storage class SQLite gave them.
public struct LakeQueryResult: Sendable {
    public var columns: [String]
    public var rows: [[CellValue]]

    public init(columns: [String], rows: [[CellValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

extension Workspace {
    /// Columns whose text can hold personal values in a shape no column name reveals: JSON documents (masked
    /// member by member in the masked views), free text, messages that may quote a value, search keys.
    /// Personal whatever the dictionary says: a user without `view_pii` reads them only through masked views.
    /// `customer_search` is a table without rowid ordered by its key, so even its golden ids, read in that
    /// order, tell where each customer's names and e-mails sort: the whole table is personal.
    static let freeTextColumns: Set<String> = [
        "bronze_row.raw", "bronze_row_v1.raw", "quarantine_record.fields", "quarantine_record.failures",
        "quarantine_record.resolution", "quarantine_history.detail", "row_warning.value", "row_warning.message",
        "audit_log.before", "audit_log.after", "audit_log.reason", "golden_record.attributes", "golden_override.value",
        "match_candidate.explanation", "pair_decision.reason", "customer_search.key", "customer_search.golden_id",
        "customer_name_variant.variant",
        "customer_name_variant.name", "silver_customer.attributes", "workflow_run.error", "task_run.error", "run_event.message", "batch.error",
    ]

    /// The dictionary's own examples and kept versions may quote a personal value: withheld whole.
    static let dictionaryTextColumns: Set<String> = ["dictionary_entry.example", "dictionary_version.entry"]
    /// What the engine keeps for itself in bytes: the match state holds hashes of first and last names with how many
    /// customers hold each, which a guess could test.
    static let engineStateColumns: Set<String> = ["match_state.state"]

    public static let withheldValue = PIIMasker.withheldText

    /// Runs one read-only SQL statement over the lake as the environment's user and returns at most `limit` rows.
    ///
    /// What the statement reads is decided by SQLite, not by its words: without `view_pii`, a statement that
    /// reads a personal column anywhere (its result, a condition, a join, an order, a grouping, a subquery,
    /// through a view, a CTE or a compound select) is refused; the `<dataset>_masked` views show such a user
    /// the same rows with personal values masked. Which columns are personal follows the data dictionary's
    /// `PII.*` tags (the built-in personal fields without a dictionary), plus the JSON and free-text columns
    /// that can hold personal values whatever their tags.
    /// - Throws: `.forbidden` naming the personal column read and the masked view to query instead (or the
    ///   function, PRAGMA or table queries may not use); `.refused` for a statement that would write; `.store`
    ///   for SQL SQLite refuses.
    ///
    /// A statement runs for at most `cdp.toml`'s `[query] time_limit_seconds` (two minutes when unset) or
    /// `timeLimitSeconds` when that is shorter; past it the statement is stopped.
    /// - Throws: also `.cancelled` for a statement stopped at its time limit, `.input` for a `timeLimitSeconds`
    ///   above the workspace's limit or below one.
    public func query(_ sql: String, limit: Int, as environment: Environment, timeLimitSeconds: Int? = nil) throws(EngineError) -> LakeQueryResult {
        let ceiling = configuration.queryTimeLimitSeconds ?? WorkspaceConfiguration.defaultQueryTimeLimitSeconds
        if let asked = timeLimitSeconds, !(1...ceiling).contains(asked) {
            throw EngineError(
                .input,
                "a query's time limit must be between 1 and \(ceiling) seconds (the workspace's limit, `[query] time_limit_seconds` in cdp.toml); \(asked) is not")
        }
        var result = LakeQueryResult(columns: [], rows: [])
        try streamQuery(sql, as: environment, batchSize: min(max(limit, 1), 1024), timeLimit: .seconds(timeLimitSeconds ?? ceiling)) { columns in
            result.columns = columns
        } rows: { batch in
            result.rows.append(contentsOf: batch.prefix(limit - result.rows.count))
            return result.rows.count < limit
        }
        return result
    }

    /// Streams one read-only statement's rows in batches, under the rules of ``query(_:limit:as:)``: `header`
    /// gets the column names first, `rows` each batch and returns false to stop.
    /// - Throws: as ``query(_:limit:as:)``, and whatever `header` or `rows` throw, as they threw it.
    /// `timeLimit` stops the statement once it has run that long (nil: no limit; an export reads a dataset whole).
    public func streamQuery(
        _ sql: String, as environment: Environment, batchSize: Int = 4096, timeLimit: Duration? = nil,
        header: ([String]) throws -> Void, rows: ([[CellValue]]) throws -> Bool
    ) throws(EngineError) {
        let principal = principal(environment)
        var policy = queryPolicy(for: principal)
        policy.timeLimit = timeLimit
        // The store wraps what the closures throw; keep the caller's own error to rethrow it as it was.
        var failure: (any Error)?
        struct Stopped: Error {}
        do {
            try repositories.query.userQuery(sql, policy: policy, batchSize: batchSize) { columns in
                do { try header(columns) } catch {
                    failure = error
                    throw Stopped()
                }
            } rows: { batch in
                do { return try rows(batch) } catch {
                    failure = error
                    throw Stopped()
                }
            }
        } catch {
            if failure == nil { throw auditedRefusal(queryError(error, principal), environment) }
        }
        if let failure {
            if let engine = failure as? EngineError { throw engine }
            throw EngineError(.input, "the query's output failed: \(failure)")
        }
    }

    /// The tables and views of the lake a user may query or export, and the masked views.
    public func queryableDatasets(as environment: Environment) throws(EngineError) -> [QueryableDataset] {
        let policy = queryPolicy(for: principal(environment))
        return try storeCall { () throws(StoreError) in try repositories.query.queryableDatasets(policy) }
    }

    /// What `principal` may read with user SQL: everything with `view_pii`, else every column but the personal ones.
    func queryPolicy(for principal: Principal) -> QueryPolicy {
        let personalData = personalData
        let masker = PIIMasker(columns: personalData.columns)
        return QueryPolicy(readsPersonalData: principal.may(.viewPII), masker: masker, withheld: Self.withheldValue) {
            dataset, column in Self.maskedColumn(dataset: dataset, column: column, personalData: personalData, masker: masker)
        }
    }

    /// How a lake column reads in its masked view: the JSON and free-text columns always masked or withheld;
    /// then, for a dataset the dictionary describes, its tags (`PII.Record` as JSON-masked-or-withheld); for
    /// other datasets, the personal column names.
    static func maskedColumn(dataset: String, column: String, personalData: PersonalDataMap, masker: PIIMasker) -> MaskedColumn {
        let key = "\(dataset).\(column)"
        if dictionaryTextColumns.contains(key) || engineStateColumns.contains(key) { return .withhold }
        if freeTextColumns.contains(key) { return .maskJSON }
        if let treatment = personalData.treatment(dataset: dataset, column: column) {
            switch treatment {
            case .show: return .show
            case .mask(let kind): return .mask(kind)
            case .withhold: return .maskJSON
            }
        }
        return masker.kind(ofColumn: column).map { .mask($0) } ?? .show
    }

    /// A read refused for want of a permission is audited (`access.refused`, target `query`, the refusal naming the
    /// column or function as the reason, never the statement's text, which may hold a guessed value), as a refused
    /// action is; any other failure is returned as it was.
    private func auditedRefusal(_ error: EngineError, _ environment: Environment) -> EngineError {
        guard error.code == .forbidden else { return error }
        var refused = error
        do {
            try appendAuditEvenIfReadOnly(
                AuditDraft(actor: environment.user, action: "access.refused", target: "query", reason: error.message),
                at: environment.timestamp)
        } catch {
            refused.message += " (the refusal could not be written to the audit log: \(error.message))"
        }
        return refused
    }

    /// The store's refusal as the user meets it: who may not read what, the permission missing, what to do.
    private func queryError(_ error: StoreError, _ principal: Principal) -> EngineError {
        if error.code == .interrupted { return EngineError(.cancelled, error.message) }
        guard error.code == .notAuthorized else { return EngineError.store(error) }
        let granting = accessPolicy.roles(granting: .viewPII)
        let hint = granting.isEmpty ? "" : " (roles with it: \(granting.joined(separator: ", ")))"
        guard !principal.may(.viewPII), error.message.contains("personal column") else {
            return EngineError(.forbidden, "\(principal) may not run this query: \(error.message)")
        }
        return EngineError(.forbidden, "\(principal) may not read personal data without permission view_pii\(hint): \(error.message)")
    }
}
