extension PostgresSchema {
    /// A steward's match decisions on the team store (migration `pg-review-decisions-through-functions`): approve or
    /// reject a candidate, undo a decision, unmerge a record from a golden record, override a golden attribute. Each is
    /// one `SECURITY DEFINER` function that checks `decide_merges`, checks that what the engine read is still so (the
    /// candidate's status under `FOR UPDATE`, the golden records' members the new surviving values were computed
    /// from), makes every write and appends the audit row, in the caller's transaction. The engine computes what only
    /// it can (the surviving values, by the workspace's survivorship policy); the database decides which records move,
    /// records the decision under the login role and writes the audit row's texts itself.
    static let matchDecisionObjects: [String] = [
        // The current members of a golden record as the engine lists them: `source:key`, by source then key, byte order.
        """
        CREATE FUNCTION cdp.golden_members_now(p_golden bigint) RETURNS text[] LANGUAGE sql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT coalesce(array_agg(source || ':' || source_key ORDER BY source COLLATE "C", source_key COLLATE "C"), '{}')
            FROM cdp.golden_xref WHERE golden_id = p_golden AND valid_to_run IS NULL
        $$
        """,
        """
        CREATE FUNCTION cdp.golden_members_as_read(p_golden bigint, p_members text[]) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF cdp.golden_members_now(p_golden) IS DISTINCT FROM coalesce(p_members, '{}') THEN
                RAISE EXCEPTION 'G% holds other records now than when cdp read it: someone changed it meanwhile; nothing was changed, read it again',
                    p_golden USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
        END $$
        """,
        // A record's current golden id (`source:key`, split at the first colon as the engine parses it).
        """
        CREATE FUNCTION cdp.golden_of(p_record text) RETURNS bigint LANGUAGE sql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT golden_id FROM cdp.golden_xref
            WHERE source = split_part(p_record, ':', 1) AND source_key = substr(p_record, length(split_part(p_record, ':', 1)) + 2)
                AND valid_to_run IS NULL
        $$
        """,
        // Moves a record to a golden record now, closing its current link at the run (the embedded lake's `relink`).
        """
        CREATE FUNCTION cdp.golden_relink(p_record text, p_golden bigint, p_run bigint) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            s text := split_part(p_record, ':', 1);
            k text := substr(p_record, length(split_part(p_record, ':', 1)) + 2);
        BEGIN
            UPDATE cdp.golden_xref SET valid_to_run = p_run WHERE source = s AND source_key = k AND valid_to_run IS NULL;
            INSERT INTO cdp.golden_xref (source, source_key, golden_id, valid_from_run) VALUES (s, k, p_golden, p_run);
        END $$
        """,
        // Writes (creating if needed) a golden record's values; one with no members is retired (`saveGolden`).
        """
        CREATE FUNCTION cdp.golden_save(p_id bigint, p_attributes text, p_members bigint, p_run bigint) RETURNS void LANGUAGE sql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            INSERT INTO cdp.golden_record (id, attributes, member_count, created_run, updated_run, retired_run)
            VALUES (p_id, p_attributes, p_members, p_run, p_run, CASE WHEN p_members = 0 THEN p_run END)
            ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes, member_count = excluded.member_count,
                updated_run = excluded.updated_run, retired_run = excluded.retired_run
        $$
        """,
        // A pair's decision, the pair in the engine's order (source, then key, byte by byte), by the login role now.
        """
        CREATE FUNCTION cdp.pair_decision_record(p_a text, p_b text, p_decision text, p_reason text) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            sa text := split_part(p_a, ':', 1);
            sb text := split_part(p_b, ':', 1);
            a_first boolean;
        BEGIN
            a_first := sa COLLATE "C" < sb COLLATE "C" OR (sa = sb AND substr(p_a, length(sa) + 2) COLLATE "C" < substr(p_b, length(sb) + 2) COLLATE "C");
            INSERT INTO cdp.pair_decision (record_a, record_b, decision, reason, decided_by, decided_at)
            VALUES (CASE WHEN a_first THEN p_a ELSE p_b END, CASE WHEN a_first THEN p_b ELSE p_a END, p_decision, p_reason, session_user,
                cdp.now_text())
            ON CONFLICT (record_a, record_b) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
                decided_by = excluded.decided_by, decided_at = excluded.decided_at;
        END $$
        """,
        """
        CREATE FUNCTION cdp.latest_match_run() RETURNS bigint LANGUAGE plpgsql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run bigint;
        BEGIN
            SELECT max(id) INTO run FROM cdp.match_run;
            IF run IS NULL THEN
                RAISE EXCEPTION 'no match run yet; run `cdp match run` first' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            RETURN run;
        END $$
        """,
        // A decision ends the hold on the pair, audited as `work.release` by the steward deciding (as on the embedded lake).
        """
        CREATE FUNCTION cdp.candidate_decision_ends_the_hold() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            ended cdp.work_claim;
        BEGIN
            DELETE FROM cdp.work_claim w WHERE w.item_kind = 'candidate' AND w.item_id = NEW.id RETURNING * INTO ended;
            IF ended.owner IS NOT NULL AND (ended.expires_at IS NULL OR ended.expires_at > cdp.now_text()) THEN
                PERFORM cdp.append_audit(session_user::text, 'work.release', 'P' || NEW.id,
                    CASE ended.hold WHEN 'claim' THEN 'claimed by ' || ended.owner || ' until ' || coalesce(ended.expires_at, '?')
                        ELSE 'assigned to ' || ended.owner || ' by ' || ended.held_by END,
                    NULL, 'P' || NEW.id || ' was ' || NEW.status || ': a decision ends the work on it');
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER candidate_decision_ends_the_hold AFTER UPDATE OF status ON cdp.match_candidate FOR EACH ROW
            WHEN (NEW.status IN ('approved', 'rejected') AND OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION cdp.candidate_decision_ends_the_hold()
        """,
        // Approve ("match": the two golden records merge now, the smaller id surviving with the values the engine
        // computed from `p_members`) or reject ("not a match"). `p_survivor`/`p_retired` say which merge the engine
        // computed (NULL: none); another merge now is a conflict.
        """
        CREATE FUNCTION cdp.candidate_decide_as_read(
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
                    FOR moved IN SELECT source || ':' || source_key FROM cdp.golden_xref WHERE golden_id = retired AND valid_to_run IS NULL
                        ORDER BY source COLLATE "C", source_key COLLATE "C"
                    LOOP
                        PERFORM cdp.golden_relink(moved, survivor, run);
                    END LOOP;
                    UPDATE cdp.golden_record SET member_count = 0, retired_run = run, updated_run = run WHERE id = retired;
                    PERFORM cdp.golden_members_as_read(survivor, p_members);
                    PERFORM cdp.golden_save(survivor, p_attributes, cardinality(p_members), run);
                END IF;
            END IF;
            PERFORM cdp.append_audit(session_user, CASE p_decision WHEN 'approved' THEN 'match.approve' ELSE 'match.reject' END,
                'P' || p_id, 'open', outcome, p_reason);
            RETURN coalesce('G' || survivor, '');
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        """
        CREATE FUNCTION cdp.candidate_undo(p_id bigint, p_expected text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            c cdp.match_candidate;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
            SELECT * INTO c FROM cdp.match_candidate WHERE id = p_id FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no candidate P%; list them with `cdp candidates list --status all`', p_id USING ERRCODE = 'no_data_found';
            END IF;
            IF c.status = 'open' OR c.status <> p_expected THEN
                RAISE EXCEPTION 'P% is % now, not %: someone changed it meanwhile; nothing was changed', p_id, c.status, p_expected
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            UPDATE cdp.match_candidate SET status = 'open', decided_by = NULL, decided_at = NULL WHERE id = p_id;
            DELETE FROM cdp.pair_decision WHERE (record_a = c.record_a AND record_b = c.record_b) OR (record_a = c.record_b AND record_b = c.record_a);
            PERFORM cdp.append_audit(session_user, 'match.undo', 'P' || p_id, c.status, 'open', NULL);
            RETURN 'open';
        END $$
        """,
        // Splits a record out of a golden record into a new one (`p_fresh`, the id the engine took), with "not a match"
        // between it and every other member; both golden records take the values the engine computed.
        """
        CREATE FUNCTION cdp.golden_unmerge_as_read(
            p_golden bigint, p_record text, p_fresh bigint, p_others text[], p_golden_attributes text, p_fresh_attributes text, p_reason text
        ) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run bigint;
            other text;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
            run := cdp.latest_match_run();
            PERFORM 1 FROM cdp.golden_record WHERE id = p_golden FOR UPDATE;
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
            IF EXISTS (SELECT 1 FROM cdp.golden_record WHERE id = p_fresh) THEN
                RAISE EXCEPTION 'G% exists now: someone made it meanwhile; nothing was changed, try again', p_fresh
                    USING ERRCODE = '\(PostgresTeamStore.conflictState)';
            END IF;
            PERFORM cdp.golden_relink(p_record, p_fresh, run);
            FOREACH other IN ARRAY p_others LOOP
                PERFORM cdp.pair_decision_record(p_record, other, 'no_match', coalesce(p_reason, 'unmerged from G' || p_golden));
            END LOOP;
            PERFORM cdp.golden_save(p_golden, p_golden_attributes, cardinality(p_others), run);
            PERFORM cdp.golden_save(p_fresh, p_fresh_attributes, 1, run);
            PERFORM cdp.append_audit(session_user, 'golden.unmerge', 'G' || p_golden, p_record, p_record || ' → G' || p_fresh, p_reason);
            RETURN p_fresh;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        // Sets a golden attribute by hand (the override survives later runs); the golden record takes the values the
        // engine computed from `p_members` and the overrides. The audit row's before is the value the record held.
        """
        CREATE FUNCTION cdp.golden_override_as_read(
            p_golden bigint, p_attribute text, p_value text, p_members text[], p_attributes text, p_reason text
        ) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run bigint;
            g cdp.golden_record;
            before text;
        BEGIN
            PERFORM cdp.require_permission('decide_merges', 'decide merges');
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
            PERFORM cdp.golden_save(p_golden, p_attributes, cardinality(p_members), run);
            PERFORM cdp.append_audit(session_user, 'golden.override', 'G' || p_golden || '.' || p_attribute, before, p_value, p_reason);
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
    ]

    /// The decision functions, as GRANT names them (``PostgresAccessPlan`` grants them with `decide_merges`).
    static let matchDecisionFunctions = [
        "cdp.candidate_decide_as_read(bigint, text, text, bigint, bigint, text[], text)", "cdp.candidate_undo(bigint, text)",
        "cdp.golden_unmerge_as_read(bigint, text, bigint, text[], text, text, text)",
        "cdp.golden_override_as_read(bigint, text, text, text[], text, text)",
    ]
}
