extension PostgresSchema {
    /// What a match run writes, on the team store (migration `pg-match-results-are-a-runs`): the run, the review
    /// queue, the golden records and the cross-reference. Only a run writes them, as it writes silver: the run-write
    /// guard (``runWriteObjects``) covers these tables too, so a steward cannot rewrite a link, a golden record or a
    /// queued pair with a plain UPDATE; steward decisions change them through the functions that check and audit.
    ///
    /// A run's result is copied (COPY) into three staging tables no role may read, `*_incoming`, and applied by
    /// `cdp.match_write_result` in the run's transaction, as the embedded lake's `writeMatchResult` applies it: the
    /// open queue replaced (a decided pair stays, a pair still proposed keeps its id), golden records created,
    /// changed or retired (only what changed is written), and every record whose golden record changed linked anew
    /// (its old link closed at this run), records gone from silver unlinked. Both functions need `run_workflows`
    /// and the caller's own session holding the run lock; the run is recorded under the login role.
    static let matchWrittenTables = [
        "match_run", "match_candidate", "golden_record", "golden_xref", "match_candidate_incoming", "golden_record_incoming",
        "golden_xref_incoming",
    ]

    /// The staging tables: written by COPY, read only by `cdp.match_write_result`, never granted SELECT.
    static let matchStagingTables: Set<String> = ["match_candidate_incoming", "golden_record_incoming", "golden_xref_incoming"]

