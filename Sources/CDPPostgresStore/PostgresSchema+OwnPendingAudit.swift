extension PostgresSchema {
    /// One's own audit rows read back before they join the chain (`pg-own-pending-audit-rows-read-back`, #17): the
    /// rows of a role that may write nothing wait in `cdp.audit_inbox` until the next audited write, and no login role
    /// reads the inbox, so a viewer's last visit ("new since your last visit") and a read-only role's saved views
    /// lagged on a quiet store. `cdp.own_pending_audit` returns the session's own waiting rows only, newest first,
    /// numbered after the log's newest id in the order they were made (never counting anyone else's); their texts
    /// only to a role with `view_pii`, as `audit_log_masked` withholds them from the others.
    static let ownPendingAuditObjects: [String] = [
        """
        CREATE FUNCTION cdp.own_pending_audit(p_action text, p_target text, p_limit bigint)
        RETURNS TABLE (id bigint, at text, actor text, action text, target text, before text, after text, reason text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            WITH own AS (
                SELECT i.*, row_number() OVER (ORDER BY i.id) AS place FROM cdp.audit_inbox i WHERE i.actor = session_user::text
            ), reads AS (SELECT cdp.session_may('view_pii') AS pii, (SELECT coalesce(max(l.id), 0) FROM cdp.audit_log l) AS head)
            SELECT reads.head + own.place, own.at, own.actor, own.action, own.target, CASE WHEN reads.pii THEN own.before END,
                CASE WHEN reads.pii THEN own.after END, CASE WHEN reads.pii THEN own.reason END
            FROM own, reads
            WHERE (p_action IS NULL OR own.action = p_action) AND (p_target IS NULL OR own.target = p_target)
            ORDER BY own.id DESC LIMIT p_limit
        $$
        """,
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT role_name FROM cdp.group_role WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) ORDER BY 1
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.own_pending_audit(text, text, bigint) TO %I', g);
            END LOOP;
        END $$
        """,
    ]
}
