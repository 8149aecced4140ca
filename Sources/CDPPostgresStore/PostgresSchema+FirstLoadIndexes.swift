extension PostgresSchema {
    /// The silver tables, as SQL literals.
    static let silverTables = "'silver_customer', 'silver_order', 'silver_campaign', 'silver_event'"

    /// A first load into an empty silver table builds the table's secondary indexes after its rows are in (migration
    /// `pg-a-first-load-builds-its-indexes-after`): inserting each row into two partial B-trees was half the server's
    /// time per row of `cdp bench ingest --store`, while one sort of the loaded rows builds the same index in a fraction
    /// of it.
    ///
    /// Only a table with no row at all is loaded this way: no reader then loses an index over rows it could read
    /// before, and nothing the load supersedes needs one (a first load supersedes nothing). A large batch into a table
    /// that holds rows keeps its indexes: rebuilding them would sort the old rows again and leave their readers without
    /// an index meanwhile.
    ///
    /// `cdp.silver_load_begin(table)` (the writer's session, before its first chunk) records each secondary index's
    /// definition in `cdp.load_deferred_index` and drops it, in one transaction that commits before the chunks do;
    /// `cdp.silver_load_end()` (after the last chunk, or when the writer stops early) builds every recorded index
    /// again and analyses its table, so the planner knows the new rows at once. A load cut short before its end (a
    /// killed process, a lost connection) leaves its definitions recorded: the next `silver_load_begin` builds them
    /// first. Both are the owner's functions for a run's writer only (the run lock, as every silver write needs), and
    /// only ever run DDL the catalog itself wrote (`pg_get_indexdef`) from a table no login role can write.
    static let firstLoadIndexObjects: [String] = [
        """
        CREATE TABLE cdp.load_deferred_index (
            index_name text PRIMARY KEY,
            table_name text NOT NULL,
            definition text NOT NULL
        )
        """,
        // Who may load: a run's writer (the run lock, as the run-write guard asks of every silver write), or the store's
        // owner, whom that guard lets write anyway (the installer, `cdp bench ingest --store`).
        """
        CREATE FUNCTION cdp.require_silver_loader() RETURNS void LANGUAGE plpgsql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF NOT pg_has_role(session_user, '\(owner)', 'MEMBER') THEN
                PERFORM cdp.require_run_lock('load silver rows');
            END IF;
        END $$
        """,
        """
        CREATE FUNCTION cdp.silver_load_end() RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            deferred record;
            loaded text;
        BEGIN
            PERFORM cdp.require_silver_loader();
            FOR loaded IN SELECT DISTINCT table_name FROM cdp.load_deferred_index ORDER BY table_name
            LOOP
                FOR deferred IN SELECT index_name, definition FROM cdp.load_deferred_index WHERE table_name = loaded ORDER BY index_name FOR UPDATE
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
        CREATE FUNCTION cdp.silver_load_begin(p_table text) RETURNS boolean LANGUAGE plpgsql
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
            -- What a load cut short left out, built before anything else.
            PERFORM cdp.silver_load_end();
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
                    INSERT INTO cdp.load_deferred_index (index_name, table_name, definition)
                        VALUES (secondary.index_name, p_table, secondary.definition);
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
