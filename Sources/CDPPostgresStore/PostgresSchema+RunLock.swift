extension PostgresSchema {
    /// The run lock, second version: the pipeline's lock, so taking it needs what a pipeline run needs on a team
    /// store, `run_workflows` and `view_pii` (a run reads and writes personal data); an analyst who may start
    /// workflows in the embedded lake can no longer take it and keep runs out. An admin (`act_as`) can break it:
    /// the holding session is ended (`pg_terminate_backend`, which `cdp_owner` may do as a member of
    /// `pg_signal_backend`), audited as `run.unlock` with who held it and why.
    static let runLockObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.try_run_lock() RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_permission('run_workflows', 'run the pipeline');
            PERFORM cdp.require_permission('view_pii', 'run the pipeline (a run reads and writes personal data)');
            RETURN pg_try_advisory_lock(\(runLockKey));
        END $$
        """,
        """
        CREATE FUNCTION cdp.break_run_lock(p_reason text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            holder_pid int;
            holder text;
            reason text := btrim(coalesce(p_reason, ''));
        BEGIN
            PERFORM cdp.require_permission('act_as', 'break the run lock');
            IF reason = '' THEN
                RAISE EXCEPTION 'breaking the run lock needs a reason' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT l.pid INTO holder_pid FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND ((l.classid::bigint << 32) | l.objid::bigint) = \(runLockKey) AND l.objsubid = 1
                LIMIT 1;
            IF holder_pid IS NULL THEN
                RAISE EXCEPTION 'nobody holds the run lock' USING ERRCODE = 'no_data_found';
            END IF;
            holder := cdp.run_lock_holder();
            -- Audited first: if the session cannot be ended, the audit row goes with the failed statement.
            PERFORM cdp.append_audit(session_user, 'run.unlock', 'run lock', holder, 'broken', reason);
            IF holder_pid = pg_backend_pid() THEN
                PERFORM pg_advisory_unlock(\(runLockKey));
            ELSIF NOT pg_terminate_backend(holder_pid, 5000) THEN
                RAISE EXCEPTION 'the session holding the run lock (pid %) did not end within 5 s; nothing was recorded', holder_pid
                    USING ERRCODE = 'lock_not_available';
            END IF;
            RETURN holder;
        END $$
        """,
    ]
}
