import CDPCore
import CDPRepositories

/// Dividing the work: who is on which quarantined record and candidate pair. A steward claims items for
/// themselves ("sam is on it"; the claim lapses after ``claimLifetime`` and is released when they quit the
/// console); a user with `assign_work` assigns items to a named steward and unassigns them. An item someone else
/// holds is respected: claiming, assigning or acting on it is refused unless the caller takes it over, which is
/// audited. Every change is an audit row (`work.claim`, `work.assign`, `work.unassign`, `work.release`,
/// `work.take_over`) written with it; a claim or assignment that takes an item from someone else is a
/// `work.take_over`.
public struct WorkAssignments: Sendable {
    /// How long a claim holds without being renewed: 30 minutes.
    public static let claimLifetime: Double = 30 * 60

    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// What a claim, an assignment or an unassignment changed.
    public struct Outcome: Sendable, Hashable {
        /// Items whose hold changed.
        public var changed: [WorkItem] = []
        /// Items already as asked (claimed by or assigned to the user already; nobody held them).
        public var unchanged: [WorkItem] = []
        /// The holds taken over from someone else, as they were.
        public var takenOver: [WorkClaim] = []
    }

    private var repository: any WorkClaimRepository { workspace.repositories.workClaims }

    /// Every live hold on items of `kind`, by item id.
    /// - Throws: `.store` when the lake cannot be read.
    public func holds(_ kind: WorkItem.Kind) throws(EngineError) -> [Int64: WorkClaim] {
        let now = environment.timestamp
        let claims = try storeCall { () throws(StoreError) in try repository.workClaims(kind, at: now) }
        return Dictionary(claims.map { ($0.item.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The live hold on `item`; nil when nobody holds it.
    /// - Throws: `.store` when the lake cannot be read.
    public func hold(on item: WorkItem) throws(EngineError) -> WorkClaim? {
        let now = environment.timestamp
        return try storeCall { () throws(StoreError) in try repository.workClaims([item], at: now) }.first
    }

    /// Claims `items` for the user until ``claimLifetime`` from now (a claim of their own is renewed; an item
    /// assigned to them stays assigned).
    /// - Parameter takingOver: take items someone else holds (audited as `work.take_over`); without it they are refused.
    /// - Parameter progress: after each batch of items checked; return false to stop (nothing changes then).
    /// - Throws: `.forbidden` without the permission to act on the items (audited); `.held` naming each item someone
    ///   else holds; `.notFound` for an item that does not exist; `.refused` when an item changed hands meanwhile;
    ///   `.cancelled` when `progress` asked to stop.
    @discardableResult
    public func claim(
        _ items: [WorkItem], takingOver: Bool = false, batchSize: Int = checkBatchSize,
        progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> Outcome {
        try authorizeActing(on: items, attempt: "work.claim")
        let now = environment.timestamp
        let expiry = ISOTime.timestamp(environment.now() + Self.claimLifetime)
        return try change(items, verb: "claim", takingOver: takingOver, batchSize: batchSize, progress: progress) { item, current in
            if let current, current.owner == environment.user, current.hold == .assignment { return nil }
            let renewing = current?.owner == environment.user
            return (
                WorkClaim(item: item, owner: environment.user, hold: .claim, by: environment.user, since: now, expiresAt: expiry),
                AuditDraft(
                    actor: environment.user, action: "work.claim", target: item.description, before: current.map(Self.describe),
                    after: "claimed by \(environment.user) until \(expiry)", reason: renewing ? "renewed" : nil)
            )
        }
    }

    /// Assigns `items` to `steward`, who must be a user whose role may act on them. However many items, the change
    /// is one transaction with its audit rows written in one go (one anchor for the action).
    /// - Parameters:
    ///   - batchSize: items checked (that they exist, who holds them) between progress reports.
    ///   - progress: after each batch of items checked and once written; return false to stop before anything is
    ///     written.
    /// - Throws: `.forbidden` without `assign_work` (audited); `.refused` when `steward` may not act on the items;
    ///   `.held` naming each item someone other than the user and `steward` holds, unless `takingOver`;
    ///   `.cancelled` when `progress` asked to stop (nothing changed).
    @discardableResult
    public func assign(
        _ items: [WorkItem], to steward: String, takingOver: Bool = false, batchSize: Int = checkBatchSize,
        progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> Outcome {
        let name = steward.trimmingCharacters(in: .whitespaces)
        try workspace.authorize(.assignWork, environment, attempt: "work.assign \(Self.list(items)) to \(name)")
        guard !name.isEmpty else { throw EngineError(.refused, "say whom to assign \(Self.list(items)) to (a steward's user name)") }
        let assignee = workspace.principal(Environment(now: environment.now, user: name))
        for kind in Set(items.map(\.kind)).sorted(by: { $0.rawValue < $1.rawValue }) where !assignee.may(Self.permission(kind)) {
            throw EngineError(
                .refused,
                "\(assignee) may not \(Self.permission(kind).phrase), so \(kind == .quarantine ? "records" : "pairs") cannot be assigned to them; "
                    + "pick a steward (roles with \(Self.permission(kind).rawValue): "
                    + "\(workspace.accessPolicy.roles(granting: Self.permission(kind)).joined(separator: ", ")))")
        }
        let now = environment.timestamp
        return try change(
            items, verb: "assignment", takingOver: takingOver, alsoOwnedBy: name, batchSize: batchSize, progress: progress) { item, current in
            if let current, current.owner == name, current.hold == .assignment { return nil }
            return (
                WorkClaim(item: item, owner: name, hold: .assignment, by: environment.user, since: now),
                AuditDraft(
                    actor: environment.user, action: "work.assign", target: item.description, before: current.map(Self.describe),
                    after: "assigned to \(name)")
            )
        }
    }

    /// Checks the user may assign `items` before the console asks to whom, so nobody types a name only to be refused.
    /// - Throws: `.forbidden` without `assign_work` (audited).
    public func authorizeAssigning(_ items: [WorkItem]) throws(EngineError) {
        try workspace.authorize(.assignWork, environment, attempt: "work.assign \(Self.list(items))")
    }

    /// Takes the hold off `items`: anyone may let go of their own claim or assignment; taking someone else's away
    /// needs `assign_work`.
    /// - Parameter progress: after each batch of `batchSize` items checked; return false to stop (nothing changes then).
    /// - Throws: `.forbidden` when an item is someone else's and the user lacks `assign_work` (audited);
    ///   `.cancelled` when `progress` asked to stop.
    @discardableResult
    public func unassign(
        _ items: [WorkItem], batchSize: Int = checkBatchSize, progress: (BulkProgress) -> Bool = { _ in true }
    ) throws(EngineError) -> Outcome {
        let current = try checkedHolds(items, verb: "unassignment", batchSize: batchSize, progress: progress)
        if current.values.contains(where: { $0.owner != environment.user }) {
            try workspace.authorize(.assignWork, environment, attempt: "work.unassign \(Self.list(items))")
        }
        var outcome = Outcome()
        var changes: [WorkClaimChange] = []
        for item in Self.unique(items) {
            guard let hold = current[item] else {
                outcome.unchanged.append(item)
                continue
            }
            outcome.changed.append(item)
            changes.append(
                WorkClaimChange(
                    item: item, expectedOwner: hold.owner, claim: nil,
                    audit: AuditDraft(actor: environment.user, action: "work.unassign", target: item.description, before: Self.describe(hold))))
        }
        try apply(changes)
        _ = progress(BulkProgress(done: Self.unique(items).count, total: Self.unique(items).count))
        return outcome
    }

    /// Releases every claim the user holds (their assignments stay): the console calls it on quitting.
    /// - Returns: how many claims were released.
    /// - Throws: `.store` when the lake cannot be read or written.
    @discardableResult
    public func releaseClaims() throws(EngineError) -> Int {
        var changes: [WorkClaimChange] = []
        for kind in WorkItem.Kind.allCases {
            for hold in try holds(kind).values.sorted(by: { $0.item < $1.item })
            where hold.owner == environment.user && hold.hold == .claim {
                changes.append(
                    WorkClaimChange(
                        item: hold.item, expectedOwner: hold.owner, claim: nil,
                        audit: AuditDraft(
                            actor: environment.user, action: "work.release", target: hold.item.description, before: Self.describe(hold),
                            reason: "left the console")))
            }
        }
        try apply(changes)
        return changes.count
    }

    /// Checks the user may act on `item` (fix, release, reject, decide) with respect to who holds it: an item
    /// someone else holds is refused unless `takingOver`, and then the take-over is audited (`work.take_over`,
    /// naming `action`); the hold itself stays with its owner.
    /// - Throws: `.held` naming the holder and what to do.
    public func respectHold(on item: WorkItem, for action: String, takingOver: Bool) throws(EngineError) {
        guard let hold = try hold(on: item), hold.owner != environment.user else { return }
        guard takingOver else { throw Self.heldError([hold], verb: action) }
        try storeCall { () throws(StoreError) in
            try workspace.repositories.audit.appendAudit(
                AuditDraft(
                    actor: environment.user, action: "work.take_over", target: item.description, before: Self.describe(hold),
                    after: "\(action) by \(environment.user)", reason: "acted on an item \(hold.owner) holds, after confirming"),
                at: environment.timestamp)
        }
    }

    /// `claimed by sam until 2026-12-07T10:30:00Z` / `assigned to sam by lee`.
    public static func describe(_ hold: WorkClaim) -> String { hold.summary }

    /// The error for items someone else holds: each named with its holder, and how to go ahead anyway.
    static func heldError(_ holds: [WorkClaim], verb: String) -> EngineError {
        let first = holds[0]
        let summary =
            holds.count == 1
            ? "\(first.item) is \(describe(first))"
            : "\(holds.count) items are held by others (\(Set(holds.map(\.owner)).sorted().joined(separator: ", ")))"
        return EngineError(
            .held,
            "\(summary); \(verb) only after agreeing with them, or take over (`--take-over` in the CLI, confirm in the console; audited)",
            details: holds.count == 1 ? [] : holds.map { "\($0.item): \(describe($0))" })
    }

    // MARK: Internals

    static func permission(_ kind: WorkItem.Kind) -> Permission {
        kind == .quarantine ? .remediateQuarantine : .decideMerges
    }

    static func list(_ items: [WorkItem]) -> String { list(items.map(\.description)) }

    static func list(_ names: [String]) -> String {
        names.count <= 3 ? names.joined(separator: ", ") : "\(names.count) items"
    }

    static func unique(_ items: [WorkItem]) -> [WorkItem] {
        var seen = Set<WorkItem>()
        return items.filter { seen.insert($0).inserted }
    }

    private func authorizeActing(on items: [WorkItem], attempt: String) throws(EngineError) {
        for kind in Set(items.map(\.kind)).sorted(by: { $0.rawValue < $1.rawValue }) {
            try workspace.authorize(Self.permission(kind), environment, attempt: "\(attempt) \(Self.list(items.filter { $0.kind == kind }))")
        }
    }

    /// Items checked (that they exist, who holds them) at a time, between progress reports.
    public static let checkBatchSize = 500

    /// Checks every item exists and reads who holds it, in batches of ``checkBatchSize`` with a progress report
    /// after each (the total counts each distinct item once).
    /// - Throws: `.refused` for no items; `.notFound` naming every item that does not exist; `.cancelled` when
    ///   `progress` asked to stop.
    private func checkedHolds(
        _ items: [WorkItem], verb: String, batchSize: Int = checkBatchSize, progress: (BulkProgress) -> Bool
    ) throws(EngineError) -> [WorkItem: WorkClaim] {
        precondition(batchSize > 0, "a batch holds at least one item")
        guard !items.isEmpty else { throw EngineError(.refused, "no records or pairs given") }
        let unique = Self.unique(items)
        let now = environment.timestamp
        var missing: [String] = []
        var holds: [WorkItem: WorkClaim] = [:]
        var done = 0
        while done < unique.count {
            let batch = Array(unique[done..<min(unique.count, done + batchSize)])
            missing += try missingItems(batch)
            for hold in try storeCall({ () throws(StoreError) in try repository.workClaims(batch, at: now) }) where holds[hold.item] == nil {
                holds[hold.item] = hold
            }
            done += batch.count
            guard progress(BulkProgress(done: done, total: unique.count)) || done == unique.count else {
                throw EngineError(.cancelled, "the \(verb) of \(unique.count) items was stopped after checking \(done); nothing changed")
            }
        }
        guard missing.isEmpty else {
            throw EngineError(
                .notFound, "no such record or pair: \(Self.list(missing)); list them with `cdp quarantine list` or `cdp candidates list`",
                details: missing.count > 3 ? missing : [])
        }
        return holds
    }

    /// Refuses items that do not exist, naming them.
    func requireExisting(_ items: [WorkItem]) throws(EngineError) {
        _ = try checkedHolds(items, verb: "check", progress: { _ in true })
    }

    /// The items of `items` that do not exist, named.
    private func missingItems(_ items: [WorkItem]) throws(EngineError) -> [String] {
        let lake = workspace.repositories
        let records = items.compactMap { item -> QuarantineID? in if case .quarantine(let id) = item { id } else { nil } }
        let found = Set(try storeCall { () throws(StoreError) in try lake.quarantine.quarantineRecords(ids: records) }.map(\.id))
        var missing = records.filter { !found.contains($0) }.map(\.description)
        for item in items {
            guard case .candidate(let id) = item else { continue }
            if try storeCall({ () throws(StoreError) in try lake.matching.candidate(id) }) == nil { missing.append(id.description) }
        }
        return missing
    }

    /// Works out each item's new hold from its current one (`decide` returns nil to leave it as it is), refusing
    /// items held by someone other than the user (and `alsoOwnedBy`) unless `takingOver`, and applies it all at once.
    private func change(
        _ items: [WorkItem], verb: String, takingOver: Bool, alsoOwnedBy other: String? = nil, batchSize: Int,
        progress: (BulkProgress) -> Bool, decide: (WorkItem, WorkClaim?) -> (WorkClaim, AuditDraft)?
    ) throws(EngineError) -> Outcome {
        let current = try checkedHolds(items, verb: verb, batchSize: batchSize, progress: progress)
        let unique = Self.unique(items)
        let othersHolds = unique.compactMap { current[$0] }.filter { $0.owner != environment.user && $0.owner != other }
        if !othersHolds.isEmpty && !takingOver { throw Self.heldError(othersHolds, verb: "claim or assign it") }
        var outcome = Outcome()
        var changes: [WorkClaimChange] = []
        for item in unique {
            let hold = current[item]
            guard var (claim, audit) = decide(item, hold) else {
                outcome.unchanged.append(item)
                continue
            }
            if let hold, hold.owner != environment.user, hold.owner != other {
                outcome.takenOver.append(hold)
                // Every take-over is found under one action, whichever way it was done (a claim, an assignment or
                // acting on the item); the reason keeps what was done.
                audit.reason = [audit.reason, "\(audit.action) taken over from \(hold.owner) after confirming"].compactMap { $0 }
                    .joined(separator: "; ")
                audit.action = "work.take_over"
            }
            claim.item = item
            outcome.changed.append(item)
            changes.append(WorkClaimChange(item: item, expectedOwner: hold?.owner, claim: claim, audit: audit))
        }
        try apply(changes)
        _ = progress(BulkProgress(done: unique.count, total: unique.count))
        return outcome
    }

    private func apply(_ changes: [WorkClaimChange]) throws(EngineError) {
        guard !changes.isEmpty else { return }
        let now = environment.timestamp
        try storeCall { () throws(StoreError) in try repository.applyWorkClaimChanges(changes, at: now) }
    }
}
