extension PostgresSchema {
    /// How long an admin's request to end a session or break the run lock may wait for its second step.
    static let adminRequestLifetime = "1 minute"

    /// F2 of the tenth security review (#17): `BEGIN; SELECT cdp.end_session(pid, 'x'); ROLLBACK;` ended a session
    /// (and `cdp.break_run_lock` the run's) with no audit row: `pg_terminate_backend` and `pg_advisory_unlock` act at
    /// once, outside the transaction, while the audit row went with the rollback (`SELECT cdp.end_session(…), 1/0`
    /// too, so refusing a transaction block is not enough). Now both take two steps, and no effect comes before its
    /// audit row has committed:
    ///
    /// 1. `cdp.request_end_session(pid, reason)` / `cdp.request_run_unlock(reason)` checks what it can, records the
    ///    request — who asks, which session (its pid and when it started, so a reused pid is not taken for it), why —
    ///    in `cdp.admin_request`, and appends `session.end.requested` / `run.unlock.requested` to `cdp.audit_inbox`,
    ///    to be committed on its own. The inbox, not the chain: the session to end may hold the chain's head (often
    ///    why it is ended), and the inbox locks nothing; its rows join the chain, in order, at the next audited write.
    /// 2. `cdp.end_session(request)` / `cdp.break_run_lock(request)` acts only on a request of the caller's that
    ///    committed in an earlier transaction within ``adminRequestLifetime``, still about the same session; it ends
    ///    the session (or lets go of the lock), then appends `session.end` / `run.unlock` and marks the request done.
    ///
    /// An admin who rolls step 2 back after the effect leaves the request's audit row all the same. The one-step
    /// functions refuse, naming the two steps.
    static let adminRequestObjects: [String] = [
        """
        CREATE TABLE cdp.admin_request (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            action text NOT NULL CHECK (action IN ('session.end', 'run.unlock')),
            pid integer NOT NULL,
            backend_start timestamptz NOT NULL,
            session text NOT NULL,
            reason text NOT NULL,
            requested_by text NOT NULL,
            requested_at timestamptz NOT NULL,
            requested_in bigint NOT NULL,
            done_at timestamptz
        )
        """,
        // Who a session of this store is, as the audit row names it; NULL when pid is none of its client sessions.
        """
        CREATE FUNCTION cdp.describe_session(p_pid integer) RETURNS TABLE (described text, backend_start timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT format('%s (pid %s, %s, %s, transaction open since %s)', coalesce(a.usename::text, 'a role'), a.pid,
                    coalesce(nullif(a.application_name, ''), 'unnamed program'), coalesce(a.state, 'unknown state'),
                    coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'no time')), a.backend_start
            FROM pg_stat_activity a WHERE a.pid = p_pid AND a.datname = current_database() AND a.backend_type = 'client backend'
        $$
        """,
        // The session holding the run lock now, or none.
        """
        CREATE FUNCTION cdp.run_lock_holder_pid() RETURNS integer LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT l.pid FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND ((l.classid::bigint << 32) | l.objid::bigint) = \(runLockKey) AND l.objsubid = 1
            LIMIT 1
        $$
        """,
        // Step 1 of both: records the request, to be committed on its own.
        """
        CREATE FUNCTION cdp.record_admin_request(p_action text, p_pid integer, p_reason text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            reason text := btrim(coalesce(p_reason, ''));
            target record;
            request bigint;
        BEGIN
            IF reason = '' THEN
                RAISE EXCEPTION '% needs a reason', CASE p_action WHEN 'session.end' THEN 'ending a session' ELSE 'breaking the run lock' END
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT * INTO target FROM cdp.describe_session(p_pid);
            IF target.described IS NULL THEN
                RAISE EXCEPTION 'no session of this team store has pid % (cdp store sessions lists them); nothing was done', p_pid
                    USING ERRCODE = 'no_data_found';
            END IF;
            INSERT INTO cdp.admin_request (action, pid, backend_start, session, reason, requested_by, requested_at, requested_in)
                VALUES (p_action, p_pid, target.backend_start, target.described, left(reason, 2000), session_user, clock_timestamp(),
                    txid_current())
                RETURNING id INTO request;
            INSERT INTO cdp.audit_inbox (at, actor, action, target, before, after, reason)
                VALUES (cdp.now_text(), session_user, p_action || '.requested', CASE p_action WHEN 'session.end' THEN 'session ' || p_pid ELSE 'run lock' END,
                    target.described, 'request ' || request, left(reason, 2000));
            RETURN request;
        END $$
        """,
        // Step 2 of both: the caller's request, committed before this transaction, within its lifetime, about the same
        // session; locked, so it is carried out once.
        """
        CREATE FUNCTION cdp.take_admin_request(p_request bigint, p_action text) RETURNS cdp.admin_request LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            r cdp.admin_request;
            now_start timestamptz;
        BEGIN
            SELECT * INTO r FROM cdp.admin_request WHERE id = p_request AND action = p_action AND requested_by = session_user FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no % request % of %''s: ask first (cdp.request_%(…)), commit, then carry it out; nothing was done',
                    p_action, p_request, session_user, CASE p_action WHEN 'session.end' THEN 'end_session' ELSE 'run_unlock' END
                    USING ERRCODE = 'no_data_found';
            END IF;
            IF r.requested_in = txid_current() THEN
                RAISE EXCEPTION 'request % was made in this same transaction: it must commit on its own first, so that it outlasts a rollback of what follows (pg_terminate_backend cannot be rolled back); nothing was done',
                    p_request USING ERRCODE = 'invalid_transaction_state';
            END IF;
            IF r.done_at IS NOT NULL THEN
                RAISE EXCEPTION 'request % was carried out at %; ask again', p_request, r.done_at USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF r.requested_at < clock_timestamp() - interval '\(adminRequestLifetime)' THEN
                RAISE EXCEPTION 'request % is older than \(adminRequestLifetime); ask again', p_request USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT backend_start INTO now_start FROM cdp.describe_session(r.pid);
            IF now_start IS DISTINCT FROM r.backend_start THEN
                RAISE EXCEPTION 'the session of request % (%) has ended since; nothing was done', p_request, r.session
                    USING ERRCODE = 'no_data_found';
            END IF;
            RETURN r;
        END $$
        """,
        """
        CREATE FUNCTION cdp.request_end_session(p_pid integer, p_reason text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_permission('act_as', 'end another''s session');
            IF p_pid = pg_backend_pid() THEN
                RAISE EXCEPTION 'pid % is this session', p_pid USING ERRCODE = 'invalid_parameter_value';
            END IF;
            RETURN cdp.record_admin_request('session.end', p_pid, p_reason);
        END $$
        """,
        """
        CREATE FUNCTION cdp.end_session(p_request bigint) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            r cdp.admin_request;
            others text;
        BEGIN
            PERFORM cdp.require_permission('act_as', 'end another''s session');
            r := cdp.take_admin_request(p_request, 'session.end');
            -- Ended first, recorded then: the session may hold the audit log's head, which the audit row waits for; so
            -- while a third session holds the head, nothing is ended (the ending could not be recorded).
            SELECT string_agg(DISTINCT l.pid::text, ', ') INTO others FROM pg_locks l
                WHERE l.relation = 'cdp.audit_head'::regclass AND l.granted AND l.mode <> 'AccessShareLock'
                    AND l.pid NOT IN (r.pid, pg_backend_pid());
            IF others IS NOT NULL THEN
                RAISE EXCEPTION 'the audit log''s head is held by another session too (pid %), so ending pid % could not be recorded: end that one first; nothing was done',
                    others, r.pid USING ERRCODE = 'lock_not_available';
            END IF;
            IF NOT pg_terminate_backend(r.pid, 5000) THEN
                RAISE EXCEPTION 'session % did not end within 5 s; try again', r.pid USING ERRCODE = 'lock_not_available';
            END IF;
            UPDATE cdp.admin_request SET done_at = clock_timestamp() WHERE id = r.id;
            PERFORM cdp.append_audit(session_user::text, 'session.end', 'session ' || r.pid, r.session, 'ended', r.reason);
            RETURN r.session;
        END $$
        """,
        """
        CREATE FUNCTION cdp.request_run_unlock(p_reason text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            holder_pid integer;
        BEGIN
            PERFORM cdp.require_permission('act_as', 'break the run lock');
            holder_pid := cdp.run_lock_holder_pid();
            IF holder_pid IS NULL THEN
                RAISE EXCEPTION 'nobody holds the run lock' USING ERRCODE = 'no_data_found';
            END IF;
            RETURN cdp.record_admin_request('run.unlock', holder_pid, p_reason);
        END $$
        """,
        """
        CREATE FUNCTION cdp.break_run_lock(p_request bigint) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            r cdp.admin_request;
            holder text;
        BEGIN
            PERFORM cdp.require_permission('act_as', 'break the run lock');
            r := cdp.take_admin_request(p_request, 'run.unlock');
            IF cdp.run_lock_holder_pid() IS DISTINCT FROM r.pid THEN
                RAISE EXCEPTION 'the run lock is no longer held by the session of request % (%); nothing was done', p_request, r.session
                    USING ERRCODE = 'no_data_found';
            END IF;
            holder := cdp.run_lock_holder();
            IF r.pid = pg_backend_pid() THEN
                PERFORM pg_advisory_unlock(\(runLockKey));
            ELSIF NOT pg_terminate_backend(r.pid, 5000) THEN
                RAISE EXCEPTION 'the session holding the run lock (pid %) did not end within 5 s; nothing was recorded', r.pid
                    USING ERRCODE = 'lock_not_available';
            END IF;
            UPDATE cdp.admin_request SET done_at = clock_timestamp() WHERE id = r.id;
            PERFORM cdp.append_audit(session_user::text, 'run.unlock', 'run lock', holder, 'broken', r.reason);
            RETURN holder;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.end_session(p_pid integer, p_reason text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            RAISE EXCEPTION 'ending a session takes two steps: SELECT cdp.request_end_session(%, reason), committed on its own, then SELECT cdp.end_session(the request it returns) (cdp store end-session does both); nothing was done',
                p_pid USING ERRCODE = 'feature_not_supported';
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.break_run_lock(p_reason text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            RAISE EXCEPTION 'breaking the run lock takes two steps: SELECT cdp.request_run_unlock(reason), committed on its own, then SELECT cdp.break_run_lock(the request it returns) (cdp runs unlock does both); nothing was done'
                USING ERRCODE = 'feature_not_supported';
        END $$
        """,
    ] + adminRequestFunctions.map { grantToExistingGroups($0, permission: "act_as") }

    /// `cdp.admin_request` keeps an admin's free-text reason, which `audit_log_masked` withholds without view_pii; it is
    /// the store's own machinery (``PostgresAccessPlan/internalRelations``), so the grants an earlier `cdp access apply`
    /// gave on it go (attack 12, F4).
    static let adminRequestInternalObjects = [
        """
        DO $$
        DECLARE grantee text;
        BEGIN
            FOR grantee IN
                SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END
                FROM pg_class c, aclexplode(c.relacl) a
                WHERE c.oid = 'cdp.admin_request'::regclass AND a.grantee <> c.relowner
            LOOP
                EXECUTE 'REVOKE ALL ON cdp.admin_request FROM ' || grantee;
            END LOOP;
        END $$
        """
    ]

    /// The two steps of ending a session and of breaking the run lock, which `act_as` may execute.
    static let adminRequestFunctions = [
        "cdp.request_end_session(integer, text)", "cdp.end_session(bigint)", "cdp.request_run_unlock(text)", "cdp.break_run_lock(bigint)",
    ]
}
