import CDPCore
import CDPRepositories
import Foundation

/// A change made to many held records at once: the console's marked rows (or every row of its filter) and
/// `cdp quarantine release|reject|fix --rule …`.
public enum BulkChange: Sendable, Hashable {
    /// Release every record that passes every rule now.
    case release
    /// Reject with one reason.
    case reject(reason: String)
    /// Set one field (canonical name, source column or `source_key`) to a value.
    case set(field: String, value: String)
    /// Replace what a regular expression matches in one field; `$1` in the replacement is the first group.
    case replace(field: String, pattern: String, replacement: String)

    /// What each record gets: a release, a rejection or a fix.
    public var action: QuarantineService.Action {
        switch self {
        case .release: .release
        case .reject: .reject
        case .set, .replace: .fix
        }
    }

    /// The field a fix changes; nil for a release or a rejection.
    public var field: String? {
        switch self {
        case .release, .reject: nil
        case .set(let field, _), .replace(let field, _, _): field
        }
    }

    /// A line for previews, messages and the audit log: `release`, `set email = "x"`, `replace / at / by "@" in email`.
    public var summary: String {
        switch self {
        case .release: "release"
        case .reject(let reason): "reject (\(reason))"
        case .set(let field, let value): "set \(field) = \"\(value)\""
        case .replace(let field, let pattern, let replacement): "replace /\(pattern)/ by \"\(replacement)\" in \(field)"
        }
    }
}

extension BulkChange {
    /// The summary as the audit log keeps it, which every role reads: a value typed for a personal field (and
    /// a pattern or replacement over one) masked by the field's kind, as the record's own audit rows are on read.
    public func summary(maskedBy masker: PIIMasker) -> String {
        switch self {
        case .release, .reject: return summary
        case .set(let field, let value):
            guard let kind = masker.kind(ofColumn: field) else { return summary }
            return "set \(field) = \"\(PIIMasker.mask(value, as: kind))\""
        case .replace(let field, let pattern, let replacement):
            guard let kind = masker.kind(ofColumn: field) else { return summary }
            return "replace /\(PIIMasker.mask(pattern, as: kind))/ by \"\(PIIMasker.mask(replacement, as: kind))\" in \(field)"
        }
    }

    /// `field=value` as a `.set` (the field trimmed, the value as typed); nil when it is not that shape.
    public init?(settingFrom text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let field = text[..<equals].trimmingCharacters(in: .whitespaces)
        guard !field.isEmpty, !field.contains(" ") else { return nil }
        self = .set(field: field, value: String(text[text.index(after: equals)...]))
    }

    /// `field /pattern/replacement/` as a `.replace`: the character after the field (and spaces) delimits
    /// pattern and replacement, so `email | at |@|` works as well; the last delimiter may be left out. Nil when
    /// it is not that shape.
    public init?(replacingFrom text: String) {
        let trimmed = text.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") else { return nil }
        let field = String(trimmed[..<space])
        let rest = trimmed[space...].drop { $0 == " " }
        guard let delimiter = rest.first, !delimiter.isLetter, !delimiter.isNumber else { return nil }
        var parts = rest.dropFirst().split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, parts[2].isEmpty { parts.removeLast() }
        guard parts.count == 2, !parts[0].isEmpty, !field.isEmpty else { return nil }
        self = .replace(field: field, pattern: parts[0], replacement: parts[1])
    }
}

/// One record's change as a preview shows it, masked as the user reads.
public struct BulkChangePreview: Sendable, Hashable {
    public var id: QuarantineID
    public var before: String
    public var after: String
}

/// What a bulk change would do, worked out on the records' real values before anything is written.
public struct BulkPlan: Sendable {
    public let change: BulkChange
    /// The records it changes, in id order.
    public let ids: [QuarantineID]
    /// Records asked for that it leaves alone, with why (decided already, the pattern does not match, …).
    public let skipped: [QuarantineID: String]
    /// The first changes, masked, for the preview (a release or rejection shows each record's status).
    public let examples: [BulkChangePreview]
    /// The edits of a fix, record by record, on the real values.
    let edits: [QuarantineID: [String: String]]
    /// What the fixed fields held when the plan was made, record by record: a record whose field differs at
    /// apply (edited by someone else after the preview) is refused, never overwritten.
    let originals: [QuarantineID: [String: String]]

    /// How many records were asked for.
    public var asked: Int { ids.count + skipped.count }
}

