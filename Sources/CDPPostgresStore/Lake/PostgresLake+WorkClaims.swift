import CDPCore
import CDPRepositories

/// Claims and assignments on the team store: read as the embedded lake reads them, so lists show who holds what;
/// changing them through cdp is not served yet (it needs functions that check and audit each change in the
/// database, as the steward functions do).
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

    public func applyWorkClaimChanges(_ changes: [WorkClaimChange], at now: String) throws(StoreError) {
        throw PostgresUnsupported.refusal(
            "claiming and assigning work through cdp", commands: "`cdp quarantine claim/assign/unassign`, `cdp candidate claim/assign/unassign` and the console's claims")
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
