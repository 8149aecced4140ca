import CDPCore
import CDPRepositories

/// The change feed on the team store: one call of `cdp.audited_changes_after` (``PostgresSchema/changeFeedObjects``),
/// an index probe when nothing changed. Each call is a statement of its own, so it sees what other sessions committed.
extension PostgresLake: ChangeFeedRepository {
    public func auditedChanges(after mark: AuditEntryID?) throws(StoreError) -> AuditedChanges {
        let arguments: [String?] = [mark.map { String($0.rawValue) }]
        let rows = try work("read what changed in the lake") { session async throws(PostgresStoreError) in
            // One row per action (one row with none when nothing changed), each naming the newest id.
            try await session.rows(
                "SELECT c.newest::text, a.action FROM cdp.audited_changes_after($1::bigint) c LEFT JOIN LATERAL unnest(c.actions) a(action) ON true",
                arguments)
        }
        guard let first = rows.first else { throw StoreError(.database, "the team store returned no row for what changed in the lake") }
        let head = try integer(first[0], "the audit log's newest id")
        // Sorted here, byte by byte, whatever the database's collation.
        return AuditedChanges(head: AuditEntryID(head), actions: Array(Set(rows.compactMap { $0[1] })).sorted())
    }
}
