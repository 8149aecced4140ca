import CDPCore
import CDPRepositories
import Foundation

/// A held record being edited (the console's edit form). The record's real values stay in the engine: the
/// form starts from the values as the user may see them (masked without `view_pii`), and only the fields
/// the user changed are checked and saved as typed; every other field keeps the record's real value.
public struct QuarantineDraft: Sendable {
    public let id: QuarantineID
    /// The fields the form offers: the source key, then the entity's mapped (or present) fields.
    public let fieldNames: [String]
    /// The values the form starts from, as this user may see them.
    public let shownValues: [String]
    let record: QuarantineRecord
    let source: SourceConfiguration
    let service: QuarantineService
    let context: QuarantineService.ValidationContext
    let masker: PIIMasker

    /// The edits `values` (one per field name) make: the fields whose value differs from the one shown.
    public func edits(_ values: [String]) -> [String: String] {
        var edits: [String: String] = [:]
        for (index, name) in fieldNames.enumerated() where index < values.count && values[index] != shownValues[index] {
            edits[name] = values[index]
        }
        return edits
    }

    /// What the record would fail after `values`, as `fix` would check it, masked for the user. Fields
    /// left as shown are checked with the record's real values, never with the masked text.
    /// - Throws: `EngineError.store` when an edited key must be looked up in silver and the lake cannot be read.
    public func failures(_ values: [String]) throws(EngineError) -> [RuleFailure] {
        var fields = record.fields
        var sourceKey = record.sourceKey
        for (name, value) in edits(values) {
            if name == RuleFieldName.sourceKey { sourceKey = value } else { fields[name] = value }
        }
        var context = self.context
        // Silver's current batch is known for the record's own key; an edited key is looked up.
        if sourceKey != record.sourceKey { context.currentBatches = nil }
        let failures = try service.validate(
            fields: fields, sourceKey: sourceKey, record: record, source: source, edited: true, context: context)
        var checked = record
        checked.failures = failures
        return masker.record(checked).failures
    }
}

/// The values some fields of a held record had, kept in the engine: undo puts them back as they were
/// (never as the masked text a user without `view_pii` saw), and "fix all like this" finds the records
/// holding the same value.
public struct QuarantineSnapshot: Sendable {
    public let id: QuarantineID
    public let source: SourceName
    /// The captured fields (canonical names, `source_key` for the key).
    public var fields: [String] { values.keys.sorted() }
    let values: [String: String]
}

extension QuarantineService {
    /// Starts editing a held record: refused at once without `remediate_quarantine` (audited), not after typing.
    /// - Throws: `.forbidden`; `.notFound`; `.refused` when the record is released or rejected, or its source left cdp.toml.
    public func draft(_ id: QuarantineID) throws(EngineError) -> QuarantineDraft {
        try authorize(.fix, id)
        let record = try storedRecord(id)
        guard record.status == .open || record.status == .fixed else {
            throw EngineError(.refused, "\(id) is \(record.status.rawValue); only open or fixed records can be edited")
        }
        guard let source = workspace.configuration.source(named: record.source) else {
            throw EngineError(.refused, "source \(record.source) is no longer in cdp.toml; add it back to edit \(id)")
        }
        let masker = workspace.masker(for: environment)
        let names =
            [RuleFieldName.sourceKey] + source.entity.fields.map(\.name).filter { source.mapping[$0] != nil || record.fields[$0] != nil }
        let shown = masker.record(record)
        let values = names.map { $0 == RuleFieldName.sourceKey ? shown.sourceKey : (shown.fields[$0] ?? "") }
        let context = try validationContext(source, keys: record.sourceKey.isEmpty ? [] : [record.sourceKey])
        return QuarantineDraft(
            id: id, fieldNames: names, shownValues: values, record: record, source: source, service: self, context: context, masker: masker)
    }

    /// Captures the current values of `fields` (canonical names, source column names or `source_key`).
    /// - Throws: `.notFound`, or `.refused` naming an unknown field.
    public func snapshot(_ id: QuarantineID, fields: [String]) throws(EngineError) -> QuarantineSnapshot {
        let record = try storedRecord(id)
        let source = try workspace.source(record.source)
        var values: [String: String] = [:]
        for name in fields {
            if name == RuleFieldName.sourceKey || name == source.primaryKey {
                values[RuleFieldName.sourceKey] = record.sourceKey
            } else if let field = canonicalField(name, source) {
                values[field] = record.fields[field] ?? ""
            } else {
                throw EngineError(.refused, "\(id): unknown field \(name) for source \(source.name)")
            }
        }
        return QuarantineSnapshot(id: id, source: record.source, values: values)
    }

    /// Puts the captured values back: checked and re-validated as a `fix`, audited as `quarantine.fix.undo`.
    /// - Returns: the record as changed, masked.
    /// - Throws: as ``fix(_:edits:)``.
    @discardableResult
    public func restore(_ snapshot: QuarantineSnapshot) throws(EngineError) -> QuarantineRecord {
        try applyEdits(snapshot.id, edits: snapshot.values, undoing: true)
    }

    /// Open records of the snapshot's source, other than its own, failing `rule` with the value `field`
    /// had in the snapshot: what "fix all like this" applies the same edit to. Compared on the real
    /// values; returned masked.
    /// - Throws: `.refused` when the snapshot did not capture `field`; `EngineError.store` when the lake cannot be read.
    public func recordsLike(_ snapshot: QuarantineSnapshot, field: String, rule: String) throws(EngineError) -> [QuarantineRecord] {
        guard let oldValue = snapshot.values[field] else {
            throw EngineError(.refused, "the snapshot of \(snapshot.id) holds no \(field); capture it before the fix")
        }
        // The text filter narrows in SQL; it cannot match values JSON escapes, so those are scanned whole.
        let plain = !oldValue.isEmpty && !oldValue.contains("\"") && !oldValue.contains("\\")
        let filter = QuarantineFilter(
            source: snapshot.source, rule: rule, statuses: [.open], text: plain ? oldValue : nil, limit: 1_000_000)
        let masker = workspace.masker(for: environment)
        return try storeCall { () throws(StoreError) in try workspace.repositories.quarantine.quarantineRecords(filter) }
            .filter { $0.id != snapshot.id && (field == RuleFieldName.sourceKey ? $0.sourceKey : ($0.fields[field] ?? "")) == oldValue }
            .map(masker.record)
    }
}
