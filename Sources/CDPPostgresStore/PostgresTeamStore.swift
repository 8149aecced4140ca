import CDPCore
import Crypto
import Foundation

/// The team store's administration: installing the schema, applying the access policy, verifying the audit
/// chain, and the pipeline's run lock. Each works on a ``PostgresSession`` logged in as the person doing it.
public enum PostgresTeamStore {
    /// The SQLSTATE the steward functions raise when a record was decided by someone else meanwhile.
    public static let conflictState = "CDP01"

    /// Creates the owner role, the schema and its objects, as fixed SQL migrations recorded in
    /// `cdp.schema_migration`; a migration already applied is skipped. One transaction: all or nothing.
    /// Needs a role that may create roles and owns (or is superuser on) the database.
    /// - Returns: the names of the migrations applied now.
    /// - Throws: `.forbidden` when the role may not; `.database` naming the statement that failed.
    @discardableResult
    public static func install(_ session: PostgresSession) async throws(PostgresStoreError) -> [String] {
        try await session.transaction { session async throws(PostgresStoreError) in
            guard let database = try await session.rows("SELECT current_database()::text").first?.first ?? nil else {
                throw PostgresStoreError(.database, "the server did not name the database")
            }
            for statement in PostgresSchema.preparation(database: database) {
                try await run(statement, session)
            }
            let applied = Set(try await session.rows("SELECT name FROM cdp.schema_migration").compactMap { $0.first ?? nil })
            var done: [String] = []
            try await session.execute("SET LOCAL ROLE \(PostgresSchema.owner)")
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                for statement in migration.statements { try await run(statement, session) }
                try await session.execute("INSERT INTO cdp.schema_migration (name) VALUES ($1)", [migration.name])
                done.append(migration.name)
            }
            try await session.execute("RESET ROLE")
            return done
        }
    }

    /// What ``applyAccess(_:_:lockTimeout:statementTimeout:)`` did.
    public struct AccessApplied: Sendable {
        /// The statements run, in order.
        public var statements: [String]
        /// The policy as the `access.apply` audit row records it (``PostgresAccessPlan/summary(database:)``).
        public var summary: String
        /// What the policy asks that the team store does not do, and why (``PostgresAccessPlan/notes(current:database:)``).
        public var notes: [String]
    }

    /// Compiles the access policy into roles, grants and masked views (``PostgresAccessPlan``) and applies it in
    /// one transaction, with an `access.apply` audit row (before: the previous summary; after: this one; reason:
    /// the notes) by the login role applying it. Needs a role that may create roles and grant them (a superuser,
    /// or CREATEROLE and membership in `cdp_owner`).
    ///
    /// Dropping and making the masked views needs their tables to itself: a session reading them in an open
    /// transaction would make apply wait for it. It waits `lockTimeout` at most for any lock (each statement
    /// `statementTimeout` at most), then gives up with nothing changed.
    /// - Throws: `.busy` naming the sessions holding locks on the store's tables (pid, login role, program, since
    ///   when) and what to do; `.forbidden` when the role may not; `.database` naming the statement that failed.
    @discardableResult
    public static func applyAccess(
        _ plan: PostgresAccessPlan, _ session: PostgresSession, lockTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(120)
    ) async throws(PostgresStoreError) -> AccessApplied {
        do {
            return try await session.transaction { session async throws(PostgresStoreError) in
                try await session.execute("SET LOCAL lock_timeout = \(milliseconds(lockTimeout))")
                try await session.execute("SET LOCAL statement_timeout = \(milliseconds(statementTimeout))")
                guard let database = try await session.rows("SELECT current_database()::text").first?.first ?? nil else {
                    throw PostgresStoreError(.database, "the server did not name the database")
                }
                let current = try await currentState(session, database: database)
                let statements = plan.statements(database: database, current: current)
                let summary = plan.summary(database: database)
                let notes = plan.notes(current: current, database: database)
                let before =
                    try await session.rows(
                        "SELECT after FROM cdp.audit_log WHERE action = 'access.apply' ORDER BY id DESC LIMIT 1"
                    ).first?.first ?? nil
                for statement in statements { try await run(statement, session) }
                try await session.execute(
                    "SELECT cdp.append_audit(session_user::text, 'access.apply', 'team store', $1, $2, $3)",
                    [before, summary, notes.isEmpty ? nil : notes.joined(separator: "\n")])
                return AccessApplied(statements: statements, summary: summary, notes: notes)
            }
        } catch  where error.sqlState == "55P03" || error.sqlState == "57014" {
            throw await lockWaitError(error, session, waited: error.sqlState == "55P03" ? lockTimeout : statementTimeout)
        }
    }

    /// Apply gave up waiting: who holds locks on the store's tables now, as the refusal names them.
    static func lockWaitError(_ error: PostgresStoreError, _ session: PostgresSession, waited: Duration) async -> PostgresStoreError {
        let holders =
            (try? await session.rows(
                """
                SELECT a.pid::text, coalesce(a.usename::text, 'a role'), coalesce(nullif(a.application_name, ''), 'unnamed program'),
                    coalesce(a.state, 'unknown state'),
                    coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'an unknown time')
                FROM pg_stat_activity a
                WHERE a.pid <> pg_backend_pid() AND a.pid IN (
                    SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                    WHERE l.granted AND l.locktype = 'relation' AND c.relnamespace = 'cdp'::regnamespace
                        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
                ORDER BY a.pid
                """)) ?? []
        let named = holders.map { row in
            "\(row[1] ?? "a role") (pid \(row[0] ?? "?"), \(row[2] ?? "unnamed program"), \(row[3] ?? ""), transaction open since \(row[4] ?? "?"))"
        }
        let who = named.isEmpty ? "another session (it has ended since)" : named.joined(separator: "; ")
        let pids = holders.compactMap { $0[0] }
        let end =
            pids.isEmpty
            ? ""
            : " or, as the cluster's admin, end it: SELECT pg_terminate_backend(\(pids.joined(separator: "), pg_terminate_backend(")));"
        return PostgresStoreError(
            .busy,
            "the access file was not applied (nothing changed): after \(waited.components.seconds)s it was still waiting for tables of the team "
                + "store held by \(who). Ask them to end their transaction (COMMIT or ROLLBACK, or quit psql)\(end) then apply again",
            underlying: error.underlying ?? error, sqlState: error.sqlState)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    static func currentState(_ session: PostgresSession, database: String) async throws(PostgresStoreError) -> PostgresAccessPlan.Current {
        var columns: [String: [String]] = [:]
        var maskedViews: [String] = []
        for row in try await session.rows(
            """
            SELECT c.relname::text, a.attname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'cdp' AND c.relkind IN ('r', 'v', 'p') ORDER BY c.relname, a.attnum
            """)
        {
            guard let relation = row[0], let column = row[1] else { continue }
            if relation.hasSuffix("_masked") {
                if maskedViews.last != relation { maskedViews.append(relation) }
                continue
            }
            if PostgresAccessPlan.internalRelations.contains(relation) { continue }
            columns[relation, default: []].append(column)
        }
        let previous = try await session.rows("SELECT DISTINCT role_name FROM cdp.role_permission").compactMap { $0.first ?? nil }
        // The members of this database's groups, and of the groups the last apply made (an earlier naming's).
        var members: [String: [String]] = [:]
        for row in try await session.rows(
            """
            SELECT g.rolname::text, m.rolname::text FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid
                JOIN pg_roles m ON m.oid = am.member
            WHERE left(g.rolname, length($1)) = $1 OR g.rolname IN (SELECT role_name FROM cdp.role_permission)
            """, [PostgresAccessPlan.groupPrefix(database: database)])
        {
            guard let group = row[0], let member = row[1] else { continue }
            members[group, default: []].append(member)
        }
        let roles = Set(try await session.rows("SELECT rolname::text FROM pg_roles").compactMap { $0.first ?? nil })
        let logins = try await session.rows(
            """
            SELECT rolname::text FROM pg_roles WHERE rolcanlogin AND NOT rolsuper AND left(rolname, 3) <> 'pg_'
                AND left(rolname, 4) <> 'cdp_' ORDER BY rolname
            """
        ).compactMap { $0.first ?? nil }
        return PostgresAccessPlan.Current(
            relations: columns.keys.sorted().map { PostgresAccessPlan.Relation(name: $0, columns: columns[$0] ?? []) },
            maskedViews: maskedViews, previousGroups: previous, members: members, existingRoles: roles, loginRoles: logins)
    }

    private static func run(_ statement: String, _ session: PostgresSession) async throws(PostgresStoreError) {
        do throws(PostgresStoreError) {
            try await session.execute(statement)
        } catch {
            var failed = error
            failed.message += " — in: \(statement.split(separator: "\n").first.map(String.init) ?? statement)"
            throw failed
        }
    }

    /// How long after a run's recorded start its `run.start` may be audited (cdp appends it once the run's row is
    /// recorded and its start announced; a notification that takes its time is the gap's only cause).
    static let runStartAuditLeeway = "10 minutes"

    /// Everything that says the audit log was tampered with: a gap in the ids, a row that does not link to the one
    /// before or whose hash does not match its content (each with the hashing it was written with), a chain that
    /// disagrees with `cdp.audit_head` or with the head a run recorded as it ended (as the embedded lake checks its
    /// runs' anchors), a run whose recorded start is not when its `run.start` was audited, and an append-only or
    /// run-write trigger dropped or disabled.
    public static func auditChainProblems(_ session: PostgresSession) async throws(PostgresStoreError) -> [String] {
        var problems: [String] = []
        var hashes: [Int64: String] = [:]
        let v2Text = try await session.rows("SELECT first_id::text FROM cdp.audit_hashing WHERE version = 2").first?.first ?? nil
        let v2From = v2Text.flatMap { Int64($0) } ?? .max
        var previous = String(repeating: "0", count: 64)
        var expected: Int64 = 1
        for row in try await session.rows(
            "SELECT id::text, at, actor, action, target, before, after, reason, previous_hash, hash FROM cdp.audit_log ORDER BY audit_log.id"
        ) {
            let id = Int64(row[0] ?? "") ?? 0
            if id != expected { problems.append("audit rows \(AuditEntryID(expected))…\(AuditEntryID(id - 1)) are missing (deleted)") }
            if row[8] != previous { problems.append("audit row \(AuditEntryID(id)) does not link to the row before it") }
            let text = AuditEntry.canonicalText(
                id >= v2From ? .v2 : .v1, id: id, at: row[1] ?? "", actor: row[2] ?? "", action: row[3] ?? "", target: row[4] ?? "",
                before: row[5], after: row[6], reason: row[7], previousHash: row[8] ?? "")
            if sha256Hex(text) != row[9] {
                problems.append(
                    "audit row \(AuditEntryID(id)) (\(row[3] ?? "") \(row[4] ?? "")) was edited: its hash does not match its content")
            }
            previous = row[9] ?? ""
            hashes[id] = previous
            expected = id + 1
        }
        if let head = try await session.rows("SELECT row_count::text, hash FROM cdp.audit_head").first {
            let rows = Int64(head[0] ?? "") ?? -1
            if rows != expected - 1 || (rows > 0 && head[1] != previous) {
                problems.append(
                    "the audit log ends at row \(AuditEntryID(expected - 1)) but cdp.audit_head records \(rows) rows ending in "
                        + "\((head[1] ?? "").prefix(12))…: rows were deleted or the history rewritten")
            }
        } else {
            problems.append("cdp.audit_head is empty: the chain's head was removed")
        }
        let triggers = Set(
            try await session.rows(
                "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'cdp.audit_log'::regclass AND tgenabled = 'O'"
            ).compactMap { $0.first ?? nil })
        for name in ["audit_log_append_only", "audit_log_no_truncate"] where !triggers.contains(name) {
            problems.append("trigger \(name) on cdp.audit_log is missing or disabled: the table can be changed in place")
        }
        let last = expected - 1
        for row in try await session.rows(
            "SELECT id::text, audit_rows::text, audit_head, finished_at FROM cdp.workflow_run WHERE audit_rows IS NOT NULL ORDER BY workflow_run.id")
        {
            let run = "run \(RunID(Int64(row[0] ?? "") ?? 0))"
            let rows = Int64(row[1] ?? "") ?? 0
            let head = row[2] ?? ""
            if rows > last {
                problems.append(
                    "the audit log ends at row \(AuditEntryID(last)) but \(run) recorded \(rows) rows at \(row[3] ?? "its end"): rows "
                        + "\(AuditEntryID(last + 1))…\(AuditEntryID(rows)) were deleted")
            } else if rows > 0, hashes[rows] != head {
                problems.append(
                    "audit row \(AuditEntryID(rows)) is not the row \(run) recorded at \(row[3] ?? "its end") (head \(head.prefix(12))…): "
                        + "the history up to it was rewritten, or the run's row was")
            }
        }
        // A run recorded on the server's clock began in the audit log: `cdp run` appends its `run.start` in the
        // transaction that records it, so one without it, running or not, was written outside `cdp run`. Of the runs
        // before that boundary (an upgraded store's), one that succeeded began with `run.start` or `run.repair`.
        for row in try await session.rows(
            """
            SELECT r.id::text, r.actor, r.state, (r.id >= cdp.first_run_on_the_servers_clock())::text FROM cdp.workflow_run r
            WHERE NOT EXISTS (SELECT 1 FROM cdp.audit_log a WHERE a.action = 'run.start' AND a.target = 'R' || r.id)
                AND (r.id >= cdp.first_run_on_the_servers_clock() OR (r.state = 'succeeded' AND NOT EXISTS (SELECT 1 FROM cdp.audit_log a
                    WHERE a.action = 'run.repair' AND a.target = 'R' || r.id)))
            ORDER BY r.id
            """)
        {
            let run = RunID(Int64(row[0] ?? "") ?? 0)
            problems.append(
                row[3] == "true"
                    ? AuditEntry.runWithoutItsStart(run, actor: row[1] ?? "?", state: row[2] ?? "?")
                    : "run \(run) of \(row[1] ?? "?") succeeded but the audit log has no run.start or run.repair of it: "
                        + "the run's row was written outside cdp run")
        }
        // A run's start is the server's clock as its row is recorded, and `run.start` is appended just after it: a
        // row that says it started otherwise was written behind the store's back. Runs recorded before the store took
        // their times from the server (an upgraded store's) carry the client's and are not compared.
        for row in try await session.rows(
            """
            SELECT r.id::text, r.actor, r.started_at, s.at FROM cdp.workflow_run r
            JOIN (SELECT DISTINCT ON (target) target, at FROM cdp.audit_log WHERE action = 'run.start' ORDER BY target, audit_log.id) s
                ON s.target = 'R' || r.id
            WHERE r.id >= cdp.first_run_on_the_servers_clock() AND CASE WHEN cdp.is_lake_timestamp(r.started_at) AND cdp.is_lake_timestamp(s.at)
                THEN s.at::timestamptz - r.started_at::timestamptz NOT BETWEEN interval '0' AND interval '\(Self.runStartAuditLeeway)'
                ELSE true END
            ORDER BY r.id
            """)
        {
            problems.append(
                "run \(RunID(Int64(row[0] ?? "") ?? 0)) of \(row[1] ?? "?") says it started at \(row[2] ?? "?") but its run.start was audited at "
                    + "\(row[3] ?? "?"): the run's row was written outside cdp run")
        }
        let guarded = Set(
            try await session.rows(
                """
                SELECT c.relname::text || '.' || t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = 'cdp'::regnamespace AND t.tgenabled = 'O'
                """
            ).compactMap { $0.first ?? nil })
        for name in PostgresSchema.runWriteTriggers where !guarded.contains(name) {
            problems.append("trigger \(name) is missing or disabled: a login role can write what only a run writes")
        }
        return problems
    }

    /// Takes the run lock for this session, so two pipeline runs never overlap; it is released when the session
    /// ends, however it ends (a killed run's connection closes).
    /// - Throws: `.busy` naming who holds it; `.forbidden` for a role that may not run the pipeline (it needs
    ///   `run_workflows` and `view_pii`).
    public static func takeRunLock(_ session: PostgresSession) async throws(PostgresStoreError) {
        guard try await session.rows("SELECT cdp.try_run_lock()::text").first?.first == "true" else {
            throw try await runLockBusy(session) { holder in
                "the team store is busy: a run of \(holder) holds its run lock; one run at a time per store. "
                    + "Wait for it to end, or follow it with `cdp runs`; an admin can break it with `cdp runs unlock --store …`"
            }
        }
    }

    public static func releaseRunLock(_ session: PostgresSession) async throws(PostgresStoreError) {
        try await session.execute("SELECT cdp.release_run_lock()")
    }

    /// Who holds the run lock (login role, server process, program, since when), or nil when nobody does.
    /// - Throws: `.forbidden` for a role without `run_workflows` or `act_as`.
    public static func runLockHolder(_ session: PostgresSession) async throws(PostgresStoreError) -> String? {
        try await session.rows("SELECT cdp.run_lock_holder()").first?.first ?? nil
    }

    /// Breaks the run lock: ends the session holding it (its run fails; its transaction is rolled back), audited
    /// as `run.unlock.requested` before and `run.unlock` after, with who held it and the reason, in two transactions
    /// (the request commits before the lock is broken). An admin's (`act_as`) way out of a lock held by a run that
    /// hangs or a session left open.
    /// - Returns: who held it.
    /// - Throws: `.notFound` when nobody holds it; `.forbidden` without `act_as` (audited as `access.refused`, as a
    ///   steward action's refusal is); `.database` without a reason.
    public static func breakRunLock(_ session: PostgresSession, reason: String) async throws(PostgresStoreError) -> String {
        try await requestedAdminEffect(
            session, attempt: "run.unlock", request: "SELECT cdp.request_run_unlock($1)::text", [reason],
            effect: "SELECT cdp.break_run_lock($1::bigint)", missing: "whose run lock it broke")
    }

    /// Runs one steward function (`SELECT cdp.quarantine_reject($1, $2, $3)`, …) in a transaction of its own and
    /// returns its result. A refusal — a missing permission (the function's own check, or no EXECUTE at all) or a
    /// record decided meanwhile — is recorded in the audit log after the rollback, in a statement that commits by
    /// itself (`cdp.audit_refusal`), then thrown as it was: a refused action does not vanish with its transaction.
    /// - Parameter attempt: what was tried, as the audit row's target (`quarantine.reject Q12`).
    /// - Throws: `.forbidden` or `.conflict` (recorded); any other error of the function as it was.
    @discardableResult
    public static func stewardAction(_ session: PostgresSession, attempt: String, _ sql: String, _ arguments: [String?])
        async throws(PostgresStoreError) -> String?
    {
        try await stewardActions(session, attempt: attempt, sql, [arguments]).first ?? nil
    }

    /// ``stewardAction(_:attempt:_:_:)`` for the same function called once per argument list, all in one
    /// transaction (a dictionary import of many entries): all or nothing, a refusal recorded as one.
    /// - Returns: each call's result, in order.
    @discardableResult
    public static func stewardActions(_ session: PostgresSession, attempt: String, _ sql: String, _ calls: [[String?]])
        async throws(PostgresStoreError) -> [String?]
    {
        do {
            return try await session.transaction { session async throws(PostgresStoreError) in
                var results: [String?] = []
                for arguments in calls { results.append(try await session.rows(sql, arguments).first?.first ?? nil) }
                return results
            }
        } catch  where error.code == .forbidden || error.code == .conflict {
            var refused = error
            let state = error.code == .forbidden ? "42501" : conflictState
            do throws(PostgresStoreError) {
                try await session.execute("SELECT cdp.audit_refusal($1, $2, $3)", [attempt, state, error.message])
            } catch {
                refused.message += " (the refusal could not be written to the audit log: \(error.message))"
            }
            throw refused
        }
    }

    /// SHA-256 in lowercase hex, as the audit chain writes it.
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension PostgresTeamStore {
    /// The tables an ingest fills, which ``clearIngestedRows(_:)`` empties.
    static let ingestTables = [
        "quarantine_history", "quarantine_record", "row_warning", "rule_result", "dq_scorecard", "bronze_row_v1", "silver_customer", "silver_order",
        "silver_campaign", "silver_event", "batch", "run_event", "task_run", "workflow_run",
    ]

    /// How many batches the store holds: a benchmark writes only into a store that holds none.
    public static func batchCount(_ session: PostgresSession) async throws(PostgresStoreError) -> Int {
        Int(try await session.rows("SELECT count(*)::text FROM cdp.batch").first?.first.flatMap { $0 } ?? "") ?? 0
    }

    /// Empties what an ingest wrote (batches, silver, quarantine, warnings, rule results, runs), as the owner, so that
    /// `cdp bench ingest --store` can time its next run on the same empty store. The audit log, the dictionary and
    /// the access policy stay. Needs a superuser or a member of `cdp_owner`, and the run lock: it is taken for the
    /// statement (again, when this session holds it already), so a run of another session is never emptied under it.
    /// - Throws: `.busy` naming who holds the run lock; the server's refusal when the role is not the owner.
    public static func clearIngestedRows(_ session: PostgresSession) async throws(PostgresStoreError) {
        try await session.transaction { session async throws(PostgresStoreError) in
            try await session.execute("SET LOCAL ROLE \(PostgresSchema.owner)")
            try await takeOwnersRunLock(session, doing: "empty what an ingest wrote")
            try await session.execute("TRUNCATE \(ingestTables.map { "cdp.\($0)" }.joined(separator: ", ")) RESTART IDENTITY")
            try await session.execute("SELECT pg_advisory_unlock(\(PostgresSchema.runLockKey))")
            try await session.execute("RESET ROLE")
        }
    }

    /// Takes the run lock for the store's owner's own maintenance (a superuser or a member of `cdp_owner`, which
    /// needs no access file applied), held until ``releaseRunLockAsOwner(_:)`` or the session's end: `cdp bench
    /// ingest --store` holds it from its first look at the store to its last emptying, so no run writes in between.
    /// Taking it again in the session that holds it stacks (each take needs its release).
    /// - Throws: `.busy` naming who holds it; the server's refusal when the role is not the owner.
    public static func takeRunLockAsOwner(_ session: PostgresSession, doing operation: String) async throws(PostgresStoreError) {
        try await session.transaction { session async throws(PostgresStoreError) in
            try await session.execute("SET LOCAL ROLE \(PostgresSchema.owner)")
            try await takeOwnersRunLock(session, doing: operation)
        }
    }

    /// Releases one take of ``takeRunLockAsOwner(_:doing:)``.
    public static func releaseRunLockAsOwner(_ session: PostgresSession) async throws(PostgresStoreError) {
        try await session.execute("SELECT pg_advisory_unlock(\(PostgresSchema.runLockKey))")
    }

    /// `pg_try_advisory_lock` on the run lock's key, in a session already acting as the owner.
    private static func takeOwnersRunLock(_ session: PostgresSession, doing operation: String) async throws(PostgresStoreError) {
        guard try await session.rows("SELECT pg_try_advisory_lock(\(PostgresSchema.runLockKey))::text").first?.first == "true" else {
            throw try await runLockBusy(session) { holder in
                "cannot \(operation): a run of \(holder) holds the team store's run lock; wait for it to end "
                    + "(follow it with `cdp runs`), or an admin breaks it with `cdp runs unlock --store …`"
            }
        }
    }

    /// The refusal of a run lock another session holds, saying who holds it (`sam (pid 4242, cdp, …)`).
    private static func runLockBusy(_ session: PostgresSession, _ message: (String) -> String) async throws(PostgresStoreError)
        -> PostgresStoreError
    {
        let holder = try await session.rows("SELECT cdp.run_lock_holder()").first?.first ?? nil
        return PostgresStoreError(.busy, message(holder ?? "another session"))
    }
}