    static let matchWriteObjects: [String] = [
        """
        CREATE UNLOGGED TABLE cdp.match_candidate_incoming (
            run_id bigint NOT NULL,
            position bigint NOT NULL,
            record_a text NOT NULL,
            record_b text NOT NULL,
            probability double precision NOT NULL,
            match_key text NOT NULL,
            explanation text NOT NULL
        )
        """,
        """
        CREATE UNLOGGED TABLE cdp.golden_record_incoming (
            run_id bigint NOT NULL,
            id bigint NOT NULL,
            attributes text NOT NULL,
            member_count bigint NOT NULL
        )
        """,
        """
        CREATE UNLOGGED TABLE cdp.golden_xref_incoming (
            run_id bigint NOT NULL,
            position bigint NOT NULL,
            source text NOT NULL,
            source_key text NOT NULL,
            golden_id bigint NOT NULL
        )
        """,
        """
        DO $$ DECLARE t text; BEGIN
            FOREACH t IN ARRAY ARRAY[\(matchWrittenTables.map(literal).joined(separator: ", "))]
            LOOP
                EXECUTE format('CREATE TRIGGER run_write_needs_the_run_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cdp.%I '
                    'FOR EACH STATEMENT EXECUTE FUNCTION cdp.run_write_needs_the_run_lock()', t);
            END LOOP;
        END $$
        """,
        """
        CREATE FUNCTION cdp.require_run_lock(p_phrase text) RETURNS void LANGUAGE plpgsql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_permission('run_workflows', p_phrase);
            IF NOT cdp.run_lock_is_mine() THEN
                RAISE EXCEPTION '% may not %: only a run holding the store''s run lock does (cdp run and cdp match run take it); nothing was written',
                    session_user, p_phrase USING ERRCODE = 'insufficient_privilege';
            END IF;
        END $$
        """,
        """
        CREATE FUNCTION cdp.match_run_start(p_at text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            new_id bigint;
        BEGIN
            PERFORM cdp.require_run_lock('start a match run');
            INSERT INTO cdp.match_run (started_at, actor) VALUES (p_at, session_user) RETURNING id INTO new_id;
            RETURN new_id;
        END $$
        """,
        """
        CREATE FUNCTION cdp.match_write_result(p_run bigint, p_statistics text, p_model text, p_at text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            r cdp.match_run;
            created bigint;
            updated bigint;
            retired bigint;
            opened bigint;
            gone bigint;
        BEGIN
            PERFORM cdp.require_run_lock('write a match result');
            SELECT * INTO r FROM cdp.match_run WHERE id = p_run FOR UPDATE;
            IF NOT FOUND OR r.finished_at IS NOT NULL OR r.actor IS DISTINCT FROM session_user::text THEN
                RAISE EXCEPTION 'match run % is not a running match run of %; nothing was written', p_run, session_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;

            -- The queue: a pair still open takes the new run's values (keeping its id), a new pair is queued in the
            -- run's order, a decided pair stays as decided, and an open pair this run did not propose goes.
            UPDATE cdp.match_candidate c SET run_id = p_run, probability = i.probability, match_key = i.match_key, explanation = i.explanation
                FROM cdp.match_candidate_incoming i
                WHERE i.run_id = p_run AND c.record_a = i.record_a AND c.record_b = i.record_b AND c.status = 'open';
            INSERT INTO cdp.match_candidate (run_id, record_a, record_b, probability, match_key, explanation)
                SELECT p_run, i.record_a, i.record_b, i.probability, i.match_key, i.explanation FROM cdp.match_candidate_incoming i
                WHERE i.run_id = p_run ORDER BY i.position
                ON CONFLICT (record_a, record_b) DO NOTHING;
            DELETE FROM cdp.match_candidate WHERE status = 'open' AND run_id <> p_run;

            -- Golden records: retire those no cluster has, rewrite those that changed (or come back), add the new.
            UPDATE cdp.golden_record g SET retired_run = p_run
                WHERE g.retired_run IS NULL AND NOT EXISTS (SELECT 1 FROM cdp.golden_record_incoming i WHERE i.run_id = p_run AND i.id = g.id);
            GET DIAGNOSTICS retired = ROW_COUNT;
            UPDATE cdp.golden_record g SET attributes = i.attributes, member_count = i.member_count, updated_run = p_run, retired_run = NULL
                FROM cdp.golden_record_incoming i
                WHERE i.run_id = p_run AND i.id = g.id
                    AND (g.retired_run IS NOT NULL OR g.member_count <> i.member_count OR g.attributes <> i.attributes);
            GET DIAGNOSTICS updated = ROW_COUNT;
            INSERT INTO cdp.golden_record (id, attributes, member_count, created_run, updated_run)
                SELECT i.id, i.attributes, i.member_count, p_run, p_run FROM cdp.golden_record_incoming i
                WHERE i.run_id = p_run AND NOT EXISTS (SELECT 1 FROM cdp.golden_record g WHERE g.id = i.id) ORDER BY i.id;
            GET DIAGNOSTICS created = ROW_COUNT;

            -- Links: a record whose golden record changed gets a new link (the old one closed at this run); a record
            -- no longer matched (gone from silver) loses its link.
            UPDATE cdp.golden_xref x SET valid_to_run = p_run
                FROM cdp.golden_xref_incoming i
                WHERE i.run_id = p_run AND x.source = i.source AND x.source_key = i.source_key AND x.valid_to_run IS NULL
                    AND x.golden_id <> i.golden_id;
            UPDATE cdp.golden_xref x SET valid_to_run = p_run
                WHERE x.valid_to_run IS NULL AND NOT EXISTS (SELECT 1 FROM cdp.golden_xref_incoming i
                    WHERE i.run_id = p_run AND i.source = x.source AND i.source_key = x.source_key);
            GET DIAGNOSTICS gone = ROW_COUNT;
            INSERT INTO cdp.golden_xref (source, source_key, golden_id, valid_from_run)
                SELECT i.source, i.source_key, i.golden_id, p_run FROM cdp.golden_xref_incoming i
                WHERE i.run_id = p_run AND NOT EXISTS (SELECT 1 FROM cdp.golden_xref x
                    WHERE x.source = i.source AND x.source_key = i.source_key AND x.valid_to_run IS NULL)
                ORDER BY i.position;
            GET DIAGNOSTICS opened = ROW_COUNT;

            UPDATE cdp.match_run SET finished_at = p_at, statistics = p_statistics, model = p_model WHERE id = p_run;
            DELETE FROM cdp.match_candidate_incoming;
            DELETE FROM cdp.golden_record_incoming;
            DELETE FROM cdp.golden_xref_incoming;
            RETURN created || ' ' || updated || ' ' || retired || ' ' || (opened + gone);
        END $$
        """,
    ]
}
