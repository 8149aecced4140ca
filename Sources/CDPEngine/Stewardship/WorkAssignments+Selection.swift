import CDPCore
import CDPRepositories

extension WorkAssignments {
    /// What assigning every held record of a selection would do, worked out before anything is written.
    public struct SelectionPreview: Sendable {
        /// The selection in words.
        public var selection: String
        /// The open and fixed records the selection matches, in id order.
        public var items: [WorkItem]
        /// Those someone other than the user and the assignee holds: refused unless taken over.
        public var heldByOthers: [WorkClaim]
        /// Those already assigned to the assignee.
        public var alreadyAssigned: [WorkItem]
    }

    /// The open and fixed records matching `filter` (a rule, a source, a text, as `cdp quarantine release --rule` selects
    /// them) and who holds them, for assigning them all to `steward`. Refused before anything is read without
    /// `assign_work` (audited).
    /// - Throws: `.forbidden` without `assign_work`; `.refused` when nothing matches.
    /// - Parameter selection: the selection in words, for messages (`rule email_format, source crm_customers`).
    public func previewAssignment(matching filter: QuarantineFilter, selection: String, to steward: String) throws(EngineError) -> SelectionPreview {
        try workspace.authorize(.assignWork, environment, attempt: "work.assign records matching \(Self.auditTarget(filter)) to \(steward)")
        var all = filter
        all.limit = Int.max
        all.offset = 0
        all.statuses = [.open, .fixed]
        let items = try workspace.reader(for: environment).quarantineIDs(all).map { WorkItem.quarantine(QuarantineID($0)) }
        guard !items.isEmpty else { throw EngineError(.refused, "no open or fixed record matches \(selection); nothing to assign") }
        let now = environment.timestamp
        let holds = try storeCall { () throws(StoreError) in try workspace.repositories.workClaims.workClaims(items, at: now) }
        let name = steward.trimmingCharacters(in: .whitespaces)
        return SelectionPreview(
            selection: selection, items: items, heldByOthers: holds.filter { $0.owner != environment.user && $0.owner != name },
            alreadyAssigned: holds.filter { $0.owner == name && $0.hold == .assignment }.map(\.item))
    }

    /// Assigns every record of `preview` to `steward` as one action: the assignments in one transaction with a
    /// `work.assign` row each (as ``assign(_:to:takingOver:batchSize:progress:)``), and one `work.bulk.assign` row
    /// naming the selection and how many changed.
    /// - Throws: as ``assign(_:to:takingOver:batchSize:progress:)``.
    @discardableResult
    public func assign(
        _ preview: SelectionPreview, to steward: String, takingOver: Bool = false,
        progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> Outcome {
        let outcome = try assign(preview.items, to: steward, takingOver: takingOver, progress: progress)
        let ids = outcome.changed.map(\.description)
        let draft = AuditDraft(
            actor: environment.user, action: "work.bulk.assign",
            target: "\(ids.count) records" + (ids.isEmpty ? "" : " (\(ids[0])…\(ids[ids.count - 1]))"),
            before: "\(preview.items.count) matching \(preview.selection)",
            after: "assigned to \(steward.trimmingCharacters(in: .whitespaces)): \(ids.count) changed, \(outcome.unchanged.count) already so, "
                + "\(outcome.takenOver.count) taken over")
        try storeCall { () throws(StoreError) in _ = try workspace.repositories.audit.appendAudit(draft, at: environment.timestamp) }
        return outcome
    }

    /// A selection as an audit row's target names it: its rule and source, and that it searched text, never the words —
    /// stewards search by a customer's e-mail or name, and targets are shown to every role unmasked.
    static func auditTarget(_ filter: QuarantineFilter) -> String {
        let parts = [filter.rule.map { "rule \($0)" }, filter.source.map { "source \($0.rawValue)" }, filter.text.map { _ in "a text search" }]
        let named = parts.compactMap { $0 }.joined(separator: ", ")
        return named.isEmpty ? "every held record" : named
    }
}
