extension PostgresSchema {
    /// A load leaves alone the indexes another live loader left out (migration
    /// `pg-a-load-leaves-a-live-loaders-indexes-alone`, #17 review LOW): `cdp.silver_load_begin` built every recorded
    /// index first, as left by a load cut short, also those of a table another session was loading that moment (the
    /// owner's `cdp bench ingest --store` beside a run: the run lock keeps two runs apart, not the owner), whose load
    /// then went on into a table with its indexes back.
    ///
    /// Each recorded index now names its loader's session (process id and start, as `pg_stat_activity` shows them,
    /// a process id alone being reused); `cdp.silver_load_end()` builds only the indexes its own session left out and
    /// those of a loader no longer connected, and a load into a table another live loader is loading keeps to the
    /// indexes that loader left (it builds them at its end). Indexes recorded before this migration name no loader:
    /// they were left by a load cut short, and are built.
    static let liveLoaderObjects: [String] = [
        "ALTER TABLE cdp.load_deferred_index ADD COLUMN loader_pid integer, ADD COLUMN loader_started timestamptz",
        // Whether a recorded index waits for a loader still connected other than this session.
        """
        CREATE FUNCTION cdp.load_deferred_by_another_live_loader(p_pid integer, p_started timestamptz) RETURNS boolean LANGUAGE sql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT p_pid IS NOT NULL AND p_pid <> pg_backend_pid()
                AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = p_pid AND a.backend_start = p_started)
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.silver_load_end() RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            deferred record;
            loaded text;
        BEGIN
            PERFORM cdp.require_silver_loader();
            FOR loaded IN SELECT DISTINCT table_name FROM cdp.load_deferred_index
                WHERE NOT cdp.load_deferred_by_another_live_loader(loader_pid, loader_started) ORDER BY table_name
            LOOP
                FOR deferred IN SELECT index_name, definition FROM cdp.load_deferred_index
                    WHERE table_name = loaded AND NOT cdp.load_deferred_by_another_live_loader(loader_pid, loader_started)
                    ORDER BY index_name FOR UPDATE
                LOOP
                    IF to_regclass(format('cdp.%I', deferred.index_name)) IS NULL THEN
                        EXECUTE deferred.definition;
                    END IF;
                    DELETE FROM cdp.load_deferred_index WHERE index_name = deferred.index_name;
                END LOOP;
                EXECUTE format('ANALYZE cdp.%I', loaded);
            END LOOP;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.silver_load_begin(p_table text) RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            holds_rows boolean;
            secondary record;
            lock_wait text := current_setting('lock_timeout');
        BEGIN
            PERFORM cdp.require_silver_loader();
            IF p_table IS NULL OR p_table NOT IN (\(silverTables)) THEN
                RAISE EXCEPTION 'a load builds the indexes of silver_customer, silver_order, silver_campaign or silver_event, not %', coalesce(p_table, 'NULL')
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            -- What a load cut short left out, built before anything else; what a live loader left out stays its own.
            PERFORM cdp.silver_load_end();
            IF EXISTS (SELECT 1 FROM cdp.load_deferred_index WHERE table_name = p_table) THEN
                RETURN false;
            END IF;
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM cdp.%I)', p_table) INTO holds_rows;
            IF holds_rows THEN
                RETURN false;
            END IF;
            BEGIN
                -- Dropping an index waits for every reader of the table, and readers coming after wait behind it.
                PERFORM set_config('lock_timeout', '2s', true);
                FOR secondary IN SELECT c.relname::text AS index_name, pg_get_indexdef(i.indexrelid) AS definition
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE i.indrelid = format('cdp.%I', p_table)::regclass AND NOT i.indisprimary AND NOT i.indisunique AND NOT i.indisexclusion
                    ORDER BY c.relname
                LOOP
                    INSERT INTO cdp.load_deferred_index (index_name, table_name, definition, loader_pid, loader_started)
                        VALUES (secondary.index_name, p_table, secondary.definition, pg_backend_pid(),
                            (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()));
                    EXECUTE format('DROP INDEX cdp.%I', secondary.index_name);
                END LOOP;
                PERFORM set_config('lock_timeout', lock_wait, true);
            EXCEPTION WHEN lock_not_available THEN
                -- A reader holds the table (an export streaming it): load with the indexes rather than wait. (The
                -- block's work and its lock_timeout are undone with it.)
                RETURN false;
            END;
            RETURN true;
        END $$
        """,
    ]
}
