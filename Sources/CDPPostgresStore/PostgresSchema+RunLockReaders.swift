extension PostgresSchema {
    /// Which session holds the run lock was asked of `pg_locks` in five functions, each spelling out the lock's key
    /// (review of stop 31): `run_lock_holder`, `run_lock_is_mine`, `run_lock_is_this_sessions`, `store_sessions` and
    /// `run_lock_holder_pid`. Shipped migrations are never edited, so migration `pg-the-run-lock-is-read-in-one-place`
    /// restates the first four over `cdp.run_lock_holder_pid()` (``adminRequestObjects``), the one place left that
    /// reads the lock. Each keeps its signature, result and grants; `run_lock_is_this_sessions` becomes SECURITY
    /// DEFINER like the function it asks (its callers hold no grant on it).
    static let runLockReaderObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.run_lock_holder() RETURNS text LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT coalesce(a.usename::text, 'a role') || ' (pid ' || a.pid || ', ' || coalesce(nullif(a.application_name, ''), 'unnamed program')
                || coalesce(', connected since ' || to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') || ')'
            FROM pg_stat_activity a WHERE a.pid = cdp.run_lock_holder_pid()
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.run_lock_is_mine() RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = cdp.run_lock_holder_pid() AND a.usename = session_user)
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.run_lock_is_this_sessions() RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT coalesce(cdp.run_lock_holder_pid() = pg_backend_pid(), false)
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.store_sessions() RETURNS TABLE (pid integer, login text, program text, state text, since text, holds text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT cdp.require_permission('act_as', 'list the sessions of the team store');
            SELECT a.pid, coalesce(a.usename::text, 'a role'), coalesce(nullif(a.application_name, ''), 'unnamed program'),
                coalesce(a.state, 'unknown state'),
                coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
                coalesce((SELECT string_agg(DISTINCT held.what, ', ') FROM (
                    SELECT 'the run lock' AS what WHERE a.pid = holder.pid
                    UNION ALL
                    SELECT CASE WHEN l.relation = 'cdp.audit_head'::regclass AND l.mode <> 'AccessShareLock' THEN 'the audit log''s head'
                            ELSE c.relname::text END
                        FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                        WHERE l.pid = a.pid AND l.granted AND l.locktype = 'relation' AND c.relnamespace = 'cdp'::regnamespace
                            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) held), '')
            FROM pg_stat_activity a, (SELECT cdp.run_lock_holder_pid() AS pid) holder
            WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
            ORDER BY a.xact_start NULLS LAST, a.pid
        $$
        """,
    ]
}
