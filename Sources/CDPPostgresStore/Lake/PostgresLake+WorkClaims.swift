import CDPCore
import CDPRepositories
import Foundation

/// Claims and assignments on the team store: read as the embedded lake reads them, changed through
/// `cdp.work_claims_change`, which checks each change against the login role's permissions and audits it in the
/// same transaction (``PostgresSchema/workClaimChangeObjects``).
extension PostgresLake: WorkClaimRepository {
    public func workClaims(_ kind: WorkItem.Kind, at now: String) throws(StoreError) -> [WorkClaim] {
        try claimRows(
            """
            SELECT item_kind, item_id::text, owner, hold, held_by, since, expires_at FROM cdp.work_claim
            WHERE item_kind = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY work_claim.item_id
            """, [kind.rawValue, now])
    }

    public func workClaims(_ items: [WorkItem], at now: String) throws(StoreError) -> [WorkClaim] {
        guard !items.isEmpty else { return [] }
        var claims: [WorkClaim] = []
        for kind in WorkItem.Kind.allCases {
            let ids = items.filter { $0.kind == kind }.map { String($0.id) }
            guard !ids.isEmpty else { continue }
            claims += try claimRows(
                """
                SELECT item_kind, item_id::text, owner, hold, held_by, since, expires_at FROM cdp.work_claim
                WHERE item_kind = $1 AND item_id = ANY($2::bigint[]) AND (expires_at IS NULL OR expires_at > $3)
                """, [kind.rawValue, "{" + ids.joined(separator: ",") + "}", now])
        }
        return claims.sorted { $0.item < $1.item }
    }

    /// Every change through `cdp.work_claims_change` in one call (a bulk assignment of many items included), which
    /// checks the login role's permission for each, refuses an item that changed hands since the engine read it, and
    /// appends each change's audit row, all in one transaction; a refusal is audited after the rollback.
    public func applyWorkClaimChanges(_ changes: [WorkClaimChange], at now: String) throws(StoreError) {
        guard !changes.isEmpty else { return }
        let document = try Self.workClaimChangesJSON(changes)
        let items = changes.map(\.item)
        let attempt =
            "\(changes[0].audit.action) " + (items.count <= 3 ? items.map(\.description).joined(separator: ", ") : "\(items.count) items")
        _ = try work("change claims and assignments") { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.stewardAction(session, attempt: attempt, "SELECT cdp.work_claims_change($1)::text", [document])
        }
    }

    /// The changes as `cdp.work_claims_change` reads them: kind, id, the holder read, the new hold (or null), and the
    /// action and target the change is to be audited as, with why a hold is let go. The database writes the audit
    /// row's before and after from what it changed, and the hold's `since` from its clock.
    static func workClaimChangesJSON(_ changes: [WorkClaimChange]) throws(StoreError) -> String {
        struct Hold: Encodable {
            var owner: String, hold: String, held_by: String, expires_at: String?
        }
        struct Audit: Encodable {
            var action: String, target: String, reason: String?
        }
        struct Change: Encodable {
            var kind: String, id: Int64, expected_owner: String?, claim: Hold?, audit: Audit
        }
        let rows = changes.map { change in
            Change(
                kind: change.item.kind.rawValue, id: change.item.id, expected_owner: change.expectedOwner,
                claim: change.claim.map {
                    Hold(owner: $0.owner, hold: $0.hold.rawValue, held_by: $0.by, expires_at: $0.expiresAt)
                },
                audit: Audit(action: change.audit.action, target: change.audit.target, reason: change.audit.reason))
        }
        do { return String(decoding: try JSONEncoder().encode(rows), as: UTF8.self) } catch {
            throw StoreError(.database, "the changes to claims cannot be written as JSON", underlying: error)
        }
    }

    private func claimRows(_ sql: String, _ arguments: [String?]) throws(StoreError) -> [WorkClaim] {
        let rows = try work("read claims and assignments") { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
        var claims: [WorkClaim] = []
        for row in rows {
            guard let kind = row[0].flatMap(WorkItem.Kind.init(rawValue:)), let hold = row[3].flatMap(WorkClaim.Hold.init(rawValue:)) else {
                throw StoreError(.database, "a claim has an unknown kind \(row[0] ?? "NULL") or hold \(row[3] ?? "NULL")")
            }
            claims.append(
                WorkClaim(
                    item: WorkItem(kind: kind, id: try integer(row[1], "a claimed item's id")), owner: row[2] ?? "", hold: hold,
                    by: row[4] ?? "", since: row[5] ?? "", expiresAt: row[6]))
        }
        return claims
    }
}
