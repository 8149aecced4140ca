extension PostgresSchema {
    /// What a workspace living on the team store needs of it (pg8): the pipeline writes the lake as the person
    /// running it, with privileges ``PostgresAccessPlan`` grants roles that may run workflows and read personal
    /// data (``PostgresAccessPlan/pipelineGrants``: INSERT on the tables a run fills, UPDATE of the columns it moves
    /// on, never UPDATE or DELETE of a quarantined record or the audit log); what needs more goes through functions
    /// owned by `cdp_owner` that check the permission first.
    static let pipelineObjects: [String] = [
        // Which migrations the store has: every role may ask (the table itself is the owner's).
        """
        CREATE FUNCTION cdp.installed_migrations() RETURNS text[] LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM cdp.schema_migration
        $$
        """,
        // An action of the login role itself, on its own name (`session_user`, never a name it passes): what the
        // engine audits (a run, an export, a refusal it decided) without any role being able to write for another.
        """
        CREATE FUNCTION cdp.append_own_audit(p_action text, p_target text, p_before text, p_after text, p_reason text)
        RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT cdp.append_audit(session_user::text, p_action, p_target, p_before, p_after, p_reason)
        $$
        """,
        // Bronze row ids for a chunk of rows, in one step: the first of `p_count` ids no one else gets.
        """
        CREATE FUNCTION cdp.take_bronze_ids(p_count bigint) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            first_id bigint;
        BEGIN
            PERFORM cdp.require_permission('run_workflows', 'run workflows');
            IF p_count < 1 THEN RAISE EXCEPTION 'take at least one bronze id, not %', p_count USING ERRCODE = 'invalid_parameter_value'; END IF;
            LOCK TABLE cdp.batch IN SHARE ROW EXCLUSIVE MODE;
            first_id := nextval('cdp.bronze_row_id');
            IF p_count > 1 THEN PERFORM setval('cdp.bronze_row_id', first_id + p_count - 1, true); END IF;
            RETURN first_id;
        END $$
        """,
        // A run redoing a batch an interrupted run left half-written: its rows go, the silver rows it superseded are
        // current again, and the batch is `landed`. Never for an ingested batch (its rows are the lake's).
        """
        CREATE FUNCTION cdp.discard_batch_rows(p_batch bigint) RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            batch_state text;
        BEGIN
            PERFORM cdp.require_permission('run_workflows', 'run workflows');
            SELECT state INTO batch_state FROM cdp.batch WHERE id = p_batch FOR UPDATE;
            IF batch_state IS NULL THEN RAISE EXCEPTION 'no batch %', p_batch USING ERRCODE = 'no_data_found'; END IF;
            IF batch_state = 'ingested' THEN
                RAISE EXCEPTION 'batch % is ingested: its rows are the lake''s and are not discarded', p_batch
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            DELETE FROM cdp.silver_customer WHERE batch_id = p_batch;
            UPDATE cdp.silver_customer SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.silver_order WHERE batch_id = p_batch;
            UPDATE cdp.silver_order SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.silver_campaign WHERE batch_id = p_batch;
            UPDATE cdp.silver_campaign SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.silver_event WHERE batch_id = p_batch;
            UPDATE cdp.silver_event SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.row_warning WHERE batch_id = p_batch;
            DELETE FROM cdp.quarantine_history WHERE quarantine_id IN (SELECT id FROM cdp.quarantine_record WHERE batch_id = p_batch);
            DELETE FROM cdp.quarantine_record WHERE batch_id = p_batch;
            DELETE FROM cdp.rule_result WHERE batch_id = p_batch;
            UPDATE cdp.batch SET state = 'landed', rows_read = 0, rows_unchanged = 0, rows_silver = 0, rows_quarantined = 0,
                rows_warned = 0, error = NULL WHERE id = p_batch;
        END $$
        """,
    ]
}
