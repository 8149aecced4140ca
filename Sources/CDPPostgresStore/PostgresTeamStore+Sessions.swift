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

    /// An admin's request to end a session or break the run lock that has no end recorded (``requestsLeft(_:)``).
    public struct AdminRequestLeft: Sendable, Hashable {
        /// The request's number (what the second step, `cdp.end_session(request)` or `cdp.break_run_lock(request)`, takes).
        public var request: Int
        /// `session.end` or `run.unlock`.
        public var action: String
        /// The session it is about, as its audit row names it.
        public var session: String
        public var requestedBy: String
        /// When it was made (ISO 8601, UTC).
        public var requestedAt: String
        public var reason: String
        /// Whether that session (the same pid, started at the same time) is still logged in.
        public var sessionAlive: Bool
        /// Until when its second step may still be taken (ISO 8601, UTC); nil once it has expired.
        public var expiresAt: String?
    }

    /// The admin requests with no end recorded, oldest first: a `cdp` stopped between the two steps, or a second step
    /// rolled back after its effect (``PostgresSchema/adminRequestLeftObjects``).
    /// - Throws: `.forbidden` without `act_as`.
    public static func requestsLeft(_ session: PostgresSession) async throws(PostgresStoreError) -> [AdminRequestLeft] {
        try await session.rows(
            """
            SELECT request::text, action, session, requested_by, requested_at, reason, session_alive::text, expires_at
            FROM cdp.admin_requests_left()
            """
        ).map { row throws(PostgresStoreError) in
            guard let request = row[0].flatMap({ Int($0) }), let action = row[1], let alive = row[6] else {
                throw PostgresStoreError(.database, "cdp.admin_requests_left() returned a row without its number, action or session state: \(row)")
            }
            return AdminRequestLeft(
                request: request, action: action, session: row[2] ?? "", requestedBy: row[3] ?? "", requestedAt: row[4] ?? "",
                reason: row[5] ?? "", sessionAlive: alive == "true", expiresAt: row[7])
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
