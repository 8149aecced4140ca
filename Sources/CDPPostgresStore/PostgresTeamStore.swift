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

    /// Compiles the access policy into roles, grants and masked views (``PostgresAccessPlan``) and applies it in
    /// one transaction, with an `access.apply` audit row (before: the previous summary; after: this one) by the
    /// login role applying it. Needs a role that may create roles and grant them (a superuser, or CREATEROLE and
    /// membership in `cdp_owner`).
    /// - Returns: the statements run.
    @discardableResult
    public static func applyAccess(_ plan: PostgresAccessPlan, _ session: PostgresSession) async throws(PostgresStoreError) -> [String] {
        try await session.transaction { session async throws(PostgresStoreError) in
            guard let database = try await session.rows("SELECT current_database()::text").first?.first ?? nil else {
                throw PostgresStoreError(.database, "the server did not name the database")
            }
            let current = try await currentState(session)
            let statements = plan.statements(database: database, current: current)
            let before =
                try await session.rows(
                    "SELECT after FROM cdp.audit_log WHERE action = 'access.apply' ORDER BY id DESC LIMIT 1"
                ).first?.first ?? nil
            for statement in statements { try await run(statement, session) }
            try await session.execute(
                "SELECT cdp.append_audit(session_user::text, 'access.apply', 'team store', $1, $2, $3)",
                [before, plan.summary, plan.policy.defaultRole.map { "default_role '\($0)' is not applied: only listed users get a role" }])
            return statements
        }
    }

    static func currentState(_ session: PostgresSession) async throws(PostgresStoreError) -> PostgresAccessPlan.Current {
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
        var members: [String: [String]] = [:]
        for row in try await session.rows(
            """
            SELECT g.rolname::text, m.rolname::text FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid
                JOIN pg_roles m ON m.oid = am.member WHERE g.rolname LIKE 'cdp\\_%' AND g.rolname <> '\(PostgresSchema.owner)'
            """)
        {
            guard let group = row[0], let member = row[1] else { continue }
            members[group, default: []].append(member)
        }
        let roles = Set(try await session.rows("SELECT rolname::text FROM pg_roles").compactMap { $0.first ?? nil })
        return PostgresAccessPlan.Current(
            relations: columns.keys.sorted().map { PostgresAccessPlan.Relation(name: $0, columns: columns[$0] ?? []) },
            maskedViews: maskedViews, previousGroups: previous, members: members, existingRoles: roles)
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

    /// Everything that says the audit log was tampered with: a gap in the ids, a row that does not link to the one
    /// before or whose hash does not match its content (each with the hashing it was written with), a chain that
    /// disagrees with `cdp.audit_head`, and an append-only trigger dropped or disabled.
    public static func auditChainProblems(_ session: PostgresSession) async throws(PostgresStoreError) -> [String] {
        var problems: [String] = []
        let v2Text = try await session.rows("SELECT first_id::text FROM cdp.audit_hashing WHERE version = 2").first?.first ?? nil
        let v2From = v2Text.flatMap { Int64($0) } ?? .max
        var previous = String(repeating: "0", count: 64)
        var expected: Int64 = 1
        for row in try await session.rows(
            "SELECT id::text, at, actor, action, target, before, after, reason, previous_hash, hash FROM cdp.audit_log ORDER BY id")
        {
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
        return problems
    }

    /// Takes the run lock for this session, so two pipeline runs never overlap; it is released when the session
    /// ends, however it ends (a killed run's connection closes).
    /// - Throws: `.busy` naming who holds it; `.forbidden` for a role without `run_workflows`.
    public static func takeRunLock(_ session: PostgresSession) async throws(PostgresStoreError) {
        guard try await session.rows("SELECT cdp.try_run_lock()::text").first?.first == "true" else {
            let holder = try await session.rows("SELECT cdp.run_lock_holder()").first?.first ?? nil
            throw PostgresStoreError(
                .busy,
                "the team store is busy: a run of \(holder ?? "another session") holds its run lock; one run at a time per store. "
                    + "Wait for it to end, or follow it with `cdp runs`")
        }
    }

    public static func releaseRunLock(_ session: PostgresSession) async throws(PostgresStoreError) {
        try await session.execute("SELECT cdp.release_run_lock()")
    }

    /// SHA-256 in lowercase hex, as the audit chain writes it.
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
