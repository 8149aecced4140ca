extension PostgresSchema {
    /// Reopening a released or rejected record through cdp, and undoing a decision (`pg-quarantine-reopen-as-read`): as the embedded lake, the
    /// record is held again with the failures the engine found, a released record's silver row is taken out and the
    /// row its release replaced is current again (refused as a conflict when a newer version of the key reached
    /// silver since), the history and the audit row written, in the caller's transaction. The record must still hold
    /// what cdp read, and the caller needs `remediate_quarantine` and `view_pii` (``quarantineChangeObjects``).
    /// It also gives the rules column one definition (`cdp.quarantine_rules_column`), which
    /// `cdp.quarantine_fix_as_read` uses from now on instead of its own copy.
    static let quarantineReopenObjects: [String] = [
        // The rules column as the embedded lake keeps it: the rules failed now, in order; a record that is not open
        // also keeps the rules it was held for.
        """
        CREATE FUNCTION cdp.quarantine_rules_column(p_failures text, p_status text, p_current text) RETURNS text LANGUAGE plpgsql
        IMMUTABLE SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            failed_rules text[] := ARRAY(SELECT f ->> 'rule' FROM jsonb_array_elements(p_failures::jsonb) WITH ORDINALITY AS t(f, n) ORDER BY n);
            kept text;
        BEGIN
            IF p_status <> 'open' THEN
                FOREACH kept IN ARRAY string_to_array(coalesce(p_current, ''), ',') LOOP
                    IF kept <> '' AND NOT kept = ANY(failed_rules) THEN failed_rules := failed_rules || kept; END IF;
                END LOOP;
            END IF;
            RETURN ',' || array_to_string(failed_rules, ',') || ',';
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.quarantine_fix_as_read(p_id bigint, p_expected text, p_read_fields text, p_read_key text,
            p_fields text, p_failures text, p_status text, p_detail text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record := cdp.quarantine_expect_as_read(p_id, p_read_fields, p_read_key);
        BEGIN
            IF jsonb_typeof(p_failures::jsonb) <> 'array' THEN
                RAISE EXCEPTION 'Q%: the failures must be a JSON array', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            RETURN cdp.quarantine_fix(p_id, p_expected, p_fields, p_failures, cdp.quarantine_rules_column(p_failures, p_status, rec.rules),
                p_status, p_detail);
        END $$
        """,
        """
        CREATE FUNCTION cdp.quarantine_reopen_as_read(p_id bigint, p_expected text, p_read_fields text, p_read_key text,
            p_failures text, p_status text, p_reason text, p_undo boolean) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record := cdp.quarantine_expect_as_read(p_id, p_read_fields, p_read_key);
            reason text := nullif(btrim(coalesce(p_reason, '')), '');
            released boolean := p_expected = 'released';
            silver text;
            row_id bigint;
            row_current bigint;
            detail text;
        BEGIN
            IF reason IS NULL AND NOT p_undo THEN
                RAISE EXCEPTION 'reopening Q% needs a reason', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_status NOT IN ('open', 'fixed') THEN
                RAISE EXCEPTION 'a reopened record is open or fixed, not %', p_status USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF jsonb_typeof(p_failures::jsonb) <> 'array' THEN
                RAISE EXCEPTION 'Q%: the failures must be a JSON array', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            rec := cdp.quarantine_claim(p_id, p_expected, ARRAY['released', 'rejected'], 'reopened');
            silver := 'silver_' || rec.entity;
            IF released THEN
                EXECUTE format('SELECT id, is_current FROM cdp.%I WHERE bronze_id = $1', silver) INTO row_id, row_current USING rec.bronze_id;
                IF row_id IS NULL THEN
                    RAISE EXCEPTION 'Q% has no row in % to take back; read it again', p_id, silver
                        USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                IF row_current <> 1 THEN
                    RAISE EXCEPTION 'a newer version of key % of % is current in %; the release of Q% can no longer be taken back (nothing was changed): leave it released, and correct that key at its source if the newer version is wrong too',
                        rec.source_key, rec.source, silver, p_id USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                EXECUTE format('DELETE FROM cdp.%I WHERE id = $1', silver) USING row_id;
                EXECUTE format('UPDATE cdp.%I SET is_current = 1, superseded_by = NULL WHERE id = (SELECT max(id) FROM cdp.%I '
                    'WHERE source = $1 AND source_key = $2 AND is_current = 0 AND superseded_by = $3)', silver, silver)
                    USING rec.source, rec.source_key, rec.batch_id;
            END IF;
            UPDATE cdp.quarantine_record SET failures = p_failures, rules = cdp.quarantine_rules_column(p_failures, p_status, rec.rules), status = p_status,
                resolution = NULL, updated_at = cdp.now_text() WHERE id = p_id;
            detail := CASE WHEN released THEN 'taken back from ' || silver ELSE 'rejection taken back' END || coalesce(': ' || reason, '');
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
                VALUES (p_id, cdp.now_text(), session_user,
                    CASE WHEN NOT p_undo THEN 'reopen' WHEN released THEN 'undo release' ELSE 'undo rejection' END, detail);
            PERFORM cdp.append_audit(session_user,
                CASE WHEN NOT p_undo THEN 'quarantine.reopen' WHEN released THEN 'quarantine.release.undo' ELSE 'quarantine.reject.undo' END,
                'Q' || p_id, p_expected, p_status, reason);
            RETURN p_status;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
    ]
}