/// What a bulk change did.
public struct BulkOutcome: Sendable {
    public let change: BulkChange
    /// Records changed, in the order they were.
    public internal(set) var applied: [QuarantineID] = []
    /// Records the engine refused at the time (changed meanwhile, still failing for a release), with why.
    public internal(set) var refused: [QuarantineID: String] = [:]
    /// After a fix: how many of the changed records pass every rule now.
    public internal(set) var nowPassing = 0
    /// True when it stopped because it was asked to, before the last record.
    public internal(set) var stopped = false
    /// What each fixed record held before, for ``QuarantineService/undo(_:progress:)``.
    var snapshots: [QuarantineSnapshot] = []
    /// What the fix wrote into each record: an undo puts a record back only while it still holds these.
    var appliedEdits: [QuarantineID: [String: String]] = [:]
}

/// How far a bulk change is.
public struct BulkProgress: Sendable, Hashable {
    public var done: Int
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

extension QuarantineService {
    /// Records are changed in batches of this many between progress reports (each record is its own
    /// transaction with its history and audit rows, so a stop or a crash leaves whole records).
    public static let bulkBatchSize = 250
    /// Records read at a time while a plan is made, between progress reports.
    public static let bulkPlanBatchSize = 500
    /// Changes a preview shows.
    public static let bulkExampleCount = 50

    /// Checks the user may take `action` on many records before a prompt opens; a refusal is audited.
    /// - Throws: `.forbidden` naming the missing permission.
    public func authorizeBulk(_ action: Action, count: Int) throws(EngineError) {
        try workspace.authorize(.remediateQuarantine, environment, attempt: "quarantine.bulk.\(action.rawValue) \(count) records")
    }

