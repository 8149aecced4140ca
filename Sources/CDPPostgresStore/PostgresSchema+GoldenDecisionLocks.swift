extension PostgresSchema {
    /// Match decisions that hold under concurrency and take no values on trust (migration
    /// `pg-decisions-lock-their-golden-records`). `pg-review-decisions-through-functions` locked no golden record on an
    /// approve and saved every golden record with `INSERT … ON CONFLICT DO UPDATE`, so two decisions at once could
    /// un-retire a golden record or overwrite an override just committed, and two unmerges both took the id after the
    /// last one and the second joined two unrelated customers in one golden record. Now:
    /// - every decision locks the golden records it changes (`FOR UPDATE`, smaller id first, so two decisions wait for
    ///   each other rather than deadlock) and reads their members again after the lock;
    /// - an unmerge's new golden record is the next id the database has, inserted as a new row: a decision that made
    ///   it meanwhile is a conflict naming who made it;
    /// - the values saved into a golden record are checked in the database: each is an override set on it or the
    ///   value the member it names holds now, every override is there, and no attribute its members hold is left out;
    /// - saving values needs `view_pii` besides `decide_merges`: a role that reads masked rows would compute masked
    ///   values, and a check that a value is right would tell it the value.
    /// The functions are restated whole with their signatures unchanged, so their grants stay.
    static let goldenDecisionLockObjects: [String] = [
        // The values cdp computed for a golden record, checked against what the database holds now (after the decision's
        // moves): overrides win, every other value is its named member's, nothing a member holds is missing.
        """
        CREATE FUNCTION cdp.golden_values_as_read(p_golden bigint, p_attributes text) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            names text[] := ARRAY['first_name', 'last_name', 'email', 'phone', 'birth_date', 'street', 'city', 'postcode', 'country'];
            sent jsonb;
            item jsonb;
            attribute_name text;
            member text;
            overridden cdp.golden_override;
            held text;
        BEGIN
            BEGIN
                sent := coalesce(p_attributes, '[]')::jsonb;
            EXCEPTION WHEN data_exception THEN
                sent := NULL;
            END;
            IF sent IS NULL OR jsonb_typeof(sent) <> 'array' THEN
                RAISE EXCEPTION 'the values sent for G% are not a JSON array of golden attributes; nothing was changed', p_golden
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            FOR item IN SELECT e FROM jsonb_array_elements(sent) e LOOP
                attribute_name := item ->> 'name';
                IF jsonb_typeof(item) <> 'object' OR attribute_name IS NULL OR NOT attribute_name = ANY (names) THEN
                    RAISE EXCEPTION 'G%: % is not a golden attribute (one of: %); nothing was changed', p_golden, coalesce(attribute_name, 'an element without a name'),
                        array_to_string(names, ', ') USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF (SELECT count(*) FROM jsonb_array_elements(sent) e WHERE e ->> 'name' = attribute_name) > 1 THEN
                    RAISE EXCEPTION 'G%: % is sent more than once; nothing was changed', p_golden, attribute_name USING ERRCODE = 'invalid_parameter_value';
                END IF;
                SELECT * INTO overridden FROM cdp.golden_override o WHERE o.golden_id = p_golden AND o.attribute = attribute_name;
                IF FOUND THEN
                    IF item ->> 'rule' IS DISTINCT FROM 'override' OR item ->> 'value' IS DISTINCT FROM overridden.value THEN
                        RAISE EXCEPTION 'G%''s % was overridden by % at %, after cdp read it: nothing was changed, read it again', p_golden, attribute_name,
                            overridden.set_by, overridden.set_at USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                    END IF;
                    CONTINUE;
                END IF;
                member := item ->> 'source';
                IF item ->> 'rule' = 'override' OR member IS NULL OR cdp.golden_of(member) IS DISTINCT FROM p_golden THEN
                    RAISE EXCEPTION 'G%''s % comes from %, which is not one of its records now: someone changed it meanwhile; nothing was changed, read it again',
                        p_golden, attribute_name, coalesce(member, 'no record') USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                SELECT to_jsonb(s) ->> attribute_name INTO held FROM cdp.silver_customer s
                WHERE s.source = split_part(item ->> 'source', ':', 1)
                    AND s.source_key = substr(item ->> 'source', length(split_part(item ->> 'source', ':', 1)) + 2) AND s.is_current = 1;
                IF held IS DISTINCT FROM item ->> 'value' THEN
                    RAISE EXCEPTION 'G%''s % is not the value % holds now (changed meanwhile, or read masked): nothing was changed, read it again',
                        p_golden, attribute_name, member USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
            END LOOP;
            SELECT o.* INTO overridden FROM cdp.golden_override o
            WHERE o.golden_id = p_golden AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(sent) e WHERE e ->> 'name' = o.attribute)
            ORDER BY o.attribute LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'G%''s % was overridden by % at %, after cdp read it: nothing was changed, read it again', p_golden,
                    overridden.attribute, overridden.set_by, overridden.set_at USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            FOREACH attribute_name IN ARRAY names LOOP
                IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(sent) e WHERE e ->> 'name' = attribute_name)
                    AND EXISTS (SELECT 1 FROM cdp.golden_xref x JOIN cdp.silver_customer s ON s.source = x.source AND s.source_key = x.source_key
                        WHERE x.golden_id = p_golden AND x.valid_to_run IS NULL AND s.is_current = 1 AND coalesce(to_jsonb(s) ->> attribute_name, '') <> '')
                THEN
                    RAISE EXCEPTION 'G%''s % is missing from the values sent though one of its records holds one: someone changed it meanwhile; nothing was changed, read it again',
                        p_golden, attribute_name USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
            END LOOP;
        END $$
        """,
        // Saves the checked values of a golden record that exists (a decision never creates one this way); one with no
        // members is retired.
        """
        CREATE FUNCTION cdp.golden_update_as_read(p_id bigint, p_attributes text, p_members bigint, p_run bigint) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.golden_values_as_read(p_id, p_attributes);
            UPDATE cdp.golden_record SET attributes = p_attributes, member_count = p_members, updated_run = p_run,
                retired_run = CASE WHEN p_members = 0 THEN p_run END
            WHERE id = p_id;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no golden record G%', p_id USING ERRCODE = 'no_data_found';
            END IF;
        END $$
        """,
        // Locks golden records in id order, the one order every decision takes them in.
        """
        CREATE FUNCTION cdp.golden_lock(p_ids bigint[]) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM 1 FROM cdp.golden_record WHERE id = ANY (p_ids) ORDER BY id FOR UPDATE;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.candidate_decide_as_read(
            p_id bigint, p_decision text, p_reason text, p_survivor bigint, p_retired bigint, p_members text[], p_attributes text
        ) RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            c cdp.match_candidate;
            ga bigint;
            gb bigint;
            run bigint;
            survivor bigint;
            retired bigint;
            moved text;
            outcome text;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
            IF p_decision NOT IN ('approved', 'rejected') THEN
                RAISE EXCEPTION 'a candidate is approved or rejected, not %', p_decision USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT * INTO c FROM cdp.match_candidate WHERE id = p_id FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no candidate P%; list them with `cdp candidates list`', p_id USING ERRCODE = 'no_data_found';
            END IF;
            IF c.status <> 'open' THEN
                RAISE EXCEPTION 'P% is already %: someone decided it meanwhile; nothing was changed', p_id, c.status
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            UPDATE cdp.match_candidate SET status = p_decision, decided_by = session_user, decided_at = cdp.now_text() WHERE id = p_id;
            PERFORM cdp.pair_decision_record(c.record_a, c.record_b, CASE p_decision WHEN 'approved' THEN 'match' ELSE 'no_match' END, p_reason);
            outcome := p_decision || ': ' || c.record_a || ' + ' || c.record_b;
            IF p_decision = 'approved' THEN
                ga := cdp.golden_of(c.record_a);
                gb := cdp.golden_of(c.record_b);
                -- Another decision may be moving these records now: wait for it, then read where they are again.
                PERFORM cdp.golden_lock(ARRAY[ga, gb]);
                IF (cdp.golden_of(c.record_a), cdp.golden_of(c.record_b)) IS DISTINCT FROM (ga, gb) THEN
                    RAISE EXCEPTION 'the golden records of P% changed meanwhile (G% and G% now): nothing was changed, read it again', p_id,
                        coalesce(cdp.golden_of(c.record_a)::text, '-'), coalesce(cdp.golden_of(c.record_b)::text, '-')
                        USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                SELECT max(id) INTO run FROM cdp.match_run;
                IF ga IS NOT NULL AND gb IS NOT NULL AND run IS NOT NULL THEN
                    survivor := least(ga, gb);
                    retired := CASE WHEN ga <> gb THEN greatest(ga, gb) END;
                    outcome := outcome || ' → G' || survivor;
                END IF;
                IF (CASE WHEN retired IS NULL THEN NULL ELSE survivor END, retired) IS DISTINCT FROM (p_survivor, p_retired) THEN
                    RAISE EXCEPTION 'the golden records of P% changed meanwhile (G% and G% now): nothing was changed, read it again', p_id,
                        coalesce(ga::text, '-'), coalesce(gb::text, '-') USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                IF retired IS NOT NULL THEN
                    PERFORM cdp.require_permission('view_pii', 'write the values of a golden record');
                    FOR moved IN SELECT source || ':' || source_key FROM cdp.golden_xref WHERE golden_id = retired AND valid_to_run IS NULL
                        ORDER BY source COLLATE "C", source_key COLLATE "C"
                    LOOP
                        PERFORM cdp.golden_relink(moved, survivor, run);
                    END LOOP;
                    UPDATE cdp.golden_record SET member_count = 0, retired_run = run, updated_run = run WHERE id = retired;
                    PERFORM cdp.golden_members_as_read(survivor, p_members);
                    PERFORM cdp.golden_update_as_read(survivor, p_attributes, cardinality(p_members), run);
                END IF;
            END IF;
            PERFORM cdp.append_audit(session_user, CASE p_decision WHEN 'approved' THEN 'match.approve' ELSE 'match.reject' END,
                'P' || p_id, 'open', outcome, p_reason);
            RETURN coalesce('G' || survivor, '');
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // The new golden record is the next id the database has, as the embedded lake takes it; `p_fresh` is the id cdp
        // computed its values and audit row for, so another id now is a conflict.
        """
        CREATE OR REPLACE FUNCTION cdp.golden_unmerge_as_read(
            p_golden bigint, p_record text, p_fresh bigint, p_others text[], p_golden_attributes text, p_fresh_attributes text, p_reason text
        ) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run bigint;
            other text;
            maker text;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
            PERFORM cdp.require_permission('view_pii', 'write the values of a golden record');
            run := cdp.latest_match_run();
            PERFORM cdp.golden_lock(ARRAY[p_golden]);
            IF cdp.golden_of(p_record) IS DISTINCT FROM p_golden THEN
                RAISE EXCEPTION '% is not in G% now: someone changed it meanwhile; nothing was changed', p_record, p_golden
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            IF array_remove(cdp.golden_members_now(p_golden), p_record) IS DISTINCT FROM coalesce(p_others, '{}') THEN
                RAISE EXCEPTION 'G% holds other records now than when cdp read it: someone changed it meanwhile; nothing was changed, read it again',
                    p_golden USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            IF cardinality(p_others) = 0 THEN
                RAISE EXCEPTION '% is the only record of G%; there is nothing to split', p_record, p_golden USING ERRCODE = 'invalid_parameter_value';
            END IF;
            BEGIN
                IF p_fresh IS DISTINCT FROM (SELECT coalesce(max(id), 0) + 1 FROM cdp.golden_record) THEN
                    RAISE unique_violation;
                END IF;
                -- A decision making the same id meanwhile holds it until it ends: this waits, then fails if it committed.
                INSERT INTO cdp.golden_record (id, attributes, member_count, created_run, updated_run) VALUES (p_fresh, '[]', 1, run, run);
            EXCEPTION WHEN unique_violation THEN
                SELECT actor INTO maker FROM cdp.audit_log WHERE action = 'golden.unmerge' AND after LIKE '% → G' || (SELECT max(id) FROM cdp.golden_record)
                ORDER BY id DESC LIMIT 1;
                RAISE EXCEPTION 'G% was made meanwhile by %: nothing was changed, read G% again', (SELECT max(id) FROM cdp.golden_record),
                    coalesce(maker, 'a match run or another decision'), p_golden USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END;
            PERFORM cdp.golden_relink(p_record, p_fresh, run);
            FOREACH other IN ARRAY p_others LOOP
                PERFORM cdp.pair_decision_record(p_record, other, 'no_match', coalesce(p_reason, 'unmerged from G' || p_golden));
            END LOOP;
            PERFORM cdp.golden_update_as_read(p_golden, p_golden_attributes, cardinality(p_others), run);
            PERFORM cdp.golden_update_as_read(p_fresh, p_fresh_attributes, 1, run);
            PERFORM cdp.append_audit(session_user, 'golden.unmerge', 'G' || p_golden, p_record, p_record || ' → G' || p_fresh, p_reason);
            RETURN p_fresh;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.golden_override_as_read(
            p_golden bigint, p_attribute text, p_value text, p_members text[], p_attributes text, p_reason text
        ) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run bigint;
            g cdp.golden_record;
            before text;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
            PERFORM cdp.require_permission('view_pii', 'write the values of a golden record');
            run := cdp.latest_match_run();
            SELECT * INTO g FROM cdp.golden_record WHERE id = p_golden FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no golden record G%', p_golden USING ERRCODE = 'no_data_found';
            END IF;
            SELECT e ->> 'value' INTO before FROM jsonb_array_elements(g.attributes::jsonb) e WHERE e ->> 'name' = p_attribute LIMIT 1;
            PERFORM cdp.golden_members_as_read(p_golden, p_members);
            INSERT INTO cdp.golden_override (golden_id, attribute, value, set_by, set_at)
            VALUES (p_golden, p_attribute, p_value, session_user, cdp.now_text())
            ON CONFLICT (golden_id, attribute) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at;
            PERFORM cdp.golden_update_as_read(p_golden, p_attributes, cardinality(p_members), run);
            PERFORM cdp.append_audit(session_user, 'golden.override', 'G' || p_golden || '.' || p_attribute, before, p_value, p_reason);
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // Nothing calls the old save (`INSERT … ON CONFLICT DO UPDATE`) any more.
        "DROP FUNCTION cdp.golden_save(bigint, text, bigint, bigint)",
    ]
}

extension PostgresSchema {
    /// `cdp.candidate_decide` (pg1) marked a pair approved without merging its golden records, and was still granted
    /// with `decide_merges` beside `cdp.candidate_decide_as_read`: gone (migration `pg-candidate-decide-is-dropped`).
    static let oldCandidateDecisionObjects: [String] = [
        "DROP FUNCTION cdp.candidate_decide(bigint, text, text)"
    ]
}
