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
    /// `session.end.requested` before and `session.end` after, with who it was and why: an admin's way out of a
    /// transaction left open that keeps every audited change, or a dictionary edit, waiting. Two transactions: the
    /// request and its audit row commit before the session is ended (``PostgresSchema/adminRequestObjects``).
    /// - Returns: the session as the audit row names it.
    /// - Throws: `.forbidden` without `act_as` (audited as `access.refused`); `.notFound` for a pid that is no
    ///   session of this store; `.busy` when a third session holds the audit log's head (the ending could not be
    ///   recorded) or the session did not end in 5 s; `.database` without a reason.
    public static func endSession(_ session: PostgresSession, pid: Int, reason: String) async throws(PostgresStoreError) -> String {
        try await requestedAdminEffect(
            session, attempt: "session.end \(pid)", request: "SELECT cdp.request_end_session($1::integer, $2)::text", [String(pid), reason],
            effect: "SELECT cdp.end_session($1::bigint)", missing: "which session it ended")
    }

    /// An admin's effect that no transaction can take back (ending a session, letting go of the run lock): first
    /// its request, committed with its audit row, then the effect with its outcome.
    static func requestedAdminEffect(
        _ session: PostgresSession, attempt: String, request: String, _ arguments: [String?], effect: String, missing: String
    ) async throws(PostgresStoreError) -> String {
        guard let id = try await stewardAction(session, attempt: attempt, request, arguments) else {
            throw PostgresStoreError(.database, "the server did not number the request to \(attempt)")
        }
        guard let outcome = try await stewardAction(session, attempt: attempt, effect, [id]) else {
            throw PostgresStoreError(.database, "the server did not say \(missing)")
        }
        return outcome
    }
}