    /// Works out what `change` would do to the records `ids`, without writing anything. Refused at once
    /// without `remediate_quarantine`, and a fix of a personal field without `view_pii` (both audited).
    /// - Parameter progress: after each batch of records read; return false to stop (the plan then throws `.cancelled`).
    /// - Throws: `.forbidden`; `.refused` for an unknown field, an empty reason or an invalid pattern (naming it);
    ///   `.cancelled` when `progress` asked to stop.
    public func plan(
        _ change: BulkChange, ids: [QuarantineID], progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> BulkPlan {
        try authorizeBulk(change.action, count: ids.count)
        _ = try Self.regex(for: change)
        var records: [QuarantineRecord] = []
        var start = 0
        let ordered = Array(Set(ids)).sorted { $0.rawValue < $1.rawValue }
        while start < ordered.count {
            let slice = Array(ordered[start..<min(ordered.count, start + Self.bulkPlanBatchSize)])
            records += try storeCall { () throws(StoreError) in try workspace.repositories.quarantine.quarantineRecords(ids: slice) }
            start += slice.count
            guard progress(BulkProgress(done: start, total: ordered.count)) || start == ordered.count else {
                throw EngineError(.cancelled, "the preview of \(change.summary) was stopped after \(start) of \(ordered.count) records; nothing changed")
            }
        }
        return try plan(change, records: records)
    }

    /// As ``plan(_:ids:progress:)`` for every record matching `filter` (its text matched in the values as the user may read them).
    public func plan(
        _ change: BulkChange, filter: QuarantineFilter, progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> BulkPlan {
        var all = filter
        all.limit = Int.max
        all.offset = 0
        let ids = try workspace.reader(for: environment).quarantineIDs(all).map { QuarantineID($0) }
        return try plan(change, ids: ids, progress: progress)
    }

    private func plan(_ change: BulkChange, records: [QuarantineRecord]) throws(EngineError) -> BulkPlan {
        let regex = try Self.regex(for: change)
        if case .reject(let reason) = change, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw EngineError(.refused, "a rejection needs a reason: say why the records are unusable")
        }
        let masker = workspace.masker(for: environment)
        var ids: [QuarantineID] = []
        var skipped: [QuarantineID: String] = [:]
        var examples: [BulkChangePreview] = []
        var edits: [QuarantineID: [String: String]] = [:]
        var originals: [QuarantineID: [String: String]] = [:]
        var unknownField: [SourceName] = []
        for record in records {
            guard record.status == .open || record.status == .fixed else {
                skipped[record.id] = "\(record.status.rawValue) already"
                continue
            }
            switch change {
            case .release:
                let blocking = record.failures.filter { $0.severity >= .error }
                guard record.status == .fixed || blocking.isEmpty else {
                    skipped[record.id] = "still fails \(blocking.map(\.rule).joined(separator: ", "))"
                    continue
                }
                if examples.count < Self.bulkExampleCount {
                    examples.append(BulkChangePreview(id: record.id, before: record.status.rawValue, after: "released"))
                }
            case .reject:
                if examples.count < Self.bulkExampleCount {
                    examples.append(BulkChangePreview(id: record.id, before: record.status.rawValue, after: "rejected"))
                }
            case .set(let name, let value), .replace(let name, let value, _):
                guard let source = workspace.configuration.source(named: record.source) else {
                    skipped[record.id] = "source \(record.source) is no longer in cdp.toml"
                    continue
                }
                let isKey = name == RuleFieldName.sourceKey || name == source.primaryKey
                guard let field = isKey ? RuleFieldName.sourceKey : canonicalField(name, source) else {
                    if !unknownField.contains(record.source) { unknownField.append(record.source) }
                    continue
                }
                // Which records a pattern matches, or already hold a value, would read back values the mask
                // hides (a pattern extended one letter at a time); so a bulk fix of a personal field needs view_pii.
                if masker.kind(ofColumn: name) != nil || masker.kind(ofColumn: field) != nil {
                    try workspace.authorize(.viewPII, environment, attempt: "quarantine.bulk.fix \(name) on \(records.count) records")
                }
                let old = isKey ? record.sourceKey : (record.fields[field] ?? "")
                let new: String
                if let regex {
                    let range = NSRange(old.startIndex..., in: old)
                    guard regex.firstMatch(in: old, range: range) != nil else {
                        skipped[record.id] = "\(field) does not match"
                        continue
                    }
                    new = regex.stringByReplacingMatches(in: old, range: range, withTemplate: Self.template(change))
                } else {
                    new = value
                }
                guard new != old else {
                    skipped[record.id] = "\(field) is that already"
                    continue
                }
                edits[record.id] = [field: new]
                originals[record.id] = [field: old]
                if examples.count < Self.bulkExampleCount {
                    examples.append(BulkChangePreview(
                        id: record.id, before: masker.value(old, column: field), after: masker.value(new, column: field)))
                }
            }
            ids.append(record.id)
        }
        if !unknownField.isEmpty, let field = change.field {
            throw EngineError(
                .refused, "unknown field \(field) for source \(unknownField.map(\.rawValue).joined(separator: ", ")); name a field of the source or its column")
        }
        return BulkPlan(change: change, ids: ids, skipped: skipped, examples: examples, edits: edits, originals: originals)
    }

    /// The compiled pattern of a `.replace`, nil otherwise.
    /// - Throws: `.refused` naming the pattern when it is not a valid regular expression.
    static func regex(for change: BulkChange) throws(EngineError) -> NSRegularExpression? {
        guard case .replace(_, let pattern, _) = change else { return nil }
        guard !pattern.isEmpty else { throw EngineError(.refused, "the pattern is empty; write what to replace") }
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw EngineError(.refused, "/\(pattern)/ is not a valid regular expression (\(error.localizedDescription))")
        }
    }

    /// The replacement as a template: `$1` is a group; a backslash keeps the next character as it is.
    static func template(_ change: BulkChange) -> String {
        guard case .replace(_, _, let replacement) = change else { return "" }
        return replacement
    }

