extension PostgresSchema {
    /// The revalidate step on the team store (migration `pg-revalidation-is-a-runs`): held records that pass now are
    /// marked `fixed` a batch at a time, in one call, not one round trip a record (`cdp.quarantine_revalidate_as_read`).
    /// It is a run's write: only a session of a role whose session holds the run lock calls it. A record is marked only
    /// if it is still open with the fields and key the engine validated (a steward's decision or edit meanwhile is
    /// theirs: skipped, never overwritten); each marked record gets its history row and its audit row
    /// (`quarantine.revalidate`, open → fixed) under the login role, as on the embedded lake.
    ///
    /// `p_records` is a JSON array of `{"id", "fields", "source_key", "failures", "detail"}`: the record as read, the
    /// failures left (warnings), and the history's detail.
    static let revalidationObjects: [String] = [
        """
        CREATE FUNCTION cdp.quarantine_revalidate_as_read(p_records text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            marked record;
            done bigint := 0;
        BEGIN
            PERFORM cdp.require_run_lock('revalidate held records');
            IF jsonb_typeof(p_records::jsonb) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the records to revalidate are a JSON array' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            FOR marked IN
                WITH incoming AS (
                    SELECT (e ->> 'id')::bigint AS id, e -> 'fields' AS fields, e ->> 'source_key' AS source_key,
                        e ->> 'failures' AS failures, e ->> 'detail' AS detail, n
                    FROM jsonb_array_elements(p_records::jsonb) WITH ORDINALITY AS x(e, n)),
                changed AS (
                    -- As the embedded lake's rules column for a record no longer open: the rules failed now, in order,
                    -- then those it was held for.
                    UPDATE cdp.quarantine_record q SET status = 'fixed', failures = i.failures, resolution = NULL, updated_at = cdp.now_text(),
                        rules = ',' || array_to_string(
                            ARRAY(SELECT f ->> 'rule' FROM jsonb_array_elements(i.failures::jsonb) WITH ORDINALITY AS t(f, m) ORDER BY m)
                            || ARRAY(SELECT r FROM unnest(string_to_array(q.rules, ',')) WITH ORDINALITY AS k(r, m)
                                WHERE r <> '' AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(i.failures::jsonb) f WHERE f ->> 'rule' = r)
                                ORDER BY m), ',') || ','
                    FROM incoming i
                    WHERE q.id = i.id AND q.status = 'open' AND q.fields::jsonb = i.fields AND q.source_key = i.source_key
                    RETURNING q.id, i.detail, i.n)
                SELECT id, detail FROM changed ORDER BY n
            LOOP
                INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
                    VALUES (marked.id, cdp.now_text(), session_user, 'revalidate', coalesce(marked.detail, ''));
                PERFORM cdp.append_audit(session_user, 'quarantine.revalidate', 'Q' || marked.id, 'open', 'fixed', NULL);
                done := done + 1;
            END LOOP;
            RETURN done;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
    ]
}
