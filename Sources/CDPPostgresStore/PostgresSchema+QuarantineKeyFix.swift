extension PostgresSchema {
    /// A fix of a held record's key on the team store (migration `pg-quarantine-key-fix-as-read`), as on the embedded
    /// lake: the record takes the new key (and the fields the engine changed with it), the failures the engine found
    /// now and its status, with a history row and a `quarantine.fix` audit row naming every value that changed, the
    /// key first, in one transaction. Like the other changes it needs `remediate_quarantine` and `view_pii`, the record
    /// must still hold what cdp read, and it must be open or fixed; a record is fixed only with no failure at error
    /// severity left. Granted with `remediate_quarantine` (here to the roles that have it already; `cdp access apply`
    /// grants it from now on).
    static let quarantineKeyFixObjects: [String] = [
        """
        CREATE FUNCTION cdp.quarantine_fix_key_as_read(p_id bigint, p_expected text, p_read_fields text, p_read_key text, p_fields text,
            p_key text, p_failures text, p_status text, p_detail text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record := cdp.quarantine_expect_as_read(p_id, p_read_fields, p_read_key);
            old_fields jsonb := coalesce(rec.fields::jsonb, '{}'::jsonb);
            new_fields jsonb := p_fields::jsonb;
            new_failures jsonb := p_failures::jsonb;
            still_failing text;
            before_json jsonb;
            after_json jsonb;
        BEGIN
            -- 256 bytes: the longest source key the engine reads (FieldLimits.sourceKey when this was written).
            IF p_key IS NULL OR btrim(p_key) = '' OR p_key ~ '[[:cntrl:]]' OR octet_length(p_key) > 256 THEN
                RAISE EXCEPTION 'Q%: a key is one line of text of 1 to 256 bytes', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_key = rec.source_key THEN
                RAISE EXCEPTION 'Q%: the key is unchanged; a fix of its other fields goes through cdp.quarantine_fix_as_read', p_id
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_status NOT IN ('open', 'fixed') THEN
                RAISE EXCEPTION 'a fix leaves a record open or fixed, not %', p_status USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF jsonb_typeof(new_fields) IS DISTINCT FROM 'object' OR jsonb_typeof(new_failures) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'Q%: the fields must be a JSON object and the failures a JSON array', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_status = 'fixed' THEN
                SELECT string_agg(DISTINCT f ->> 'rule', ', ') INTO still_failing FROM jsonb_array_elements(new_failures) f
                    WHERE f ->> 'severity' = 'error';
                IF still_failing IS NOT NULL THEN
                    RAISE EXCEPTION 'Q% cannot be fixed: it still fails %', p_id, still_failing USING ERRCODE = 'invalid_parameter_value';
                END IF;
            END IF;
            rec := cdp.quarantine_claim(p_id, p_expected, ARRAY['open', 'fixed'], 'fixed');
            -- Every value that changed, a field taken out included (as null), the key first.
            SELECT jsonb_build_object('source_key', rec.source_key) || coalesce(jsonb_object_agg(k, coalesce(old_fields -> k, 'null'::jsonb)), '{}'),
                jsonb_build_object('source_key', p_key) || coalesce(jsonb_object_agg(k, coalesce(new_fields -> k, 'null'::jsonb)), '{}')
                INTO before_json, after_json
            FROM (SELECT jsonb_object_keys(old_fields) AS k UNION SELECT jsonb_object_keys(new_fields)) keys
            WHERE old_fields -> k IS DISTINCT FROM new_fields -> k;
            -- The fields as cdp wrote them (sorted, compact), as the embedded lake stores them.
            UPDATE cdp.quarantine_record SET source_key = p_key, fields = p_fields, failures = p_failures,
                rules = cdp.quarantine_rules_column(p_failures, p_status, rec.rules), status = p_status, updated_at = cdp.now_text()
            WHERE id = p_id;
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
                VALUES (p_id, cdp.now_text(), session_user, 'fix', p_detail);
            PERFORM cdp.append_audit(session_user, 'quarantine.fix', 'Q' || p_id, before_json::text, after_json::text, NULL);
            RETURN p_status;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        grantToExistingGroups(
            "cdp.quarantine_fix_key_as_read(bigint, text, text, text, text, text, text, text, text)", permission: "remediate_quarantine"),
    ]
}
