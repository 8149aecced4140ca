import CDPCore
import CDPRepositories
import Foundation

/// The remediation API stewards use, from the CLI and the console: edit a quarantined record's fields,
/// re-validate, release it to silver (only when it passes) or reject it with a reason. Every action is
/// one transaction with its history row and its audit row.
public struct QuarantineService: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    /// Act on records someone else claimed or was assigned (after the user confirmed; each audited as
    /// `work.take_over`). Without it such a record is refused with `.held`.
    public var takingOverHolds = false

    public init(workspace: Workspace, environment: Environment, takingOverHolds: Bool = false) {
        self.workspace = workspace
        self.environment = environment
        self.takingOverHolds = takingOverHolds
    }

    /// Refuses acting on a record someone else holds unless ``takingOverHolds`` (then audited).
    func respectHold(_ action: Action, _ id: QuarantineID) throws(EngineError) {
        try WorkAssignments(workspace: workspace, environment: environment)
            .respectHold(on: .quarantine(id), for: "quarantine.\(action.rawValue)", takingOver: takingOverHolds)
    }

    /// What a steward does to a held record, as named in the audit log (`quarantine.fix`, …).
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case fix, release, reject, reopen
    }

    /// Checks the user may take `action` on `id` before a form or a prompt opens, so nobody types an edit
    /// or a reason only to be refused at the end. A refusal is audited as the action itself would be.
    /// - Throws: `.forbidden` naming the missing permission and the roles that have it.
    public func authorize(_ action: Action, _ id: QuarantineID) throws(EngineError) {
        try workspace.authorize(.remediateQuarantine, environment, attempt: "quarantine.\(action.rawValue) \(id)")
    }

    /// Everything a steward needs to judge a record.
    public struct Detail: Sendable {
        public var record: QuarantineRecord
        public var history: [QuarantineHistoryEntry]
        public var rawRow: String?
        public var file: String?
        public var batch: BatchRecord?
        /// The source column each canonical field was read from.
        public var columns: [String: String]
        /// Who holds the record (a claim or an assignment); nil when nobody does.
        public var hold: WorkClaim? = nil
        /// The record's comment thread, oldest first (the text withheld without `view_pii`).
        public var comments: [WorkComment] = []
    }

    /// What a principal without `view_pii` sees in place of the landed line.
    public static let withheldRawRow = "(withheld: it holds personal data; needs view_pii)"

    /// A held record as this user may see it (personal values masked without `view_pii`).
    /// - Throws: `.notFound` naming the id.
    public func record(_ id: QuarantineID) throws(EngineError) -> QuarantineRecord {
        workspace.masker(for: environment).record(try storedRecord(id))
    }

    /// The record as stored, unmasked: for the engine's own checks and writes only.
    func storedRecord(_ id: QuarantineID) throws(EngineError) -> QuarantineRecord {
        guard let record = try storeCall({ () throws(StoreError) in try workspace.repositories.quarantine.quarantineRecord(id) }) else {
            throw EngineError(.notFound, "no quarantined record \(id); list them with `cdp quarantine list`")
        }
        return record
    }

    public func detail(_ id: QuarantineID) throws(EngineError) -> Detail {
        let record = try storedRecord(id)
        let lake = workspace.repositories
        let history = try storeCall { () throws(StoreError) in try lake.quarantine.quarantineHistory(id) }
        let landed = try storeCall { () throws(StoreError) in try lake.quarantine.landedRecord(of: id) }
        let batch = try storeCall { () throws(StoreError) in try lake.batches.batch(record.batch) }
        let columns = workspace.configuration.source(named: record.source)?.mapping ?? [:]
        let masker = workspace.masker(for: environment)
        let hold = try WorkAssignments(workspace: workspace, environment: environment).hold(on: .quarantine(id))
        let comments = try WorkComments(workspace: workspace, environment: environment).thread(of: .quarantine(id))
        guard masker.isActive else {
            return Detail(
                record: record, history: history, rawRow: landed.map(landedText), file: landed?.file, batch: batch, columns: columns,
                hold: hold, comments: comments)
        }
        // The landed line holds every column as typed; without view_pii it is withheld rather than half-masked.
        return Detail(
            record: masker.record(record), history: history.map { masker.history($0, of: record) },
            rawRow: landed == nil ? nil : Self.withheldRawRow, file: landed?.file, batch: batch, columns: columns, hold: hold,
            comments: comments)
    }

    /// The record as it stands in the landed file (bronze), or why it cannot be shown.
    func landedText(_ landed: LandedRecord) -> String {
        landed.text ?? "(the landed copy \(landed.landedPath) cannot be read; line \(landed.line) of \(landed.file))"
    }

    /// Applies field edits (canonical field names, or the source's column names) and re-validates.
    /// The record becomes `fixed` when it now passes, and stays `open` otherwise.
    /// - Returns: the record as changed.
    @discardableResult
    public func fix(_ id: QuarantineID, edits: [String: String]) throws(EngineError) -> QuarantineRecord {
        try applyEdits(id, edits: edits, undoing: false)
    }

    /// ``fix(_:edits:)``, audited as `quarantine.fix.undo` when it puts back what a fix changed.
    /// - Parameter expecting: the real values (canonical names, `source_key`) some fields must still hold; a
    ///   record whose value differs was edited meanwhile and is refused.
    func applyEdits(
        _ id: QuarantineID, edits: [String: String], undoing: Bool, expecting: [String: String]? = nil
    ) throws(EngineError) -> QuarantineRecord {
        try authorize(.fix, id)
        // An undo changes the record as a fix does: someone who holds it now is asked first, as for any fix.
        try respectHold(.fix, id)
        let record = try storedRecord(id)
        guard record.status == .open || record.status == .fixed else {
            throw EngineError(.refused, "\(id) is \(record.status.rawValue); only open or fixed records can be edited")
        }
        if let expecting {
            let changed = expecting.keys.sorted().filter { field in
                (field == RuleFieldName.sourceKey ? record.sourceKey : (record.fields[field] ?? "")) != expecting[field]
            }
            guard changed.isEmpty else {
                throw EngineError(
                    .refused, "\(id) was edited meanwhile (\(changed.joined(separator: ", ")) changed since the preview); left as it is — preview again to include it")
            }
        }
        let source = try workspace.source(record.source)
        var fields = record.fields
        var sourceKey = record.sourceKey
        var applied: [String: String] = [:]
        var unknown: [String] = []
        for (name, value) in edits.sorted(by: { $0.key < $1.key }) {
            if name == RuleFieldName.sourceKey || name == source.primaryKey {
                sourceKey = value
                applied[RuleFieldName.sourceKey] = value
            } else if let field = canonicalField(name, source) {
                fields[field] = value
                applied[field] = value
            } else {
                unknown.append(name)
            }
        }
        guard unknown.isEmpty else {
            let known = [RuleFieldName.sourceKey] + source.entity.fields.map(\.name).filter { source.mapping[$0] != nil }
            throw EngineError(.refused, "\(id): unknown field \(unknown.joined(separator: ", ")) for source \(source.name) (fields: \(known.joined(separator: ", ")))")
        }
        guard !applied.isEmpty else { throw EngineError(.refused, "\(id): no edits given; write field=value") }
        let failures = try validate(fields: fields, sourceKey: sourceKey, record: record, source: source, edited: true)
        let status: QuarantineStatus = failures.contains { $0.severity >= .error } ? .open : .fixed
        let change = QuarantineChange(
            fields: fields, sourceKey: sourceKey, failures: failures, status: status, historyAction: undoing ? "undo fix" : "fix",
            historyDetail: describe(applied) + (status == .fixed ? " → passes" : " → still fails \(failures.map(\.rule).joined(separator: ", "))"),
            audit: AuditDraft(
                actor: environment.user, action: undoing ? "quarantine.fix.undo" : "quarantine.fix", target: id.description,
                before: json(record.fields.filter { applied[$0.key] != nil }), after: json(applied)))
        try storeCall { () throws(StoreError) in
            try workspace.repositories.quarantine.applyQuarantineChange(id, expecting: record.status, asRead: record, change, at: environment.timestamp)
        }
        return try self.record(id)
    }

    /// Moves a record to silver. Refused, naming the failing rules, unless it passes every rule now.
    @discardableResult
    public func release(_ id: QuarantineID) throws(EngineError) -> QuarantineRecord {
        try authorize(.release, id)
        try respectHold(.release, id)
        let record = try storedRecord(id)
        guard record.status == .open || record.status == .fixed else {
            throw EngineError(.refused, "\(id) is \(record.status.rawValue); only open or fixed records can be released")
        }
        let source = try workspace.source(record.source)
        let edited = record.status == .fixed || !record.failures.contains { BuiltInRule.isParseRule($0.rule) }
        let failures = try validate(fields: record.fields, sourceKey: record.sourceKey, record: record, source: source, edited: edited)
        let blocking = failures.filter { $0.severity >= .error }
        guard blocking.isEmpty else {
            throw EngineError(
                .refused,
                "\(id) cannot be released: it still fails \(blocking.map(\.rule).joined(separator: ", ")); fix it first (cdp quarantine fix \(id) field=value)",
                details: blocking.map { "\($0.rule): \($0.message)" })
        }
        // A value an `omit_value` rule fails on stays out of silver, as at ingest.
        let standardized = standardize(fields: record.fields, sourceKey: record.sourceKey, source: source)
        let silverValues = RecordValidator(source: source, rules: workspace.rules.rules(for: source.name))
            .silverValues(standardized, failures: failures)
        let supersedes = try storeCall { () throws(StoreError) in
            try workspace.repositories.batches.currentSilverBatch(source: source.name, entity: source.entity, key: record.sourceKey)
        } != nil
        let change = QuarantineChange(
            fields: record.fields, sourceKey: record.sourceKey, failures: failures, status: .released,
            resolution: "released by \(environment.user)", historyAction: "release", historyDetail: "moved to silver",
            audit: AuditDraft(
                actor: environment.user, action: "quarantine.release", target: id.description,
                before: record.status.rawValue, after: "released to \(source.entity.silverTable)"),
            silverValues: silverValues, supersedes: supersedes)
        try storeCall { () throws(StoreError) in
            try workspace.repositories.quarantine.applyQuarantineChange(id, expecting: record.status, asRead: record, change, at: environment.timestamp)
        }
        return try self.record(id)
    }

    /// Rejects a record; it stays in quarantine with the reason until someone reopens it.
    @discardableResult
    public func reject(_ id: QuarantineID, reason: String) throws(EngineError) -> QuarantineRecord {
        try authorize(.reject, id)
        try respectHold(.reject, id)
        let record = try storedRecord(id)
        guard record.status == .open || record.status == .fixed else {
            throw EngineError(.refused, "\(id) is \(record.status.rawValue); only open or fixed records can be rejected")
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw EngineError(.refused, "a rejection needs a reason: say why \(id) is unusable") }
        let change = QuarantineChange(
            fields: record.fields, sourceKey: record.sourceKey, failures: record.failures, status: .rejected,
            resolution: trimmed, historyAction: "reject", historyDetail: trimmed,
            audit: AuditDraft(
                actor: environment.user, action: "quarantine.reject", target: id.description, before: record.status.rawValue,
                after: "rejected", reason: trimmed))
        try storeCall { () throws(StoreError) in
            try workspace.repositories.quarantine.applyQuarantineChange(id, expecting: record.status, asRead: record, change, at: environment.timestamp)
        }
        return try self.record(id)
    }

    /// Reopens a released or rejected record: it is held again, `fixed` when it passes every rule now and
    /// `open` otherwise. A released record's silver row is taken out and the row its release replaced is current
    /// again (golden records follow at the next match and gold build). Audited as `quarantine.reopen`.
    /// - Parameter reason: why, kept in the history and the audit log; required.
    /// - Throws: `.forbidden` without `remediate_quarantine` (audited); `.refused` without a reason, when the record
    ///   is not released or rejected, or when a newer version of a released record's key reached silver since;
    ///   `.notFound`.
    @discardableResult
    public func reopen(_ id: QuarantineID, reason: String) throws(EngineError) -> QuarantineRecord {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EngineError(.refused, "reopening \(id) needs a reason: say why the decision was wrong")
        }
        return try takeBack(id, reason: reason, undoing: false)
    }

    /// Undoes the release or rejection of `id` just made (the console's `u`): as ``reopen(_:reason:)``, audited as
    /// `quarantine.release.undo` or `quarantine.reject.undo`.
    /// - Throws: as ``reopen(_:reason:)``.
    @discardableResult
    public func undoDecision(_ id: QuarantineID) throws(EngineError) -> QuarantineRecord {
        try takeBack(id, reason: nil, undoing: true)
    }

    private func takeBack(_ id: QuarantineID, reason: String?, undoing: Bool) throws(EngineError) -> QuarantineRecord {
        try authorize(.reopen, id)
        try respectHold(.reopen, id)
        let record = try storedRecord(id)
        guard record.status == .released || record.status == .rejected else {
            throw EngineError(.refused, "\(id) is \(record.status.rawValue); only released or rejected records can be reopened")
        }
        let released = record.status == .released
        let source = try workspace.source(record.source)
        let failures: [RuleFailure]
        if released {
            // Its key is in silver now, from its own row: check it as the row that is about to leave.
            failures = record.failures
        } else {
            failures = try validate(
                fields: record.fields, sourceKey: record.sourceKey, record: record, source: source,
                edited: record.failures.allSatisfy { !BuiltInRule.isParseRule($0.rule) })
        }
        let status: QuarantineStatus = failures.contains { $0.severity >= .error } ? .open : .fixed
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let why = trimmed?.isEmpty == false ? trimmed : nil
        let action = undoing ? "quarantine.\(released ? "release" : "reject").undo" : "quarantine.reopen"
        let change = QuarantineChange(
            fields: record.fields, sourceKey: record.sourceKey, failures: failures, status: status, resolution: nil,
            historyAction: undoing ? "undo \(released ? "release" : "rejection")" : "reopen",
            historyDetail: (released ? "taken back from \(source.entity.silverTable)" : "rejection taken back") + (why.map { ": \($0)" } ?? ""),
            audit: AuditDraft(
                actor: environment.user, action: action, target: id.description, before: record.status.rawValue, after: status.rawValue,
                reason: why),
            withdrawsSilver: released)
        // A newer version of the key in silver since is a conflict: refused, naming the key.
        try storeCall { () throws(StoreError) in
            try workspace.repositories.quarantine.applyQuarantineChange(id, expecting: record.status, asRead: record, change, at: environment.timestamp)
        }
        return try self.record(id)
    }

    /// Re-checks the open records that could pass now against current data; those that pass become `fixed`.
    /// Incremental unless `full`: only records new since the last revalidation, and records failing a rule whose
    /// inputs changed since (a reference rule whose source's silver changed, a key rule whose own source's silver
    /// changed) are checked (``RevalidationMark``); a change of the rules or the sources' settings, or no earlier
    /// revalidation, checks every open record. Either way the records that pass are the same. What every record
    /// of a source needs (reference keys, compiled rules, the batches of current rows) is read once.
    ///
    /// Stewards keep working while it runs: a record one of them rejects, releases or edits meanwhile is
    /// theirs, and is skipped (counted as `decided_meanwhile`), never overwritten and never a failure.
    /// - Parameters:
    ///   - full: check every open record (`cdp run --full`).
    ///   - log: told why every record is checked, when it is.
    ///   - shouldStop: asked before each record; an error stops the revalidation with it (the records found
    ///     passing so far are marked first and stay `fixed`), and the next one starts from the last that finished.
    /// - Returns: counts: `records_checked`, `records_skipped` (held, not checked: nothing they depend on
    ///   changed), `now_passing`, `decided_meanwhile`.
    public func revalidateHeld(
        run: RunID?, full: Bool = false, log: (String) -> Void = { _ in }, shouldStop: @Sendable () -> EngineError? = { nil }
    ) throws(EngineError) -> [String: Int] {
        let quarantine = workspace.repositories.quarantine
        let openFilter = QuarantineFilter(statuses: [.open], limit: Int.max)
        let scope = try RevalidationScope.decide(workspace, today: environment.today, full: full) { () throws(EngineError) in
            try storeCall { () throws(StoreError) in try quarantine.quarantineIDs(openFilter, order: .id, ascending: true) }
        }
        let open: [QuarantineRecord]
        var skipped = 0
        if let ids = scope.records {
            var records: [QuarantineRecord] = []
            for start in stride(from: 0, to: ids.count, by: 10_000) {
                let chunk = Array(ids[start..<min(ids.count, start + 10_000)])
                records += try storeCall { () throws(StoreError) in try quarantine.quarantineRecords(ids: chunk) }
            }
            // Read by id, a record decided since its id was listed is no longer open: not this run's to check.
            open = records.filter { $0.status == .open }
            let total = try storeCall { () throws(StoreError) in try quarantine.quarantineCount(openFilter) }
            skipped = max(0, total - open.count)
        } else {
            if let why = scope.fullBecause { log("checking every held record: \(why)") }
            open = try storeCall { () throws(StoreError) in try quarantine.quarantineRecords(openFilter) }
        }
        var nowPassing = 0
        var decidedMeanwhile = 0
        var contexts: [SourceName: ValidationContext] = [:]
        let keysBySource = Dictionary(grouping: open, by: \.source).mapValues { $0.map(\.sourceKey).filter { !$0.isEmpty } }
        // Read with the records, before any is decided: what stewards do from here on is theirs.
        for source in workspace.configuration.sources where keysBySource[source.name] != nil {
            contexts[source.name] = try validationContext(source, keys: keysBySource[source.name] ?? [])
        }
        // Records that pass go to the store a batch at a time (the team store marks a batch in one call).
        var passing: [(read: QuarantineRecord, change: QuarantineChange)] = []
        func markPassing() throws(EngineError) {
            guard !passing.isEmpty else { return }
            let batch = passing
            passing = []
            let marked = try storeCall { () throws(StoreError) in try quarantine.markPassingNow(batch, at: environment.timestamp) }
            nowPassing += marked
            decidedMeanwhile += batch.count - marked
        }
        for record in open {
            if let stop = shouldStop() {
                try markPassing()
                throw stop
            }
            guard let source = workspace.configuration.source(named: record.source) else { continue }
            let failures = try validate(
                fields: record.fields, sourceKey: record.sourceKey, record: record, source: source,
                edited: false, context: contexts[source.name])
            guard !failures.contains(where: { $0.severity >= .error }) else { continue }
            let change = QuarantineChange(
                fields: record.fields, sourceKey: record.sourceKey, failures: failures, status: .fixed,
                historyAction: "revalidate", historyDetail: "passes now\(run.map { " (run \($0))" } ?? "")",
                audit: AuditDraft(
                    actor: environment.user, action: "quarantine.revalidate", target: record.id.description, before: "open",
                    after: "fixed"))
            passing.append((record, change))
            if passing.count >= Self.revalidationBatch { try markPassing() }
        }
        try markPassing()
        try scope.mark.write(workspace.lakeFolder)
        return ["records_checked": open.count, "records_skipped": skipped, "now_passing": nowPassing, "decided_meanwhile": decidedMeanwhile]
    }

    /// Records passing now marked in one call of the store.
    static let revalidationBatch = 1000

    /// What validating many held records of one source shares.
    struct ValidationContext: Sendable {
        var environment: ValidationEnvironment
        var validator: RecordValidator
        /// The batch of the current silver row of each held key that has one (keys absent: no current row).
        var currentBatches: [String: BatchID]?
    }

    func validationContext(_ source: SourceConfiguration, keys: [String]) throws(EngineError) -> ValidationContext {
        let rules = workspace.rules.rules(for: source.name)
        let checksKeys = rules.contains { rule in
            if case .unique(let field) = rule.check { return field == RuleFieldName.sourceKey }
            return false
        }
        let batches = checksKeys
            ? try storeCall { () throws(StoreError) in try workspace.repositories.batches.currentSilverBatches(source: source.name, entity: source.entity, keys: keys) }
            : nil
        return ValidationContext(
            environment: try validationEnvironment(source), validator: RecordValidator(source: source, rules: rules), currentBatches: batches)
    }

    // MARK: - Validation of a held record

    func canonicalField(_ name: String, _ source: SourceConfiguration) -> String? {
        if source.entity.fieldIndex(name) != nil { return name }
        return source.mapping.first { $0.value == name }?.key
    }

    private func standardize(fields: [String: String], sourceKey: String, source: SourceConfiguration) -> StandardizedRecord {
        RecordStandardizer(source: source, defaultCountry: workspace.configuration.defaultCountry)
            .standardize(sourceKey: sourceKey, raw: source.rawValues(heldFields: fields))
    }

    private func validationEnvironment(_ source: SourceConfiguration) throws(EngineError) -> ValidationEnvironment {
        try workspace.validationEnvironment(for: workspace.rules.rules(for: source.name), today: environment.today)
    }

    /// Failures of a held record now. Parse problems stand until a steward has edited the record; a
    /// key already current in silver from the same batch is a duplicate, from an earlier batch a newer version.
    func validate(
        fields: [String: String], sourceKey: String, record: QuarantineRecord, source: SourceConfiguration, edited: Bool,
        context: ValidationContext? = nil
    ) throws(EngineError) -> [RuleFailure] {
        var failures: [RuleFailure] = []
        if !edited {
            // What the validator checks again below (lengths, the key's characters) is not carried over.
            failures += record.failures.filter { BuiltInRule.isParseRule($0.rule) && !BuiltInRule.isCheckedByValidator($0.rule) }
        }
        if sourceKey.isEmpty {
            failures.append(RuleFailure(
                rule: BuiltInRule.missingKey, field: RuleFieldName.sourceKey, value: nil,
                message: "the key \(source.primaryKey) is empty", severity: .error))
        }
        let rules = workspace.rules.rules(for: source.name)
        let validator = context?.validator ?? RecordValidator(source: source, rules: rules)
        var ledger = UniquenessLedger()
        let validation: ValidationEnvironment
        if let context { validation = context.environment } else { validation = try validationEnvironment(source) }
        failures += validator.validate(
            standardize(fields: fields, sourceKey: sourceKey, source: source), line: record.line, environment: validation,
            ledger: &ledger)
        // A value another row of the same file already holds (a unique rule on another field) is a fact about that
        // file, which does not change: the failure stands while the value does. The ledger here is empty, so the
        // validator alone would let it pass.
        for rule in rules {
            guard case .unique(let field) = rule.check, field != RuleFieldName.sourceKey,
                let previous = record.failures.first(where: { $0.rule == rule.name }),
                !failures.contains(where: { $0.rule == rule.name })
            else { continue }
            let canonical = canonicalField(field, source) ?? field
            if fields[canonical] == record.fields[canonical] { failures.append(previous) }
        }
        for rule in rules {
            guard case .unique(let field) = rule.check, field == RuleFieldName.sourceKey, !sourceKey.isEmpty else { continue }
            let batch: BatchID?
            if let known = context?.currentBatches {
                batch = known[sourceKey]
            } else {
                batch = try storeCall { () throws(StoreError) in
                    try workspace.repositories.batches.currentSilverBatch(source: source.name, entity: source.entity, key: sourceKey)
                }
            }
            if batch == record.batch {
                failures.append(RuleFailure(
                    rule: rule.name, field: RuleFieldName.sourceKey, value: sourceKey,
                    message: "duplicate source_key '\(sourceKey)': a record with this key from the same file is already in silver",
                    severity: rule.severity))
            }
        }
        return failures
    }

    private func describe(_ edits: [String: String]) -> String {
        edits.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    private func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(values), as: UTF8.self)) ?? "{}"
    }
}

extension SourceConfiguration {
    /// A held record's fields (by canonical name, extra attributes as `attributes.NAME`) laid out as a landed row's
    /// raw values: the canonical fields, then the extra attributes.
    func rawValues(heldFields fields: [String: String]) -> [String?] {
        entity.fields.map { fields[$0.name] } + attributeNames.map { fields[MatchField.attributePrefix + $0] }
    }
}
