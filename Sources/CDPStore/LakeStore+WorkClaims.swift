import CDPCore
import CDPRepositories
import GRDB

extension LakeStore: WorkClaimRepository {
    public func workClaims(_ kind: WorkItem.Kind, at now: String) throws(StoreError) -> [WorkClaim] {
        try read("read claims and assignments") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT item_kind, item_id, owner, hold, held_by, since, expires_at FROM work_claim
                    WHERE item_kind = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY item_id
                    """,
                arguments: [kind.rawValue, now]
            ).map(Self.workClaim)
        }
    }

    public func workClaims(_ items: [WorkItem], at now: String) throws(StoreError) -> [WorkClaim] {
        try read("read claims and assignments") { db in
            try items.sorted().compactMap { item in try Self.liveWorkClaim(item, at: now, db) }
        }
    }

    public func applyWorkClaimChanges(_ changes: [WorkClaimChange], at now: String) throws(StoreError) {
        try write("change claims and assignments") { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM work_claim WHERE item_kind = ? AND item_id = ?")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO work_claim (item_kind, item_id, owner, hold, held_by, since, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for change in changes {
                let current = try Self.liveWorkClaim(change.item, at: now, db)
                guard current?.owner == change.expectedOwner else {
                    let holder = current.map { "\($0.owner) holds it now (\($0.hold.rawValue) by \($0.by) since \($0.since))" } ?? "nobody holds it now"
                    throw StoreError(.conflict, "\(change.item) changed hands meanwhile: \(holder); reload and try again")
                }
                try delete.execute(arguments: [change.item.kind.rawValue, change.item.id])
                if let claim = change.claim {
                    try insert.execute(arguments: [
                        claim.item.kind.rawValue, claim.item.id, claim.owner, claim.hold.rawValue, claim.by, claim.since, claim.expiresAt,
                    ])
                }
            }
            // The audit rows in one go, in the changes' order: one anchor for the whole action.
            try Self.appendAudits(changes.map(\.audit), at: now, db)
        }
    }

    /// Ends the hold on `item` in the caller's transaction because the item was decided (a record released or
    /// rejected, a pair approved or rejected): a decision ends the work on it, so it leaves its holder's list, and a
    /// reopen later finds it unheld instead of silently giving it back to whoever held it before.
    /// - Returns: the audit row of the hold it ended (`work.release`, by `actor`, saying why); nil when no hold was
    ///   live (a lapsed claim's row is removed without one).
    static func endHold(on item: WorkItem, by actor: String, because reason: String, at now: String, _ db: Database) throws -> AuditDraft? {
        let live = try liveWorkClaim(item, at: now, db)
        try db.execute(
            sql: "DELETE FROM work_claim WHERE item_kind = ? AND item_id = ?", arguments: [item.kind.rawValue, item.id])
        guard let live, db.changesCount > 0 else { return nil }
        return AuditDraft(actor: actor, action: "work.release", target: item.description, before: live.summary, reason: reason)
    }

    static func liveWorkClaim(_ item: WorkItem, at now: String, _ db: Database) throws -> WorkClaim? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT item_kind, item_id, owner, hold, held_by, since, expires_at FROM work_claim
                    WHERE item_kind = ? AND item_id = ? AND (expires_at IS NULL OR expires_at > ?)
                    """),
            arguments: [item.kind.rawValue, item.id, now]
        ).map(workClaim)
    }

    /// A stored hold; a kind or hold this build does not know is a damaged row and throws.
    static func workClaim(_ row: Row) throws -> WorkClaim {
        let kindText: String = row["item_kind"]
        let holdText: String = row["hold"]
        guard let kind = WorkItem.Kind(rawValue: kindText), let hold = WorkClaim.Hold(rawValue: holdText) else {
            throw StoreError(.database, "work_claim holds an unknown item kind '\(kindText)' or hold '\(holdText)'; run `cdp verify`")
        }
        return WorkClaim(
            item: WorkItem(kind: kind, id: row["item_id"]), owner: row["owner"], hold: hold, by: row["held_by"], since: row["since"],
            expiresAt: row["expires_at"])
    }
}
