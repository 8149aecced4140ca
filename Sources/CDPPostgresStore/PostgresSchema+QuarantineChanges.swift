extension PostgresSchema {
    /// A steward's change of a quarantined record through cdp, on the record as the engine read it. The engine
    /// computes a fix's values and failures and a release's silver values from the stored record; these functions
    /// make that safe on a shared store: the record must still hold the fields and key the engine read (another
    /// steward's edit in between is a conflict, as in the embedded lake, never overwritten), and the caller must be
    /// able to read them (`view_pii`: without it the engine reads masked values, which must never be written back
    /// or standardised into silver). Then `cdp.quarantine_fix` / `cdp.quarantine_release` check the permission and
    /// the status, change the record, write its history and append the audit row, all in the caller's transaction.
    static let quarantineChangeObjects: [String] = [
        """
        CREATE FUNCTION cdp.quarantine_expect_as_read(p_id bigint, p_read_fields text, p_read_key text) RETURNS cdp.quarantine_record
        LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record;
        BEGIN
            PERFORM cdp.require_permission('remediate_quarantine', 'remediate quarantine');
            PERFORM cdp.require_permission('view_pii', 'change a quarantined record''s values (they read masked without view_pii)');
            SELECT * INTO rec FROM cdp.quarantine_record WHERE id = p_id FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'Q% does not exist', p_id USING ERRCODE = 'no_data_found';
            END IF;
            IF rec.fields::jsonb IS DISTINCT FROM p_read_fields::jsonb OR rec.source_key IS DISTINCT FROM p_read_key THEN
                RAISE EXCEPTION 'Q% was edited meanwhile; nothing was changed, read it again', p_id
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            RETURN rec;
        END $$
        """,
        """
        CREATE FUNCTION cdp.quarantine_fix_as_read(p_id bigint, p_expected text, p_read_fields text, p_read_key text, p_fields text,
            p_failures text, p_status text, p_detail text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record := cdp.quarantine_expect_as_read(p_id, p_read_fields, p_read_key);
            rules text[];
            kept text;
        BEGIN
            IF jsonb_typeof(p_failures::jsonb) <> 'array' THEN
                RAISE EXCEPTION 'Q%: the failures must be a JSON array', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            -- As the embedded lake's rules column: the rules failed now, in order; a record that is not open also
            -- keeps the rules it was held for.
            rules := ARRAY(SELECT f ->> 'rule' FROM jsonb_array_elements(p_failures::jsonb) WITH ORDINALITY AS t(f, n) ORDER BY n);
            IF p_status <> 'open' THEN
                FOREACH kept IN ARRAY string_to_array(rec.rules, ',') LOOP
                    IF kept <> '' AND NOT kept = ANY(rules) THEN rules := rules || kept; END IF;
                END LOOP;
            END IF;
            RETURN cdp.quarantine_fix(p_id, p_expected, p_fields, p_failures, ',' || array_to_string(rules, ',') || ',', p_status, p_detail);
        END $$
        """,
        """
        CREATE FUNCTION cdp.quarantine_release_as_read(p_id bigint, p_expected text, p_read_fields text, p_read_key text,
            p_silver_values text, p_attributes text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record := cdp.quarantine_expect_as_read(p_id, p_read_fields, p_read_key);
            released text;
            refused text;
        BEGIN
            released := cdp.quarantine_release(p_id, p_expected, p_silver_values);
            -- A customer's extra attributes (held as attributes.NAME beside its fields) go to silver_customer.attributes,
            -- as an ingest writes them; only attributes the record holds.
            IF p_attributes IS NOT NULL THEN
                IF rec.entity <> 'customer' OR jsonb_typeof(p_attributes::jsonb) <> 'object' THEN
                    RAISE EXCEPTION 'Q% was not released: extra attributes are a JSON object of a customer', p_id
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                SELECT string_agg(key, ', ' ORDER BY key) INTO refused FROM jsonb_object_keys(p_attributes::jsonb) AS key
                    WHERE NOT rec.fields::jsonb ? ('attributes.' || key);
                IF refused IS NOT NULL THEN
                    RAISE EXCEPTION 'Q% was not released: % not an attribute the record holds', p_id, refused
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                UPDATE cdp.silver_customer SET attributes = p_attributes WHERE bronze_id = rec.bronze_id AND is_current = 1;
            END IF;
            RETURN released;
        END $$
        """,
    ]
}
