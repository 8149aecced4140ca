extension PostgresSchema {
    /// Only a role that can really write holds the audit log's head (migration `pg-only-roles-that-write-hold-the-audit-head`).
    /// `pg-only-writers-hold-the-audit-head` counted as a writer any role with a permission but `view_pii`, so the
    /// shipped analyst (`run_workflows` alone, which cannot take the run lock without `view_pii` and so writes
    /// nothing) took the head with its own rows and, leaving its transaction open, made every audited write fail after
    /// 15 s. A writer now is a role granted a permission some write function takes (`remediate_quarantine`,
    /// `decide_merges`, `edit_dictionary`, `assign_work`, `act_as`), or `run_workflows` together with `view_pii` (the run
    /// lock's condition), or the store itself; everyone else's rows wait in `cdp.audit_inbox`.
    ///
    /// `cdp.own_audit_count` counts the caller's own rows of an action since a time in the log and the inbox: the
    /// hourly budget of a masked user's customer lookups counted only the log, so a viewer's lookups, which wait in the
    /// inbox no login reads, were never counted.
    static let auditWriterObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.session_may_write() RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT pg_has_role(session_user, '\(owner)', 'MEMBER') OR EXISTS (SELECT 1 FROM cdp.role_permission rp
                JOIN pg_roles r ON r.rolname = rp.role_name
                WHERE pg_has_role(session_user, r.oid, 'MEMBER')
                    AND (rp.permission IN ('remediate_quarantine', 'decide_merges', 'edit_dictionary', 'assign_work', 'act_as')
                        OR (rp.permission = 'run_workflows' AND cdp.may_view_pii())))
        $$
        """,
        """
        CREATE FUNCTION cdp.own_audit_count(p_action text, p_since text) RETURNS bigint LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT (SELECT count(*) FROM cdp.audit_log WHERE actor = session_user AND action = p_action AND at >= p_since)
                + (SELECT count(*) FROM cdp.audit_inbox WHERE actor = session_user AND action = p_action AND at >= p_since)
        $$
        """,
        // Stores whose access was applied before this migration: their group roles may count their own rows too.
        grantToExistingGroups("cdp.own_audit_count(text, text)"),
    ]

    /// Grants a function a migration adds to the group roles a store has already (`cdp access apply` grants it from
    /// then on): every group's, or only those granted `permission`. Fixed SQL for the migration that calls it.
    static func grantToExistingGroups(_ function: String, permission: String? = nil) -> String {
        let groups =
            permission.map { "SELECT DISTINCT rp.role_name FROM cdp.role_permission rp WHERE rp.permission = \(literal($0))" }
            ?? "SELECT role_name FROM cdp.group_role"
        return """
            DO $$ DECLARE g text; BEGIN
                FOR g IN SELECT r FROM (\(groups)) AS granted(r) WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) ORDER BY 1
                LOOP
                    EXECUTE format('GRANT EXECUTE ON FUNCTION \(function) TO %I', g);
                END LOOP;
            END $$
            """
    }
}
