extension PostgresSchema {
    /// F7 of the tenth security review (#17): the run-write guard asked only whether *some* session of the writer's
    /// login held the run lock, so while `cdp run` of sam held it, any other session of sam's (psql) recorded runs
    /// as running, which status bars showed and `cdp audit verify` did not name. Now a run enters `running` (recorded,
    /// or reopened by a repair) only from the very session holding the lock — `cdp run` records its run on the session
    /// it took the lock with, in the transaction that appends the run's `run.start` — and the audit check names every
    /// run since the server's clock boundary without its `run.start`.
    static let runLockHolderRunObjects: [String] = [
        """
        CREATE FUNCTION cdp.run_lock_is_this_sessions() RETURNS boolean LANGUAGE sql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT EXISTS (SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.pid = pg_backend_pid()
                    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND ((l.classid::bigint << 32) | l.objid::bigint) = \(runLockKey) AND l.objsubid = 1)
        $$
        """,
        """
        CREATE FUNCTION cdp.run_starts_in_the_lock_holders_session() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF cdp.writer_is_the_store() OR NEW.state <> 'running' OR (TG_OP = 'UPDATE' AND OLD.state = 'running') THEN
                RETURN NEW;
            END IF;
            IF NOT cdp.run_lock_is_this_sessions() THEN
                RAISE EXCEPTION '% may not record a run as running from this session: a run is recorded by the session holding the store''s run lock (cdp run records its run there), not by another session of the same login; nothing was written',
                    session_user USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER run_starts_in_the_lock_holders_session BEFORE INSERT OR UPDATE OF state ON cdp.workflow_run
        FOR EACH ROW EXECUTE FUNCTION cdp.run_starts_in_the_lock_holders_session()
        """,
        // The trigger asks it as the writer: stores whose access was applied before this migration grant it too.
        grantToExistingGroups("cdp.run_lock_is_this_sessions()"),
    ]
}
