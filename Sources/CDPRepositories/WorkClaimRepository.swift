import CDPCore

/// Who is on which quarantined record and candidate pair: stewards' claims and assignments. A claim whose
/// `expiresAt` has passed no longer holds; a store may keep its row until the item's next change.
public protocol WorkClaimRepository: Sendable {
    /// Every hold on items of `kind` that is live at `now` (ISO 8601 UTC), by item id.
    func workClaims(_ kind: WorkItem.Kind, at now: String) throws(StoreError) -> [WorkClaim]
    /// The live holds on these items (items nobody holds are left out), in item order.
    func workClaims(_ items: [WorkItem], at now: String) throws(StoreError) -> [WorkClaim]
    /// Applies every change with its audit row in one transaction: all or nothing.
    /// - Throws: `StoreError.conflict` naming the item and its holder when an item's live owner at `now` is no
    ///   longer the change's `expectedOwner`.
    func applyWorkClaimChanges(_ changes: [WorkClaimChange], at now: String) throws(StoreError)
}
