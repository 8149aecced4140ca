extension PostgresSchema {
    /// An approve takes the golden records it merges before anything that takes the audit log's head (migration
    /// `pg-an-approve-locks-golden-records-first`). `pg-decisions-lock-their-golden-records` locked them after the
    /// candidate's update, whose trigger ends a claim or assignment of the pair with an audit row (the head), while an
    /// override or unmerge takes the golden record first and the head last: an approve of a held pair and an override
    /// of one of its golden records at once deadlocked (one aborted by PostgreSQL). The function is restated whole, its
    /// signature unchanged, so its grants stay.
    static let approveLockOrderObjects: [String] = [
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
            IF p_decision = 'approved' THEN
                ga := cdp.golden_of(c.record_a);
                gb := cdp.golden_of(c.record_b);
                -- Another decision may be moving these records now: wait for it, then read where they are again. Before
                -- the candidate's update, whose trigger ends a hold on the pair with an audit row and so takes the audit
                -- log's head: every decision takes golden records first and the head last, or two of them deadlock.
                PERFORM cdp.golden_lock(ARRAY[ga, gb]);
                IF (cdp.golden_of(c.record_a), cdp.golden_of(c.record_b)) IS DISTINCT FROM (ga, gb) THEN
                    RAISE EXCEPTION 'the golden records of P% changed meanwhile (G% and G% now): nothing was changed, read it again', p_id,
                        coalesce(cdp.golden_of(c.record_a)::text, '-'), coalesce(cdp.golden_of(c.record_b)::text, '-')
                        USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
            END IF;
            UPDATE cdp.match_candidate SET status = p_decision, decided_by = session_user, decided_at = cdp.now_text() WHERE id = p_id;
            PERFORM cdp.pair_decision_record(c.record_a, c.record_b, CASE p_decision WHEN 'approved' THEN 'match' ELSE 'no_match' END, p_reason);
            outcome := p_decision || ': ' || c.record_a || ' + ' || c.record_b;
            IF p_decision = 'approved' THEN
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
    ]
}
