extension PostgresSchema {
    /// A fix changes the fields it names and nothing else (a security review found `cdp.quarantine_fix` stored the
    /// caller's document whole while auditing only the keys it passed: a steward erased every other field of a held
    /// record, unseen in the audit row and the history, then released what was left to silver). The fields passed are
    /// edits merged into the stored ones: a field left out keeps its value, a field given as JSON `null` is taken
    /// out, and every change, a removal included, is in the audit row's before and after. The argument list stays,
    /// so callers keep working (cdp passes the whole document it read and changed: the same result).
    static let quarantineFixMergeObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.quarantine_fix(p_id bigint, p_expected text, p_fields text, p_failures text, p_rules text,
            p_status text, p_detail text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record;
            old_fields jsonb;
            edits jsonb := p_fields::jsonb;
            new_fields jsonb;
            before_json jsonb;
            after_json jsonb;
            may_view boolean;
            new_failures jsonb;
            still_failing text;
        BEGIN
            PERFORM cdp.require_permission('remediate_quarantine', 'remediate quarantine');
            IF p_status NOT IN ('open', 'fixed') THEN
                RAISE EXCEPTION 'a fix leaves a record open or fixed, not %', p_status USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF jsonb_typeof(edits) IS DISTINCT FROM 'object' THEN
                RAISE EXCEPTION 'Q%: the fields of a fix are a JSON object of the fields it changes', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            rec := cdp.quarantine_claim(p_id, p_expected, ARRAY['open', 'fixed'], 'fixed');
            old_fields := coalesce(rec.fields::jsonb, '{}'::jsonb);
            -- The edits over the stored fields; a field given as null is taken out.
            new_fields := (old_fields || edits) - ARRAY(SELECT key FROM jsonb_each(edits) WHERE jsonb_typeof(value) = 'null');
            -- A caller who may not view personal data must get no answer that depends on a stored personal value
            -- (or "no field changed" would confirm a guessed birth date): a personal field it submits always
            -- counts as changed, and is written and audited.
            may_view := EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                WHERE rp.permission = 'view_pii' AND pg_has_role(session_user, r.oid, 'MEMBER'));
            SELECT jsonb_object_agg(key, coalesce(old_fields -> key, 'null'::jsonb)), jsonb_object_agg(key, value) INTO before_json, after_json
                FROM jsonb_each(edits)
                WHERE (old_fields -> key IS DISTINCT FROM value AND NOT (jsonb_typeof(value) = 'null' AND NOT old_fields ? key))
                    OR (NOT may_view AND cdp.pii_kind(btrim(key, E' \\t\\r\\n\\f\\v')) IS NOT NULL);
            IF after_json IS NULL THEN
                RAISE EXCEPTION 'Q%: no field changed', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            -- Fixed only as the engine would find it: no failure at error severity left, and every field that failed
            -- at error severity changed (a field left as it was fails as before).
            new_failures := p_failures::jsonb;
            IF jsonb_typeof(new_failures) <> 'array' THEN
                RAISE EXCEPTION 'Q%: the failures must be a JSON array', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_status = 'fixed' THEN
                SELECT string_agg(DISTINCT f ->> 'rule', ', ') INTO still_failing FROM jsonb_array_elements(new_failures) f
                    WHERE f ->> 'severity' = 'error';
                IF still_failing IS NOT NULL THEN
                    RAISE EXCEPTION 'Q% cannot be fixed: it still fails %', p_id, still_failing USING ERRCODE = 'invalid_parameter_value';
                END IF;
                SELECT string_agg(DISTINCT (f ->> 'rule') || ' on ' || (f ->> 'field'), ', ') INTO still_failing
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(rec.failures::jsonb) = 'array' THEN rec.failures::jsonb
                        ELSE '[]'::jsonb END) f
                    WHERE f ->> 'severity' = 'error' AND jsonb_typeof(f -> 'field') = 'string' AND NOT after_json ? (f ->> 'field');
                IF still_failing IS NOT NULL THEN
                    RAISE EXCEPTION 'Q% cannot be fixed: it failed % and the fix leaves that field as it was', p_id, still_failing
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
            END IF;
            UPDATE cdp.quarantine_record SET fields = new_fields::text, failures = p_failures, rules = p_rules, status = p_status,
                updated_at = cdp.now_text() WHERE id = p_id;
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
                VALUES (p_id, cdp.now_text(), session_user, 'fix', coalesce(p_detail, ''));
            PERFORM cdp.append_audit(session_user, 'quarantine.fix', 'Q' || p_id,
                jsonb_build_object('fields', before_json, 'status', rec.status, 'failures', rec.failures::jsonb, 'rules', rec.rules)::text,
                jsonb_build_object('fields', after_json, 'status', p_status, 'failures', new_failures, 'rules', p_rules)::text, NULL);
            RETURN p_status;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """
    ]
}
