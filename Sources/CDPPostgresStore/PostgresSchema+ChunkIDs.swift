extension PostgresSchema {
    /// The signature of `cdp.take_chunk_ids`, as GRANT names it.
    static let chunkIDsSignature = "cdp.take_chunk_ids(text, bigint, bigint, bigint, bigint)"

    /// A batch's chunks go in on two sessions at once (migration `pg-chunks-take-their-ids-in-order`, #17): each
    /// chunk takes its ids before it is handed to a session, so its rows carry the ids one session writing the
    /// chunks in order would have given them (the embedded lake's), whichever session's COPY runs first.
    ///
    /// `cdp.take_chunk_ids(table, rows, silver, held, warnings)` hands out the chunk's bronze ids
    /// (`cdp.take_bronze_ids`, with its checks: a run's writer holding the run lock) and a block of ids of the
    /// silver table, `quarantine_record` and `row_warning` each, the first of each block (NULL for none).
    ///
    /// A block is taken one `nextval` per id, never `nextval` then `setval`: a steward releasing a held record into
    /// silver meanwhile takes the silver id after or between them, never one inside the block another insert would
    /// then collide with. Should another session's id fall between, the block is not consecutive: it is left as a
    /// gap (as a rolled-back insert leaves) and another taken.
    static let chunkIDObjects: [String] = [
        """
        CREATE FUNCTION cdp.take_table_ids(p_table text, p_count bigint) RETURNS bigint LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            ids regclass := pg_get_serial_sequence(format('cdp.%I', p_table), 'id')::regclass;
            lowest bigint;
            highest bigint;
        BEGIN
            IF p_count < 1 THEN RETURN NULL; END IF;
            LOOP
                SELECT min(id), max(id) INTO lowest, highest FROM (SELECT nextval(ids) AS id FROM generate_series(1, p_count)) taken;
                EXIT WHEN highest - lowest = p_count - 1;
            END LOOP;
            RETURN lowest;
        END $$
        """,
        """
        CREATE FUNCTION cdp.take_chunk_ids(p_table text, p_rows bigint, p_silver bigint, p_quarantine bigint, p_warnings bigint,
            OUT bronze bigint, OUT silver bigint, OUT quarantine bigint, OUT warning bigint) LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_silver_loader();
            IF p_table IS NULL OR p_table NOT IN (\(silverTables)) THEN
                RAISE EXCEPTION 'a chunk''s rows go into silver_customer, silver_order, silver_campaign or silver_event, not %', coalesce(p_table, 'NULL')
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_silver IS NULL OR p_quarantine IS NULL OR p_warnings IS NULL OR p_silver < 0 OR p_quarantine < 0 OR p_warnings < 0
                OR p_silver + p_quarantine <> p_rows OR p_warnings > \(bronzeIDsPerCall) THEN
                RAISE EXCEPTION 'a chunk of % rows goes to silver or quarantine, each row to one (% and % asked), with at most \(bronzeIDsPerCall) warnings (% asked)',
                    coalesce(p_rows::text, 'NULL'), coalesce(p_silver::text, 'NULL'), coalesce(p_quarantine::text, 'NULL'), coalesce(p_warnings::text, 'NULL')
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            bronze := cdp.take_bronze_ids(p_rows);
            silver := cdp.take_table_ids(p_table, p_silver);
            quarantine := cdp.take_table_ids('quarantine_record', p_quarantine);
            warning := cdp.take_table_ids('row_warning', p_warnings);
        END $$
        """,
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT DISTINCT rp.role_name FROM cdp.role_permission rp
                WHERE rp.permission = 'run_workflows' AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = rp.role_name)
                    AND EXISTS (SELECT 1 FROM cdp.role_permission v WHERE v.role_name = rp.role_name AND v.permission = 'view_pii')
                ORDER BY 1
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION \(chunkIDsSignature) TO %I', g);
            END LOOP;
        END $$
        """,
    ]
}
