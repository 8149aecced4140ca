extension PostgresSchema {
    /// The advisory lock key a pipeline run holds (`pg_try_advisory_lock`), one per database: "CDP" + "RUN".
    public static let runLockKey: Int64 = 0x4344_5052_554E

    /// Steward writes: `SECURITY DEFINER` functions owned by `cdp_owner`, with a fixed `search_path`, each of which
    /// checks that the login role (`session_user`: `SET ROLE` does not change it) holds a group role granting the
    /// permission, makes the change only if the record is still in the state the steward saw (the optimistic
    /// check: under MVCC a concurrent decision makes the `UPDATE … WHERE status = expected` find nothing), and
    /// appends the audit row, all in the caller's transaction. No login role may write the tables themselves.
    /// `cdp.role_permission` (written by ``PostgresAccessPlan``) says which group role grants which permission.
    static let stewardFunctions: [String] = [
        """
        CREATE TABLE cdp.role_permission (
            role_name text NOT NULL,
            permission text NOT NULL,
            PRIMARY KEY (role_name, permission)
        )
        """,
        """
        CREATE FUNCTION cdp.require_permission(p_permission text, p_phrase text) RETURNS void LANGUAGE plpgsql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            granting text;
        BEGIN
            IF EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                       WHERE rp.permission = p_permission AND pg_has_role(session_user, r.oid, 'MEMBER')) THEN
                RETURN;
            END IF;
            SELECT string_agg(rp.role_name, ', ' ORDER BY rp.role_name) INTO granting
                FROM cdp.role_permission rp WHERE rp.permission = p_permission;
            RAISE EXCEPTION '% may not %: missing permission % (roles with it: %)', session_user, p_phrase, p_permission,
                coalesce(granting, 'none') USING ERRCODE = 'insufficient_privilege';
        END $$
        """,
        // An error inside a steward function, raised again without what PostgreSQL would attach: a constraint's
        // DETAIL quotes the whole failing row ("Failing row contains (…)", stored personal values included) and a
        // conversion error may quote the value. A constraint's message (it names the column or constraint) or the
        // functions' own refusals (invalid_parameter_value); any other error's message up to a quoted value.
        """
        CREATE FUNCTION cdp.raise_without_values(p_message text, p_state text) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = p_state, MESSAGE = CASE WHEN left(p_state, 2) = '23' OR p_state = '22023' THEN p_message
                ELSE regexp_replace(p_message, ':.*$', '', 's') END,
                DETAIL = 'the values involved are not shown';
        END $$
        """,
        // The record as the steward saw it is gone: say what it is now, and that nothing was changed.
        """
        CREATE FUNCTION cdp.quarantine_claim(p_id bigint, p_expected text, p_allowed text[], p_action text)
        RETURNS cdp.quarantine_record LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record;
        BEGIN
            IF NOT (p_expected = ANY (p_allowed)) THEN
                RAISE EXCEPTION 'Q% is %; only % records can be %', p_id, p_expected, array_to_string(p_allowed, ' or '), p_action
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            SELECT * INTO rec FROM cdp.quarantine_record WHERE id = p_id FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'Q% does not exist', p_id USING ERRCODE = 'no_data_found';
            END IF;
            IF rec.status <> p_expected THEN
                RAISE EXCEPTION 'Q% is now %, not %: someone decided it meanwhile; nothing was changed, read it again', p_id,
                    rec.status, p_expected USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            RETURN rec;
        END $$
        """,
        """
        CREATE FUNCTION cdp.quarantine_reject(p_id bigint, p_expected text, p_reason text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            reason text := btrim(coalesce(p_reason, ''));
        BEGIN
            PERFORM cdp.require_permission('remediate_quarantine', 'remediate quarantine');
            IF reason = '' THEN
                RAISE EXCEPTION 'a rejection needs a reason' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            PERFORM cdp.quarantine_claim(p_id, p_expected, ARRAY['open', 'fixed'], 'rejected');
            UPDATE cdp.quarantine_record SET status = 'rejected', resolution = reason, updated_at = cdp.now_text() WHERE id = p_id;
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
                VALUES (p_id, cdp.now_text(), session_user, 'reject', reason);
            PERFORM cdp.append_audit(session_user, 'quarantine.reject', 'Q' || p_id, p_expected, 'rejected', reason);
            RETURN 'rejected';
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // Moves the record to its silver table with the standardised values the engine computed (the engine checks
        // the rules; the database checks who may and that nobody decided first).
        """
        CREATE FUNCTION cdp.quarantine_release(p_id bigint, p_expected text, p_silver_values text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record;
            silver text;
            columns text;
            row_values jsonb;
            new_id bigint;
            given jsonb;
            held jsonb;
            refused text;
        BEGIN
            PERFORM cdp.require_permission('remediate_quarantine', 'remediate quarantine');
            rec := cdp.quarantine_claim(p_id, p_expected, ARRAY['open', 'fixed'], 'released');
            IF rec.entity NOT IN ('customer', 'order', 'campaign', 'event') THEN
                RAISE EXCEPTION 'Q% has entity %, which has no silver table', p_id, rec.entity USING ERRCODE = 'data_exception';
            END IF;
            silver := 'silver_' || rec.entity;
            given := coalesce(p_silver_values::jsonb, '{}'::jsonb);
            IF jsonb_typeof(given) <> 'object' THEN
                RAISE EXCEPTION 'Q% was not released: the silver values must be a JSON object', p_id USING ERRCODE = 'invalid_parameter_value';
            END IF;
            held := rec.fields::jsonb;
            -- The values come from the record: a column of its silver table the record holds (first and last name
            -- also when it holds a full name, which standardising splits), never lineage, never a field it does not
            -- hold (a consent it never gave); and none of its fields left out.
            SELECT string_agg(key, ', ' ORDER BY key) INTO refused FROM jsonb_each(given)
                WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = format('cdp.%I', silver)::regclass
                        AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = key)
                    OR key IN ('id', 'superseded_by', 'bronze_id', 'batch_id', 'line', 'record_offset', 'record_length', 'source',
                        'source_key', 'content_hash', 'is_current')
                    OR (jsonb_typeof(value) <> 'null' AND NOT held ? key
                        AND NOT (key IN ('first_name', 'last_name') AND held ? 'full_name'));
            IF refused IS NOT NULL THEN
                RAISE EXCEPTION 'Q% was not released: % not a field of the record for %', p_id, refused, silver
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT string_agg(key, ', ' ORDER BY key) INTO refused FROM jsonb_each(held)
                WHERE jsonb_typeof(value) <> 'null' AND btrim(value #>> '{}') <> ''
                    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = format('cdp.%I', silver)::regclass
                        AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = key)
                    AND jsonb_typeof(given -> key) IS DISTINCT FROM 'string' AND jsonb_typeof(given -> key) IS DISTINCT FROM 'number'
                    AND jsonb_typeof(given -> key) IS DISTINCT FROM 'boolean';
            IF refused IS NOT NULL THEN
                RAISE EXCEPTION 'Q% was not released: no value for % which the record holds', p_id, refused
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            row_values := given || jsonb_build_object(
                'bronze_id', rec.bronze_id, 'batch_id', rec.batch_id, 'line', rec.line, 'record_offset', rec.record_offset,
                'record_length', rec.record_length, 'source', rec.source, 'source_key', rec.source_key,
                'content_hash', rec.content_hash, 'is_current', 1);
            SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
                FROM pg_attribute a
                WHERE a.attrelid = format('cdp.%I', silver)::regclass AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attname NOT IN ('id', 'superseded_by') AND row_values ? a.attname;
            EXECUTE format('UPDATE cdp.%I SET is_current = 0, superseded_by = $1 WHERE source = $2 AND source_key = $3 AND is_current = 1',
                silver) USING rec.batch_id, rec.source, rec.source_key;
            EXECUTE format('INSERT INTO cdp.%I (%s) SELECT %s FROM jsonb_populate_record(NULL::cdp.%I, $1) RETURNING id',
                silver, columns, columns, silver) USING row_values INTO new_id;
            UPDATE cdp.quarantine_record SET status = 'released', resolution = 'released by ' || session_user,
                updated_at = cdp.now_text() WHERE id = p_id;
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
                VALUES (p_id, cdp.now_text(), session_user, 'release', 'moved to silver');
            -- Every value written to silver is in the audit row (its reason: the after stays as the embedded lake's).
            PERFORM cdp.append_audit(session_user, 'quarantine.release', 'Q' || p_id, p_expected, 'released to ' || silver,
                jsonb_build_object('values', given)::text);
            RETURN 'released';
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // A fix: the new field values, and the failures, rules and status the engine found for them. The audit row's
        // before and after are the changed fields (computed here rather than taken from the caller), the status, the
        // failures and the rules.
        """
        CREATE FUNCTION cdp.quarantine_fix(p_id bigint, p_expected text, p_fields text, p_failures text, p_rules text,
            p_status text, p_detail text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            rec cdp.quarantine_record;
            old_fields jsonb;
            new_fields jsonb := p_fields::jsonb;
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
            rec := cdp.quarantine_claim(p_id, p_expected, ARRAY['open', 'fixed'], 'fixed');
            old_fields := rec.fields::jsonb;
            -- A caller who may not view personal data must get no answer that depends on a stored personal value
            -- (or "no field changed" would confirm a guessed birth date): a personal field it submits always
            -- counts as changed, and is written and audited.
            may_view := EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                WHERE rp.permission = 'view_pii' AND pg_has_role(session_user, r.oid, 'MEMBER'));
            SELECT jsonb_object_agg(key, old_fields -> key), jsonb_object_agg(key, value) INTO before_json, after_json
                FROM jsonb_each(new_fields)
                WHERE old_fields -> key IS DISTINCT FROM value
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
            UPDATE cdp.quarantine_record SET fields = p_fields, failures = p_failures, rules = p_rules, status = p_status,
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
        """,
        """
        CREATE FUNCTION cdp.candidate_decide(p_id bigint, p_decision text, p_reason text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            candidate cdp.match_candidate;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
            IF p_decision NOT IN ('approved', 'rejected') THEN
                RAISE EXCEPTION 'a candidate is approved or rejected, not %', p_decision USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT * INTO candidate FROM cdp.match_candidate WHERE id = p_id FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'P% does not exist', p_id USING ERRCODE = 'no_data_found';
            END IF;
            IF candidate.status <> 'open' THEN
                RAISE EXCEPTION 'P% is already %: someone decided it meanwhile; nothing was changed', p_id, candidate.status
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            UPDATE cdp.match_candidate SET status = p_decision, decided_by = session_user, decided_at = cdp.now_text() WHERE id = p_id;
            INSERT INTO cdp.pair_decision (record_a, record_b, decision, reason, decided_by, decided_at)
                VALUES (candidate.record_a, candidate.record_b, CASE p_decision WHEN 'approved' THEN 'match' ELSE 'no_match' END,
                    p_reason, session_user, cdp.now_text())
                ON CONFLICT (record_a, record_b) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
                    decided_by = excluded.decided_by, decided_at = excluded.decided_at;
            PERFORM cdp.append_audit(session_user, CASE p_decision WHEN 'approved' THEN 'match.approve' ELSE 'match.reject' END,
                'P' || p_id, 'open', p_decision || ': ' || candidate.record_a || ' + ' || candidate.record_b, p_reason);
            RETURN p_decision;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // The kind of personal data a dictionary entry's tags name, as `DictionaryEntry.personalKind` (the first
        // known kind in tag order, else `PII` for any other `PII.*` tag), or `PII.Record` for a withheld record and
        // for tags that do not read as a list; NULL when it holds none.
        """
        CREATE FUNCTION cdp.dictionary_personal_kind(p_tags text) RETURNS text LANGUAGE plpgsql IMMUTABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            tags text[];
        BEGIN
            IF p_tags IS NULL THEN RETURN NULL; END IF;
            BEGIN
                SELECT array_agg(t ORDER BY n) INTO tags FROM jsonb_array_elements_text(p_tags::jsonb) WITH ORDINALITY AS e(t, n)
                    WHERE t = 'PII' OR t LIKE 'PII.%';
            EXCEPTION WHEN OTHERS THEN
                RETURN 'PII.Record';
            END;
            IF tags IS NULL THEN RETURN NULL; END IF;
            IF 'PII.Record' = ANY (tags) THEN RETURN 'PII.Record'; END IF;
            RETURN coalesce((SELECT t FROM unnest(tags) WITH ORDINALITY AS u(t, n)
                WHERE t IN ('PII.Email', 'PII.Phone', 'PII.Name', 'PII.BirthDate', 'PII.Address') ORDER BY n LIMIT 1), 'PII');
        END $$
        """,
        // An entry's example as the audit log (read by every role) records it: masked as the entry's kind, as the
        // embedded lake's `DictionaryService` logs it; withheld for a withheld record.
        """
        CREATE FUNCTION cdp.dictionary_example_logged(p_example text, p_kind text) RETURNS text LANGUAGE sql IMMUTABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT CASE WHEN p_example IS NULL OR p_example = '' OR p_kind IS NULL THEN p_example
                WHEN p_kind = 'PII.Record' THEN '\(withheldText)' ELSE cdp.pii_mask(p_example, p_kind) END
        $$
        """,
        // A dictionary edit: the entry's new values (a JSON object of its columns), applied only to the version the
        // steward edited; the old entry is kept as a version and both are in the audit row.
        """
        CREATE FUNCTION cdp.dictionary_edit(p_layer text, p_dataset text, p_column text, p_expected_version bigint,
            p_values text, p_change text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            old_entry cdp.dictionary_entry;
            new_entry cdp.dictionary_entry;
            old_logged cdp.dictionary_entry;
            new_logged cdp.dictionary_entry;
            old_kind text;
            new_kind text;
            kind text;
            missing text;
        BEGIN
            PERFORM cdp.require_permission('edit_dictionary', 'edit the data dictionary');
            SELECT * INTO old_entry FROM cdp.dictionary_entry
                WHERE layer = p_layer AND dataset = p_dataset AND column_name = p_column FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the dictionary has no entry %.%', p_dataset, p_column USING ERRCODE = 'no_data_found';
            END IF;
            IF old_entry.version <> p_expected_version THEN
                RAISE EXCEPTION '%.% is now at version %, not %: someone edited it meanwhile; nothing was changed', p_dataset,
                    p_column, old_entry.version, p_expected_version USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            -- The new values checked before they are written: a constraint refused in the UPDATE would quote the row.
            IF p_values IS NULL OR jsonb_typeof(p_values::jsonb) <> 'object' THEN
                RAISE EXCEPTION '%.% was not saved: the new values must be a JSON object of the entry''s fields', p_dataset, p_column
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT string_agg(key, ', ' ORDER BY key) INTO missing FROM jsonb_each(p_values::jsonb)
                WHERE key IN ('description', 'data_type', 'tags', 'allowed_values', 'rules', 'lineage') AND jsonb_typeof(value) = 'null';
            IF missing IS NOT NULL THEN
                RAISE EXCEPTION '%.% was not saved: % cannot be null', p_dataset, p_column, missing
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            new_entry := jsonb_populate_record(old_entry, p_values::jsonb - ARRAY['layer', 'dataset', 'column_name', 'version', 'updated_by',
                'updated_at', 'change']);
            new_entry.version := old_entry.version + 1;
            new_entry.updated_by := session_user;
            new_entry.updated_at := cdp.now_text();
            new_entry.change := coalesce(p_change, '');
            UPDATE cdp.dictionary_entry SET description = new_entry.description, data_type = new_entry.data_type,
                classification = new_entry.classification, tags = new_entry.tags, owner = new_entry.owner, steward = new_entry.steward,
                allowed_values = new_entry.allowed_values, format = new_entry.format, rules = new_entry.rules, example = new_entry.example,
                lineage = new_entry.lineage, version = new_entry.version, updated_by = new_entry.updated_by, updated_at = new_entry.updated_at,
                change = new_entry.change
                WHERE layer = p_layer AND dataset = p_dataset AND column_name = p_column;
            INSERT INTO cdp.dictionary_version (layer, dataset, column_name, version, changed_by, changed_at, change, entry)
                VALUES (p_layer, p_dataset, p_column, new_entry.version, session_user, new_entry.updated_at, new_entry.change, row_to_json(new_entry)::text);
            -- The audit log is read by every role and its masking cannot tell an example by its key: the example is
            -- logged masked as the entry's kind (either version's; a withheld record's withheld; by the column's name
            -- when neither is tagged).
            old_kind := cdp.dictionary_personal_kind(old_entry.tags);
            new_kind := cdp.dictionary_personal_kind(new_entry.tags);
            kind := CASE WHEN 'PII.Record' IN (old_kind, new_kind) THEN 'PII.Record'
                ELSE coalesce(new_kind, old_kind, cdp.pii_kind(p_column)) END;
            old_logged := old_entry;
            old_logged.example := cdp.dictionary_example_logged(old_entry.example, kind);
            new_logged := new_entry;
            new_logged.example := cdp.dictionary_example_logged(new_entry.example, kind);
            PERFORM cdp.append_audit(session_user, 'dictionary.edit', p_dataset || '.' || p_column, row_to_json(old_logged)::text,
                row_to_json(new_logged)::text, new_entry.change);
            RETURN new_entry.version;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // The run lock: a session-level advisory lock, so a run whose process dies (its connection closes) lets go
        // at once. Only roles granting run_workflows take it; nobody may call the advisory lock functions directly.
        """
        CREATE FUNCTION cdp.try_run_lock() RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_permission('run_workflows', 'run workflows');
            RETURN pg_try_advisory_lock(\(runLockKey));
        END $$
        """,
        """
        CREATE FUNCTION cdp.release_run_lock() RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            RETURN pg_advisory_unlock(\(runLockKey));
        END $$
        """,
        // Who holds the run lock: login role, server process, since when and from which program.
        """
        CREATE FUNCTION cdp.run_lock_holder() RETURNS text LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT coalesce(a.usename::text, 'a role') || ' (pid ' || l.pid || ', ' || coalesce(nullif(a.application_name, ''), 'unnamed program')
                || coalesce(', connected since ' || to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') || ')'
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND ((l.classid::bigint << 32) | l.objid::bigint) = \(runLockKey) AND l.objsubid = 1
            LIMIT 1
        $$
        """,
    ]
}
