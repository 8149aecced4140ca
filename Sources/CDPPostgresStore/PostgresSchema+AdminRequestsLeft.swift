extension PostgresSchema {
    /// The residue of F2 (tenth review): ending a session or breaking the run lock takes two steps
    /// (``adminRequestObjects``), and an admin whose `cdp` stopped between them, or who rolled the second back after
    /// its effect, left a request with no end — its `…requested` audit row and no `session.end` / `run.unlock` — that
    /// nothing named. Migration `pg-admin-requests-left-are-listed` adds `cdp.admin_requests_left()` (act_as): every
    /// request not marked carried out, with whether its session is still logged in (the same pid and start) and
    /// whether it may still be carried out; `cdp store sessions` prints them.
    static let adminRequestLeftObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.admin_requests_left()
        RETURNS TABLE (request bigint, action text, session text, requested_by text, requested_at text, reason text,
            session_alive boolean, expires_at text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT cdp.require_permission('act_as', 'list the admin requests of the team store');
            SELECT r.id, r.action, r.session, r.requested_by, to_char(r.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), r.reason,
                EXISTS (SELECT 1 FROM cdp.describe_session(r.pid) d WHERE d.backend_start = r.backend_start),
                CASE WHEN r.requested_at + interval '\(adminRequestLifetime)' > clock_timestamp()
                    THEN to_char((r.requested_at + interval '\(adminRequestLifetime)') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END
            FROM cdp.admin_request r
            WHERE r.done_at IS NULL
            ORDER BY r.id
        $$
        """,
        grantToExistingGroups("cdp.admin_requests_left()", permission: "act_as"),
    ]

    /// An admin's reason is free text, which `audit_log_masked` withholds without `view_pii` and which no login role reads
    /// from `cdp.admin_request` (attack 12, F4): `cdp.admin_requests_left()` gave it to every `act_as` role. Migration
    /// `pg-admin-request-reasons-need-view-pii` withholds it from a caller without `view_pii`, as the audit log does.
    static let adminRequestReasonObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.admin_requests_left()
        RETURNS TABLE (request bigint, action text, session text, requested_by text, requested_at text, reason text,
            session_alive boolean, expires_at text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT cdp.require_permission('act_as', 'list the admin requests of the team store');
            SELECT r.id, r.action, r.session, r.requested_by, to_char(r.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                CASE WHEN cdp.session_may('view_pii') THEN r.reason ELSE '\(withheldText)' END,
                EXISTS (SELECT 1 FROM cdp.describe_session(r.pid) d WHERE d.backend_start = r.backend_start),
                CASE WHEN r.requested_at + interval '\(adminRequestLifetime)' > clock_timestamp()
                    THEN to_char((r.requested_at + interval '\(adminRequestLifetime)') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END
            FROM cdp.admin_request r
            WHERE r.done_at IS NULL
            ORDER BY r.id
        $$
        """,
    ]
}