    /// Applies a plan record by record, in batches, reporting after each batch. Each record is checked again and
    /// changed in its own transaction with its history and its audit entry; one more audit entry records the
    /// bulk action. A record changed meanwhile (or still failing, for a release) is refused and counted, never
    /// overwritten.
    /// - Parameters:
    ///   - batchSize: records changed between progress reports (and so between chances to stop).
    ///   - progress: after each batch; return false to stop there (what is done stays done, and undoable).
    /// - Throws: `.forbidden` without `remediate_quarantine`; `EngineError.store` when the lake cannot be written.
    public func apply(
        _ plan: BulkPlan, batchSize: Int = bulkBatchSize, progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> BulkOutcome {
        precondition(batchSize > 0, "a bulk batch holds at least one record")
        let change = plan.change
        try authorizeBulk(change.action, count: plan.ids.count)
        var outcome = BulkOutcome(change: change)
        var done = 0
        for batch in stride(from: 0, to: plan.ids.count, by: batchSize) {
            for id in plan.ids[batch..<min(plan.ids.count, batch + batchSize)] {
                do throws(EngineError) {
                    switch change {
                    case .release:
                        try release(id)
                    case .reject(let reason):
                        try reject(id, reason: reason)
                    case .set, .replace:
                        guard let edits = plan.edits[id], let original = plan.originals[id] else { continue }
                        // The values the plan was made from must still be there (checked on the record the edit is
                        // made from); they are what an undo puts back.
                        let updated = try applyEdits(id, edits: edits, undoing: false, expecting: original)
                        outcome.snapshots.append(QuarantineSnapshot(id: id, source: updated.source, values: original))
                        outcome.appliedEdits[id] = edits
                        if updated.status == .fixed { outcome.nowPassing += 1 }
                    }
                    outcome.applied.append(id)
                } catch where error.code == .refused || error.code == .notFound || error.code == .held {
                    outcome.refused[id] = error.message
                }
                done += 1
            }
            if !progress(BulkProgress(done: done, total: plan.ids.count)), done < plan.ids.count {
                outcome.stopped = true
                break
            }
        }
        try recordBulk(
            action: "quarantine.bulk.\(change.action.rawValue)", outcome: outcome, asked: plan.ids.count,
            detail: change.summary(maskedBy: PIIMasker(columns: workspace.piiColumns)),
            reason: { if case .reject(let reason) = change { return reason } else { return nil } }())
        return outcome
    }

    /// Takes a whole bulk change back, record by record: fixes get their previous values, releases and
    /// rejections are reopened (each audited as `*.undo`), plus one `quarantine.bulk.undo` entry.
    /// - Parameters:
    ///   - batchSize: records put back between progress reports.
    ///   - progress: after each batch; return false to stop there.
    /// - Returns: what the undo did (``BulkOutcome/applied`` are the records put back).
    public func undo(
        _ outcome: BulkOutcome, batchSize: Int = bulkBatchSize, progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> BulkOutcome {
        precondition(batchSize > 0, "a bulk batch holds at least one record")
        try workspace.authorize(.remediateQuarantine, environment, attempt: "quarantine.bulk.undo \(outcome.applied.count) records")
        var undone = BulkOutcome(change: outcome.change)
        let total = outcome.change.action == .fix ? outcome.snapshots.count : outcome.applied.count
        var done = 0
        for batch in stride(from: 0, to: total, by: batchSize) {
            for index in batch..<min(total, batch + batchSize) {
                let id = outcome.change.action == .fix ? outcome.snapshots[index].id : outcome.applied[index]
                do throws(EngineError) {
                    if outcome.change.action == .fix {
                        // A record edited since the bulk wrote it is left as it is: the undo would lose that edit.
                        let snapshot = outcome.snapshots[index]
                        _ = try applyEdits(snapshot.id, edits: snapshot.values, undoing: true, expecting: outcome.appliedEdits[snapshot.id])
                    } else {
                        try undoDecision(id)
                    }
                    undone.applied.append(id)
                } catch where error.code == .refused || error.code == .notFound || error.code == .held {
                    undone.refused[id] = error.message
                }
                done += 1
            }
            if !progress(BulkProgress(done: done, total: total)), done < total {
                undone.stopped = true
                break
            }
        }
        try recordBulk(action: "quarantine.bulk.undo", outcome: undone, asked: total, detail: "undo of \(outcome.change.summary(maskedBy: PIIMasker(columns: workspace.piiColumns)))", reason: nil)
        return undone
    }

    /// The one audit entry of a bulk action (each record has its own as well).
    private func recordBulk(action: String, outcome: BulkOutcome, asked: Int, detail: String, reason: String?) throws(EngineError) {
        let ids = outcome.applied.map(\.rawValue).sorted()
        let range = ids.first.map { first in "Q\(first)…Q\(ids.last ?? first)" } ?? "none"
        let draft = AuditDraft(
            actor: environment.user, action: action, target: "\(outcome.applied.count) records (\(range))",
            before: "\(asked) asked", after: "\(detail): \(outcome.applied.count) changed, \(outcome.refused.count) refused\(outcome.stopped ? ", stopped" : "")",
            reason: reason)
        try storeCall { () throws(StoreError) in _ = try workspace.repositories.audit.appendAudit(draft, at: environment.timestamp) }
    }
}
