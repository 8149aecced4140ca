import Foundation

extension PostgresTeamStore {
    /// A session logged in to the team store, as an admin sees it (``sessions(_:)``).
    public struct StoreSession: Sendable, Hashable {
        /// The server process serving it (what ``endSession(_:pid:reason:)`` takes).
        public var pid: Int
        /// The login role.
        public var login: String
        /// The program, as it named itself (`cdp`, `psql`).
        public var program: String
        /// `active`, `idle`, `idle in transaction`, …
        public var state: String
        /// When its open transaction began (ISO 8601, UTC); empty when it has none.
        public var transactionSince: String
        /// What it holds of the store: `the run lock`, `the audit log's head`, the relations it has locked.
        public var holds: [String]
    }

    /// The sessions logged in to the store's database (but this one), oldest open transaction first, with what each
    /// holds: who keeps an audited change or a dictionary edit waiting.
    /// - Throws: `.forbidden` without `act_as`.
    public static func sessions(_ session: PostgresSession) async throws(PostgresStoreError) -> [StoreSession] {
        try await session.rows("SELECT pid::text, login, program, state, since, holds FROM cdp.store_sessions()").map { row in
            StoreSession(
                pid: Int(row[0] ?? "") ?? 0, login: row[1] ?? "", program: row[2] ?? "", state: row[3] ?? "",
                transactionSince: row[4] ?? "",
                holds: (row[5] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    /// Ends one session of the store (its open transaction is rolled back and its locks let go), audited as
    /// `session.end` with who it was and why: an admin's way out of a transaction left open that keeps every
    /// audited change, or a dictionary edit, waiting.
    /// - Returns: the session as the audit row names it.
    /// - Throws: `.forbidden` without `act_as` (audited as `access.refused`); `.notFound` for a pid that is no
    ///   session of this store; `.busy` when a third session holds the audit log's head (the ending could not be
    ///   recorded) or the session did not end in 5 s; `.database` without a reason.
    public static func endSession(_ session: PostgresSession, pid: Int, reason: String) async throws(PostgresStoreError) -> String {
        guard
            let ended = try await stewardAction(
                session, attempt: "session.end \(pid)", "SELECT cdp.end_session($1::integer, $2)", [String(pid), reason])
        else {
            throw PostgresStoreError(.database, "the server did not say which session it ended")
        }
        return ended
    }
}
